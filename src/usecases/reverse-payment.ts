// Reverse (冲正): a channel takes back one of its own payments (ChannelPaymentService.Reverse).
//
// Allowed only when all of these hold, checked under the customer's payment lock:
// - the original is a payment of the same channel (another channel's id is PAYMENT_NOT_FOUND: ids
//   are per channel, and a channel must not learn of another's payments);
// - it is still posted (reversed under another reversal id → PAYMENT_ALREADY_REVERSED);
// - the reversal's accounting date is the payment's own, and the business date is at most the
//   channel's reversal window (channels.reversal_days, `gridbill channel add --reversal-days N`)
//   after it; without one, the accounting window's LIMITS.accountingDaysBehindMax (the day before
//   at the earliest) → REVERSAL_NOT_ALLOWED otherwise;
// - the channel has not reconciled that accounting date → REVERSAL_NOT_ALLOWED. The day's lock
//   (lockReconciliationDay) is held from this check to the commit, so a Reconcile of the day
//   either sees the reversal or comes after it has been refused;
// - no later posted payment touched one of its bills (their state builds on this one's), and the
//   prepaid balance still holds what the payment put there → REVERSAL_NOT_ALLOWED.
//
// Effect, in one transaction: the payment is marked reversed with its reversal (id, date, request
// hash, answer), each touched bill gets back exactly the penalty state stored on the allocation
// rows (its outstanding amount follows, since reversed payments no longer count), the mirror
// ledger posting referencing the original payment is posted, and an audit record appended.
//
// Idempotent on (channel, reversal txn id): the same reversal again returns the stored answer;
// the same id with other content, or an id the channel used for a payment → TXN_ID_CONFLICT.

import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { businessDate } from '../clock.ts';
import { addDays } from '../domain/dates.ts';
import { LIMITS } from '../limits.ts';
import { isDayReconciled, lockReconciliationDay } from '../store/reconciliation.repository.ts';
import { postLedgerTransaction } from '../store/ledger.repository.ts';
import {
  allocationsOfPayment, findPaymentByReversalTxn, findPaymentByTxn, isUniqueViolation, laterPaymentTouches, lockCustomerForPayment,
  markPaymentReversed, setReversalResponse, updateBillPenaltyState,
} from '../store/payment.repository.ts';
import type { ChannelRow, PaymentAllocationRow, PaymentRow } from '../store/payment.table.ts';
import {
  assertNotInTransaction, checkIsoDate, checkTxnId, paymentLegs, prepaidBalanceOf,
  requestHash, requireChannel, type PayReceipt, type SettledBill,
} from './pay.ts';
import { receivablesOf } from './receivables.ts';

export interface ReverseRequest {
  readonly channelCode: string;
  /** The reversal's own id (its idempotency key). */
  readonly reversalTxnId: string;
  /** The channel transaction id of the payment to reverse. */
  readonly originalTxnId: string;
  readonly accountingDate: string;
  readonly now: string;
}

/** The canonical answer to a Reverse, stored with the payment and returned again on a repeat. */
export interface ReverseReceipt {
  readonly channelCode: string;
  readonly reversalTxnId: string;
  readonly originalTxnId: string;
  /** The receipt number of the reversed payment. */
  readonly receiptNo: string;
  readonly customerNo: string;
  readonly amountFen: number;
  readonly accountingDate: string;
  readonly reversedAt: string;
  /** What the payment had settled, now owed again. */
  readonly restored: readonly SettledBill[];
  readonly prepaidFen: number;
  /** The customer's balances right after the reversal, stored so a repeated request gets the same answer. */
  readonly prepaidBalanceFen: number;
  /** Energy charges and late fees owed right after the reversal, as of its accounting date. */
  readonly remainingDueFen: number;
}

function reverseHash(request: ReverseRequest): string {
  return requestHash(['reverse/1', request.channelCode, request.reversalTxnId, request.originalTxnId, request.accountingDate]);
}

