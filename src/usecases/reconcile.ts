// Reconcile (对账): a channel's view of one past accounting date, compared with the platform's
// (ChannelPaymentService.Reconcile, `gridbill reconcile`).
//
// A day arrives in batches 1..batchCount of at most LIMITS.reconcileEntriesPerBatchMax entries, in
// any order, each repeating the day's totalCount and totalAmount. Each batch is one transaction,
// under the day's lock: it lands whole or not at all. The answer is RECEIVED until every batch
// number has arrived; the batch completing the day compares:
//   - the totals must equal the entries received, else RECONCILE_TOTALS_MISMATCH, and the day's
//     batches are discarded (nothing is reconciled; the channel sends the corrected day again);
//   - matched: an entry and a posted payment of the channel and date with the same id, customer
//     and amount; amount-mismatch: same id and customer, other amount; channel-only (长款): an
//     entry without such a payment; platform-only (短款): such a payment without an entry. A
//     reversed payment is not on the platform's side. Every discrepancy is kept for review.
// A day is reconciled once. Idempotent per batch: the same batch (same content, SHA-256 of the
// canonical request) is answered as it was the first time, even after the day is reconciled;
// other content for a batch already received → RECONCILE_BATCH_CONFLICT, and once the day is
// reconciled anything else → RECONCILE_DAY_RECONCILED. Totals or batch count other than the
// day's earlier batches, or an id already received in another batch → RECONCILE_BATCH_CONFLICT.
// Only past days: the accounting date must lie before the business date of `now`.

import { businessDate } from '../clock.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import {
  addBatchToDay, discardReconciliationDay, discrepancyCounts, entriesReceived, findReconciliationBatch, findReconciliationDay,
  insertDiscrepancies, insertReconciliationBatch, insertReconciliationDay, insertReconciliationEntries, listDiscrepancies,
  lockReconciliationDay, markDayReconciled, matchedTotals, type DayKey,
} from '../store/reconciliation.repository.ts';
import type { DiscrepancyKind, ReconciliationBatchRow, ReconciliationDayRow } from '../store/reconciliation.table.ts';
import type { ChannelRow } from '../store/payment.table.ts';
import { checkIsoDate, checkTxnId, PAYMENT_AMOUNT_MAX_FEN, requestHash, requireChannel } from './pay.ts';

const CUSTOMER_NO = /^\d{10,13}$/;
/** At most this many entries in a day: every batch full. */
const DAY_ENTRIES_MAX = LIMITS.reconcileBatchesMax * LIMITS.reconcileEntriesPerBatchMax;

export interface ReconcileEntry {
  readonly channelTxnId: string;
  readonly customerNo: string;
  readonly amountFen: number;
}

export interface ReconcileRequest {
  readonly channelCode: string;
  readonly accountingDate: string;
  readonly totalCount: number;
  readonly totalAmountFen: number;
  readonly batchNo: number;
  readonly batchCount: number;
  readonly entries: readonly ReconcileEntry[];
  readonly now: string;
  /** Who sent it, for the audit log (default: the channel). */
  readonly actor?: string;
}

export interface Discrepancy {
  readonly kind: DiscrepancyKind;
  readonly channelTxnId: string;
  readonly customerNo: string;
  readonly channelAmountFen: number | null;
  readonly platformAmountFen: number | null;
}

export interface ReconcileResult {
  readonly matchedCount: number;
  readonly matchedAmountFen: number;
  readonly channelOnlyCount: number;
  readonly platformOnlyCount: number;
  readonly amountMismatchCount: number;
  /** The first LIMITS.reconcileDiscrepanciesListedMax, by kind then channel transaction id. */
  readonly discrepancies: readonly Discrepancy[];
  readonly discrepanciesTruncated: boolean;
}

export interface ReconcileAnswer {
  readonly accountingDate: string;
  readonly status: 'received' | 'reconciled';
  readonly batchesReceived: number;
  /** Present when status is reconciled. */
  readonly result?: ReconcileResult;
}

function checkCount(value: number, min: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new GridbillError('VALIDATION_FAILED', `${what}: a whole number from ${min} to ${max}`);
}

