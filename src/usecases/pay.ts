// Pay: a channel's payment for a customer (ChannelPaymentService.Pay; the SOAP port maps to it).
//
// Checks, in this order, so that a repeated request gets its first answer even when the world has
// moved on since (bills paid, the accounting date now in the past):
//   1. the request's form (txn id, customer no, amount, dates, listed bills) → VALIDATION_FAILED,
//      PAYMENT_AMOUNT_INVALID, ACCOUNTING_DATE_INVALID;
//   2. the channel is registered and enabled → CHANNEL_NOT_FOUND;
//   3. (channel, txn id) already posted: the same content returns the stored answer exactly, other
//      content (or an id the channel used for a reversal) → TXN_ID_CONFLICT;
//   4. the accounting date is within [business date − 1, business date + 7] (a transaction booked
//      before midnight may arrive after it; after a bank's cut-off the accounting date is the next
//      business day, up to a week ahead over the long holidays) → ACCOUNTING_DATE_INVALID;
//   5. the customer exists → CUSTOMER_NOT_FOUND; every listed bill is an outstanding bill of the
//      customer → BILL_NOT_PAYABLE;
//   6. the channel has not reconciled the accounting date (a payment booked on a reconciled day
//      would never be reconciled) → ACCOUNTING_DATE_INVALID.
// Only a posted payment is remembered: a refused request is judged afresh when it is sent again.
// An empty list of bills means the same as no list.
//
// Allocation: the domain allocator, 'penalties-first' (issue 4: "allocates late fees first, then
// oldest bills first, or the listed bills"); the late fee is computed to the accounting date (the
// day the bank booked the money). Whatever the receivables do not absorb goes to the prepaid
// balance.
//
// One transaction: the payment row (unique (channel_id, channel_txn_id), the SHA-256 of the
// canonical request, the canonical answer), the allocation rows with each touched bill's penalty
// state before the payment (a reversal restores it), the bills' new penalty state, a balanced
// ledger posting (debit clearing:<channel>; credit receivable for energy, revenue:late-fee for
// late fees — recognised when paid, never accrued into the ledger — and prepaid for the rest) and
// an audit record.
//
// Concurrency: every check after the request's form runs in the payment's transaction, the stored
// answer looked up under lockCustomerForPayment, so identical concurrent requests post once. On
// SQLite concurrent payments share one durable commit (src/store/group-commit.ts), each in a
// savepoint; reading there, inside the write transaction, also spares each read the start of a
// read transaction of its own, and a repeat costs no more than a refused request. A unique
// violation can still happen (the same txn id for two customers); on PostgreSQL it aborts the
// transaction, so it is caught outside the transaction and answered by reading the winner's row.

import { LIMITS } from '../limits.ts';
import { createHash } from 'node:crypto';
import { businessDate } from '../clock.ts';
import { addDays, isIsoDate } from '../domain/dates.ts';
import { allocatePayment, RECEIVABLES_MAX, type AllocationError, type AllocationLine, type AllocationPolicy } from '../domain/allocation.ts';
import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findChannelByCode } from '../store/channel.repository.ts';
import { findPayerByNo, type PayerRow } from '../store/customer.repository.ts';
import type { Store } from '../store/database.ts';
import { inGroupCommit } from '../store/group-commit.ts';
import { isDayReconciled, lockReconciliationDay } from '../store/reconciliation.repository.ts';
import { accountBalance, postLedgerTransaction, type LedgerLeg } from '../store/ledger.repository.ts';
import {
  findTxnIdUses, insertAllocations, insertPayment, isUniqueViolation, lockCustomerForPayment, setPaymentResponse, updateBillPenaltyState,
} from '../store/payment.repository.ts';
import type { ChannelRow, NewPaymentAllocation } from '../store/payment.table.ts';
import { ACCOUNTS } from './issue-bills.ts';
import { receivablesOf, type BillReceivable } from './receivables.ts';

export const PAYMENT_ACCOUNTS = {
  clearing: (channelCode: string) => `clearing:${channelCode}`,
  prepaid: 'prepaid',
} as const;

export const ALLOCATION_POLICY: AllocationPolicy = 'penalties-first';

/** 10 billion yuan: above any real electricity payment, far below 2^53 fen. */
export const PAYMENT_AMOUNT_MAX_FEN = LIMITS.paymentAmountMaxFen;
/** How far the accounting date may lie before / after the business date (see the header). */
export const ACCOUNTING_DAYS_BEHIND_MAX = LIMITS.accountingDaysBehindMax;
export const ACCOUNTING_DAYS_AHEAD_MAX = LIMITS.accountingDaysAheadMax;

const TXN_ID = /^[\x21-\x7E]{1,64}$/;
const CUSTOMER_NO = /^\d{10,13}$/;
const BILL_NO = /^[\x21-\x7E]{1,32}$/;

