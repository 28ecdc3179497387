import { expect } from 'chai';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { addChannel, addCustomer, addIssuedBill, countRows, expectFault, expectLedgerBalanced, nowOn, outstandingOf } from '../support/payments.ts';
import type { Store } from '../../src/store/database.ts';
import { pay } from '../../src/usecases/pay.ts';
import { reversePayment } from '../../src/usecases/reverse-payment.ts';
import { reconcile, type ReconcileEntry, type ReconcileRequest } from '../../src/usecases/reconcile.ts';
import { addChannel as registerChannel } from '../../src/usecases/manage-channels.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { randomBytes } from 'node:crypto';

const CHANNEL = 'BANKC';

function day(accountingDate: string, entries: readonly ReconcileEntry[], extra: Partial<ReconcileRequest> = {}): ReconcileRequest {
  return {
    channelCode: CHANNEL, accountingDate, totalCount: entries.length, totalAmountFen: entries.reduce((s, e) => s + e.amountFen, 0),
    batchNo: 1, batchCount: 1, entries, ...extra, now: extra.now ?? nowOn(nextDay(accountingDate)),
  };
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function entry(channelTxnId: string, customerNo: string, amountFen: number): ReconcileEntry {
  return { channelTxnId, customerNo, amountFen };
}

async function payOn(store: Store, customerNo: string, txnId: string, amountFen: number, date: string, channelCode = CHANNEL): Promise<void> {
  await pay(store, { channelCode, channelTxnId: txnId, customerNo, amountFen, accountingDate: date, now: nowOn(date) });
}

async function tableCount(store: Store, table: 'reconciliation_days' | 'reconciliation_batches' | 'reconciliation_entries' | 'reconciliation_items'): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describeOnEveryStore('Reconcile', (h) => {
  const A = '3300000022001';
  const B = '3300000022002';
  before(async () => {
    await importFixtureTariffs(h.store);
    await addChannel(h.store, CHANNEL);
    await addChannel(h.store, 'BANKD');
    for (const customerNo of [A, B]) {
      const customerId = await addCustomer(h.store, customerNo);
      await addIssuedBill(h.store, { customerId, billNo: `R${customerNo}`, period: '2026-08', amountFen: 1_000_000, dueOn: '2026-12-31' });
    }
  });
  afterEach(async () => expectLedgerBalanced(h.store));

  it('finds matched, amount-mismatch, channel-only and platform-only items, leaving reversed payments out', async () => {
    const d = '2026-10-10';
    await payOn(h.store, A, 'M1', 10_000, d);
    await payOn(h.store, B, 'M2', 5_000, d);
    await payOn(h.store, A, 'M3', 2_000, d);
    await reversePayment(h.store, { channelCode: CHANNEL, reversalTxnId: 'M3-R', originalTxnId: 'M3', accountingDate: d, now: nowOn(d) });
    await payOn(h.store, A, 'M4', 700, d);
    await payOn(h.store, A, 'M5', 300, d);
    // Another channel's payment and another day's are not part of this day.
    await payOn(h.store, A, 'M1', 10_000, d, 'BANKD');
    await payOn(h.store, A, 'M6', 900, '2026-10-11');
    const answer = await reconcile(h.store, day(d, [
      entry('M1', A, 10_000), entry('M2', B, 4_900), entry('M3', A, 2_000), entry('X9', B, 100), entry('M5', B, 300),
    ]));
    expect(answer).to.deep.equal({
      accountingDate: d, status: 'reconciled', batchesReceived: 1, result: {
        matchedCount: 1, matchedAmountFen: 10_000, channelOnlyCount: 3, platformOnlyCount: 2, amountMismatchCount: 1,
        discrepancies: [
          { kind: 'amount-mismatch', channelTxnId: 'M2', customerNo: B, channelAmountFen: 4_900, platformAmountFen: 5_000 },
          // M3 was reversed; M5 is another customer's payment under the id: unmatched on both sides.
          { kind: 'channel-only', channelTxnId: 'M3', customerNo: A, channelAmountFen: 2_000, platformAmountFen: null },
          { kind: 'channel-only', channelTxnId: 'M5', customerNo: B, channelAmountFen: 300, platformAmountFen: null },
          { kind: 'channel-only', channelTxnId: 'X9', customerNo: B, channelAmountFen: 100, platformAmountFen: null },
          { kind: 'platform-only', channelTxnId: 'M4', customerNo: A, channelAmountFen: null, platformAmountFen: 700 },
          { kind: 'platform-only', channelTxnId: 'M5', customerNo: A, channelAmountFen: null, platformAmountFen: 300 },
        ],
        discrepanciesTruncated: false,
      },
    });
    const items = await h.store.db.selectFrom('reconciliation_items').select(['review_status', 'payment_id']).execute();
    expect(items.every((i) => i.review_status === 'open')).to.equal(true);
    const dayRow = await h.store.db.selectFrom('reconciliation_days').select(['status', 'reconciled_at']).where('accounting_date', '=', d).executeTakeFirstOrThrow();
    expect(dayRow).to.deep.equal({ status: 'reconciled', reconciled_at: nowOn('2026-10-11') });
  });

  it('answers the same batch again as the first time, and refuses other content for a reconciled day', async () => {
    const d = '2026-10-12';
    await payOn(h.store, A, 'S1', 1_000, d);
    const request = day(d, [entry('S1', A, 1_000)]);
    const first = await reconcile(h.store, request);
    const stored = await tableCount(h.store, 'reconciliation_entries');
    const audits = await countRows(h.store, 'audit_log');
    // Entries in another order are the same content; a week later the answer is the same.
    expect(await reconcile(h.store, { ...request, now: nowOn('2026-10-20') })).to.deep.equal(first);
    expect(await tableCount(h.store, 'reconciliation_entries')).to.equal(stored);
    expect(await countRows(h.store, 'audit_log')).to.equal(audits);
    const refused = await expectFault(reconcile(h.store, day(d, [entry('S1', A, 1_000), entry('S2', A, 5)])), 'RECONCILE_DAY_RECONCILED');
    expect(refused.message).to.include(d);
    await expectFault(reconcile(h.store, day(d, [entry('S1', A, 1_000)], { batchNo: 2, batchCount: 2 })), 'RECONCILE_DAY_RECONCILED');
    expect(await tableCount(h.store, 'reconciliation_entries')).to.equal(stored);
  });

  it('takes batches in any order, answers RECEIVED until the last, and replays each batch\'s own answer', async () => {
    const d = '2026-10-13';
    await payOn(h.store, A, 'B1', 100, d);
    await payOn(h.store, B, 'B2', 200, d);
    await payOn(h.store, B, 'B3', 300, d);
    const totals = { totalCount: 3, totalAmountFen: 600, batchCount: 3 };
    const b3 = day(d, [entry('B3', B, 300)], { ...totals, batchNo: 3 });
    expect(await reconcile(h.store, b3)).to.deep.equal({ accountingDate: d, status: 'received', batchesReceived: 1 });
    const b1 = day(d, [entry('B2', B, 200), entry('B1', A, 100)], { ...totals, batchNo: 1 });
    expect(await reconcile(h.store, b1)).to.deep.equal({ accountingDate: d, status: 'received', batchesReceived: 2 });
    // Batch 2 is empty (a channel may split its day as it likes) and completes the day.
    const last = await reconcile(h.store, day(d, [], { ...totals, batchNo: 2 }));
    expect(last).to.include({ status: 'reconciled', batchesReceived: 3 });
    expect(last.result).to.include({ matchedCount: 3, matchedAmountFen: 600, channelOnlyCount: 0, platformOnlyCount: 0, amountMismatchCount: 0 });
    expect(await reconcile(h.store, b3)).to.deep.equal({ accountingDate: d, status: 'received', batchesReceived: 1 });
    expect(await reconcile(h.store, b1)).to.deep.equal({ accountingDate: d, status: 'received', batchesReceived: 2 });
  });

  it('refuses a batch that conflicts with the day\'s earlier batches, storing nothing of it', async () => {
    const d = '2026-10-14';
    const totals = { totalCount: 2, totalAmountFen: 300, batchCount: 2 };
    await reconcile(h.store, day(d, [entry('C1', A, 100)], { ...totals, batchNo: 1 }));
    const entries = await tableCount(h.store, 'reconciliation_entries');
    await expectFault(reconcile(h.store, day(d, [entry('C1', A, 101)], { ...totals, batchNo: 1 })), 'RECONCILE_BATCH_CONFLICT');
    await expectFault(reconcile(h.store, day(d, [entry('C2', A, 200)], { ...totals, totalAmountFen: 301, batchNo: 2 })), 'RECONCILE_BATCH_CONFLICT');
    await expectFault(reconcile(h.store, day(d, [entry('C2', A, 200)], { ...totals, batchCount: 3, batchNo: 2 })), 'RECONCILE_BATCH_CONFLICT');
    const twice = await expectFault(reconcile(h.store, day(d, [entry('C1', A, 100), entry('C2', A, 200)], { ...totals, batchNo: 2 })), 'RECONCILE_BATCH_CONFLICT');
    expect(twice.message).to.include('C1').and.include('batch 1');
    expect(await tableCount(h.store, 'reconciliation_entries')).to.equal(entries);
    const done = await reconcile(h.store, day(d, [entry('C2', A, 200)], { ...totals, batchNo: 2 }));
    expect(done.result).to.include({ channelOnlyCount: 2 });
  });

  it('refuses totals that disagree with the entries, discards the day, and takes the corrected day', async () => {
    const d = '2026-10-15';
    await payOn(h.store, A, 'T1', 100, d);
    const totals = { totalCount: 2, totalAmountFen: 300, batchCount: 2 };
    await reconcile(h.store, day(d, [entry('T1', A, 100)], { ...totals, batchNo: 1 }));
    const refused = await expectFault(reconcile(h.store, day(d, [entry('T2', A, 250)], { ...totals, batchNo: 2 })), 'RECONCILE_TOTALS_MISMATCH');
    expect(refused.message).to.include('300').and.include('350');
    expect(await h.store.db.selectFrom('reconciliation_days').select('id').where('accounting_date', '=', d).execute()).to.deep.equal([]);
    // Nothing reconciled: a reversal of the day is still judged by its window alone, and the
    // corrected day is taken from the start.
    const single = await expectFault(reconcile(h.store, day(d, [entry('T1', A, 100)], { totalCount: 2 })), 'RECONCILE_TOTALS_MISMATCH');
    expect(single.message).to.include('2 entries');
    const answer = await reconcile(h.store, day(d, [entry('T1', A, 100)]));
    expect(answer.result).to.include({ matchedCount: 1 });
  });

  it('reconciles a day without payments from one batch without entries', async () => {
    const empty = await reconcile(h.store, day('2026-10-16', []));
    expect(empty).to.deep.equal({
      accountingDate: '2026-10-16', status: 'reconciled', batchesReceived: 1, result: {
        matchedCount: 0, matchedAmountFen: 0, channelOnlyCount: 0, platformOnlyCount: 0, amountMismatchCount: 0, discrepancies: [], discrepanciesTruncated: false,
      },
    });
    await payOn(h.store, B, 'E1', 4_200, '2026-10-17');
    const missing = await reconcile(h.store, day('2026-10-17', []));
    expect(missing.result?.discrepancies).to.deep.equal([{ kind: 'platform-only', channelTxnId: 'E1', customerNo: B, channelAmountFen: null, platformAmountFen: 4_200 }]);
  });

  it('reconciles only past days', async () => {
    await expectFault(reconcile(h.store, day('2026-10-18', [], { now: nowOn('2026-10-18') })), 'RECONCILE_DATE_NOT_PAST');
    await expectFault(reconcile(h.store, day('2026-10-19', [], { now: nowOn('2026-10-18') })), 'RECONCILE_DATE_NOT_PAST');
    // 23:30 in Beijing on the 18th is still the 18th; 00:30 on the 19th is the next business day.
    await expectFault(reconcile(h.store, day('2026-10-18', [], { now: '2026-10-18T15:30:00.000Z' })), 'RECONCILE_DATE_NOT_PAST');
    expect(await reconcile(h.store, day('2026-10-18', [], { now: '2026-10-18T16:30:00.000Z' }))).to.include({ status: 'reconciled' });
  });

  it('refuses malformed requests and unknown channels before storing anything', async () => {
    const d = '2026-10-20';
    const before = await tableCount(h.store, 'reconciliation_batches');
    await expectFault(reconcile(h.store, day(d, [], { batchNo: 2, batchCount: 1 })), 'VALIDATION_FAILED');
    await expectFault(reconcile(h.store, day(d, [], { batchCount: 1001 })), 'VALIDATION_FAILED');
    await expectFault(reconcile(h.store, day(d, [], { totalCount: -1 })), 'VALIDATION_FAILED');
    await expectFault(reconcile(h.store, day(d, [], { totalAmountFen: 1.5 })), 'VALIDATION_FAILED');
    await expectFault(reconcile(h.store, day(d, [entry('D1', A, 1), entry('D1', A, 1)])), 'VALIDATION_FAILED');
    await expectFault(reconcile(h.store, day(d, [entry('D1', '12', 1)])), 'VALIDATION_FAILED');
    await expectFault(reconcile(h.store, day(d, [entry('a b', A, 1)])), 'VALIDATION_FAILED');
    await expectFault(reconcile(h.store, day(d, [entry('D1', A, 0)])), 'PAYMENT_AMOUNT_INVALID');
    await expectFault(reconcile(h.store, day(d, Array.from({ length: 5_001 }, (_, i) => entry(`D${i}`, A, 1)))), 'VALIDATION_FAILED');
    await expectFault(reconcile(h.store, day('2026-13-01', [], { now: nowOn(d) })), 'ACCOUNTING_DATE_INVALID');
    await expectFault(reconcile(h.store, day(d, [], { channelCode: 'NOPE' })), 'CHANNEL_NOT_FOUND');
    expect(await tableCount(h.store, 'reconciliation_batches')).to.equal(before);
  });

  it('answers the first 5,000 discrepancies and keeps them all', async function () {
    this.timeout(60_000);
    const d = '2026-10-21';
    const many = Array.from({ length: 5_001 }, (_, i) => entry(`Z${String(i).padStart(5, '0')}`, A, 1));
    const totals = { totalCount: 5_001, totalAmountFen: 5_001, batchCount: 2 };
    await reconcile(h.store, day(d, many.slice(0, 5_000), { ...totals, batchNo: 1 }));
    const answer = await reconcile(h.store, day(d, many.slice(5_000), { ...totals, batchNo: 2 }));
    expect(answer.result?.channelOnlyCount).to.equal(5_001);
    expect(answer.result?.discrepancies).to.have.length(5_000);
    expect(answer.result?.discrepancies.at(-1)?.channelTxnId).to.equal('Z04999');
    expect(answer.result?.discrepanciesTruncated).to.equal(true);
  });
});

describeOnEveryStore('Reverse against reconciliation', (h) => {
  const C = '3300000022003';
  // One customer per payment: a later payment of the same bill would stand in the reversal's way.
  const OTHERS = ['3300000022004', '3300000022005', '3300000022006'] as const;
  before(async () => {
    await importFixtureTariffs(h.store);
    await addChannel(h.store, CHANNEL);
    const wide = await addChannel(h.store, 'BANKW');
    const strict = await addChannel(h.store, 'BANKZ');
    await h.store.db.updateTable('channels').set({ reversal_days: 3 }).where('id', '=', wide).execute();
    await h.store.db.updateTable('channels').set({ reversal_days: 0 }).where('id', '=', strict).execute();
    for (const customerNo of [C, ...OTHERS]) {
      const customerId = await addCustomer(h.store, customerNo);
      await addIssuedBill(h.store, { customerId, billNo: `RV-${customerNo}`, period: '2026-08', amountFen: 1_000_000, dueOn: '2026-12-31' });
    }
  });

  it('refuses a payment booked on a day already reconciled, and answers a repeat of an earlier payment as before', async () => {
    const d = '2026-11-06';
    await payOn(h.store, C, 'PR1', 1_000, d);
    await reconcile(h.store, day(d, [entry('PR1', C, 1_000)]));
    // The next morning a late payment dated the reconciled day arrives: it would never be reconciled.
    const late = await expectFault(pay(h.store, {
      channelCode: CHANNEL, channelTxnId: 'PR2', customerNo: C, amountFen: 500, accountingDate: d, now: nowOn('2026-11-07'),
    }), 'ACCOUNTING_DATE_INVALID');
    expect(late.message).to.include('reconciled');
    const repeat = await pay(h.store, { channelCode: CHANNEL, channelTxnId: 'PR1', customerNo: C, amountFen: 1_000, accountingDate: d, now: nowOn('2026-11-07') });
    expect(repeat.amountFen).to.equal(1_000);
    // Another channel's day is its own: BANKW has not reconciled it.
    await pay(h.store, { channelCode: 'BANKW', channelTxnId: 'PR3', customerNo: C, amountFen: 500, accountingDate: d, now: nowOn('2026-11-07') });
  });

  it('refuses to reverse a payment whose day has been reconciled', async () => {
    const d = '2026-11-02';
    await payOn(h.store, C, 'RR1', 1_000, d);
    await payOn(h.store, C, 'RR2', 2_000, '2026-11-03');
    await reconcile(h.store, day(d, [entry('RR1', C, 1_000)]));
    const refused = await expectFault(reversePayment(h.store, {
      channelCode: CHANNEL, reversalTxnId: 'RR1-R', originalTxnId: 'RR1', accountingDate: d, now: nowOn('2026-11-03'),
    }), 'REVERSAL_NOT_ALLOWED');
    expect(refused.message).to.include('reconciled');
    // The next day is not reconciled: its payment may still be reversed.
    await reversePayment(h.store, { channelCode: CHANNEL, reversalTxnId: 'RR2-R', originalTxnId: 'RR2', accountingDate: '2026-11-03', now: nowOn('2026-11-03') });
  });

  it('keeps each channel\'s reversal window', async () => {
    const d = '2026-11-05';
    await payOn(h.store, OTHERS[0], 'W1', 100, d, 'BANKW');
    await payOn(h.store, OTHERS[1], 'Z1', 100, d, 'BANKZ');
    await payOn(h.store, OTHERS[2], 'Z2', 100, d, 'BANKZ');
    const reverse = (channelCode: string, txn: string, now: string) => reversePayment(h.store, {
      channelCode, reversalTxnId: `${txn}-R`, originalTxnId: txn, accountingDate: d, now: nowOn(now),
    });
    // Three days for BANKW (the default is one), none after the day for BANKZ.
    await expectFault(reverse('BANKW', 'W1', '2026-11-09'), 'REVERSAL_NOT_ALLOWED');
    await expectFault(reverse('BANKZ', 'Z1', '2026-11-06'), 'REVERSAL_NOT_ALLOWED');
    await reverse('BANKW', 'W1', '2026-11-08');
    await reverse('BANKZ', 'Z2', d);
    expect(await outstandingOf(h.store, `RV-${OTHERS[0]}`)).to.equal(1_000_000);
    expect(await outstandingOf(h.store, `RV-${OTHERS[2]}`)).to.equal(1_000_000);
    expect(await outstandingOf(h.store, `RV-${OTHERS[1]}`)).to.equal(1_000_000 - 100);
  });

  it('never reconciles a payment as posted that a concurrent reversal takes back', async () => {
    // Whichever wins the day's lock, the outcome is consistent: reversed and CHANNEL_ONLY, or
    // matched and the reversal refused.
    for (const [i, d] of ['2026-11-12', '2026-11-13', '2026-11-14'].entries()) {
      await payOn(h.store, C, `CC${i}`, 500, d);
      const [reversal, answer] = await Promise.allSettled([
        reversePayment(h.store, { channelCode: CHANNEL, reversalTxnId: `CC${i}-R`, originalTxnId: `CC${i}`, accountingDate: d, now: nowOn(nextDay(d)) }),
        reconcile(h.store, day(d, [entry(`CC${i}`, C, 500)])),
      ]);
      expect(answer.status).to.equal('fulfilled');
      const result = (answer as PromiseFulfilledResult<Awaited<ReturnType<typeof reconcile>>>).value.result!;
      if (reversal.status === 'fulfilled') {
        expect(result).to.include({ matchedCount: 0, channelOnlyCount: 1 });
      } else {
        expect((reversal.reason as Error).message).to.include('reconciled');
        expect(result).to.include({ matchedCount: 1, channelOnlyCount: 0 });
      }
    }
  });

  it('registers a channel with its reversal window, from 0 to 31 days', async () => {
    const box = secretBox(randomBytes(32));
    const input = (code: string, reversalDays: number | null) => ({
      code, name: code, kind: 'bank', password: 'a-long-enough-secret', operations: ['Reverse'], reversalDays,
    });
    expect((await registerChannel(h.store, box, input('win-0', 0), 'test', nowOn('2026-11-01'))).reversalDays).to.equal(0);
    expect((await registerChannel(h.store, box, input('win-31', 31), 'test', nowOn('2026-11-01'))).reversalDays).to.equal(31);
    expect((await registerChannel(h.store, box, input('win-none', null), 'test', nowOn('2026-11-01'))).reversalDays).to.equal(null);
    for (const days of [-1, 32, 1.5]) {
      const refused = await expectFault(registerChannel(h.store, box, input('win-bad', days), 'test', nowOn('2026-11-01')), 'CHANNEL_INVALID');
      expect(refused.message).to.include('reversal days');
    }
  });
});
