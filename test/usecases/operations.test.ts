// Channel assessment, terminal status and alerts on every store: the figures the operators see,
// read from the counters every core adds to, payments, reconciliation, readings and commands.

import { expect } from 'chai';
import { addChannel, addCustomer, expectFault } from '../support/payments.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { ChannelActivity, callOutcome } from '../../src/usecases/channel-activity.ts';
import { assessChannel } from '../../src/usecases/channel-assessment.ts';
import { terminalStatus } from '../../src/usecases/terminal-status.ts';
import { listAlerts } from '../../src/usecases/list-alerts.ts';
import { insertPayment } from '../../src/store/payment.repository.ts';
import { insertReconciliationDay, markDayReconciled } from '../../src/store/reconciliation.repository.ts';
import { insertMeter, insertReadings, insertRegisters } from '../../src/store/meter.repository.ts';
import { insertAlert, insertControlCommand } from '../../src/store/control.repository.ts';
import { LIMITS } from '../../src/limits.ts';
import type { Store } from '../../src/store/database.ts';

const at = (day: string, hh = '02') => `${day}T${hh}:00:00.000Z`;

async function payment(store: Store, channelId: number, customerId: number, txn: string, day: string, fen: number, reversedOn?: string): Promise<void> {
  await insertPayment(store, {
    channel_id: channelId, channel_txn_id: txn, customer_id: customerId, amount_fen: fen, accounting_date: day,
    status: reversedOn === undefined ? 'posted' : 'reversed', request_hash: txn, response: '', created_at: at(day),
    ...(reversedOn === undefined ? {} : { reversal_txn_id: `R${txn}`, reversal_accounting_date: reversedOn, reversed_at: at(reversedOn) }),
  });
}