export interface PayRequest {
  readonly channelCode: string;
  readonly channelTxnId: string;
  readonly customerNo: string;
  readonly amountFen: number;
  readonly accountingDate: string;
  /** The bills this payment settles; absent or empty: the customer's receivables, oldest first. */
  readonly billNos?: readonly string[];
  /** When the request arrived (ISO 8601 instant). */
  readonly now: string;
}

export interface SettledBill {
  readonly billNo: string;
  readonly period: string;
  readonly penaltyFen: number;
  readonly energyFen: number;
  /** Energy charge still owed on the bill after this payment. */
  readonly outstandingAfterFen: number;
}

/** The canonical answer to a Pay, stored with the payment and returned again on a repeat. */
export interface PayReceipt {
  readonly receiptNo: string;
  readonly channelCode: string;
  readonly channelTxnId: string;
  readonly customerNo: string;
  readonly amountFen: number;
  readonly accountingDate: string;
  readonly postedAt: string;
  readonly settled: readonly SettledBill[];
  readonly penaltyFen: number;
  readonly energyFen: number;
  readonly prepaidFen: number;
  /** The customer's prepaid balance after the payment. */
  readonly prepaidBalanceFen: number;
  /** What the customer still owes, late fees to the accounting date included. */
  readonly remainingDueFen: number;
}

// ── Shared with Reverse and QueryTransaction ────────────────────────────────────────────────────

export function checkTxnId(value: string, what: string): void {
  if (!TXN_ID.test(value)) throw new GridbillError('VALIDATION_FAILED', `${what}: 1 to 64 printable ASCII characters`);
}

export function checkIsoDate(value: string, what: string): void {
  if (!isIsoDate(value)) throw new GridbillError('ACCOUNTING_DATE_INVALID', `${what} ${JSON.stringify(value.slice(0, 20))}: expected YYYY-MM-DD`);
}

/** Whether an accounting date lies in the accepted window around the business date of `now`. */
export function withinAccountingWindow(accountingDate: string, now: string): boolean {
  const today = businessDate(new Date(now));
  return accountingDate >= addDays(today, -ACCOUNTING_DAYS_BEHIND_MAX) && accountingDate <= addDays(today, ACCOUNTING_DAYS_AHEAD_MAX);
}

export async function requireChannel(store: Store, channelCode: string): Promise<ChannelRow> {
  const channel = await findChannelByCode(store, channelCode);
  if (channel === undefined || channel.enabled !== 1) throw new GridbillError('CHANNEL_NOT_FOUND', channelCode);
  return channel;
}

export function requestHash(content: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(content), 'utf8').digest('hex');
}

/** The customer's prepaid balance: the credit balance of its prepaid account, shown positive. */
export async function prepaidBalanceOf(store: Store, customerId: number): Promise<number> {
  return 0 - await accountBalance(store, PAYMENT_ACCOUNTS.prepaid, customerId); // 0 − x: never −0
}

/** Posting and reversing run their own transactions and retry outside them; a caller's would be aborted. */
export function assertNotInTransaction(store: Store): void {
  if (store.db.isTransaction) throw new Error('payments open their own transaction: call with the store, not a transaction');
}

// ── Pay ─────────────────────────────────────────────────────────────────────────────────────────

function listedBills(request: PayRequest): readonly string[] | undefined {
  return request.billNos === undefined || request.billNos.length === 0 ? undefined : request.billNos;
}

function validate(request: PayRequest): void {
  if (Number.isNaN(Date.parse(request.now))) throw new RangeError(`now is not an instant: ${request.now}`);
  checkTxnId(request.channelTxnId, 'channel transaction id');
  if (!CUSTOMER_NO.test(request.customerNo)) throw new GridbillError('VALIDATION_FAILED', 'customer no: 10 to 13 digits');
  const amount = request.amountFen;
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > PAYMENT_AMOUNT_MAX_FEN) {
    throw new GridbillError('PAYMENT_AMOUNT_INVALID', `${amount} fen`);
  }
  checkIsoDate(request.accountingDate, 'accounting date');
  const bills = request.billNos ?? [];
  if (bills.length > RECEIVABLES_MAX) throw new GridbillError('VALIDATION_FAILED', `more than ${RECEIVABLES_MAX} bills listed`);
  const seen = new Set<string>();
  for (const billNo of bills) {
    if (!BILL_NO.test(billNo)) throw new GridbillError('VALIDATION_FAILED', 'bill no: 1 to 32 printable ASCII characters');
    if (seen.has(billNo)) throw new GridbillError('VALIDATION_FAILED', `bill ${billNo} listed twice`);
    seen.add(billNo);
  }
}

