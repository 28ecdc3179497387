import { expect } from 'chai';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import {
  addChannel, addCustomer, addIssuedBill, countRows, expectFault, expectLedgerBalanced, nowOn, outstandingOf, penaltyStateOf,
} from '../support/payments.ts';
import type { Store } from '../../src/store/database.ts';
import { GridbillError } from '../../src/errors.ts';
import { accountBalance } from '../../src/store/ledger.repository.ts';
import { pay, PAYMENT_AMOUNT_MAX_FEN, type PayRequest } from '../../src/usecases/pay.ts';
import { queryArrears } from '../../src/usecases/query-arrears.ts';
import { billHistory } from '../../src/usecases/bill-history.ts';
import { registerCustomer } from '../../src/usecases/register-customer.ts';

function request(customerNo: string, txnId: string, amountFen: number, accountingDate: string, extra: Partial<PayRequest> = {}): PayRequest {
  return { channelCode: 'BANKP', channelTxnId: txnId, customerNo, amountFen, accountingDate, now: nowOn(accountingDate), ...extra };
}

/** The legs of a payment's ledger transaction, by account. */
async function legsOf(store: Store, paymentId: string): Promise<Record<string, number>> {
  const rows = await store.db.selectFrom('ledger_entries').innerJoin('ledger_transactions', 'ledger_transactions.id', 'ledger_entries.txn_id')
    .select(['ledger_entries.account_code', 'ledger_entries.amount_fen'])
    .where('ledger_transactions.kind', '=', 'payment').where('ledger_transactions.ref_id', '=', Number(paymentId)).execute();
  return Object.fromEntries(rows.map((r) => [r.account_code, Number(r.amount_fen)]));
}