async function priorReversal(store: Store, channelId: number, reversalTxnId: string, hash: string): Promise<ReverseReceipt | undefined> {
  const prior = await findPaymentByReversalTxn(store, channelId, reversalTxnId);
  if (prior !== undefined) {
    if (prior.reversal_request_hash !== hash || prior.reversal_response === null || prior.reversal_response === '') throw new GridbillError('TXN_ID_CONFLICT', reversalTxnId);
    return JSON.parse(prior.reversal_response) as ReverseReceipt;
  }
  if (await findPaymentByTxn(store, channelId, reversalTxnId)) throw new GridbillError('TXN_ID_CONFLICT', `${reversalTxnId} names a payment`);
  return undefined;
}

export async function reversePayment(store: Store, request: ReverseRequest): Promise<ReverseReceipt> {
  assertNotInTransaction(store);
  if (Number.isNaN(Date.parse(request.now))) throw new RangeError(`now is not an instant: ${request.now}`);
  checkTxnId(request.reversalTxnId, 'reversal transaction id');
  checkTxnId(request.originalTxnId, 'original transaction id');
  checkIsoDate(request.accountingDate, 'accounting date');
  const channel = await requireChannel(store, request.channelCode);
  const hash = reverseHash(request);
  const replay = await priorReversal(store, channel.id, request.reversalTxnId, hash);
  if (replay !== undefined) return replay;
  const original = await findPaymentByTxn(store, channel.id, request.originalTxnId);
  if (original === undefined) throw new GridbillError('PAYMENT_NOT_FOUND', request.originalTxnId);
  try {
    return await inTransaction(store, async (tx) => {
      await lockCustomerForPayment(tx, original.customer_id);
      return await priorReversal(tx, channel.id, request.reversalTxnId, hash) ?? await postReversal(tx, channel, original.id, request, hash);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await priorReversal(store, channel.id, request.reversalTxnId, hash);
    if (winner === undefined) throw error;
    return winner;
  }
}

/** Whether the business date of `now` is still inside the channel's reversal window of an accounting date. */
export function withinReversalWindow(accountingDate: string, now: string, reversalDays: number | null): boolean {
  const today = businessDate(new Date(now));
  const behind = reversalDays ?? LIMITS.accountingDaysBehindMax;
  return accountingDate >= addDays(today, -behind) && accountingDate <= addDays(today, LIMITS.accountingDaysAheadMax);
}

/** Why the payment cannot be reversed now, or null. */
async function refusal(
  tx: Store, channel: ChannelRow, payment: PaymentRow, allocations: readonly PaymentAllocationRow[], request: ReverseRequest,
): Promise<string | null> {
  if (request.accountingDate !== payment.accounting_date) {
    return `the payment was booked on ${payment.accounting_date}; a reversal must carry that accounting date`;
  }
  if (!withinReversalWindow(payment.accounting_date, request.now, channel.reversal_days)) return `the reversal window of ${payment.accounting_date} has closed`;
  await lockReconciliationDay(tx, channel.id, payment.accounting_date);
  if (await isDayReconciled(tx, channel.id, payment.accounting_date)) return `${payment.accounting_date} has been reconciled`;
  const billIds = [...new Set(allocations.flatMap((a) => (a.bill_id === null ? [] : [a.bill_id])))];
  if (await laterPaymentTouches(tx, payment.id, billIds)) return 'a later payment settled the same bills; reverse it first';
  const prepaidFen = sum(allocations.filter((a) => a.kind === 'prepaid'));
  if (prepaidFen > 0 && await prepaidBalanceOf(tx, payment.customer_id) < prepaidFen) {
    return 'the prepaid balance the payment added has been used';
  }
  return null;
}

function sum(rows: readonly PaymentAllocationRow[]): number {
  return rows.reduce((total, row) => total + Number(row.amount_fen), 0);
}

async function postReversal(tx: Store, channel: ChannelRow, paymentId: number, request: ReverseRequest, hash: string): Promise<ReverseReceipt> {
  // Read again under the lock: the row read before it may have been reversed meanwhile.
  const payment = (await findPaymentByTxn(tx, channel.id, request.originalTxnId))!;
  if (payment.id !== paymentId) throw new Error('payment row changed identity');
  if (payment.status !== 'posted') throw new GridbillError('PAYMENT_ALREADY_REVERSED', request.originalTxnId);
  const allocations = await allocationsOfPayment(tx, payment.id);
  const why = await refusal(tx, channel, payment, allocations, request);
  if (why !== null) throw new GridbillError('REVERSAL_NOT_ALLOWED', why);
  const original = JSON.parse(payment.response) as PayReceipt;
  // Marked first, so the balances read below no longer count the payment; the answer follows.
  const marked = await markPaymentReversed(tx, payment.id, {
    reversalTxnId: request.reversalTxnId, accountingDate: request.accountingDate, requestHash: hash, response: '', reversedAt: request.now,
  });
  if (!marked) throw new GridbillError('PAYMENT_ALREADY_REVERSED', request.originalTxnId);
  await restoreBills(tx, allocations);
  const totals = {
    penaltyFen: sum(allocations.filter((a) => a.kind === 'penalty')),
    energyFen: sum(allocations.filter((a) => a.kind === 'energy')),
    prepaidFen: sum(allocations.filter((a) => a.kind === 'prepaid')),
  };
  const mirror = paymentLegs(channel.code, payment.customer_id, payment.amount_fen, totals).map((leg) => ({ ...leg, amountFen: -leg.amountFen }));
  await postLedgerTransaction(tx, {
    kind: 'payment-reversal', refKind: 'payment', refId: payment.id, accountingDate: request.accountingDate, createdAt: request.now, legs: mirror,
  });
  // The answer carries the balances the reversal left, so a repeat gets exactly it.
  const customer = await tx.db.selectFrom('customers').select(['id', 'category']).where('id', '=', payment.customer_id).executeTakeFirstOrThrow();
  const owed = await receivablesOf(tx, customer, request.accountingDate);
  const receipt: ReverseReceipt = {
    channelCode: channel.code, reversalTxnId: request.reversalTxnId, originalTxnId: request.originalTxnId, receiptNo: original.receiptNo,
    customerNo: original.customerNo, amountFen: original.amountFen, accountingDate: request.accountingDate, reversedAt: request.now,
    restored: original.settled, prepaidFen: original.prepaidFen, prepaidBalanceFen: await prepaidBalanceOf(tx, payment.customer_id),
    remainingDueFen: owed.reduce((total, r) => total + r.outstandingFen + r.penaltyFen, 0),
  };
  const response = JSON.stringify(receipt);
  await setReversalResponse(tx, payment.id, response);
  await appendAudit(tx, {
    at: request.now, actor: `channel:${channel.code}`, action: 'reverse-payment', subject: `payment:${payment.id}`,
    detail: { reversalTxnId: request.reversalTxnId, originalTxnId: request.originalTxnId, amountFen: payment.amount_fen, ...totals },
  });
  return JSON.parse(response) as ReverseReceipt;
}

/** Puts back each touched bill's penalty state as it was before the payment. */
async function restoreBills(tx: Store, allocations: readonly PaymentAllocationRow[]): Promise<void> {
  const restored = new Set<number>();
  for (const row of allocations) {
    if (row.bill_id === null || restored.has(row.bill_id)) continue;
    restored.add(row.bill_id);
    await updateBillPenaltyState(tx, row.bill_id, {
      penaltyThrough: row.penalty_through_before,
      penaltyAccruedFen: Number(row.penalty_accrued_before_fen ?? 0),
      penaltyCarriedFen: Number(row.penalty_carried_before_fen ?? 0),
    });
  }
}
