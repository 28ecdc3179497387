// Every verdict as one audit line, and a sample of the denied requests in the quarantine folder,
// within its caps.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { operation, post, securityHeader, soapEnvelope } from '../soap/soap-client.ts';
import { auditLineWriter, type AuditRecord } from '../../src/gateway/audit.ts';
import { PASSWORD, inProcessGateway, startSpyCore, startTestGateway } from './gateway-harness.ts';

describe('gateway audit', () => {
  it('logs every request once with its verdict, channel, operation, stage, reason, latency and sizes', async () => {
    const spy = await startSpyCore();
    const gw = await startTestGateway(spy.url, { 'bank-a': {} });
    try {
      const envelope = (customerNo: string) => soapEnvelope('1.1', operation('QueryArrears', { customerNo }), securityHeader('bank-a', PASSWORD));
      const body = envelope('3301000000011');
      await post(gw.endpoint(), body, { 'Content-Type': 'text/xml; charset=utf-8' });
      await post(gw.endpoint(), envelope('x'), { 'Content-Type': 'text/xml; charset=utf-8' });
      const [forwarded, denied] = gw.verdicts();
      expect(forwarded).to.include({
        verdict: 'forwarded', channel: 'bank-a', service: 'ChannelPaymentService', operation: 'QueryArrears', stage: 'respond',
        reason: 'core-fault', code: 'CUSTOMER_NOT_FOUND', status: 500, requestBytes: Buffer.byteLength(body),
      });
      expect(forwarded!.ms).to.be.a('number');
      expect(forwarded!.responseBytes).to.be.greaterThan(0);
      expect(forwarded!.correlationId).to.be.a('string');
      expect(denied).to.include({ verdict: 'denied', channel: 'bank-a', operation: 'QueryArrears', stage: 'validate', code: 'VALIDATION_FAILED' });
      expect(gw.logLines.join('\n')).not.to.contain(PASSWORD);
    } finally {
      await gw.stop();
      await spy.stop();
    }
  });

  it('writes an audit line straight to a stream in the shape of the log lines', () => {
    const lines: string[] = [];
    const record: AuditRecord = {
      verdict: 'denied', channel: null, service: 'ChannelPaymentService', operation: null, stage: 'parse', reason: 'not-well-formed',
      code: 'VALIDATION_FAILED', status: 400, ms: 0.4, requestBytes: 12, responseBytes: 300,
    };
    auditLineWriter((line) => lines.push(line))(record, 'corr-0001');
    expect(lines).to.have.length(1);
    expect(lines[0]!.endsWith('\n')).to.equal(true);
    expect(JSON.parse(lines[0]!)).to.deep.include({ level: 'info', role: 'gateway', message: 'gateway verdict', correlationId: 'corr-0001', ...record });
  });

  it('keeps the first of every N denied requests in the quarantine, cut to the file cap, until the folder cap', async () => {
    const gw = await inProcessGateway({ 'bank-a': {} }, { quarantine: { sampleEvery: 3, fileBytesMax: 100, bytesMax: 2_000 } });
    try {
      for (let i = 0; i < 7; i += 1) await gw.app.pipeline.handle(gw.request(`<not-soap>${i}${'x'.repeat(500)}</not-soap>`));
      await gw.app.quarantineWritten();
      const folder = join(gw.dir, 'quarantine');
      const files = readdirSync(folder).sort();
      expect(files).to.have.length(3);
      const first = JSON.parse(readFileSync(join(folder, files[0]!), 'utf8')) as Record<string, unknown>;
      expect(first).to.include({ verdict: 'denied', stage: 'envelope', reason: 'not-an-envelope', bodyBytes: Buffer.byteLength(`<not-soap>0${'x'.repeat(500)}</not-soap>`), correlationId: 'test-correlation-1' });
      expect(Buffer.from(String(first.bodyBase64), 'base64')).to.have.length(100);
      for (let i = 0; i < 30; i += 1) await gw.app.pipeline.handle(gw.request('<x/>'));
      await gw.app.quarantineWritten();
      const total = readdirSync(folder).reduce((n, f) => n + readFileSync(join(folder, f)).length, 0);
      expect(total).to.be.at.most(2_000);
    } finally {
      gw.stop();
    }
  });
});