describeOnEveryStore('channel assessment', (h) => {
  let bankId = 0;
  before(async () => {
    bankId = await addChannel(h.store, 'bank-q');
    await addChannel(h.store, 'bank-idle');
    const customerId = await addCustomer(h.store, '3300000000011');
    await payment(h.store, bankId, customerId, 'T1', '2026-11-02', 10000);
    await payment(h.store, bankId, customerId, 'T2', '2026-11-02', 2550, '2026-11-02');
    await payment(h.store, bankId, customerId, 'T3', '2026-11-03', 100, '2026-11-04');
    await payment(h.store, bankId, customerId, 'T4', '2026-10-31', 999); // outside the month
    const dayId = await insertReconciliationDay(h.store, {
      channel_id: bankId, accounting_date: '2026-11-02', status: 'receiving', total_count: 2, total_amount_fen: 12550, batch_count: 1,
      batches_received: 1, entry_count: 2, entry_amount_fen: 12550, matched_count: null, matched_amount_fen: null, channel_only_count: null,
      platform_only_count: null, amount_mismatch_count: null, created_at: at('2026-11-03'), reconciled_at: null,
    });
    await markDayReconciled(h.store, dayId, { matchedCount: 1, matchedAmountFen: 10000, channelOnlyCount: 1, platformOnlyCount: 1, amountMismatchCount: 1 }, at('2026-11-03'));
    await insertReconciliationDay(h.store, {
      channel_id: bankId, accounting_date: '2026-11-03', status: 'receiving', total_count: 1, total_amount_fen: 100, batch_count: 2,
      batches_received: 1, entry_count: 1, entry_amount_fen: 100, matched_count: null, matched_amount_fen: null, channel_only_count: null,
      platform_only_count: null, amount_mismatch_count: null, created_at: at('2026-11-04'), reconciled_at: null,
    });
    // Two cores: their counters and histograms add up in the stored rows.
    const coreA = new ChannelActivity(h.store);
    const coreB = new ChannelActivity(h.store);
    for (let i = 0; i < 90; i += 1) coreA.record('bank-q', 'ok', '2026-11-02', at('2026-11-02'), 4);
    for (let i = 0; i < 5; i += 1) coreB.record('bank-q', 'client-fault', '2026-11-02', at('2026-11-02'), 15);
    for (let i = 0; i < 5; i += 1) coreB.record('bank-q', 'server-fault', '2026-11-03', at('2026-11-03'), 1500);
    await Promise.all([coreA.flush(), coreB.flush()]);
  });

  it('sums a month across cores: calls, success, availability, percentiles, payments, reversals, reconciliation', async () => {
    const month = await assessChannel(h.store, undefined, { channelCode: 'bank-q', from: '2026-11-01', to: '2026-11-30' });
    expect(month.total).to.deep.equal({
      calls: 100, failures: 10, unknownOutcomes: 5, successRateBp: 9000, availabilityBp: 9500,
      p50LatencyMs: 4, p95LatencyMs: 20, p99LatencyMs: 1800,
      payments: 3, paymentAmountFen: 12650, reversals: 2, daysReconciled: 1, discrepancies: 3,
    });
    expect(month.days.map((d) => d.day)).to.deep.equal(['2026-11-02', '2026-11-03', '2026-11-04']);
    expect(month.days[0]).to.deep.include({ calls: 95, failures: 5, unknownOutcomes: 0, successRateBp: 9473, availabilityBp: 10000, p99LatencyMs: 19, reversals: 1, daysReconciled: 1 });
    expect(month.days[1]).to.deep.include({ calls: 5, successRateBp: 0, availabilityBp: 0, payments: 1, daysReconciled: 0 });
  });

  it('gives each month of a range its own figures, clipped to the range, and the months add up to the total', async () => {
    const core = new ChannelActivity(h.store);
    core.record('bank-q', 'ok', '2026-10-31', at('2026-10-31'), 3);
    core.record('bank-q', 'server-fault', '2026-10-31', at('2026-10-31'), 3);
    const range = await assessChannel(h.store, core, { channelCode: 'bank-q', from: '2026-10-15', to: '2026-11-03' });
    expect(range.months.map((m) => [m.from, m.to])).to.deep.equal([['2026-10-15', '2026-10-31'], ['2026-11-01', '2026-11-03']]);
    expect(range.months[0]).to.deep.include({ calls: 2, failures: 1, unknownOutcomes: 1, successRateBp: 5000, availabilityBp: 5000, payments: 1, paymentAmountFen: 999 }); // T4
    // November to the 3rd: the seeded 2nd and 3rd (the 4th is outside the range)
    const november = range.days.filter((d) => d.day >= '2026-11-01');
    expect(range.months[1]!.calls).to.equal(november.reduce((n, d) => n + d.calls, 0));
    for (const key of ['calls', 'failures', 'unknownOutcomes', 'payments', 'paymentAmountFen', 'reversals', 'daysReconciled', 'discrepancies'] as const) {
      expect(range.months[0]![key] + range.months[1]![key], key).to.equal(range.total[key]);
    }
    // percentiles of a month come from its merged histogram, not from its days' percentiles
    expect(range.months[1]!.p99LatencyMs).to.be.at.least(Math.max(...november.map((d) => d.p50LatencyMs)));
  });

  it('answers one day, with this core\'s unwritten counts included', async () => {
    const core = new ChannelActivity(h.store);
    core.record('bank-q', 'ok', '2026-11-05', at('2026-11-05'), 30);
    const day = await assessChannel(h.store, core, { channelCode: 'bank-q', from: '2026-11-05', to: '2026-11-05' });
    expect(day.total).to.deep.include({ calls: 1, failures: 0, successRateBp: 10000, p50LatencyMs: 35, payments: 0 });
  });

  it('answers a channel without activity with zeros and full rates', async () => {
    const idle = await assessChannel(h.store, undefined, { channelCode: 'bank-idle', from: '2026-11-01', to: '2026-11-30' });
    expect(idle.total).to.deep.include({ calls: 0, successRateBp: 10000, availabilityBp: 10000, p50LatencyMs: 0, p99LatencyMs: 0, paymentAmountFen: 0 });
    expect(idle.days).to.deep.equal([]);
    expect(idle.months).to.deep.equal([]);
  });

  it('refuses an unknown channel, a reversed range and a range longer than the limit', async () => {
    await expectFault(assessChannel(h.store, undefined, { channelCode: 'nobody', from: '2026-11-01', to: '2026-11-01' }), 'NOT_FOUND');
    await expectFault(assessChannel(h.store, undefined, { channelCode: 'bank-q', from: '2026-11-02', to: '2026-11-01' }), 'RANGE_INVALID');
    await assessChannel(h.store, undefined, { channelCode: 'bank-q', from: '2025-11-01', to: '2026-11-01' }); // 366 days
    await expectFault(assessChannel(h.store, undefined, { channelCode: 'bank-q', from: '2025-11-01', to: '2026-11-02' }), 'RANGE_INVALID');
    expect(LIMITS.assessmentDaysMax).to.equal(366);
  });

  it('classifies SOAP outcomes: the caller\'s faults, the platform\'s, HTTP statuses', () => {
    expect(callOutcome('ok')).to.equal('ok');
    expect(callOutcome('CUSTOMER_NOT_FOUND')).to.equal('client-fault');
    expect(callOutcome('AUTH_FAILED')).to.equal('client-fault');
    expect(callOutcome('UNAVAILABLE')).to.equal('server-fault');
    expect(callOutcome('INTERNAL')).to.equal('server-fault');
    expect(callOutcome('http-413')).to.equal('client-fault');
    expect(callOutcome('http-503')).to.equal('server-fault');
    expect(callOutcome('SOMETHING_UNCATALOGUED')).to.equal('server-fault');
  });
});

