import { expect } from 'chai';
import fc from 'fast-check';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import {
  addChannel, addCustomer, addIssuedBill, countRows, expectFault, expectLedgerBalanced, nowOn, outstandingOf, penaltyStateOf,
} from '../support/payments.ts';
import type { Store } from '../../src/store/database.ts';
import { GridbillError } from '../../src/errors.ts';
import { accountBalance, ledgerTotal, postLedgerTransaction } from '../../src/store/ledger.repository.ts';
import { pay, type PayRequest } from '../../src/usecases/pay.ts';
import { reversePayment, type ReverseRequest } from '../../src/usecases/reverse-payment.ts';
import { queryArrears } from '../../src/usecases/query-arrears.ts';

function payment(customerNo: string, txnId: string, amountFen: number, accountingDate: string, extra: Partial<PayRequest> = {}): PayRequest {
  return { channelCode: 'BANKR', channelTxnId: txnId, customerNo, amountFen, accountingDate, now: nowOn(accountingDate), ...extra };
}

function reversal(reversalTxnId: string, originalTxnId: string, accountingDate: string, extra: Partial<ReverseRequest> = {}): ReverseRequest {
  return { channelCode: 'BANKR', reversalTxnId, originalTxnId, accountingDate, now: nowOn(accountingDate), ...extra };
}

/** Everything a payment may change about a customer, to compare before and after. */
async function snapshot(store: Store, customerNo: string, customerId: number, asOfDate: string): Promise<unknown> {
  const bills = await store.db.selectFrom('bills').selectAll().where('customer_id', '=', customerId).orderBy('id').execute();
  return {
    bills,
    arrears: await queryArrears(store, { customerNo, asOfDate }),
    receivable: await accountBalance(store, 'receivable', customerId),
    prepaid: await accountBalance(store, 'prepaid', customerId),
    lateFees: await accountBalance(store, 'revenue:late-fee', customerId),
  };
}