function payHash(request: PayRequest): string {
  const bills = listedBills(request);
  return requestHash(['pay/1', request.channelCode, request.channelTxnId, request.customerNo, request.amountFen,
    request.accountingDate, bills === undefined ? null : [...bills].sort()]);
}

/** The stored answer of an earlier identical request; TXN_ID_CONFLICT when the id was used otherwise. */
async function priorAnswer(store: Store, channelId: number, txnId: string, hash: string): Promise<PayReceipt | undefined> {
  const uses = await findTxnIdUses(store, channelId, txnId);
  const prior = uses.find((use) => Number(use.is_payment) === 1);
  if (prior !== undefined) {
    if (prior.request_hash !== hash) throw new GridbillError('TXN_ID_CONFLICT', txnId);
    return JSON.parse(prior.response) as PayReceipt;
  }
  if (uses.length > 0) throw new GridbillError('TXN_ID_CONFLICT', `${txnId} names a reversal`);
  return undefined;
}

export async function pay(store: Store, request: PayRequest): Promise<PayReceipt> {
  assertNotInTransaction(store);
  validate(request);
  const hash = payHash(request);
  let channelId: number | undefined;
  try {
    return await inGroupCommit(store, async (tx) => {
      const channel = await requireChannel(tx, request.channelCode);
      channelId = channel.id;
      const customer = await findPayerByNo(tx, request.customerNo);
      // Looked up under the customer's lock, the stored answer is final: identical concurrent
      // requests post once (a request for another customer, if any, meets the unique index).
      if (customer !== undefined) await lockCustomerForPayment(tx, customer.id);
      const replay = await priorAnswer(tx, channel.id, request.channelTxnId, hash);
      if (replay !== undefined) return replay;
      if (!withinAccountingWindow(request.accountingDate, request.now)) {
        throw new GridbillError('ACCOUNTING_DATE_INVALID', `${request.accountingDate} is outside the accepted window`);
      }
      if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', request.customerNo);
      await refuseReconciledDay(tx, channel.id, request);
      return await postPayment(tx, channel, customer, request, hash);
    });
  } catch (error) {
    if (!isUniqueViolation(error) || channelId === undefined) throw error;
    const winner = await priorAnswer(store, channelId, request.channelTxnId, hash);
    if (winner === undefined) throw error;
    return winner;
  }
}

/**
 * A payment booked on a day the channel has reconciled would never be reconciled: refused. Only a
 * past day can have been reconciled; the shared lock lets payments of the day run side by side
 * and keeps a Reconcile of it (exclusive) from slipping between this check and the commit.
 */
async function refuseReconciledDay(tx: Store, channelId: number, request: PayRequest): Promise<void> {
  if (request.accountingDate >= businessDate(new Date(request.now))) return;
  await lockReconciliationDay(tx, channelId, request.accountingDate, 'shared');
  if (await isDayReconciled(tx, channelId, request.accountingDate)) {
    throw new GridbillError('ACCOUNTING_DATE_INVALID', `${request.accountingDate} has been reconciled`);
  }
}

function allocationFault(error: AllocationError): GridbillError {
  switch (error.kind) {
    case 'amount-not-positive': return new GridbillError('PAYMENT_AMOUNT_INVALID', `${error.paidFen} fen`);
    case 'unknown-bill': return new GridbillError('BILL_NOT_PAYABLE', error.billNo);
    case 'duplicate-bill': return new GridbillError('VALIDATION_FAILED', `bill ${error.billNo} listed twice`);
  }
}

interface BillSettlement {
  readonly receivable: BillReceivable;
  penaltyFen: number;
  energyFen: number;
}

function settlementsOf(receivables: readonly BillReceivable[], lines: readonly AllocationLine[]): BillSettlement[] {
  const byNo = new Map(receivables.map((r) => [r.billNo, r]));
  const settlements = new Map<string, BillSettlement>();
  for (const line of lines) {
    let settlement = settlements.get(line.billNo);
    if (settlement === undefined) settlements.set(line.billNo, settlement = { receivable: byNo.get(line.billNo)!, penaltyFen: 0, energyFen: 0 });
    if (line.kind === 'penalty') settlement.penaltyFen += line.amountFen;
    else settlement.energyFen += line.amountFen;
  }
  return [...settlements.values()];
}