describeOnEveryStore('terminal status and alerts', (h) => {
  const TODAY = '2026-11-20';
  before(async () => {
    const customerId = await addCustomer(h.store, '3300000000029');
    const meter = async (meterNo: string, readOn: string | null) => {
      const id = await insertMeter(h.store, { meter_no: meterNo, customer_id: customerId, ct_ratio: 1, pt_ratio: 1, installed_on: '2026-01-01', removed_on: null, status: 'installed' });
      const [registerId] = await insertRegisters(h.store, [{ meter_id: id, kind: 'total', digits: 6, rollover_allowed: 1 }]);
      if (readOn !== null) await insertReadings(h.store, [{ register_id: registerId!, read_on: readOn, value_hundredths: 100, source: 'actual', recorded_at: at(readOn, '20') }]);
      return id;
    };
    const command = async (meterId: number, commandId: string, kind: 'DISCONNECT' | 'RECONNECT', status: 'DONE' | 'FAILED') => insertControlCommand(h.store, {
      command_id: commandId, customer_id: customerId, meter_id: meterId, kind, status, reason: 'test', created_at: at('2026-11-10'),
      approved_by: null, approved_at: null, sent_at: null, completed_at: null, last_error: null,
    });
    await meter('M001', '2026-11-19'); // read yesterday: ONLINE
    await meter('M002', '2026-11-17'); // 3 days old: DEGRADED
    const m3 = await meter('M003', '2026-11-19'); // fresh, but a command failed: DEGRADED
    await command(m3, 'C31', 'DISCONNECT', 'FAILED');
    const m4 = await meter('M004', '2026-11-19'); // failed, then a command succeeded: ONLINE, switched off
    await command(m4, 'C41', 'DISCONNECT', 'FAILED');
    await command(m4, 'C42', 'DISCONNECT', 'DONE');
    await meter('M005', '2026-10-01'); // 50 days: OFFLINE
    await meter('M006', null); // never read: OFFLINE
    await insertMeter(h.store, { meter_no: 'M000', customer_id: customerId, ct_ratio: 1, pt_ratio: 1, installed_on: '2026-01-01', removed_on: '2026-02-01', status: 'removed' });
    await insertAlert(h.store, { kind: 'direct-debit-failed', subject: 'bill:1', message: 'debit failed', created_at: at('2026-11-01') });
    const second = await insertAlert(h.store, { kind: 'control-command-failed', subject: 'control-command:C31', message: 'DISCONNECT C31: <rejected>', created_at: at('2026-11-10') });
    await insertAlert(h.store, { kind: 'something-new', subject: 's', message: 'm', created_at: at('2026-11-15') });
    await h.store.db.updateTable('alerts').set({ acknowledged_at: at('2026-11-11') }).where('id', '=', second).execute();
  });

  it('derives each installed meter\'s state from the age of its reading and its failed commands', async () => {
    const all = await terminalStatus(h.store, { today: TODAY, limit: 50 });
    expect(all.more).to.equal(false);
    expect(all.terminals.map((t) => [t.meterNo, t.status, t.readingAgeDays, t.failedCommands, t.switchState])).to.deep.equal([
      ['M001', 'ONLINE', 1, 0, 'on'],
      ['M002', 'DEGRADED', 3, 0, 'on'],
      ['M003', 'DEGRADED', 1, 1, 'on'],
      ['M004', 'ONLINE', 1, 0, 'off'],
      ['M005', 'OFFLINE', 50, 0, 'on'],
      ['M006', 'OFFLINE', null, 0, 'on'],
    ]);
    expect(all.terminals[0]!.lastRecordedAt).to.equal(at('2026-11-19', '20'));
  });

  it('filters by state in the query, the same way the states are derived, and pages by meter number', async () => {
    for (const status of ['ONLINE', 'DEGRADED', 'OFFLINE'] as const) {
      const page = await terminalStatus(h.store, { today: TODAY, limit: 50, status });
      expect(page.terminals.every((t) => t.status === status), status).to.equal(true);
      expect(page.terminals.length, status).to.equal(2);
    }
    const first = await terminalStatus(h.store, { today: TODAY, limit: 2 });
    expect(first.terminals.map((t) => t.meterNo)).to.deep.equal(['M001', 'M002']);
    expect(first.more).to.equal(true);
    const next = await terminalStatus(h.store, { today: TODAY, limit: 2, afterMeterNo: 'M002', status: 'DEGRADED' });
    expect(next.terminals.map((t) => t.meterNo)).to.deep.equal(['M003']);
    expect(next.more).to.equal(false);
  });

  it('answers one terminal, and NOT_FOUND for a meter that is unknown or removed', async () => {
    const one = await terminalStatus(h.store, { today: TODAY, limit: 10, meterNo: 'M003' });
    expect(one.terminals.map((t) => t.meterNo)).to.deep.equal(['M003']);
    expect((await terminalStatus(h.store, { today: TODAY, limit: 10, meterNo: 'M003', status: 'ONLINE' })).terminals).to.deep.equal([]);
    await expectFault(terminalStatus(h.store, { today: TODAY, limit: 10, meterNo: 'M000' }), 'NOT_FOUND');
    await expectFault(terminalStatus(h.store, { today: TODAY, limit: 10, meterNo: 'M999' }), 'NOT_FOUND');
  });

  it('lists alerts with their severity, filtered by severity, time and activity, paged by id', async () => {
    const all = await listAlerts(h.store, { limit: 10 });
    expect(all.alerts.map((a) => [a.kind, a.severity, a.clearedAt !== null])).to.deep.equal([
      ['direct-debit-failed', 'WARNING', false], ['control-command-failed', 'CRITICAL', true], ['something-new', 'WARNING', false],
    ]);
    expect((await listAlerts(h.store, { limit: 10, minSeverity: 'CRITICAL' })).alerts.map((a) => a.kind)).to.deep.equal(['control-command-failed']);
    expect((await listAlerts(h.store, { limit: 10, minSeverity: 'WARNING' })).alerts).to.have.length(3);
    expect((await listAlerts(h.store, { limit: 10, activeOnly: true })).alerts.map((a) => a.kind)).to.deep.equal(['direct-debit-failed', 'something-new']);
    expect((await listAlerts(h.store, { limit: 10, since: at('2026-11-10') })).alerts).to.have.length(2);
    const first = await listAlerts(h.store, { limit: 1 });
    expect(first.more).to.equal(true);
    const rest = await listAlerts(h.store, { limit: 5, afterId: first.alerts[0]!.id });
    expect(rest.alerts).to.have.length(2);
    expect(rest.more).to.equal(false);
  });
});
