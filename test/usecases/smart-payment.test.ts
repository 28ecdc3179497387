import { expect } from 'chai';
import { addDays } from '../../src/domain/dates.ts';
import { accountBalance, ledgerTotal } from '../../src/store/ledger.repository.ts';
import { addHoliday, insertMeterIntervalsFor, protectCustomer } from './smart-payment.support.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { addChannel, expectFault } from '../support/payments.ts';
import { registerCustomer, type NewCustomerInput } from '../../src/usecases/register-customer.ts';
import { runEstimation } from '../../src/usecases/run-estimation.ts';
import { runBilling } from '../../src/usecases/run-billing.ts';
import { issueBills } from '../../src/usecases/issue-bills.ts';
import { settleEstimates } from '../../src/usecases/settle-estimates.ts';
import { pay } from '../../src/usecases/pay.ts';
import { approveControlCommand } from '../../src/usecases/approve-control-command.ts';
import { listControlCommands } from '../../src/usecases/list-control-commands.ts';
import { dispatchControlCommands } from '../../src/usecases/dispatch-control-commands.ts';
import { reconnectPaidUp } from '../../src/usecases/reconnect-paid-up.ts';
import { updateSegmentSettings } from '../../src/usecases/estimation-settings.ts';
import type { MeterControl, SwitchState } from '../../src/usecases/meter-control.ts';
import type { OpenStore } from '../../src/store/connect.ts';
import { findControlCommand, insertControlCommand, listAlerts } from '../../src/store/control.repository.ts';

/** Beijing wall-clock time on a date as a UTC instant. */
function at(date: string, hhmm: string): string {
  return new Date(Date.parse(`${date}T${hhmm}:00.000+08:00`)).toISOString();
}

class FakeHeadEnd implements MeterControl {
  readonly states = new Map<string, SwitchState>();
  readonly sent: string[] = [];
  failuresLeft = 0;
  async send(command: { commandId: string; meterNo: string; kind: 'DISCONNECT' | 'RECONNECT' }) {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('head-end timeout');
    }
    this.sent.push(`${command.kind}:${command.meterNo}`);
    const state: SwitchState = command.kind === 'DISCONNECT' ? 'DISCONNECTED' : 'CONNECTED';
    this.states.set(command.meterNo, state);
    return { ack: 'DONE' as const, switchState: state };
  }
  async switchState(meterNo: string): Promise<SwitchState> {
    return this.states.get(meterNo) ?? 'CONNECTED';
  }
}

const RESIDENT = '3300000007001';
const FACTORY = '3300000007002';
const START = '2026-10-31';
/** 10 kWh a day on a 1× meter; 2026-11-15 has no reading (the day is skipped, the settlement catches up). */
function dailyReadings(days: number): Array<{ readOn: string; valueHundredths: number; source: 'actual' }> {
  const out: Array<{ readOn: string; valueHundredths: number; source: 'actual' }> = [];
  for (let d = 0; d <= days; d++) {
    const readOn = addDays(START, d);
    if (readOn !== '2026-11-15') out.push({ readOn, valueHundredths: 100_000 + d * 1_000, source: 'actual' });
  }
  return out;
}

function smartCustomer(no: string, category: 'residential' | 'industrial-commercial', readings: ReturnType<typeof dailyReadings>): NewCustomerInput {
  return {
    customerNo: no, name: '智能用户', category, voltage: 'below-1kv', address: '杭州市西湖区文三路7号', phone: '13900000000', idNumber: null,
    creditCode: null, households: 1, tariffCode: category === 'residential' ? 'zj-residential-ladder' : 'zj-commercial-tou', timeOfUse: category !== 'residential',
    paymentMode: 'smart-prepaid', ladderYearStartMonth: 1, capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null,
    meters: [{
      meterNo: `M${no}`, ctRatio: 1, ptRatio: 1, installedOn: '2020-01-01',
      registers: category === 'residential'
        ? [{ kind: 'total', digits: 6, rolloverAllowed: true, readings }]
        : (['total', 'sharp', 'peak', 'flat', 'valley'] as const).map((kind) => ({
          kind, digits: 8, rolloverAllowed: false, readings: [{ readOn: START, valueHundredths: 0, source: 'actual' as const }, { readOn: '2026-11-30', valueHundredths: kind === 'total' ? 4_800 : kind === 'sharp' ? 0 : 1_600, source: 'actual' as const }],
        })),
    }],
  };
}

