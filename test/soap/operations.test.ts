// OperationsService over HTTP. GetChannelStatus: every call a channel makes through any service is
// counted (and its failures), and answered with the stored counts plus this core's unwritten ones.

import { expect } from 'chai';
import { addChannel, setChannelEnabled } from '../../src/usecases/manage-channels.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { bodyOf, call, faultOf, fieldsOf, operation, securityHeader, type Version } from './soap-client.ts';
import { childrenOf, type XmlNode } from '../wsdl/xml-tree.ts';
import { addCustomer } from '../support/payments.ts';
import { insertMeter, insertReadings, insertRegisters } from '../../src/store/meter.repository.ts';
import { insertAlert } from '../../src/store/control.repository.ts';
import { loadServiceContract } from '../../src/contract/service-contract.ts';
import { parseXml } from '../../src/contract/xml.ts';
import { businessDate } from '../../src/clock.ts';
import { daysBetween } from '../../src/domain/dates.ts';

const OPS = 'urn:gridbill:operations:v1';
const PASSWORD = 'operations console 1';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/;

describe('OperationsService.GetChannelStatus over HTTP', function () {
  this.timeout(30_000);
  let core: TestCore;

  before(async () => {
    core = await startTestCore(async (store, box) => {
      const now = new Date().toISOString();
      await addChannel(store, box, { code: 'ops', name: '运维<监控>', kind: 'internal', password: PASSWORD, operations: ['GetChannelStatus', 'GetChannelAssessment', 'GetTerminalStatus', 'ListAlerts'] }, 'test', now);
      await addChannel(store, box, { code: 'bank-a', name: 'Bank A', kind: 'bank', password: PASSWORD, operations: ['QueryArrears'] }, 'test', now);
      await addChannel(store, box, { code: 'bank-off', name: 'Bank Off', kind: 'bank', password: PASSWORD, operations: ['QueryArrears'] }, 'test', now);
      await setChannelEnabled(store, 'bank-off', false, 'test', now);
    });
  });

  after(async () => core?.stop());

  const status = async (version: Version, channelCode?: string) => {
    const body = `<o:GetChannelStatus xmlns:o="${OPS}">${channelCode === undefined ? '' : `<o:channelCode>${channelCode}</o:channelCode>`}</o:GetChannelStatus>`;
    return call(core.endpoint('OperationsService'), body, { version, header: securityHeader('ops', PASSWORD) });
  };
  const byCode = (answer: XmlNode) => new Map(childrenOf(answer, OPS, 'channel').map((c) => [fieldsOf(c)[0]![1], Object.fromEntries(fieldsOf(c))]));

  for (const version of ['1.1', '1.2'] as const) {
    it(`SOAP ${version}: counts every channel's calls and failures of today, with when it was last seen`, async () => {
      const arrears = (password: string) => call(core.endpoint('ChannelPaymentService'), operation('QueryArrears', { customerNo: '3300000009999' }), {
        version, header: securityHeader('bank-a', password),
      });
      const before = byCode(bodyOf(await status(version), version));
      await arrears(PASSWORD); // CUSTOMER_NOT_FOUND: a failure
      await arrears('wrong password 12'); // AUTH_FAILED under bank-a's name: a failure
      const reply = await status(version);
      expect(reply.status, reply.text).to.equal(200);
      const answer = bodyOf(reply, version);
      expect(answer.local).to.equal('GetChannelStatusResponse');
      const since = fieldsOf(answer)[0]!;
      expect(since[0]).to.equal('since');
      expect(since[1]).to.match(/T00:00:00\.000\+08:00$/);
      const channels = byCode(answer);
      expect([...channels.keys()]).to.deep.equal(['bank-a', 'bank-off', 'ops']);
      const bank = channels.get('bank-a')!;
      expect(Number(bank.calls) - Number(before.get('bank-a')?.calls ?? 0)).to.equal(2);
      expect(Number(bank.failures) - Number(before.get('bank-a')?.failures ?? 0)).to.equal(2);
      expect(bank.lastSeen).to.match(TIMESTAMP);
      expect(Object.keys(bank)).to.deep.equal(['channelCode', 'name', 'enabled', 'calls', 'failures', 'lastSeen']);
      expect(channels.get('bank-off')).to.deep.include({ enabled: 'false', calls: '0', failures: '0' });
      expect(channels.get('bank-off')!.lastSeen).to.equal(undefined);
      expect(channels.get('ops')!.name).to.equal('运维 监控 '); // no markup goes out
      expect(Number(channels.get('ops')!.calls)).to.be.greaterThan(0);
    });
  }

  it('answers one channel when asked, and NOT_FOUND for a code that is not registered', async () => {
    const one = bodyOf(await status('1.1', 'bank-off'), '1.1');
    expect([...byCode(one).keys()]).to.deep.equal(['bank-off']);
    const unknown = await status('1.1', 'nobody');
    expect(faultOf(unknown, '1.1')).to.include({ detailCode: 'NOT_FOUND' });
    const malformed = await status('1.1', 'no spaces allowed');
    expect(faultOf(malformed, '1.1')).to.include({ detailCode: 'VALIDATION_FAILED' });
  });
});

