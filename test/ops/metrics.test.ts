// GET /metrics of the core: SOAP calls counted by service, operation, channel and outcome, with
// latency histograms; a name that failed authentication never becomes a label; payments' group
// commits are measured.

import { expect } from 'chai';
import { businessDate } from '../../src/clock.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { addCustomer, addIssuedBill } from '../support/payments.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { call, get, operation, securityHeader } from '../soap/soap-client.ts';

const PASSWORD = 'metrics password 1';

function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (wanted.length === 0 && line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((w) => inside.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('core /metrics', function () {
  this.timeout(30_000);
  let core: TestCore;

  before(async () => {
    core = await startTestCore(async (store, box) => {
      const customerId = await addCustomer(store, '3301000000881');
      await addIssuedBill(store, { customerId, billNo: 'M3301000000881', period: '2026-09', amountFen: 5_000, dueOn: '2099-12-31' });
      await addChannel(store, box, { code: 'bank-m', name: 'Bank M', kind: 'bank', password: PASSWORD, operations: ['QueryArrears', 'Pay'] }, 'test', new Date().toISOString());
    });
  });
  after(async () => core?.stop());

  it('counts SOAP calls per service, operation, channel and outcome, and times them', async () => {
    const url = core.endpoint('ChannelPaymentService');
    const before = await get(`${core.server.url}/metrics`);
    const ok = (t: string) => sample(t, 'gridbill_soap_requests_total', { service: 'ChannelPaymentService', operation: 'QueryArrears', channel: 'bank-m', outcome: 'ok' });
    const refused = (t: string) => sample(t, 'gridbill_soap_requests_total', { service: 'ChannelPaymentService', operation: 'QueryArrears', channel: 'unauthenticated', outcome: 'AUTH_FAILED' });
    const body = operation('QueryArrears', { customerNo: '3301000000881' });
    for (let i = 0; i < 3; i += 1) expect((await call(url, body, { header: securityHeader('bank-m', PASSWORD) })).status).to.equal(200);
    expect((await call(url, body, { header: securityHeader('made-up-name', PASSWORD) })).status).to.equal(500);
    const after = await get(`${core.server.url}/metrics`);
    expect(after.status).to.equal(200);
    expect(String(after.headers['content-type'])).to.include('text/plain');
    expect(ok(after.text) - ok(before.text)).to.equal(3);
    expect(refused(after.text) - refused(before.text)).to.equal(1);
    expect(after.text).to.not.include('made-up-name');
    expect(sample(after.text, 'gridbill_soap_request_seconds_count', { service: 'ChannelPaymentService', operation: 'QueryArrears', outcome: 'ok' })).to.be.at.least(3);
    expect(after.text).to.include('gridbill_process_cpu_seconds_total');
  });

  it('measures the group commits of payments', async () => {
    const before = sample((await get(`${core.server.url}/metrics`)).text, 'gridbill_db_group_commit_units_count', {});
    const reply = await call(core.endpoint('ChannelPaymentService'), operation('Pay', {
      channelTxnId: 'MET-1', customerNo: '3301000000881', amount: '10.00', accountingDate: businessDate(),
    }), { header: securityHeader('bank-m', PASSWORD) });
    expect(reply.status, reply.text).to.equal(200);
    const after = sample((await get(`${core.server.url}/metrics`)).text, 'gridbill_db_group_commit_units_count', {});
    expect(after - before).to.equal(1);
  });
});
