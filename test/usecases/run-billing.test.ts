import { expect } from 'chai';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { registerCustomer, type NewCustomerInput } from '../../src/usecases/register-customer.ts';
import { runBilling } from '../../src/usecases/run-billing.ts';
import { issueBills } from '../../src/usecases/issue-bills.ts';
import { findBillByNo, linesOfBill, listExceptions, resolveException } from '../../src/store/bill.repository.ts';
import { accountBalance, ledgerTotal } from '../../src/store/ledger.repository.ts';
import type { OpenStore } from '../../src/store/connect.ts';

const NOW = '2026-11-02T01:00:00.000Z';

function resident(no: string, readings: Array<[string, number]>, extra: Partial<NewCustomerInput> = {}): NewCustomerInput {
  return {
    customerNo: no, name: '测试用户', category: 'residential', voltage: 'below-1kv', address: '杭州市西湖区文三路1号',
    phone: '13800000000', idNumber: null, creditCode: null, households: 1, tariffCode: 'zj-residential-ladder',
    timeOfUse: false, paymentMode: 'postpaid', ladderYearStartMonth: 1, capacityKva: null, contractDemandKw: null,
    basicChargeBasis: null, powerFactorStandard: null,
    meters: [{
      meterNo: `M${no}`, ctRatio: 1, ptRatio: 1, installedOn: '2020-01-01',
      registers: [{ kind: 'total', digits: 6, rolloverAllowed: true, readings: readings.map(([readOn, v]) => ({ readOn, valueHundredths: v, source: 'actual' as const })) }],
    }],
    ...extra,
  };
}

async function billCount(store: OpenStore, status: 'draft' | 'issued'): Promise<number> {
  const row = await store.db.selectFrom('bills').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', '=', status).executeTakeFirstOrThrow();
  return Number(row.n);
}

