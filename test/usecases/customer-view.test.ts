import { expect } from 'chai';
import { businessDate } from '../../src/clock.ts';
import { daysBetween } from '../../src/domain/dates.ts';
import { insertReturningId } from '../../src/store/insert-id.ts';
import { estimateFee } from '../../src/usecases/estimate-fee.ts';
import { pay } from '../../src/usecases/pay.ts';
import { queryBills } from '../../src/usecases/query-bills.ts';
import { queryArrears } from '../../src/usecases/query-arrears.ts';
import { queryConsumption } from '../../src/usecases/query-consumption.ts';
import { registerCustomer } from '../../src/usecases/register-customer.ts';
import { addOnlineCustomer, after, loginNow } from '../support/customer-access.ts';
import { addChannel, addCustomer, addIssuedBill, expectFault, nowOn } from '../support/payments.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';

const NOW = nowOn('2026-10-05');
const A = '3300000041001';
const B = '3300000041002';

/** Daily readings of A's total register (dial values): 10-04 is missing. */
const READINGS: ReadonlyArray<readonly [string, number]> = [
  ['2026-10-01', 100_000], ['2026-10-02', 101_250], ['2026-10-03', 102_000], ['2026-10-05', 103_000], ['2026-10-06', 103_100],
];

describeOnEveryStore('the customer\'s own view: consumption, bills, fee estimate', (h) => {
  let tokenA = '';
  let tokenB = '';

  before(async function () {
    this.timeout(60_000);
    await importFixtureTariffs(h.store);
    await registerCustomer(h.store, {
      customerNo: A, name: '张三丰', category: 'residential', voltage: 'below-1kv', address: '杭州市西湖区文三路100号', phone: null, idNumber: null,
      creditCode: null, households: 1, tariffCode: 'zj-residential-ladder', timeOfUse: false, paymentMode: 'smart-prepaid',
      ladderYearStartMonth: 1, capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null,
      meters: [{ meterNo: 'M4100100', ctRatio: 1, ptRatio: 1, installedOn: '2025-01-01', registers: [{
        kind: 'total', digits: 6, rolloverAllowed: true, readings: READINGS.map(([readOn, valueHundredths]) => ({ readOn, valueHundredths, source: 'actual' as const })),
      }] }],
    }, NOW);
    const customerId = (await h.store.db.selectFrom('customers').select('id').where('customer_no', '=', A).executeTakeFirstOrThrow()).id;
    for (let m = 1; m <= 9; m++) {
      const period = `2026-0${m}`;
      await addIssuedBill(h.store, { customerId, billNo: `20260${m}${A}`, period, amountFen: 5_380, dueOn: m <= 7 ? `2026-0${m + 1}-15` : '2099-12-31' });
    }
    await addIssuedBill(h.store, { customerId, billNo: `202510${A}`, period: '2025-10', amountFen: 17_270, dueOn: '2099-12-31' });
    await h.store.db.updateTable('bills').set({ energy_kwh: 321 }).where('bill_no', '=', `202510${A}`).execute();
    const billId = (await h.store.db.selectFrom('bills').select('id').where('bill_no', '=', `202609${A}`).executeTakeFirstOrThrow()).id;
    await insertReturningId(h.store, 'bill_lines', { bill_id: billId, seq: 1, kind: 'energy', code: 'energy.tier1', label: '第一档电量电费', quantity: '100', unit: 'kWh', rate_micros: 538_000, amount_fen: 5_380 });
    // Every bill before 2026-08 is paid except 2026-07, which is overdue.
    await addChannel(h.store, 'BANKV');
    for (let m = 1; m <= 6; m++) {
      await pay(h.store, { channelCode: 'BANKV', channelTxnId: `V${m}`, customerNo: A, amountFen: 5_380, accountingDate: `2026-0${m + 1}-10`, billNos: [`20260${m}${A}`], now: nowOn(`2026-0${m + 1}-10`) });
    }
    await addOnlineCustomer(h.store, A, '13800000041', NOW);
    await addCustomer(h.store, B);
    await addOnlineCustomer(h.store, B, '13800000042', NOW);
    tokenA = (await loginNow(h.store, A, '13800000041', NOW)).sessionToken;
    tokenB = (await loginNow(h.store, B, '13800000042', NOW)).sessionToken;
  });

  describe('QueryConsumption', () => {
    it('DAILY: each day with readings of it and the day before, multiplied and rounded half up; days without both are left out', async () => {
      const answer = await queryConsumption(h.store, { sessionToken: tokenA, granularity: 'DAILY', from: '2026-10-02', to: '2026-10-06', now: NOW });
      expect(answer).to.deep.equal({ months: [], days: [{ date: '2026-10-02', kwh: 13 }, { date: '2026-10-03', kwh: 8 }, { date: '2026-10-06', kwh: 1 }], totalKwh: 22 });
      const fromThird = await queryConsumption(h.store, { sessionToken: tokenA, granularity: 'DAILY', from: '2026-10-03', to: '2026-10-03', now: NOW });
      expect(fromThird.days).to.deep.equal([{ date: '2026-10-03', kwh: 8 }]);
    });

    it('MONTHLY: the issued bills of the months, oldest first, with their amounts', async () => {
      const answer = await queryConsumption(h.store, { sessionToken: tokenA, granularity: 'MONTHLY', from: '2025-10-01', to: '2026-02-28', now: NOW });
      expect(answer).to.deep.equal({
        months: [{ period: '2025-10', kwh: 321, amountFen: 17_270 }, { period: '2026-01', kwh: 100, amountFen: 5_380 }, { period: '2026-02', kwh: 100, amountFen: 5_380 }],
        days: [], totalKwh: 521,
      });
      expect((await queryConsumption(h.store, { sessionToken: tokenB, granularity: 'MONTHLY', from: '2025-10-01', to: '2026-10-31', now: NOW })).totalKwh).to.equal(0);
    });

    it('refuses from after to, more than 366 days or 60 months, and a bad session', async () => {
      await expectFault(queryConsumption(h.store, { sessionToken: tokenA, granularity: 'DAILY', from: '2026-10-02', to: '2026-10-01', now: NOW }), 'RANGE_INVALID');
      await expectFault(queryConsumption(h.store, { sessionToken: tokenA, granularity: 'DAILY', from: '2025-01-01', to: '2026-01-02', now: NOW }), 'RANGE_INVALID');
      await queryConsumption(h.store, { sessionToken: tokenA, granularity: 'DAILY', from: '2024-01-01', to: '2024-12-31', now: NOW });
      await expectFault(queryConsumption(h.store, { sessionToken: tokenA, granularity: 'MONTHLY', from: '2021-10-01', to: '2026-10-01', now: NOW }), 'RANGE_INVALID');
      await expectFault(queryConsumption(h.store, { sessionToken: 'x'.repeat(40), granularity: 'MONTHLY', from: '2026-01-01', to: '2026-01-01', now: NOW }), 'SESSION_INVALID');
    });
  });

  describe('QueryBills', () => {
    it('lists issued bills newest first with what is due on each today; the overdue one carries its late fee, also as a penalty line', async () => {
      const answer = await queryBills(h.store, { sessionToken: tokenA, fromPeriod: '2026-06', toPeriod: '2026-09', unpaidOnly: false, withLines: true, now: NOW });
      expect(answer.bills.map((b) => [b.period, b.paid])).to.deep.equal([['2026-09', false], ['2026-08', false], ['2026-07', false], ['2026-06', true]]);
      const arrears = await queryArrears(h.store, { customerNo: A, asOfDate: businessDate(new Date(NOW)) });
      expect(answer.totalDueFen).to.equal(arrears.totalDueFen);
      const july = answer.bills[2]!;
      const owed = arrears.receivables.find((r) => r.billNo === july.billNo)!;
      expect(july.lateFeeFen).to.equal(owed.penaltyFen).and.to.be.greaterThan(0);
      expect(july.amountDueFen).to.equal(5_380 + july.lateFeeFen);
      expect(july.lines).to.deep.equal([{ kind: 'penalty', code: 'penalty.late-fee', label: '电费违约金', quantity: String(daysBetween('2026-08-15', '2026-10-05')), unit: 'day', rateMicros: null, amountFen: july.lateFeeFen }]);
      expect(answer.bills[0]!.lines).to.deep.equal([{ kind: 'energy', code: 'energy.tier1', label: '第一档电量电费', quantity: '100', unit: 'kWh', rateMicros: 538_000, amountFen: 5_380 }]);
      expect(answer.bills[3]).to.include({ amountDueFen: 0, lateFeeFen: 0, issuedOn: '2026-07-15', dueDate: '2026-07-15' });
    });

    it('unpaidOnly leaves out the paid bills; without withLines there are no lines', async () => {
      const answer = await queryBills(h.store, { sessionToken: tokenA, fromPeriod: '2026-01', toPeriod: '2026-12', unpaidOnly: true, withLines: false, now: NOW });
      expect(answer.bills.map((b) => b.period)).to.deep.equal(['2026-09', '2026-08', '2026-07']);
      expect(answer.bills.every((b) => b.lines.length === 0)).to.equal(true);
    });

    it('refuses a reversed or too long range', async () => {
      await expectFault(queryBills(h.store, { sessionToken: tokenA, fromPeriod: '2026-09', toPeriod: '2026-08', unpaidOnly: false, withLines: false, now: NOW }), 'RANGE_INVALID');
      await expectFault(queryBills(h.store, { sessionToken: tokenA, fromPeriod: '2021-09', toPeriod: '2026-09', unpaidOnly: false, withLines: false, now: NOW }), 'RANGE_INVALID');
    });
  });

  describe('EstimateFee', () => {
    it('prices a given kWh figure at the customer\'s ladder position, with the tier and the kWh left in it', async () => {
      const answer = await estimateFee(h.store, { sessionToken: tokenA, period: '2026-10', kwh: 200, now: NOW });
      expect(answer).to.deep.include({ period: '2026-10', basis: 'GIVEN', kwh: 200, amountFen: 10_760, tier: 1, kwhLeftInTier: 2760 - 1100 });
      expect(answer.lines.map((l) => [l.code, l.quantity, l.amountFen])).to.deep.equal([['energy.tier1', '200', 10_760]]);
    });

    it('splits a month that crosses a threshold, and answers the tier the next kWh falls in', async () => {
      const answer = await estimateFee(h.store, { sessionToken: tokenA, period: '2026-10', kwh: 1860, now: NOW });
      expect(answer).to.deep.include({ tier: 2, kwhLeftInTier: 4800 - 2760 });
      const crossing = await estimateFee(h.store, { sessionToken: tokenA, period: '2026-10', kwh: 2000, now: NOW });
      expect(crossing.lines.map((l) => [l.code, l.quantity])).to.deep.equal([['energy.tier1', '1860'], ['energy.tier2', '140']]);
      expect(crossing.amountFen).to.equal(1860 * 53.8 + 140 * 58.8);
      const open = await estimateFee(h.store, { sessionToken: tokenA, period: '2026-10', kwh: 4000, now: NOW });
      expect(open.tier).to.equal(3);
      expect(open.kwhLeftInTier).to.equal(undefined);
    });

    it('without kWh projects the same month last year, else the mean of the latest months', async () => {
      expect(await estimateFee(h.store, { sessionToken: tokenA, period: '2026-10', now: NOW })).to.deep.include({ basis: 'PROJECTED', kwh: 321 });
      expect(await estimateFee(h.store, { sessionToken: tokenA, period: '2026-11', now: NOW })).to.deep.include({ basis: 'PROJECTED', kwh: 100 });
    });

    it('without history there is nothing to project; outside the tariff\'s dates there is no price', async () => {
      await expectFault(estimateFee(h.store, { sessionToken: tokenB, period: '2026-10', now: NOW }), 'ESTIMATE_UNAVAILABLE');
      expect((await estimateFee(h.store, { sessionToken: tokenB, period: '2026-10', kwh: 0, now: NOW })).kwhLeftInTier).to.equal(2760);
      await expectFault(estimateFee(h.store, { sessionToken: tokenB, period: '2016-10', kwh: 10, now: NOW }), 'TARIFF_NOT_FOUND');
      await expectFault(estimateFee(h.store, { sessionToken: tokenB, period: '2026-10', kwh: 10, now: after(NOW, 61) }), 'SESSION_INVALID');
    });
  });
});