async function customerId(store: OpenStore, no: string): Promise<number> {
  return Number((await store.db.selectFrom('customers').select('id').where('customer_no', '=', no).executeTakeFirstOrThrow()).id);
}

async function notices(store: OpenStore, id: number): Promise<string[]> {
  return (await store.db.selectFrom('balance_notices').select(['day', 'level']).where('customer_id', '=', id).orderBy('id').execute()).map((n) => `${n.day} ${n.level}`);
}

describeOnEveryStore('smart payment', (h) => {
  const headEnd = new FakeHeadEnd();
  let resident = 0;

  before(async () => {
    await importFixtureTariffs(h.store);
    await registerCustomer(h.store, smartCustomer(RESIDENT, 'residential', dailyReadings(30)), at(START, '10:00'));
    await registerCustomer(h.store, smartCustomer(FACTORY, 'industrial-commercial', []), at(START, '10:00'));
    resident = await customerId(h.store, RESIDENT);
    await addChannel(h.store, 'smart-bank');
    await pay(h.store, { channelCode: 'smart-bank', channelTxnId: 'SP-1', customerNo: RESIDENT, amountFen: 5_000, accountingDate: START, now: at(START, '10:00') });
  });

  it('estimates a day once: re-running the same day changes nothing', async () => {
    const first = await runEstimation(h.store, { date: '2026-11-01', segment: 'residential', now: at('2026-11-02', '06:30'), actor: 'test' });
    expect(first).to.include({ accounts: 1, estimatedKwh: 10, amountFen: 538, skipped: 0 });
    const again = await runEstimation(h.store, { date: '2026-11-01', segment: 'residential', now: at('2026-11-02', '07:00'), actor: 'test' });
    expect(again).to.include({ accounts: 0, alreadyEstimated: 1, amountFen: 0 });
    expect(await accountBalance(h.store, 'prepaid', resident)).to.equal(-5_000 + 538);
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('refuses a day that has not ended', async () => {
    await expectFault(runEstimation(h.store, { date: '2026-11-02', segment: 'residential', now: at('2026-11-02', '23:00'), actor: 'test' }), 'ESTIMATION_DATE_INVALID');
    await expectFault(runEstimation(h.store, { date: '2026-13-02', now: at('2026-11-02', '23:00'), actor: 'test' }), 'ESTIMATION_DATE_INVALID');
  });

  it('goes from credit to both alarms, a cut-off notice, and a disconnect waiting for approval and the protected hours', async () => {
    for (let d = 2; d <= 11; d++) {
      const date = `2026-11-${String(d).padStart(2, '0')}`;
      await runEstimation(h.store, { date, segment: 'residential', now: at(addDays(date, 1), '06:30'), actor: 'test' });
    }
    // 50.00 − n × 5.38: 28.48 after day 4 (< 30), 6.96 after day 8 (< 10), −3.80 after day 10.
    expect(await notices(h.store, resident)).to.deep.equal([
      '2026-11-05 alarm-1', '2026-11-06 alarm-1', '2026-11-07 alarm-1', '2026-11-08 alarm-1',
      '2026-11-09 alarm-2', '2026-11-10 alarm-2', '2026-11-11 cutoff', '2026-11-12 cutoff',
    ]);
    const sms = await h.store.db.selectFrom('sms_outbox').select('body').where('customer_id', '=', resident).orderBy('id').execute();
    expect(sms.map((s) => s.body).at(-1)).to.include('已欠费');
    const pending = await listControlCommands(h.store, { status: 'PENDING_APPROVAL', limit: 10 });
    expect(pending.commands.map((c) => [c.customer_no, c.kind])).to.deep.equal([[RESIDENT, 'DISCONNECT']]);
    // Nothing is sent before approval.
    expect(await dispatchControlCommands(h.store, headEnd, at('2026-11-12', '09:00'))).to.deep.include({ sent: 0, done: 0 });
    const id = pending.commands[0]!.id;
    await approveControlCommand(h.store, id, 'clerk.li', at('2026-11-12', '06:40'));
    await expectFault(approveControlCommand(h.store, id, 'clerk.wang', at('2026-11-12', '06:41')), 'CONTROL_COMMAND_NOT_PENDING');
    await expectFault(approveControlCommand(h.store, 999_999, 'clerk.wang', at('2026-11-12', '06:41')), 'CONTROL_COMMAND_NOT_FOUND');
    // 06:45 is inside the protected hours: held; 08:05 is not.
    expect(await dispatchControlCommands(h.store, headEnd, at('2026-11-12', '06:45'))).to.deep.include({ held: 1, done: 0 });
    expect(headEnd.sent).to.deep.equal([]);
    expect(await dispatchControlCommands(h.store, headEnd, at('2026-11-12', '08:05'))).to.deep.include({ done: 1 });
    expect(headEnd.states.get(`M${RESIDENT}`)).to.equal('DISCONNECTED');
  });

  it('reconnects at once when a payment brings the balance above zero', async () => {
    await pay(h.store, { channelCode: 'smart-bank', channelTxnId: 'SP-2', customerNo: RESIDENT, amountFen: 20_000, accountingDate: '2026-11-12', now: at('2026-11-12', '20:00') });
    const result = await reconnectPaidUp(h.store, headEnd, at('2026-11-12', '20:01'), [resident]);
    expect(result.created).to.equal(1);
    expect(headEnd.states.get(`M${RESIDENT}`)).to.equal('CONNECTED');
    const done = await listControlCommands(h.store, { customerNo: RESIDENT, status: 'DONE', limit: 10 });
    expect(done.commands.map((c) => c.kind)).to.deep.equal(['DISCONNECT', 'RECONNECT']);
  });

  it('holds an approved disconnect on a holiday and for a protected customer, and fails it after the retries', async () => {
    const meter = await h.store.db.selectFrom('meters').select('id').where('customer_id', '=', resident).executeTakeFirstOrThrow();
    const id = await insertControlCommand(h.store, {
      command_id: 'DTEST-1', customer_id: resident, meter_id: Number(meter.id), kind: 'DISCONNECT', status: 'APPROVED', reason: 'test',
      created_at: at('2026-11-13', '09:00'), approved_by: 'clerk.li', approved_at: at('2026-11-13', '09:00'), sent_at: null, completed_at: null, last_error: null,
    });
    await addHoliday(h.store, '2026-11-14', '测试假日');
    expect(await dispatchControlCommands(h.store, headEnd, at('2026-11-14', '10:00'))).to.deep.include({ held: 1, done: 0 });
    await protectCustomer(h.store, resident, 'medical equipment at home', '2026-11-20');
    expect(await dispatchControlCommands(h.store, headEnd, at('2026-11-16', '10:00'))).to.deep.include({ held: 1, done: 0 });
    expect((await findControlCommand(h.store, id))!.last_error).to.equal('protected customer');
    // After the protection ends the head-end is down: every attempt fails, then an alert.
    headEnd.failuresLeft = 100;
    for (let i = 0; i < 5; i++) await dispatchControlCommands(h.store, headEnd, at('2026-11-23', '10:00'));
    headEnd.failuresLeft = 0;
    expect((await findControlCommand(h.store, id))!.status).to.equal('FAILED');
    const alerts = await listAlerts(h.store, 0, 10);
    expect(alerts.map((a) => a.subject)).to.deep.equal(['control-command:DTEST-1']);
    expect(headEnd.states.get(`M${RESIDENT}`)).to.equal('CONNECTED');
  });

  it('settles the month: the bill equals the sum of estimates plus the settlement line', async () => {
    for (let d = 12; d <= 30; d++) {
      const date = `2026-11-${String(d).padStart(2, '0')}`;
      await runEstimation(h.store, { date, segment: 'residential', now: at(addDays(date, 1), '06:30'), actor: 'test' });
    }
    const estimates = await h.store.db.selectFrom('smart_estimates').select(['kwh', 'amount_fen']).where('customer_id', '=', resident).execute();
    // 2026-11-15 and 16 lack a reading pair: 28 days estimated.
    expect(estimates).to.have.length(28);
    await runBilling(h.store, { period: '2026-11', now: at('2026-12-01', '09:00'), inProcess: true });
    await issueBills(h.store, { period: '2026-11', issueDate: '2026-12-01', dueDays: 15, now: at('2026-12-01', '09:30'), actor: 'test' });
    const before = await accountBalance(h.store, 'prepaid', resident);
    const summary = await settleEstimates(h.store, { period: '2026-11', now: at('2026-12-01', '10:00'), actor: 'test' });
    const bill = await h.store.db.selectFrom('bills').select(['amount_fen', 'energy_kwh']).where('customer_id', '=', resident).where('period', '=', '2026-11').executeTakeFirstOrThrow();
    const estimatedFen = estimates.reduce((n, e) => n + Number(e.amount_fen), 0);
    const settlement = await h.store.db.selectFrom('estimate_settlements').selectAll().where('customer_id', '=', resident).executeTakeFirstOrThrow();
    expect(Number(bill.energy_kwh)).to.equal(300);
    expect(Number(settlement.bill_fen)).to.equal(Number(settlement.estimates_fen) + Number(settlement.settlement_fen));
    expect(Number(settlement.estimates_fen)).to.equal(estimatedFen);
    expect(Number(settlement.settlement_fen)).to.equal(2 * 538);
    expect(summary.bills).to.be.at.least(1);
    expect(await accountBalance(h.store, 'prepaid', resident) - before).to.equal(Number(settlement.settlement_fen));
    expect(await accountBalance(h.store, 'receivable', resident)).to.equal(0);
    const again = await settleEstimates(h.store, { period: '2026-11', now: at('2026-12-01', '10:05'), actor: 'test' });
    expect(again.bills).to.equal(0);
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('keeps estimating into the next month when the readings stop: 40 days from the first credit, average use flagged', async () => {
    // START (2026-10-31) + 40 days = 2026-12-09. December has no readings: each day is the billed average, flagged.
    const before = await accountBalance(h.store, 'prepaid', resident);
    let charged = 0;
    for (let d = 1; d <= 9; d++) {
      const date = `2026-12-${String(d).padStart(2, '0')}`;
      charged += (await runEstimation(h.store, { date, segment: 'residential', now: at(addDays(date, 1), '06:30'), actor: 'test' })).amountFen;
    }
    const december = await h.store.db.selectFrom('smart_estimates').select(['period_key', 'kwh', 'algorithm', 'estimated'])
      .where('customer_id', '=', resident).where('month', '=', '2026-12').orderBy('period_key').execute();
    expect(december).to.have.length(9);
    for (const row of december) expect([row.algorithm, Number(row.estimated), Number(row.kwh) > 0]).to.deep.equal(['average-when-missing', 1, true]);
    expect(charged).to.be.greaterThan(0);
    expect(await accountBalance(h.store, 'prepaid', resident) - before).to.equal(charged);
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('estimates an industrial customer several times a day from interval data', async () => {
    const factory = await customerId(h.store, FACTORY);
    await insertMeterIntervalsFor(h.store, `M${FACTORY}`, '2026-11-03', 250); // 2.50 kWh every hour
    const summary = await runEstimation(h.store, { date: '2026-11-03', segment: 'industrial-commercial', now: at('2026-11-04', '09:00'), actor: 'test' });
    expect(summary.accounts).to.equal(4);
    const rows = await h.store.db.selectFrom('smart_estimates').select(['period_key', 'kwh', 'algorithm']).where('customer_id', '=', factory).orderBy('period_key').execute();
    expect(rows.map((r) => [r.period_key, Number(r.kwh), r.algorithm])).to.deep.equal([
      ['2026-11-03T00', 15, 'interval-sum'], ['2026-11-03T06', 15, 'interval-sum'], ['2026-11-03T12', 15, 'interval-sum'], ['2026-11-03T18', 15, 'interval-sum'],
    ]);
    expect((await runEstimation(h.store, { date: '2026-11-03', segment: 'industrial-commercial', now: at('2026-11-04', '10:00'), actor: 'test' })).accounts).to.equal(0);
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('refuses settings that do not fit together, and keeps them as data', async () => {
    await expectFault(updateSegmentSettings(h.store, 'residential', { runsPerDay: 4 }, { actor: 'test', now: at('2026-11-05', '10:00') }), 'ESTIMATION_SETTINGS_INVALID');
    const next = await updateSegmentSettings(h.store, 'residential', { alarm1Fen: 5_000 }, { actor: 'test', now: at('2026-11-05', '10:00') });
    expect(next.alarm1Fen).to.equal(5_000);
    await updateSegmentSettings(h.store, 'residential', { alarm1Fen: 3_000 }, { actor: 'test', now: at('2026-11-05', '10:00') });
  });
});