describe('OperationsService assessment, terminals and alerts over HTTP', function () {
  this.timeout(30_000);
  let core: TestCore;
  const contract = loadServiceContract('OperationsService');

  before(async () => {
    core = await startTestCore(async (store, box) => {
      const now = new Date().toISOString();
      await addChannel(store, box, { code: 'ops', name: 'ops', kind: 'internal', password: PASSWORD, operations: ['GetChannelAssessment', 'GetTerminalStatus', 'ListAlerts'] }, 'test', now);
      await addChannel(store, box, { code: 'bank-a', name: 'Bank A', kind: 'bank', password: PASSWORD, operations: ['QueryArrears'] }, 'test', now);
      const customerId = await addCustomer(store, '3300000000037');
      const meterId = await insertMeter(store, { meter_no: 'M330100000001', customer_id: customerId, ct_ratio: 1, pt_ratio: 1, installed_on: '2026-01-01', removed_on: null, status: 'installed' });
      const [registerId] = await insertRegisters(store, [{ meter_id: meterId, kind: 'total', digits: 6, rollover_allowed: 1 }]);
      await insertReadings(store, [{ register_id: registerId!, read_on: '2026-01-01', value_hundredths: 0, source: 'install', recorded_at: '2026-01-01T02:00:00.000Z' }]);
      await insertMeter(store, { meter_no: 'M330100000002', customer_id: customerId, ct_ratio: 1, pt_ratio: 1, installed_on: '2026-01-01', removed_on: null, status: 'installed' });
      await insertAlert(store, { kind: 'control-command-failed', subject: 'control-command:C1', message: 'DISCONNECT C1: head-end <rejected>', created_at: '2026-11-10T02:00:00.000Z' });
      await insertAlert(store, { kind: 'direct-debit-failed', subject: 'bill:1', message: 'debit failed', created_at: '2026-11-11T02:00:00.000Z' });
    });
  });

  after(async () => core?.stop());

  const ask = (body: string, version: Version = '1.1') => call(core.endpoint('OperationsService'), `<o:${body.split(/[ >]/)[0]} xmlns:o="${OPS}"${body.slice(body.split(/[ >]/)[0]!.length)}`, {
    version, header: securityHeader('ops', PASSWORD),
  });
  /** The answer, checked against the contract's response schema. */
  const answerOf = (reply: Awaited<ReturnType<typeof call>>, version: Version = '1.1') => {
    expect(reply.status, reply.text).to.equal(200);
    const node = parseXml(reply.text).children.find((c) => c.local === 'Body')!.children[0]!;
    const validation = contract.operationOfResponse(node)!.response.validate(node);
    expect(validation.ok, JSON.stringify(validation)).to.equal(true);
    return bodyOf(reply, version);
  };

  for (const version of ['1.1', '1.2'] as const) {
    it(`SOAP ${version}: assesses a channel over today, its calls just made included`, async () => {
      await call(core.endpoint('ChannelPaymentService'), operation('QueryArrears', { customerNo: '3300000009999' }), { version, header: securityHeader('bank-a', PASSWORD) });
      await call(core.endpoint('ChannelPaymentService'), operation('QueryArrears', { customerNo: '3300000000037' }), { version, header: securityHeader('bank-a', PASSWORD) });
      const today = businessDate();
      const answer = answerOf(await ask(`GetChannelAssessment><o:channelCode>bank-a</o:channelCode><o:from>${today}</o:from><o:to>${today}</o:to></o:GetChannelAssessment>`, version), version);
      const fields = Object.fromEntries(fieldsOf(answer));
      expect(fieldsOf(answer).map(([name]) => name)).to.deep.equal(['channelCode', 'from', 'to', 'calls', 'failures', 'successRate', 'p50LatencyMs', 'p99LatencyMs',
        'payments', 'paymentAmount', 'reversals', 'unknownOutcomes', 'daysReconciled', 'discrepancies', 'p95LatencyMs', 'availability', 'month', 'day']);
      expect(Number(fields.calls)).to.be.greaterThanOrEqual(2);
      expect(Number(fields.failures)).to.be.greaterThanOrEqual(1);
      expect(fields).to.include({ unknownOutcomes: '0', payments: '0', paymentAmount: '0.00', daysReconciled: '0', availability: '100.00' });
      expect(fields.successRate).to.match(/^[0-9]{1,3}\.[0-9]{2}$/);
      expect(Number(fields.p95LatencyMs)).to.be.within(Number(fields.p50LatencyMs), Number(fields.p99LatencyMs));
      // one day in one month: both rows carry the totals, the month clipped to the range
      for (const name of ['month', 'day']) {
        const [row, ...more] = childrenOf(answer, OPS, name);
        expect(more, name).to.have.length(0);
        const period = Object.fromEntries(fieldsOf(row!));
        expect(period, name).to.include({ from: today, to: today, calls: fields.calls, failures: fields.failures, successRate: fields.successRate,
          availability: '100.00', p95LatencyMs: fields.p95LatencyMs, reconciled: 'false' });
      }
    });
  }

  it('refuses an unknown channel, a reversed or too long range, and a malformed date', async () => {
    const assess = (code: string, from: string, to: string) => ask(`GetChannelAssessment><o:channelCode>${code}</o:channelCode><o:from>${from}</o:from><o:to>${to}</o:to></o:GetChannelAssessment>`);
    expect(faultOf(await assess('nobody', '2026-11-01', '2026-11-30'), '1.1')).to.include({ detailCode: 'NOT_FOUND' });
    expect(faultOf(await assess('bank-a', '2026-11-30', '2026-11-01'), '1.1')).to.include({ detailCode: 'RANGE_INVALID' });
    expect(faultOf(await assess('bank-a', '2025-01-01', '2026-11-30'), '1.1')).to.include({ detailCode: 'RANGE_INVALID' });
    expect(faultOf(await assess('bank-a', '2026-11-31', '2026-12-01'), '1.1')).to.include({ detailCode: 'VALIDATION_FAILED' });
  });

  it('lists terminals with their state, filtered and paged', async () => {
    const all = answerOf(await ask('GetTerminalStatus><o:pageSize>1</o:pageSize></o:GetTerminalStatus>'));
    const [first] = childrenOf(all, OPS, 'terminal');
    expect(Object.fromEntries(fieldsOf(first!))).to.deep.include({ terminalId: 'M330100000001', kind: 'meter', status: 'OFFLINE', meters: '1', switchState: 'ON', failedCommands: '0' });
    expect(Number(Object.fromEntries(fieldsOf(first!)).readingAgeDays)).to.equal(daysBetween('2026-01-01', businessDate()));
    expect(Object.fromEntries(fieldsOf(first!)).lastSeen).to.match(TIMESTAMP);
    expect(Object.fromEntries(fieldsOf(all)).more).to.equal('true');
    const next = answerOf(await ask('GetTerminalStatus><o:status>OFFLINE</o:status><o:afterTerminalId>M330100000001</o:afterTerminalId><o:pageSize>10</o:pageSize></o:GetTerminalStatus>', '1.2'), '1.2');
    expect(childrenOf(next, OPS, 'terminal').map((t) => Object.fromEntries(fieldsOf(t)))).to.deep.equal([
      { terminalId: 'M330100000002', kind: 'meter', status: 'OFFLINE', meters: '1', switchState: 'ON', failedCommands: '0' }, // never read: no age
    ]);
    const online = answerOf(await ask('GetTerminalStatus><o:status>ONLINE</o:status><o:pageSize>10</o:pageSize></o:GetTerminalStatus>'));
    expect(childrenOf(online, OPS, 'terminal')).to.have.length(0);
    expect(faultOf(await ask('GetTerminalStatus><o:terminalId>M9</o:terminalId><o:pageSize>10</o:pageSize></o:GetTerminalStatus>'), '1.1')).to.include({ detailCode: 'NOT_FOUND' });
    expect(faultOf(await ask('GetTerminalStatus><o:status>BROKEN</o:status><o:pageSize>10</o:pageSize></o:GetTerminalStatus>'), '1.1')).to.include({ detailCode: 'VALIDATION_FAILED' });
    expect(faultOf(await ask('GetTerminalStatus><o:pageSize>501</o:pageSize></o:GetTerminalStatus>'), '1.1')).to.include({ detailCode: 'VALIDATION_FAILED' });
  });

  it('lists alerts with severity and a message without markup, filtered by severity and time', async () => {
    const all = answerOf(await ask('ListAlerts><o:pageSize>10</o:pageSize></o:ListAlerts>'));
    const alerts = childrenOf(all, OPS, 'alert').map((a) => Object.fromEntries(fieldsOf(a)));
    expect(alerts.map((a) => [a.severity, a.source])).to.deep.equal([['CRITICAL', 'control-command-failed'], ['WARNING', 'direct-debit-failed']]);
    expect(alerts[0]!.message).to.equal('DISCONNECT C1: head-end  rejected ');
    expect(alerts[0]!.raisedAt).to.equal('2026-11-10T10:00:00.000+08:00');
    const critical = answerOf(await ask('ListAlerts><o:minSeverity>CRITICAL</o:minSeverity><o:activeOnly>true</o:activeOnly><o:pageSize>10</o:pageSize></o:ListAlerts>'));
    expect(childrenOf(critical, OPS, 'alert')).to.have.length(1);
    const since = answerOf(await ask('ListAlerts><o:since>2026-11-11T00:00:00+08:00</o:since><o:afterId>1</o:afterId><o:pageSize>1</o:pageSize></o:ListAlerts>'));
    expect(childrenOf(since, OPS, 'alert').map((a) => Object.fromEntries(fieldsOf(a)).source)).to.deep.equal(['direct-debit-failed']);
    expect(faultOf(await ask('ListAlerts><o:since>2026-11-11T00:00:00</o:since><o:pageSize>1</o:pageSize></o:ListAlerts>'), '1.1')).to.include({ detailCode: 'VALIDATION_FAILED' });
    expect(faultOf(await ask('ListAlerts><o:minSeverity>LOW</o:minSeverity><o:pageSize>1</o:pageSize></o:ListAlerts>'), '1.1')).to.include({ detailCode: 'VALIDATION_FAILED' });
  });
});