describeOnEveryStore('Pay', (h) => {
  before(async () => {
    await importFixtureTariffs(h.store);
    await addChannel(h.store, 'BANKP');
    await addChannel(h.store, 'BANKO');
    await addChannel(h.store, 'BANKX', false);
  });
  afterEach(async () => expectLedgerBalanced(h.store));

  it('stores the posting instant in UTC whatever offset the request carried, and answers it as sent', async () => {
    const customerId = await addCustomer(h.store, '3300000001999');
    await addIssuedBill(h.store, { customerId, billNo: 'P1999', period: '2026-08', amountFen: 10_000, dueOn: '2026-12-31' });
    const receipt = await pay(h.store, request('3300000001999', 'UTC-1', 1_000, '2026-09-10', { now: '2026-09-10T10:00:00.000+08:00' }));
    expect(receipt.postedAt).to.equal('2026-09-10T10:00:00.000+08:00');
    const row = await h.store.db.selectFrom('payments').select('created_at').where('channel_txn_id', '=', 'UTC-1').executeTakeFirstOrThrow();
    expect(row.created_at).to.equal('2026-09-10T02:00:00.000Z');
  });

  describe('settling late fees and energy charges', () => {
    it('settles a residential bill 15 days overdue: 1.50 yuan late fee, then the energy charge', async () => {
      const customerId = await addCustomer(h.store, '3300000001001');
      await addIssuedBill(h.store, { customerId, billNo: 'P1001', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
      const audits = await countRows(h.store, 'audit_log');
      // 19 Sep … 3 Oct = 15 days × 1‰ × 100.00 yuan = 1.50 yuan.
      const receipt = await pay(h.store, request('3300000001001', 'T1001', 10_150, '2026-10-03'));
      expect(receipt).to.deep.equal({
        receiptNo: receipt.receiptNo, channelCode: 'BANKP', channelTxnId: 'T1001', customerNo: '3300000001001', amountFen: 10_150,
        accountingDate: '2026-10-03', postedAt: nowOn('2026-10-03'),
        settled: [{ billNo: 'P1001', period: '2026-08', penaltyFen: 150, energyFen: 10_000, outstandingAfterFen: 0 }],
        penaltyFen: 150, energyFen: 10_000, prepaidFen: 0, prepaidBalanceFen: 0, remainingDueFen: 0,
      });
      expect(await legsOf(h.store, receipt.receiptNo)).to.deep.equal({ 'clearing:BANKP': 10_150, receivable: -10_000, 'revenue:late-fee': -150 });
      expect(await accountBalance(h.store, 'receivable', customerId)).to.equal(0);
      expect(await outstandingOf(h.store, 'P1001')).to.equal(0);
      expect(await penaltyStateOf(h.store, 'P1001')).to.deep.equal({ through: '2026-10-03', accrued: 150, carried: 0 });
      expect(await countRows(h.store, 'audit_log')).to.equal(audits + 1);
      expect((await queryArrears(h.store, { customerNo: '3300000001001', asOfDate: '2026-12-31' })).receivables).to.deep.equal([]);
    });

    it('settles a commercial bill across the year boundary: 11 days at 2‰ and 10 days at 3‰', async () => {
      const customerId = await addCustomer(h.store, '3300000001002', 'industrial-commercial');
      await addIssuedBill(h.store, {
        customerId, billNo: 'P1002', period: '2025-12', amountFen: 50_000, dueOn: '2025-12-20', category: 'industrial-commercial',
      });
      // 500.00 × (11 × 0.002 + 10 × 0.003) = 26.00 yuan; paid 526.00 on 10 January.
      const receipt = await pay(h.store, request('3300000001002', 'T1002', 52_600, '2026-01-10'));
      expect(receipt.settled).to.deep.equal([{ billNo: 'P1002', period: '2025-12', penaltyFen: 2_600, energyFen: 50_000, outstandingAfterFen: 0 }]);
      expect(await legsOf(h.store, receipt.receiptNo)).to.deep.equal({ 'clearing:BANKP': 52_600, receivable: -50_000, 'revenue:late-fee': -2_600 });
    });

    it('never charges a day twice: a partial payment, then the rest ten days later', async () => {
      await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000001003'), billNo: 'P1003', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
      // 28 Sep: 10 days × 1‰ × 100.00 = 1.00 yuan; 51.00 pays it and 50.00 of the energy charge.
      const first = await pay(h.store, request('3300000001003', 'T1003a', 5_100, '2026-09-28'));
      expect(first.settled).to.deep.equal([{ billNo: 'P1003', period: '2026-08', penaltyFen: 100, energyFen: 5_000, outstandingAfterFen: 5_000 }]);
      expect(await penaltyStateOf(h.store, 'P1003')).to.deep.equal({ through: '2026-09-28', accrued: 100, carried: 0 });
      // 8 Oct: only 29 Sep … 8 Oct accrue, on the 50.00 still owed: 10 × 1‰ × 50.00 = 0.50 yuan.
      // (Charging 19–28 Sep again would make it 1.00 or more.)
      const arrears = await queryArrears(h.store, { customerNo: '3300000001003', asOfDate: '2026-10-08' });
      expect(arrears.receivables.map((r) => [r.energyFen, r.penaltyFen])).to.deep.equal([[5_000, 50]]);
      const second = await pay(h.store, request('3300000001003', 'T1003b', 5_050, '2026-10-08'));
      expect(second.settled).to.deep.equal([{ billNo: 'P1003', period: '2026-08', penaltyFen: 50, energyFen: 5_000, outstandingAfterFen: 0 }]);
      // In all: 1.00 + 0.50 = 10 days on 100.00 and 10 days on 50.00 at 1‰.
      expect(await penaltyStateOf(h.store, 'P1003')).to.deep.equal({ through: '2026-10-08', accrued: 150, carried: 0 });
    });

    it('charges no further late fee to a second payment on the same day', async () => {
      await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000001004'), billNo: 'P1004', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
      await pay(h.store, request('3300000001004', 'T1004a', 1_150, '2026-10-03')); // 1.50 fee + 10.00
      const second = await pay(h.store, request('3300000001004', 'T1004b', 9_000, '2026-10-03'));
      expect(second.settled).to.deep.equal([{ billNo: 'P1004', period: '2026-08', penaltyFen: 0, energyFen: 9_000, outstandingAfterFen: 0 }]);
    });

    it('charges the 1-yuan minimum once per bill, however many payments settle it', async () => {
      await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000001005'), billNo: 'P1005', period: '2026-08', amountFen: 3_000, dueOn: '2026-09-18' });
      // 28 Sep: 10 × 1‰ × 30.00 = 0.30 → the minimum 1.00; 11.00 pays it and 10.00 of energy.
      const first = await pay(h.store, request('3300000001005', 'T1005a', 1_100, '2026-09-28'));
      expect(first.penaltyFen).to.equal(100);
      // 8 Oct: 10 × 1‰ × 20.00 = 0.20; the bill's exact fee is 0.50 in all, still under the 1.00 paid.
      const early = await queryArrears(h.store, { customerNo: '3300000001005', asOfDate: '2026-10-08' });
      expect(early.receivables.map((r) => [r.energyFen, r.penaltyFen])).to.deep.equal([[2_000, 0]]);
      // 27 Nov: 60 days × 1‰ × 20.00 = 1.20; exact 0.30 + 1.20 = 1.50 in all, of which 1.00 is paid.
      const late = await queryArrears(h.store, { customerNo: '3300000001005', asOfDate: '2026-11-27' });
      expect(late.receivables.map((r) => [r.energyFen, r.penaltyFen])).to.deep.equal([[2_000, 50]]);
      const second = await pay(h.store, request('3300000001005', 'T1005b', 2_000, '2026-10-08', { now: nowOn('2026-10-08') }));
      expect(second.settled).to.deep.equal([{ billNo: 'P1005', period: '2026-08', penaltyFen: 0, energyFen: 2_000, outstandingAfterFen: 0 }]);
    });

    it('carries a late fee paid only in part, and accrues the next days on the full amount', async () => {
      await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000001006'), billNo: 'P1006', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
      // 28 Sep: fee 1.00, only 0.50 paid; nothing of the energy charge.
      const first = await pay(h.store, request('3300000001006', 'T1006', 50, '2026-09-28'));
      expect(first.settled).to.deep.equal([{ billNo: 'P1006', period: '2026-08', penaltyFen: 50, energyFen: 0, outstandingAfterFen: 10_000 }]);
      expect(await penaltyStateOf(h.store, 'P1006')).to.deep.equal({ through: '2026-09-28', accrued: 100, carried: 50 });
      // 8 Oct: 0.50 carried + 10 days × 1‰ × 100.00 = 1.50 yuan.
      const arrears = await queryArrears(h.store, { customerNo: '3300000001006', asOfDate: '2026-10-08' });
      expect(arrears.receivables.map((r) => [r.energyFen, r.penaltyFen])).to.deep.equal([[10_000, 150]]);
    });

    it('puts an overpayment on the prepaid balance', async () => {
      const customerId = await addCustomer(h.store, '3300000001007');
      await addIssuedBill(h.store, { customerId, billNo: 'P1007', period: '2026-09', amountFen: 10_000, dueOn: '2026-10-18' });
      const receipt = await pay(h.store, request('3300000001007', 'T1007', 12_000, '2026-10-03'));
      expect(receipt).to.include({ energyFen: 10_000, penaltyFen: 0, prepaidFen: 2_000, prepaidBalanceFen: 2_000, remainingDueFen: 0 });
      expect(await legsOf(h.store, receipt.receiptNo)).to.deep.equal({ 'clearing:BANKP': 12_000, receivable: -10_000, prepaid: -2_000 });
      // With nothing owed, a payment is all prepaid.
      const more = await pay(h.store, request('3300000001007', 'T1007b', 500, '2026-10-03'));
      expect(more).to.include({ prepaidFen: 500, prepaidBalanceFen: 2_500 });
      expect(more.settled).to.deep.equal([]);
      expect((await queryArrears(h.store, { customerNo: '3300000001007', asOfDate: '2026-10-03' })).prepaidBalanceFen).to.equal(2_500);
      expect(await accountBalance(h.store, 'prepaid', customerId)).to.equal(-2_500);
    });

    it('settles every late fee first, then the oldest energy charges', async () => {
      const customerId = await addCustomer(h.store, '3300000001008');
      await addIssuedBill(h.store, { customerId, billNo: 'P1008B', period: '2026-08', amountFen: 2_000, dueOn: '2026-09-18' });
      await addIssuedBill(h.store, { customerId, billNo: 'P1008A', period: '2026-07', amountFen: 1_000, dueOn: '2026-08-18' });
      // 3 Oct. A: 46 days × 1‰ × 10.00 = 0.46 → 1.00; B: 15 days × 1‰ × 20.00 = 0.30 → 1.00.
      // 15.00 = A's fee 1.00 + B's fee 1.00 + A's 10.00 + 3.00 of B.
      const receipt = await pay(h.store, request('3300000001008', 'T1008', 1_500, '2026-10-03'));
      expect(receipt.settled).to.deep.equal([
        { billNo: 'P1008A', period: '2026-07', penaltyFen: 100, energyFen: 1_000, outstandingAfterFen: 0 },
        { billNo: 'P1008B', period: '2026-08', penaltyFen: 100, energyFen: 300, outstandingAfterFen: 1_700 },
      ]);
      expect(receipt.remainingDueFen).to.equal(1_700);
    });
  });

  describe('listed bills', () => {
    let customerId = 0;
    before(async () => {
      customerId = await addCustomer(h.store, '3300000002001');
      await addIssuedBill(h.store, { customerId, billNo: 'L-07', period: '2026-07', amountFen: 1_000, dueOn: '2026-08-18' });
      await addIssuedBill(h.store, { customerId, billNo: 'L-08', period: '2026-08', amountFen: 2_000, dueOn: '2026-09-18' });
      await addIssuedBill(h.store, { customerId, billNo: 'L-09', period: '2026-09', amountFen: 4_000, dueOn: '2026-10-18' });
      await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000002002'), billNo: 'L-OTHER', period: '2026-08', amountFen: 500, dueOn: '2026-09-18' });
      const draftId = await addIssuedBill(h.store, { customerId, billNo: 'L-DRAFT', period: '2026-10', amountFen: 700, dueOn: '2026-11-18' });
      await h.store.db.updateTable('bills').set({ status: 'draft' }).where('id', '=', draftId).execute();
    });

    it('settles only the listed bills, whatever is older, and the rest goes to prepaid', async () => {
      // 18 Sep: L-08 is due today, no fee; 25.00 pays it and 5.00 goes to prepaid. L-07 stays owed.
      const receipt = await pay(h.store, request('3300000002001', 'TL1', 2_500, '2026-09-18', { billNos: ['L-08'] }));
      expect(receipt.settled).to.deep.equal([{ billNo: 'L-08', period: '2026-08', penaltyFen: 0, energyFen: 2_000, outstandingAfterFen: 0 }]);
      expect(receipt).to.include({ prepaidFen: 500, prepaidBalanceFen: 500 });
      expect(await outstandingOf(h.store, 'L-07')).to.equal(1_000);
      expect(await penaltyStateOf(h.store, 'L-07')).to.deep.equal({ through: null, accrued: 0, carried: 0 });
    });

    it('refuses a listed bill that is paid, unknown, another customer\'s or not issued, and posts nothing', async () => {
      const payments = await countRows(h.store, 'payments');
      const ledger = await countRows(h.store, 'ledger_transactions');
      for (const billNo of ['L-08', 'L-NOPE', 'L-OTHER', 'L-DRAFT']) {
        await expectFault(pay(h.store, request('3300000002001', `TL2-${billNo}`, 100, '2026-09-18', { billNos: ['L-07', billNo] })), 'BILL_NOT_PAYABLE');
      }
      expect(await countRows(h.store, 'payments')).to.equal(payments);
      expect(await countRows(h.store, 'ledger_transactions')).to.equal(ledger);
    });

    it('refuses a bill listed twice or a malformed bill no', async () => {
      await expectFault(pay(h.store, request('3300000002001', 'TL3', 100, '2026-09-18', { billNos: ['L-07', 'L-07'] })), 'VALIDATION_FAILED');
      await expectFault(pay(h.store, request('3300000002001', 'TL3', 100, '2026-09-18', { billNos: ['x'.repeat(33)] })), 'VALIDATION_FAILED');
      await expectFault(pay(h.store, request('3300000002001', 'TL3', 100, '2026-09-18', { billNos: ['L 07'] })), 'VALIDATION_FAILED');
      const tooMany = Array.from({ length: 1_001 }, (_, i) => `B${i}`);
      await expectFault(pay(h.store, request('3300000002001', 'TL3', 100, '2026-09-18', { billNos: tooMany })), 'VALIDATION_FAILED');
    });

    it('treats an empty list as no list', async () => {
      const receipt = await pay(h.store, request('3300000002001', 'TL4', 100, '2026-09-18', { billNos: [] }));
      // Oldest first: L-07's fee (31 days × 1‰ × 10.00 = 0.31 → 1.00).
      expect(receipt.settled).to.deep.equal([{ billNo: 'L-07', period: '2026-07', penaltyFen: 100, energyFen: 0, outstandingAfterFen: 1_000 }]);
      const again = await pay(h.store, request('3300000002001', 'TL4', 100, '2026-09-18'));
      expect(again).to.deep.equal(receipt);
    });
  });

  describe('refusals', () => {
    before(async () => {
      await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000003001'), billNo: 'R1', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
    });

    it('refuses an amount that is not a positive whole number of fen within the limit', async () => {
      for (const amountFen of [0, -1, -10_000, 1.5, Number.NaN, Number.POSITIVE_INFINITY, PAYMENT_AMOUNT_MAX_FEN + 1]) {
        await expectFault(pay(h.store, request('3300000003001', 'TR1', amountFen, '2026-10-03')), 'PAYMENT_AMOUNT_INVALID');
      }
    });

    it('refuses an accounting date that is malformed or outside the window around the business date', async () => {
      for (const date of ['', '2026-13-01', '2026-02-29', '2026-10-3', '2026/10/03']) {
        await expectFault(pay(h.store, request('3300000003001', 'TR2', 100, '2026-10-03', { accountingDate: date })), 'ACCOUNTING_DATE_INVALID');
      }
      // Business date 3 Oct: 2 Oct … 10 Oct are accepted, 1 Oct and 11 Oct are not.
      for (const date of ['2026-10-01', '2026-10-11', '2025-10-03']) {
        await expectFault(pay(h.store, request('3300000003001', 'TR2', 100, date, { now: nowOn('2026-10-03') })), 'ACCOUNTING_DATE_INVALID');
      }
      // 23:30 on 2 Oct UTC is 07:30 on 3 Oct in Beijing: the business date is 3 Oct.
      await expectFault(pay(h.store, request('3300000003001', 'TR2', 100, '2026-10-01', { now: '2026-10-02T23:30:00.000Z' })), 'ACCOUNTING_DATE_INVALID');
      expect((await pay(h.store, request('3300000003001', 'TR2a', 100, '2026-10-02', { now: nowOn('2026-10-03') }))).amountFen).to.equal(100);
      expect((await pay(h.store, request('3300000003001', 'TR2b', 100, '2026-10-10', { now: nowOn('2026-10-03') }))).amountFen).to.equal(100);
    });

    it('refuses an unknown or disabled channel, an unknown customer and malformed ids, and posts nothing', async () => {
      const payments = await countRows(h.store, 'payments');
      await expectFault(pay(h.store, request('3300000003001', 'TR3', 100, '2026-10-03', { channelCode: 'NOPE' })), 'CHANNEL_NOT_FOUND');
      await expectFault(pay(h.store, request('3300000003001', 'TR3', 100, '2026-10-03', { channelCode: 'BANKX' })), 'CHANNEL_NOT_FOUND');
      await expectFault(pay(h.store, request('3399999999999', 'TR3', 100, '2026-10-03')), 'CUSTOMER_NOT_FOUND');
      for (const txnId of ['', 'x'.repeat(65), 'has space', 'tab\t', '中文']) {
        await expectFault(pay(h.store, request('3300000003001', txnId, 100, '2026-10-03')), 'VALIDATION_FAILED');
      }
      for (const customerNo of ['', '330000000', '33000000030011', 'abcdefghij']) {
        await expectFault(pay(h.store, request(customerNo, 'TR3', 100, '2026-10-03')), 'VALIDATION_FAILED');
      }
      expect(await countRows(h.store, 'payments')).to.equal(payments);
    });

    it('refuses to be called inside a caller\'s transaction', async () => {
      const error = await h.store.db.transaction().execute((trx) => pay({ db: trx, dialect: h.store.dialect }, request('3300000003001', 'TR4', 100, '2026-10-03')))
        .then(() => null, (e: unknown) => e);
      expect((error as Error).message).to.include('own transaction');
    });
  });

  describe('idempotency', () => {
    before(async () => {
      await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000004001'), billNo: 'I1', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
      await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000004002'), billNo: 'I2', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
    });

    it('answers the same request with the first answer, even after the world moved on', async () => {
      const first = await pay(h.store, request('3300000004001', 'TI1', 4_000, '2026-10-03', { billNos: ['I1'] }));
      const payments = await countRows(h.store, 'payments');
      const ledger = await countRows(h.store, 'ledger_transactions');
      expect(await pay(h.store, request('3300000004001', 'TI1', 4_000, '2026-10-03', { billNos: ['I1'] }))).to.deep.equal(first);
      // Another payment changes the bill; a week later the date is outside the window: same answer.
      await pay(h.store, request('3300000004001', 'TI1-other', 6_000, '2026-10-03'));
      const late = await pay(h.store, request('3300000004001', 'TI1', 4_000, '2026-10-03', { billNos: ['I1'], now: nowOn('2026-10-20') }));
      expect(late).to.deep.equal(first);
      expect(await countRows(h.store, 'payments')).to.equal(payments + 1);
      expect(await countRows(h.store, 'ledger_transactions')).to.equal(ledger + 1);
    });

    it('refuses the same id with any other content', async () => {
      const base = request('3300000004002', 'TI2', 1_000, '2026-10-03', { billNos: ['I2'] });
      const first = await pay(h.store, base);
      await expectFault(pay(h.store, { ...base, amountFen: 1_001 }), 'TXN_ID_CONFLICT');
      await expectFault(pay(h.store, { ...base, accountingDate: '2026-10-04' }), 'TXN_ID_CONFLICT');
      await expectFault(pay(h.store, { ...base, billNos: undefined }), 'TXN_ID_CONFLICT');
      await expectFault(pay(h.store, { ...base, customerNo: '3300000004001' }), 'TXN_ID_CONFLICT');
      // The arrival time is not content.
      expect(await pay(h.store, { ...base, now: '2026-10-03T09:59:59.000Z' })).to.deep.equal(first);
    });

    it('keeps ids per channel: another channel\'s same id is another payment', async () => {
      const mine = await pay(h.store, request('3300000004002', 'TI3', 100, '2026-10-03'));
      const theirs = await pay(h.store, request('3300000004002', 'TI3', 100, '2026-10-03', { channelCode: 'BANKO' }));
      expect(theirs.receiptNo).to.not.equal(mine.receiptNo);
      expect(theirs.channelCode).to.equal('BANKO');
      expect(await legsOf(h.store, theirs.receiptNo)).to.have.property('clearing:BANKO', 100);
    });

    it('takes the listed bills as a set: another order is the same request', async () => {
      const customerId = await addCustomer(h.store, '3300000004003');
      await addIssuedBill(h.store, { customerId, billNo: 'I3a', period: '2026-08', amountFen: 1_000, dueOn: '2026-10-18' });
      await addIssuedBill(h.store, { customerId, billNo: 'I3b', period: '2026-09', amountFen: 1_000, dueOn: '2026-10-18' });
      const first = await pay(h.store, request('3300000004003', 'TI4', 2_000, '2026-10-03', { billNos: ['I3a', 'I3b'] }));
      expect(await pay(h.store, request('3300000004003', 'TI4', 2_000, '2026-10-03', { billNos: ['I3b', 'I3a'] }))).to.deep.equal(first);
    });
  });

  describe('concurrency', () => {
    it('posts 50 simultaneous identical requests exactly once, and answers them all alike', async () => {
      const customerId = await addCustomer(h.store, '3300000005001');
      await addIssuedBill(h.store, { customerId, billNo: 'C1', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
      const ledger = await countRows(h.store, 'ledger_transactions');
      const answers = await Promise.all(Array.from({ length: 50 }, () => pay(h.store, request('3300000005001', 'TC1', 3_000, '2026-10-03'))));
      for (const answer of answers) expect(answer).to.deep.equal(answers[0]);
      const rows = await h.store.db.selectFrom('payments').select('id').where('channel_txn_id', '=', 'TC1').execute();
      expect(rows).to.have.length(1);
      expect(await countRows(h.store, 'ledger_transactions')).to.equal(ledger + 1);
      // 1.50 fee, 28.50 of energy.
      expect(await accountBalance(h.store, 'receivable', customerId)).to.equal(10_000 - 2_850);
    });

    it('answers a race for one id by two customers with one payment and one conflict, never a database error', async () => {
      // Different customers take different locks, so on PostgreSQL both reach the insert and the
      // loser's transaction dies on the unique constraint; it is answered outside it.
      await addCustomer(h.store, '3300000005003');
      await addCustomer(h.store, '3300000005004');
      for (let round = 0; round < 5; round += 1) {
        const results = await Promise.allSettled([
          pay(h.store, request('3300000005003', `TC3-${round}`, 500, '2026-10-03')),
          pay(h.store, request('3300000005004', `TC3-${round}`, 500, '2026-10-03')),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
        const [lost] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(lost!.reason).to.be.instanceOf(GridbillError);
        expect((lost!.reason as GridbillError).code).to.equal('TXN_ID_CONFLICT');
      }
    });

    it('keeps balances exact under 50 simultaneous different payments of one customer', async () => {
      const customerId = await addCustomer(h.store, '3300000005002');
      await addIssuedBill(h.store, { customerId, billNo: 'C2', period: '2026-08', amountFen: 1_000_000, dueOn: '2026-09-18' });
      // Paid together: Σ (100 i + 1), i = 1 … 50 = 127,550 fen. The fee to 3 Oct is
      // 15 days × 1‰ × 10,000.00 = 150.00 yuan, paid once whatever the order (a day is never
      // charged twice), so the energy charge gets 127,550 − 15,000 = 112,550 fen.
      const amounts = Array.from({ length: 50 }, (_, i) => 100 * (i + 1) + 1);
      await Promise.all(amounts.map((amountFen, i) => pay(h.store, request('3300000005002', `TC2-${i}`, amountFen, '2026-10-03'))));
      expect(await accountBalance(h.store, 'receivable', customerId)).to.equal(1_000_000 - 112_550);
      expect(await accountBalance(h.store, 'revenue:late-fee', customerId)).to.equal(-15_000);
      expect(await outstandingOf(h.store, 'C2')).to.equal(1_000_000 - 112_550);
      expect(await penaltyStateOf(h.store, 'C2')).to.deep.equal({ through: '2026-10-03', accrued: 15_000, carried: 0 });
      const paid = await h.store.db.selectFrom('payments').select('amount_fen').where('customer_id', '=', customerId).execute();
      expect(paid.reduce((s, p) => s + Number(p.amount_fen), 0)).to.equal(127_550);
    });
  });

  describe('bills from a real bill run', () => {
    it('pays every demo customer\'s arrears in full, leaving nothing owed and the ledger balanced', async function () {
      this.timeout(120_000);
      const now = '2026-11-02T01:00:00.000Z';
      const demo = [...generateDemo({ customers: 12, months: 3, seed: 7, endMonth: '2026-09' })];
      for (const c of demo) await registerCustomer(h.store, { ...c, customerNo: `8${c.customerNo}` }, now);
      await billHistory(h.store, { fromMonth: '2026-08', toMonth: '2026-09', now, actor: 'test' });
      let paidCustomers = 0;
      for (const c of demo) {
        const customerNo = `8${c.customerNo}`;
        const arrears = await queryArrears(h.store, { customerNo, asOfDate: '2026-11-02' });
        if (arrears.totalDueFen === 0) continue;
        const receipt = await pay(h.store, request(customerNo, `RUN-${customerNo}`, arrears.totalDueFen, '2026-11-02'));
        expect(receipt).to.include({ remainingDueFen: 0, prepaidFen: 0 });
        const after = await queryArrears(h.store, { customerNo, asOfDate: '2026-11-02' });
        expect(after.receivables).to.deep.equal([]);
        paidCustomers += 1;
      }
      expect(paidCustomers).to.be.greaterThan(0);
    });
  });
});