function validate(request: ReconcileRequest): void {
  if (Number.isNaN(Date.parse(request.now))) throw new RangeError(`now is not an instant: ${request.now}`);
  checkIsoDate(request.accountingDate, 'accounting date');
  checkCount(request.totalCount, 0, DAY_ENTRIES_MAX, 'total count');
  checkCount(request.totalAmountFen, 0, Number.MAX_SAFE_INTEGER, 'total amount in fen');
  checkCount(request.batchCount, 1, LIMITS.reconcileBatchesMax, 'batch count');
  checkCount(request.batchNo, 1, request.batchCount, 'batch number (at most the batch count)');
  if (request.entries.length > LIMITS.reconcileEntriesPerBatchMax) {
    throw new GridbillError('VALIDATION_FAILED', `more than ${LIMITS.reconcileEntriesPerBatchMax} entries in one batch`);
  }
  const seen = new Set<string>();
  for (const entry of request.entries) {
    checkTxnId(entry.channelTxnId, 'entry channel transaction id');
    if (!CUSTOMER_NO.test(entry.customerNo)) throw new GridbillError('VALIDATION_FAILED', `entry ${entry.channelTxnId}: customer no: 10 to 13 digits`);
    if (!Number.isSafeInteger(entry.amountFen) || entry.amountFen <= 0 || entry.amountFen > PAYMENT_AMOUNT_MAX_FEN) {
      throw new GridbillError('PAYMENT_AMOUNT_INVALID', `entry ${entry.channelTxnId}: ${entry.amountFen} fen`);
    }
    if (seen.has(entry.channelTxnId)) throw new GridbillError('VALIDATION_FAILED', `entry ${entry.channelTxnId} listed twice`);
    seen.add(entry.channelTxnId);
  }
}

/** The batch's canonical content; entries in id order, so their order on the wire does not matter. */
function batchHash(request: ReconcileRequest): string {
  const entries = [...request.entries].sort((a, b) => (a.channelTxnId < b.channelTxnId ? -1 : a.channelTxnId > b.channelTxnId ? 1 : 0))
    .map((e) => [e.channelTxnId, e.customerNo, e.amountFen]);
  return requestHash(['reconcile/1', request.channelCode, request.accountingDate, request.totalCount, request.totalAmountFen,
    request.batchNo, request.batchCount, entries]);
}

type Outcome = { readonly kind: 'answer'; readonly answer: ReconcileAnswer } | { readonly kind: 'mismatch'; readonly detail: string };

export async function reconcile(store: Store, request: ReconcileRequest): Promise<ReconcileAnswer> {
  validate(request);
  const channel = await requireChannel(store, request.channelCode);
  const today = businessDate(new Date(request.now));
  if (request.accountingDate >= today) throw new GridbillError('RECONCILE_DATE_NOT_PAST', `${request.accountingDate} is not before ${today}`);
  const hash = batchHash(request);
  const outcome = await inTransaction(store, async (tx): Promise<Outcome> => {
    await lockReconciliationDay(tx, channel.id, request.accountingDate);
    const day = await findReconciliationDay(tx, channel.id, request.accountingDate);
    if (day !== undefined) {
      const prior = await findReconciliationBatch(tx, day.id, request.batchNo);
      if (prior !== undefined && prior.request_hash === hash) return { kind: 'answer', answer: await answerOf(tx, day, prior) };
      refuseAgainst(day, prior, request);
    }
    return receiveBatch(tx, channel, day, request, hash);
  });
  if (outcome.kind === 'mismatch') {
    throw new GridbillError('RECONCILE_TOTALS_MISMATCH', outcome.detail, { hint: 'correct the file or the totals and send the whole day again' });
  }
  return outcome.answer;
}

/** Why a new batch cannot join a day that has others already, if it cannot. */
function refuseAgainst(day: ReconciliationDayRow, prior: ReconciliationBatchRow | undefined, request: ReconcileRequest): void {
  if (day.status === 'reconciled') throw new GridbillError('RECONCILE_DAY_RECONCILED', `${day.accounting_date} was reconciled at ${day.reconciled_at}`);
  if (prior !== undefined) throw new GridbillError('RECONCILE_BATCH_CONFLICT', `batch ${request.batchNo} was received with other content`);
  if (Number(day.total_count) !== request.totalCount || Number(day.total_amount_fen) !== request.totalAmountFen || day.batch_count !== request.batchCount) {
    throw new GridbillError('RECONCILE_BATCH_CONFLICT', `the earlier batches said ${day.total_count} entries, ${day.total_amount_fen} fen, ${day.batch_count} batches`);
  }
}