describeOnEveryStore('Reverse', (h) => {
  before(async () => {
    await importFixtureTariffs(h.store);
    await addChannel(h.store, 'BANKR');
    await addChannel(h.store, 'BANKS');
  });
  afterEach(async () => expectLedgerBalanced(h.store));

  it('restores the bills, their late-fee state, the balances and the ledger exactly', async () => {
    const customerId = await addCustomer(h.store, '3300000011001');
    await addIssuedBill(h.store, { customerId, billNo: 'V1a', period: '2026-07', amountFen: 1_000, dueOn: '2026-08-18' });
    await addIssuedBill(h.store, { customerId, billNo: 'V1b', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
    // A first payment leaves V1b with a carried fee: 28 Sep, fees 1.00 (V1a, minimum) + 1.00 (V1b).
    await pay(h.store, payment('3300000011001', 'TV1-0', 150, '2026-09-28'));
    expect(await penaltyStateOf(h.store, 'V1b')).to.deep.equal({ through: '2026-09-28', accrued: 100, carried: 50 });
    const before = await snapshot(h.store, '3300000011001', customerId, '2026-10-03');
    const clearing = await accountBalance(h.store, 'clearing:BANKR');
    // 3 Oct: carried 0.50 + 5 days × 1‰ × 100.00 = 1.00 on V1b; V1a's fee was paid; then
    // 10.00 + 100.00 energy, and 20.00 to prepaid.
    const paid = await pay(h.store, payment('3300000011001', 'TV1', 13_150, '2026-10-03'));
    expect(paid).to.include({ penaltyFen: 100, energyFen: 11_000, prepaidFen: 2_050 });
    const answer = await reversePayment(h.store, reversal('RV1', 'TV1', '2026-10-03'));
    expect(answer).to.deep.equal({
      channelCode: 'BANKR', reversalTxnId: 'RV1', originalTxnId: 'TV1', receiptNo: paid.receiptNo, customerNo: '3300000011001',
      amountFen: 13_150, accountingDate: '2026-10-03', reversedAt: nowOn('2026-10-03'), restored: paid.settled, prepaidFen: 2_050,
      // The balances the reversal leaves are those before the payment.
      prepaidBalanceFen: (before as { arrears: { prepaidBalanceFen: number } }).arrears.prepaidBalanceFen,
      remainingDueFen: (before as { arrears: { totalDueFen: number } }).arrears.totalDueFen,
    });
    expect(await snapshot(h.store, '3300000011001', customerId, '2026-10-03')).to.deep.equal(before);
    expect(await accountBalance(h.store, 'clearing:BANKR')).to.equal(clearing);
    expect(await penaltyStateOf(h.store, 'V1b')).to.deep.equal({ through: '2026-09-28', accrued: 100, carried: 50 });
    const mirror = await h.store.db.selectFrom('ledger_transactions').select(['ref_kind', 'ref_id', 'accounting_date'])
      .where('kind', '=', 'payment-reversal').where('ref_id', '=', Number(paid.receiptNo)).execute();
    expect(mirror).to.deep.equal([{ ref_kind: 'payment', ref_id: Number(paid.receiptNo), accounting_date: '2026-10-03' }]);
    const row = await h.store.db.selectFrom('payments').select(['status', 'reversal_txn_id']).where('channel_txn_id', '=', 'TV1').executeTakeFirstOrThrow();
    expect(row).to.deep.equal({ status: 'reversed', reversal_txn_id: 'RV1' });
  });

  it('answers the same reversal again with the same answer, and posts it once', async () => {
    await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000011002'), billNo: 'V2', period: '2026-08', amountFen: 10_000, dueOn: '2026-10-18' });
    await pay(h.store, payment('3300000011002', 'TV2', 4_000, '2026-10-03'));
    const first = await reversePayment(h.store, reversal('RV2', 'TV2', '2026-10-03'));
    const ledger = await countRows(h.store, 'ledger_transactions');
    expect(await reversePayment(h.store, reversal('RV2', 'TV2', '2026-10-03'))).to.deep.equal(first);
    // Days later, outside every window, the stored answer still comes back.
    expect(await reversePayment(h.store, reversal('RV2', 'TV2', '2026-10-03', { now: nowOn('2026-10-20') }))).to.deep.equal(first);
    expect(await countRows(h.store, 'ledger_transactions')).to.equal(ledger);
    // Another reversal id for the reversed payment, the same reversal id for other content, and
    // a reversal id that names a payment are all refused.
    await expectFault(reversePayment(h.store, reversal('RV2-again', 'TV2', '2026-10-03')), 'PAYMENT_ALREADY_REVERSED');
    await pay(h.store, payment('3300000011002', 'TV2b', 100, '2026-10-03'));
    await expectFault(reversePayment(h.store, reversal('RV2', 'TV2b', '2026-10-03')), 'TXN_ID_CONFLICT');
    await expectFault(reversePayment(h.store, reversal('TV2b', 'TV2b', '2026-10-03')), 'TXN_ID_CONFLICT');
    // And a payment cannot take a reversal's id.
    await expectFault(pay(h.store, payment('3300000011002', 'RV2', 100, '2026-10-03')), 'TXN_ID_CONFLICT');
    expect(await countRows(h.store, 'ledger_transactions')).to.equal(ledger + 1);
  });

  it('reverses only the channel\'s own payments', async () => {
    await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000011003'), billNo: 'V3', period: '2026-08', amountFen: 10_000, dueOn: '2026-10-18' });
    await pay(h.store, payment('3300000011003', 'TV3', 4_000, '2026-10-03'));
    await expectFault(reversePayment(h.store, reversal('RV3', 'TV3', '2026-10-03', { channelCode: 'BANKS' })), 'PAYMENT_NOT_FOUND');
    await expectFault(reversePayment(h.store, reversal('RV3', 'NEVER-SEEN', '2026-10-03')), 'PAYMENT_NOT_FOUND');
    await expectFault(reversePayment(h.store, reversal('RV3', 'TV3', '2026-10-03', { channelCode: 'NOPE' })), 'CHANNEL_NOT_FOUND');
    expect(await outstandingOf(h.store, 'V3')).to.equal(6_000);
  });

  it('reverses only on the payment\'s accounting date, and only while its window is open', async () => {
    await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000011004'), billNo: 'V4', period: '2026-08', amountFen: 10_000, dueOn: '2026-10-18' });
    await pay(h.store, payment('3300000011004', 'TV4', 4_000, '2026-10-03'));
    await expectFault(reversePayment(h.store, reversal('RV4', 'TV4', '2026-10-04', { now: nowOn('2026-10-04') })), 'REVERSAL_NOT_ALLOWED');
    await expectFault(reversePayment(h.store, reversal('RV4', 'TV4', '2026-10-02', { now: nowOn('2026-10-03') })), 'REVERSAL_NOT_ALLOWED');
    // Two days on, the 3 Oct window has closed, even with the right date.
    await expectFault(reversePayment(h.store, reversal('RV4', 'TV4', '2026-10-03', { now: nowOn('2026-10-05') })), 'REVERSAL_NOT_ALLOWED');
    for (const date of ['', '2026-10-32', '03/10/2026']) {
      await expectFault(reversePayment(h.store, reversal('RV4', 'TV4', date, { now: nowOn('2026-10-03') })), 'ACCOUNTING_DATE_INVALID');
    }
    for (const id of ['', 'x'.repeat(65), 'a b']) {
      await expectFault(reversePayment(h.store, reversal(id, 'TV4', '2026-10-03')), 'VALIDATION_FAILED');
      await expectFault(reversePayment(h.store, reversal('RV4', id, '2026-10-03')), 'VALIDATION_FAILED');
    }
    expect(await outstandingOf(h.store, 'V4')).to.equal(6_000);
    // The next day, inside the window: allowed.
    await reversePayment(h.store, reversal('RV4', 'TV4', '2026-10-03', { now: nowOn('2026-10-04') }));
    expect(await outstandingOf(h.store, 'V4')).to.equal(10_000);
  });

  it('refuses a payment whose bills a later payment touched, until that one is reversed', async () => {
    const customerId = await addCustomer(h.store, '3300000011005');
    await addIssuedBill(h.store, { customerId, billNo: 'V5', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
    await addIssuedBill(h.store, { customerId, billNo: 'V5x', period: '2026-09', amountFen: 10_000, dueOn: '2026-10-18' });
    const before = await snapshot(h.store, '3300000011005', customerId, '2026-10-03');
    await pay(h.store, payment('3300000011005', 'TV5a', 3_000, '2026-10-03', { billNos: ['V5'] }));
    await pay(h.store, payment('3300000011005', 'TV5b', 3_000, '2026-10-03', { billNos: ['V5'] }));
    await pay(h.store, payment('3300000011005', 'TV5c', 1_000, '2026-10-03', { billNos: ['V5x'] }));
    const refused = await expectFault(reversePayment(h.store, reversal('RV5a', 'TV5a', '2026-10-03')), 'REVERSAL_NOT_ALLOWED');
    expect(refused.message).to.include('later payment');
    // TV5c touched another bill: it does not stand in the way of TV5b.
    await reversePayment(h.store, reversal('RV5b', 'TV5b', '2026-10-03'));
    await reversePayment(h.store, reversal('RV5a', 'TV5a', '2026-10-03'));
    await reversePayment(h.store, reversal('RV5c', 'TV5c', '2026-10-03'));
    expect(await snapshot(h.store, '3300000011005', customerId, '2026-10-03')).to.deep.equal(before);
  });

  it('refuses when the prepaid balance the payment added has been spent', async () => {
    const customerId = await addCustomer(h.store, '3300000011006');
    await pay(h.store, payment('3300000011006', 'TV6', 5_000, '2026-10-03'));
    // A daily smart-payment deduction (not yet a use case) draws 20.00 from the prepaid balance.
    await postLedgerTransaction(h.store, {
      kind: 'smart-deduction', refKind: null, refId: null, accountingDate: '2026-10-03', createdAt: nowOn('2026-10-03'), legs: [
        { accountCode: 'prepaid', customerId, amountFen: 2_000 }, { accountCode: 'revenue:energy', customerId, amountFen: -2_000 },
      ],
    });
    await expectFault(reversePayment(h.store, reversal('RV6', 'TV6', '2026-10-03')), 'REVERSAL_NOT_ALLOWED');
    expect(await accountBalance(h.store, 'prepaid', customerId)).to.equal(-3_000);
  });

  it('reverses once under 50 simultaneous identical reversals', async () => {
    const customerId = await addCustomer(h.store, '3300000011007');
    await addIssuedBill(h.store, { customerId, billNo: 'V7', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
    await pay(h.store, payment('3300000011007', 'TV7', 10_150, '2026-10-03'));
    const ledger = await countRows(h.store, 'ledger_transactions');
    const answers = await Promise.all(Array.from({ length: 50 }, () => reversePayment(h.store, reversal('RV7', 'TV7', '2026-10-03'))));
    for (const answer of answers) expect(answer).to.deep.equal(answers[0]);
    expect(await countRows(h.store, 'ledger_transactions')).to.equal(ledger + 1);
    expect(await accountBalance(h.store, 'receivable', customerId)).to.equal(10_000);
  });

  it('answers a race for one reversal id over two customers\' payments with one reversal and one conflict', async () => {
    await addCustomer(h.store, '3300000011008');
    await addCustomer(h.store, '3300000011009');
    for (let round = 0; round < 5; round += 1) {
      await pay(h.store, payment('3300000011008', `TV8-${round}`, 500, '2026-10-03'));
      await pay(h.store, payment('3300000011009', `TV9-${round}`, 500, '2026-10-03'));
      const results = await Promise.allSettled([
        reversePayment(h.store, reversal(`RV89-${round}`, `TV8-${round}`, '2026-10-03')),
        reversePayment(h.store, reversal(`RV89-${round}`, `TV9-${round}`, '2026-10-03')),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const [lost] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect((lost!.reason as GridbillError).code).to.equal('TXN_ID_CONFLICT');
    }
  });

  describe('any sequence of payments and reversals', () => {
    let run = 0;

    type Step = { kind: 'pay'; amountFen: number; days: number; listNewest: boolean } | { kind: 'reverse'; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('pay' as const), amountFen: fc.integer({ min: 1, max: 40_000 }), days: fc.integer({ min: 0, max: 45 }), listNewest: fc.boolean() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() }) },
    );

    async function checkInvariants(customerId: number, billNos: readonly string[]): Promise<void> {
      expect(await ledgerTotal(h.store)).to.equal(0);
      let outstanding = 0;
      for (const billNo of billNos) {
        const owed = await outstandingOf(h.store, billNo);
        expect(owed, billNo).to.be.at.least(0);
        const state = await penaltyStateOf(h.store, billNo);
        expect(state.carried, billNo).to.be.at.least(0);
        if (owed === 0) expect(state.carried, `${billNo} paid with a fee carried`).to.equal(0);
        outstanding += owed;
      }
      expect(await accountBalance(h.store, 'receivable', customerId)).to.equal(outstanding);
      expect(await accountBalance(h.store, 'prepaid', customerId)).to.be.at.most(0);
    }

    it('keeps the ledger at zero, nothing owed below zero, and a reversed latest payment exactly undone', async function () {
      this.timeout(300_000);
      await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        run += 1;
        const customerNo = `34${String(run).padStart(8, '0')}`;
        const customerId = await addCustomer(h.store, customerNo, run % 2 === 0 ? 'industrial-commercial' : 'residential');
        const category = run % 2 === 0 ? 'industrial-commercial' as const : 'residential' as const;
        const billNos = [`F${run}-a`, `F${run}-b`];
        await addIssuedBill(h.store, { customerId, billNo: billNos[0]!, period: '2025-11', amountFen: 12_345, dueOn: '2025-12-18', category });
        await addIssuedBill(h.store, { customerId, billNo: billNos[1]!, period: '2025-12', amountFen: 23_456, dueOn: '2026-01-18', category });
        let date = '2025-12-10';
        // `before` is the state the payment started from; null once something after it was undone.
        const posted: Array<{ txnId: string; date: string; before: unknown }> = [];
        for (const [i, s] of steps.entries()) {
          if (s.kind === 'pay') {
            date = addDaysIso(date, s.days);
            const before = await snapshot(h.store, customerNo, customerId, date);
            const billNos2 = s.listNewest ? [billNos[1]!] : undefined;
            const answer = await pay(h.store, { channelCode: 'BANKR', channelTxnId: `F${run}-${i}`, customerNo, amountFen: s.amountFen, accountingDate: date, billNos: billNos2, now: nowOn(date) })
              .catch((e: unknown) => e);
            if (answer instanceof GridbillError) {
              expect(answer.code).to.equal('BILL_NOT_PAYABLE'); // the listed newest bill is paid already
            } else {
              posted.push({ txnId: `F${run}-${i}`, date, before });
            }
          } else if (posted.length > 0) {
            const target = posted[s.pick % posted.length]!;
            const latest = target === posted[posted.length - 1];
            const result = await reversePayment(h.store, { channelCode: 'BANKR', reversalTxnId: `F${run}-r${i}`, originalTxnId: target.txnId, accountingDate: target.date, now: nowOn(target.date) })
              .catch((e: unknown) => e);
            if (result instanceof GridbillError) {
              expect(result.code).to.equal('REVERSAL_NOT_ALLOWED');
              expect(latest, 'the latest payment is always reversible').to.equal(false);
            } else {
              const at = posted.indexOf(target);
              for (const later of posted.slice(at + 1)) later.before = null;
              posted.splice(at, 1);
              if (latest && target.before !== null) {
                expect(await snapshot(h.store, customerNo, customerId, target.date)).to.deep.equal(target.before);
              }
            }
          }
          await checkInvariants(customerId, billNos);
        }
      }), { numRuns: 25, seed: 20261003 });
    });
  });
});

function addDaysIso(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