async function postPayment(tx: Store, channel: ChannelRow, customer: PayerRow, request: PayRequest, hash: string): Promise<PayReceipt> {
  const receivables = await receivablesOf(tx, customer, request.accountingDate);
  const allocation = allocatePayment({
    paidFen: request.amountFen, policy: ALLOCATION_POLICY, billNos: listedBills(request),
    receivables: receivables.map((r) => ({ billNo: r.billNo, month: r.period, energyFen: r.outstandingFen, penaltyFen: r.penaltyFen })),
  });
  if (!allocation.ok) throw allocationFault(allocation.error);
  const paymentId = await insertPayment(tx, {
    channel_id: channel.id, channel_txn_id: request.channelTxnId, customer_id: customer.id, amount_fen: request.amountFen,
    accounting_date: request.accountingDate, status: 'posted', request_hash: hash, response: '',
    // Stored instants are UTC ISO strings, whatever offset the request carried: they are compared as text.
    created_at: new Date(request.now).toISOString(),
  });
  const settlements = settlementsOf(receivables, allocation.lines);
  await insertAllocations(tx, allocationRows(paymentId, settlements, allocation.prepaidFen));
  for (const s of settlements) {
    const { settled } = s.receivable;
    await updateBillPenaltyState(tx, s.receivable.billId, { ...settled, penaltyCarriedFen: settled.penaltyCarriedFen - s.penaltyFen });
  }
  const totals = { penaltyFen: sum(settlements, (s) => s.penaltyFen), energyFen: sum(settlements, (s) => s.energyFen), prepaidFen: allocation.prepaidFen };
  await postLedgerTransaction(tx, {
    kind: 'payment', refKind: 'payment', refId: paymentId, accountingDate: request.accountingDate, createdAt: request.now,
    legs: paymentLegs(channel.code, customer.id, request.amountFen, totals),
  });
  const prepaidBalanceFen = await prepaidBalanceOf(tx, customer.id);
  const dueFen = sum(receivables, (r) => r.outstandingFen + r.penaltyFen);
  const receipt: PayReceipt = {
    receiptNo: String(paymentId), channelCode: channel.code, channelTxnId: request.channelTxnId, customerNo: customer.customer_no,
    amountFen: request.amountFen, accountingDate: request.accountingDate, postedAt: request.now,
    settled: settlements.map((s) => ({
      billNo: s.receivable.billNo, period: s.receivable.period, penaltyFen: s.penaltyFen, energyFen: s.energyFen,
      outstandingAfterFen: s.receivable.outstandingFen - s.energyFen,
    })),
    ...totals, prepaidBalanceFen, remainingDueFen: dueFen - totals.penaltyFen - totals.energyFen,
  };
  const response = JSON.stringify(receipt);
  await setPaymentResponse(tx, paymentId, response);
  await appendAudit(tx, {
    at: request.now, actor: `channel:${channel.code}`, action: 'pay', subject: `payment:${paymentId}`,
    detail: { channelTxnId: request.channelTxnId, customerNo: customer.customer_no, amountFen: request.amountFen, accountingDate: request.accountingDate, ...totals },
  });
  return JSON.parse(response) as PayReceipt;
}

function sum<T>(items: readonly T[], amount: (item: T) => number): number {
  return items.reduce((total, item) => total + amount(item), 0);
}

function allocationRows(paymentId: number, settlements: readonly BillSettlement[], prepaidFen: number): NewPaymentAllocation[] {
  const rows: NewPaymentAllocation[] = [];
  for (const s of settlements) {
    const before = {
      penalty_through_before: s.receivable.before.penaltyThrough,
      penalty_accrued_before_fen: s.receivable.before.penaltyAccruedFen,
      penalty_carried_before_fen: s.receivable.before.penaltyCarriedFen,
    };
    for (const [kind, amountFen] of [['penalty', s.penaltyFen], ['energy', s.energyFen]] as const) {
      if (amountFen > 0) rows.push({ payment_id: paymentId, bill_id: s.receivable.billId, kind, amount_fen: amountFen, ...before });
    }
  }
  if (prepaidFen > 0) {
    rows.push({
      payment_id: paymentId, bill_id: null, kind: 'prepaid', amount_fen: prepaidFen,
      penalty_through_before: null, penalty_accrued_before_fen: null, penalty_carried_before_fen: null,
    });
  }
  return rows;
}

/** Debit the channel's clearing account, credit where the money went; zero legs are left out. */
export function paymentLegs(
  channelCode: string, customerId: number, amountFen: number, totals: { penaltyFen: number; energyFen: number; prepaidFen: number },
): LedgerLeg[] {
  const legs: LedgerLeg[] = [
    { accountCode: PAYMENT_ACCOUNTS.clearing(channelCode), customerId: null, amountFen },
    { accountCode: ACCOUNTS.receivable, customerId, amountFen: -totals.energyFen },
    { accountCode: ACCOUNTS.lateFeeRevenue, customerId, amountFen: -totals.penaltyFen },
    { accountCode: PAYMENT_ACCOUNTS.prepaid, customerId, amountFen: -totals.prepaidFen },
  ];
  return legs.filter((leg) => leg.amountFen !== 0);
}