describeOnEveryStore('the bill run', (h) => {
  before(async () => {
    await importFixtureTariffs(h.store);
    // 1234.00 → 1434.00 kWh on a 1× meter: 200 kWh in October, first tier.
    await registerCustomer(h.store, resident('3300000000101', [['2026-09-30', 123_400], ['2026-10-31', 143_400]]), NOW);
    // No October reading: the customer is held with a missing-reading exception.
    await registerCustomer(h.store, resident('3300000000102', [['2026-09-30', 50_000]]), NOW);
    // Connected on 10 October: billed from its installation reading, 0.00 → 50.00 kWh.
    const connected = resident('3300000000103', [['2026-10-10', 0], ['2026-10-31', 5_000]]);
    await registerCustomer(h.store, { ...connected, meters: [{ ...connected.meters[0]!, installedOn: '2026-10-10' }] }, NOW);
    // Connected only in November: nothing to bill in October.
    const later = resident('3300000000104', [['2026-11-05', 0]]);
    await registerCustomer(h.store, { ...later, meters: [{ ...later.meters[0]!, installedOn: '2026-11-05' }] }, NOW);
    for (const demo of generateDemo({ customers: 60, months: 3, seed: 11, endMonth: '2026-10' })) {
      await registerCustomer(h.store, { ...demo, customerNo: `9${demo.customerNo}` }, NOW);
    }
  });

  it('prices a reference customer exactly: 200 kWh × 0.538 = 107.60 yuan in the first tier', async () => {
    const summary = await runBilling(h.store, { period: '2026-10', now: NOW });
    expect(summary.customers).to.equal(64);
    const bill = await findBillByNo(h.store, '2026103300000000101');
    expect(bill).to.include({ status: 'draft', energy_kwh: 200, amount_fen: 10_760, tariff_code: 'zj-residential-ladder' });
    expect(bill!.tariff_id).to.be.a('number');
    const lines = await linesOfBill(h.store, bill!.id);
    expect(lines.map((l) => [l.kind, l.quantity, l.amount_fen])).to.deep.equal([['energy', '200', 10_760]]);
  });

  it('holds back a customer without a reading, with the exception that says why', async () => {
    expect(await findBillByNo(h.store, '2026103300000000102')).to.equal(undefined);
    const held = await listExceptions(h.store, { period: '2026-10', rule: 'VER_MISSING_READING', limit: 1000 });
    const customer = await h.store.db.selectFrom('customers').select('id').where('customer_no', '=', '3300000000102').executeTakeFirstOrThrow();
    expect(held.filter((e) => e.customer_id === customer.id)).to.have.length(1);
  });

  it('bills a customer connected during the month from the installation reading, flagged as a first bill', async () => {
    const bill = await findBillByNo(h.store, '2026103300000000103');
    expect(bill).to.include({ energy_kwh: 50, amount_fen: 2_690 }); // 50 × 0.538 = 26.90
    const exceptions = await h.store.db.selectFrom('bill_exceptions').select(['rule', 'detail']).where('bill_id', '=', bill!.id).execute();
    expect(exceptions.map((e) => [e.rule, JSON.parse(e.detail)])).to.deep.equal([['VER_FIRST_BILL', { reason: 'connection', date: '2026-10-10' }]]);
  });

  it('leaves a customer connected after the month alone: no bill, no exception', async () => {
    const customer = await h.store.db.selectFrom('customers').select('id').where('customer_no', '=', '3300000000104').executeTakeFirstOrThrow();
    expect(await findBillByNo(h.store, '2026103300000000104')).to.equal(undefined);
    expect(await h.store.db.selectFrom('bill_exceptions').select('id').where('customer_id', '=', customer.id).execute()).to.deep.equal([]);
  });

  it('stores every bill as the exact sum of its stored lines', async () => {
    const bills = await h.store.db.selectFrom('bills').select(['id', 'amount_fen']).execute();
    expect(bills.length).to.be.greaterThan(40);
    const sums = await h.store.db.selectFrom('bill_lines').select(['bill_id', (eb) => eb.fn.sum<number | string>('amount_fen').as('total')]).groupBy('bill_id').execute();
    const byBill = new Map(sums.map((s) => [s.bill_id, Number(s.total)]));
    for (const bill of bills) expect(byBill.get(bill.id) ?? 0, `bill ${bill.id}`).to.equal(bill.amount_fen);
  });

  it('replaces drafts when the period is run again, leaving no duplicates', async () => {
    const before = await billCount(h.store, 'draft');
    const first = await findBillByNo(h.store, '2026103300000000101');
    const summary = await runBilling(h.store, { period: '2026-10', now: NOW });
    expect(await billCount(h.store, 'draft')).to.equal(before);
    expect(summary.bills).to.equal(before);
    const again = await findBillByNo(h.store, '2026103300000000101');
    expect(again!.id).to.not.equal(first!.id);
    expect(again!.amount_fen).to.equal(first!.amount_fen);
  });

  it('issues only drafts without open exceptions, posting balanced receivables', async () => {
    const open = await listExceptions(h.store, { period: '2026-10', status: 'open', limit: 10_000 });
    const blocked = new Set(open.filter((e) => e.bill_id !== null).map((e) => e.bill_id));
    const drafts = await h.store.db.selectFrom('bills').select(['id', 'amount_fen']).where('status', '=', 'draft').execute();
    const expected = drafts.filter((d) => !blocked.has(d.id));
    const summary = await issueBills(h.store, { period: '2026-10', issueDate: '2026-11-02', dueDays: 15, now: NOW, actor: 'test' });
    expect(summary.issued).to.equal(expected.length);
    expect(summary.dueOn).to.equal('2026-11-17');
    expect(summary.amountFen).to.equal(expected.reduce((s, d) => s + d.amount_fen, 0));
    expect(await accountBalance(h.store, 'receivable')).to.equal(summary.amountFen);
    expect(await ledgerTotal(h.store)).to.equal(0);
    expect(await billCount(h.store, 'draft')).to.equal(blocked.size);
  });

  it('never touches issued bills when the period is run again', async () => {
    const issued = await findBillByNo(h.store, '2026103300000000101');
    expect(issued!.status).to.equal('issued');
    const summary = await runBilling(h.store, { period: '2026-10', now: NOW });
    expect(summary.alreadyIssued).to.be.greaterThan(0);
    expect(await findBillByNo(h.store, '2026103300000000101')).to.deep.equal(issued);
  });

  it('issues a held-back draft once its exception is accepted', async function () {
    const open = (await listExceptions(h.store, { period: '2026-10', status: 'open', limit: 10_000 })).filter((e) => e.bill_id !== null);
    if (open.length === 0) this.skip();
    const billId = open[0]!.bill_id!;
    for (const e of open.filter((x) => x.bill_id === billId)) {
      expect(await resolveException(h.store, e.id, { status: 'accepted', by: 'auditor', at: NOW, resolution: 'checked on site' })).to.equal(true);
      expect(await resolveException(h.store, e.id, { status: 'accepted', by: 'auditor', at: NOW, resolution: 'twice' })).to.equal(false);
    }
    await issueBills(h.store, { period: '2026-10', issueDate: '2026-11-03', dueDays: 15, now: NOW, actor: 'test' });
    const bill = await h.store.db.selectFrom('bills').select('status').where('id', '=', billId).executeTakeFirstOrThrow();
    expect(bill.status).to.equal('issued');
  });

  it('bills the next month on top of the ladder position the issued month left', async () => {
    // November: 1434.00 → 4434.00 = 3000 kWh; 200 already billed this year → 2560 in tier 1
    // (up to 2760) and 440 in tier 2. 2560 × 0.538 = 1377.28; 440 × 0.588 = 258.72; total 1636.00.
    await h.store.db.insertInto('readings').values({
      register_id: (await h.store.db.selectFrom('registers').innerJoin('meters', 'meters.id', 'registers.meter_id')
        .select('registers.id').where('meters.meter_no', '=', 'M3300000000101').executeTakeFirstOrThrow()).id,
      read_on: '2026-11-30', value_hundredths: 443_400, source: 'actual', recorded_at: NOW,
    }).execute();
    await runBilling(h.store, { period: '2026-11', segment: 'residential', now: NOW });
    const bill = await findBillByNo(h.store, '2026113300000000101');
    expect(bill).to.include({ energy_kwh: 3000, amount_fen: 163_600 });
  });
});