async function receiveBatch(
  tx: Store, channel: ChannelRow, existing: ReconciliationDayRow | undefined, request: ReconcileRequest, hash: string,
): Promise<Outcome> {
  const dayId = existing?.id ?? await insertReconciliationDay(tx, {
    channel_id: channel.id, accounting_date: request.accountingDate, status: 'receiving', total_count: request.totalCount,
    total_amount_fen: request.totalAmountFen, batch_count: request.batchCount, batches_received: 0, entry_count: 0, entry_amount_fen: 0,
    matched_count: null, matched_amount_fen: null, channel_only_count: null, platform_only_count: null, amount_mismatch_count: null,
    created_at: request.now, reconciled_at: null,
  });
  const already = await entriesReceived(tx, dayId, request.entries.map((e) => e.channelTxnId));
  if (already.length > 0) {
    const first = already[0]!;
    throw new GridbillError('RECONCILE_BATCH_CONFLICT', `entry ${first.channel_txn_id} was already received in batch ${first.batch_no}`);
  }
  await insertReconciliationEntries(tx, request.entries.map((e) => ({
    day_id: dayId, batch_no: request.batchNo, channel_txn_id: e.channelTxnId, customer_no: e.customerNo, amount_fen: e.amountFen,
  })));
  const amountFen = request.entries.reduce((total, e) => total + e.amountFen, 0);
  await addBatchToDay(tx, dayId, request.entries.length, amountFen);
  const day = (await findReconciliationDay(tx, channel.id, request.accountingDate))!;
  const actor = request.actor ?? `channel:${channel.code}`;
  if (day.batches_received === day.batch_count) {
    const mismatch = totalsMismatch(day);
    if (mismatch !== null) {
      await discardReconciliationDay(tx, dayId);
      await appendAudit(tx, { at: request.now, actor, action: 'reconcile-discard', subject: `reconciliation:${channel.code}:${day.accounting_date}`, detail: { mismatch } });
      return { kind: 'mismatch', detail: mismatch };
    }
    await completeDay(tx, { dayId, channelId: channel.id, accountingDate: request.accountingDate }, request.now);
  }
  const batch = {
    day_id: dayId, batch_no: request.batchNo, request_hash: hash, entry_count: request.entries.length, amount_fen: amountFen,
    status_after: day.batches_received === day.batch_count ? 'reconciled' as const : 'receiving' as const,
    batches_received_after: day.batches_received, received_at: request.now,
  };
  await insertReconciliationBatch(tx, batch);
  const after = (await findReconciliationDay(tx, channel.id, request.accountingDate))!;
  await appendAudit(tx, {
    at: request.now, actor, action: 'reconcile-batch', subject: `reconciliation:${channel.code}:${day.accounting_date}`,
    detail: { batchNo: request.batchNo, batchCount: request.batchCount, entries: request.entries.length, amountFen, status: batch.status_after },
  });
  return { kind: 'answer', answer: await answerOf(tx, after, batch) };
}

function totalsMismatch(day: ReconciliationDayRow): string | null {
  const count = Number(day.entry_count);
  const amount = Number(day.entry_amount_fen);
  if (count === Number(day.total_count) && amount === Number(day.total_amount_fen)) return null;
  return `the totals say ${day.total_count} entries of ${day.total_amount_fen} fen; the ${day.batch_count} batches held ${count} of ${amount} fen`;
}

async function completeDay(tx: Store, key: DayKey, now: string): Promise<void> {
  await insertDiscrepancies(tx, key);
  const matched = await matchedTotals(tx, key);
  const counts = await discrepancyCounts(tx, key.dayId);
  await markDayReconciled(tx, key.dayId, {
    matchedCount: matched.count, matchedAmountFen: matched.amountFen, channelOnlyCount: counts['channel-only'],
    platformOnlyCount: counts['platform-only'], amountMismatchCount: counts['amount-mismatch'],
  }, now);
}

/** The answer a batch got: the day's state right after it, and the day's result once reconciled. */
async function answerOf(tx: Store, day: ReconciliationDayRow, batch: Pick<ReconciliationBatchRow, 'status_after' | 'batches_received_after'>): Promise<ReconcileAnswer> {
  const base = { accountingDate: day.accounting_date, batchesReceived: batch.batches_received_after };
  if (batch.status_after !== 'reconciled') return { ...base, status: 'received' };
  return { ...base, status: 'reconciled', result: await resultOf(tx, day) };
}

export async function resultOf(tx: Store, day: ReconciliationDayRow): Promise<ReconcileResult> {
  const listed = LIMITS.reconcileDiscrepanciesListedMax;
  const items = await listDiscrepancies(tx, day.id, listed + 1);
  const n = (value: number | null) => Number(value ?? 0);
  return {
    matchedCount: n(day.matched_count), matchedAmountFen: n(day.matched_amount_fen), channelOnlyCount: n(day.channel_only_count),
    platformOnlyCount: n(day.platform_only_count), amountMismatchCount: n(day.amount_mismatch_count),
    discrepancies: items.slice(0, listed).map((item) => ({
      kind: item.kind, channelTxnId: item.channel_txn_id, customerNo: item.customer_no,
      channelAmountFen: item.channel_amount_fen === null ? null : Number(item.channel_amount_fen),
      platformAmountFen: item.platform_amount_fen === null ? null : Number(item.platform_amount_fen),
    })),
    discrepanciesTruncated: items.length > listed,
  };
}
