// PayOnline: a logged-in customer pays chosen bills from their own bank account
// (CustomerService.PayOnline; the bank is BankGatewayService, reached through `BankGateway`).
//
// The bank's outcome is the answer, not a fault (wsdl/README.md, "PayOnline reports bank outcomes
// in the answer"): SUCCESS (debited and posted), FAILED (nothing debited, nothing posted: the
// balance check or the debit said no) or UNKNOWN (the bank did not answer a Debit; or, without a
// failure, the same request is being worked on right now). Faults are for requests that are wrong
// (VALIDATION_FAILED, BILL_NOT_PAYABLE, PAYMENT_AMOUNT_MISMATCH, TXN_ID_CONFLICT,
// ONLINE_PAYMENT_PENDING) or cannot be processed (BANK_UNAVAILABLE: the balance check got no
// answer, so nothing was debited).
//
// Every attempt is a row (store/online-payment.repository.ts) that moves
//   checking → debit-sent → debited → posted        or → failed
//                         ↘ unknown (no answer) ↗
// and is written BEFORE each step that moves money, so whatever dies in between, the row says what
// may have happened. It is settled only by sending the bank the same Debit again (its debit_id is
// the bank's idempotency key: the same id gets the first answer), never by a new debit; and posted
// only through pay(), whose (channel, channel txn id = debit_id) idempotency posts it once.
//
// Concurrency: the request that inserts an attempt, or takes it over once its lease has run out,
// owns it; a repeat meanwhile is answered UNKNOWN without touching the bank. New attempts of one
// customer are serialised under the customer lock, and one is refused (ONLINE_PAYMENT_PENDING)
// while another may have taken money that is not posted yet: unsettled attempts are settled first,
// so a customer who lost the answer and tries again with a new requestId is not charged twice.
//
// The money arrives through the platform's own channel ONLINE_BANKING_CHANNEL (ledger account
// clearing:online-banking), created at core start-up by ensureOnlineBankingChannel.

import { randomBytes, randomUUID } from 'node:crypto';
import { businessDate } from '../clock.ts';
import { formatYuan } from '../domain/money.ts';
import { GridbillError, isGridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { maskAccount } from '../ops/mask.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findChannelByCode, insertChannel } from '../store/channel.repository.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import type { CustomerRow } from '../store/customer.table.ts';
import { inTransaction, type Store } from '../store/database.ts';
import {
  abandonedOnlinePayments, discardOnlinePayment, findOnlinePayment, insertOnlinePayment, takeOverOnlinePayment, unsettledOnlinePayments, updateOnlinePayment,
} from '../store/online-payment.repository.ts';
import type { OnlinePaymentChange, OnlinePaymentRow } from '../store/online-payment.table.ts';
import { isUniqueViolation, lockCustomerForPayment } from '../store/payment.repository.ts';
import type { BankFailure, BankGateway, BankOutcome, DebitAnswer } from './bank-gateway.ts';
import { assertNotInTransaction, pay, requestHash, withinAccountingWindow, type PayReceipt } from './pay.ts';
import { receivablesOf } from './receivables.ts';

/** The platform's channel for money debited through PayOnline. */
export const ONLINE_BANKING_CHANNEL = 'online-banking';

const REQUEST_ID = /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/;
const BILL_NO = /^[0-9A-Z]{6,32}$/;
const BANK_ACCOUNT = /^\d{10,30}$/;
const CUSTOMER_NO = /^\d{10,13}$/;
/** The contract's bounds: at most 100 bills (maxOccurs), at most 999,999,999.99 yuan (t:PaymentAmount). */
const BILLS_MAX = 100;
const AMOUNT_MAX_FEN = 99_999_999_999;
const RELEASED = 0;

export interface PayOnlineRequest {
  /** The customer of the session (never taken from the body). */
  readonly customerNo: string;
  readonly requestId: string;
  readonly billNos: readonly string[];
  readonly bankAccount: string;
  /** What the customer confirmed: must equal what the listed bills are due now. */
  readonly amountFen: number;
  /** When the request arrived (ISO 8601 instant). */
  readonly now: string;
}

export interface PayOnlineAnswer {
  readonly requestId: string;
  readonly outcome: BankOutcome;
  readonly failure?: BankFailure;
  /** The posted payment's receipt number (SUCCESS only). */
  readonly platformTxnId?: string;
  readonly amountFen: number;
  /** Masked: first four and last four digits. */
  readonly bankAccount: string;
  /** What the customer owes in all after this request, late fees included. */
  readonly totalDueFen: number;
}

export interface PayOnlineOptions {
  /** LIMITS.onlinePaymentLeaseMs unless given. */
  readonly leaseMs?: number;
}

interface Attempt {
  readonly store: Store;
  readonly bank: BankGateway;
  readonly customer: CustomerRow;
  row: OnlinePaymentRow;
  readonly now: string;
}

function validate(request: PayOnlineRequest): void {
  if (Number.isNaN(Date.parse(request.now))) throw new RangeError(`now is not an instant: ${request.now}`);
  if (!CUSTOMER_NO.test(request.customerNo)) throw new GridbillError('VALIDATION_FAILED', 'customer no: 10 to 13 digits');
  if (!REQUEST_ID.test(request.requestId)) throw new GridbillError('VALIDATION_FAILED', 'request id: 1 to 64 letters, digits, _ and -');
  if (!BANK_ACCOUNT.test(request.bankAccount)) throw new GridbillError('VALIDATION_FAILED', 'bank account: 10 to 30 digits');
  const amount = request.amountFen;
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > AMOUNT_MAX_FEN) throw new GridbillError('PAYMENT_AMOUNT_INVALID', `${amount} fen`);
  if (request.billNos.length === 0 || request.billNos.length > BILLS_MAX) {
    throw new GridbillError('VALIDATION_FAILED', `1 to ${BILLS_MAX} bills`);
  }
  if (new Set(request.billNos).size !== request.billNos.length) throw new GridbillError('VALIDATION_FAILED', 'a bill is listed twice');
  for (const billNo of request.billNos) {
    if (!BILL_NO.test(billNo)) throw new GridbillError('VALIDATION_FAILED', 'bill no: 6 to 32 digits and capital letters');
  }
}

function onlineHash(request: PayOnlineRequest): string {
  return requestHash(['pay-online/1', request.customerNo, request.requestId, [...request.billNos].sort(), request.bankAccount, request.amountFen]);
}

export async function payOnline(store: Store, bank: BankGateway, request: PayOnlineRequest, options: PayOnlineOptions = {}): Promise<PayOnlineAnswer> {
  assertNotInTransaction(store);
  validate(request);
  const customer = await findCustomerByNo(store, request.customerNo);
  if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', request.customerNo);
  const leaseMs = options.leaseMs ?? LIMITS.onlinePaymentLeaseMs;
  const hash = onlineHash(request);
  const existing = await findOnlinePayment(store, customer.id, request.requestId);
  if (existing === undefined) {
    const started = await startAttempt(store, bank, customer, request, hash, leaseMs);
    if (started.owned) return drive({ store, bank, customer, row: started.row, now: request.now });
    return repeat(store, bank, customer, started.row, request, hash, leaseMs);
  }
  return repeat(store, bank, customer, existing, request, hash, leaseMs);
}

/** A request whose attempt exists: its answer, or the attempt carried on if nobody else is on it. */
async function repeat(
  store: Store, bank: BankGateway, customer: CustomerRow, row: OnlinePaymentRow, request: PayOnlineRequest, hash: string, leaseMs: number,
): Promise<PayOnlineAnswer> {
  if (row.request_hash !== hash) throw new GridbillError('TXN_ID_CONFLICT', `request id ${request.requestId}`);
  if (row.response !== null) return JSON.parse(row.response) as PayOnlineAnswer;
  const nowMs = Date.parse(request.now);
  const lease = Number(row.lease_until_ms);
  if (lease > nowMs || !(await takeOverOnlinePayment(store, row.id, lease, nowMs + leaseMs))) {
    return unknownAnswer(store, customer, row, request.now, undefined);
  }
  return drive({ store, bank, customer, row: await ownedRow(store, row), now: request.now });
}

/** The attempt as it is now that it is ours: the previous owner may have moved it on after it was read. */
async function ownedRow(store: Store, row: OnlinePaymentRow): Promise<OnlinePaymentRow> {
  return (await findOnlinePayment(store, row.customer_id, row.request_id))!;
}

type Start = { readonly owned: boolean; readonly row: OnlinePaymentRow } | { readonly blocking: readonly OnlinePaymentRow[] };

/**
 * Inserts the attempt under the customer lock, unless another attempt of the customer may have
 * taken money that is not posted yet: those are settled first (once), else ONLINE_PAYMENT_PENDING.
 */
async function startAttempt(
  store: Store, bank: BankGateway, customer: CustomerRow, request: PayOnlineRequest, hash: string, leaseMs: number,
): Promise<{ readonly owned: boolean; readonly row: OnlinePaymentRow }> {
  const nowMs = Date.parse(request.now);
  for (let round = 0; round < 2; round += 1) {
    const start = await tryInsert(store, customer, request, hash, nowMs, leaseMs);
    if (!('blocking' in start)) return start;
    if (round === 1) break;
    for (const other of start.blocking) {
      const lease = Number(other.lease_until_ms);
      if (lease > nowMs || !(await takeOverOnlinePayment(store, other.id, lease, nowMs + leaseMs))) {
        throw new GridbillError('ONLINE_PAYMENT_PENDING', `request ${other.request_id} is being processed`);
      }
      await drive({ store, bank, customer, row: await ownedRow(store, other), now: request.now });
    }
  }
  throw new GridbillError('ONLINE_PAYMENT_PENDING', 'the bank has not settled an earlier debit yet');
}

async function tryInsert(store: Store, customer: CustomerRow, request: PayOnlineRequest, hash: string, nowMs: number, leaseMs: number): Promise<Start> {
  try {
    return await inTransaction(store, async (tx) => {
      await lockCustomerForPayment(tx, customer.id);
      const again = await findOnlinePayment(tx, customer.id, request.requestId);
      if (again !== undefined) return { owned: false, row: again };
      // An attempt still checking the balance blocks only while its request lives: it sent no Debit.
      const blocking = (await unsettledOnlinePayments(tx, customer.id)).filter((r) => r.state !== 'checking' || Number(r.lease_until_ms) > nowMs);
      if (blocking.length > 0) return { blocking };
      const row = {
        customer_id: customer.id, request_id: request.requestId, request_hash: hash, bill_nos: JSON.stringify(request.billNos),
        bank_account: request.bankAccount, amount_fen: request.amountFen, debit_id: `op-${randomUUID()}`, state: 'checking' as const,
        failure: null, bank_txn_id: null, bank_accounting_date: null, payment_id: null, response: null,
        lease_until_ms: nowMs + leaseMs, created_at: request.now, updated_at: request.now,
      };
      return { owned: true, row: { ...row, id: await insertOnlinePayment(tx, row) } };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await findOnlinePayment(store, customer.id, request.requestId);
    if (winner === undefined) throw error;
    return { owned: false, row: winner };
  }
}

// ── Carrying an owned attempt on from where it stands ───────────────────────────────────────────

async function drive(attempt: Attempt): Promise<PayOnlineAnswer> {
  try {
    return await driveSteps(attempt);
  } catch (error) {
    // Whatever failed is tried again by the next repeat at once, not after the lease: the row says how far it got.
    await updateOnlinePayment(attempt.store, attempt.row.id, { lease_until_ms: RELEASED }).catch(() => undefined);
    throw error;
  }
}

async function driveSteps(attempt: Attempt): Promise<PayOnlineAnswer> {
  if (attempt.row.state === 'checking') {
    const refused = await checkStep(attempt);
    if (refused !== undefined) return refused;
  }
  if (attempt.row.state === 'debit-sent' || attempt.row.state === 'unknown') {
    const settled = await debitStep(attempt);
    if (settled !== undefined) return settled;
  }
  if (attempt.row.state === 'debited') return postStep(attempt);
  // posted or failed by a request that overtook this one: its answer stands
  return JSON.parse(attempt.row.response!) as PayOnlineAnswer;
}

async function change(attempt: Attempt, change: OnlinePaymentChange): Promise<void> {
  await updateOnlinePayment(attempt.store, attempt.row.id, { ...change, updated_at: attempt.now });
  attempt.row = { ...attempt.row, ...change, updated_at: attempt.now };
}

/** The due of the listed bills against the amount, then CheckBalance; FAILED when the bank says no. */
async function checkStep(attempt: Attempt): Promise<PayOnlineAnswer | undefined> {
  const { store, bank, row } = attempt;
  try {
    const receivables = await receivablesOf(store, attempt.customer, businessDate(new Date(attempt.now)));
    const byNo = new Map(receivables.map((r) => [r.billNo, r.outstandingFen + r.penaltyFen]));
    let dueFen = 0;
    for (const billNo of JSON.parse(row.bill_nos) as string[]) {
      const due = byNo.get(billNo);
      if (due === undefined) throw new GridbillError('BILL_NOT_PAYABLE', billNo);
      dueFen += due;
    }
    if (dueFen !== Number(row.amount_fen)) throw new GridbillError('PAYMENT_AMOUNT_MISMATCH', `due ${formatYuan(dueFen)}`);
    const check = await bank.checkBalance({ requestId: `${row.debit_id}-check`, bankAccount: row.bank_account, amountFen: Number(row.amount_fen) });
    if (check.kind !== 'answer') throw new GridbillError('BANK_UNAVAILABLE', check.kind === 'fault' ? `bank fault ${check.code}` : check.reason);
    if (!check.answer.sufficient) return await fail(attempt, check.answer.failure ?? 'INSUFFICIENT_BALANCE');
  } catch (error) {
    // Refused before any Debit: nothing to remember, the request is judged afresh when sent again.
    if (isGridbillError(error)) await discardOnlinePayment(store, row.id);
    throw error;
  }
  await change(attempt, { state: 'debit-sent' });
  return undefined;
}

/** Debit (again, with the same id) until the bank answers, at most bankDebitSendsMax times. */
async function debitStep(attempt: Attempt): Promise<PayOnlineAnswer | undefined> {
  const { row } = attempt;
  for (let send = 0; send < LIMITS.bankDebitSendsMax; send += 1) {
    const result = await attempt.bank.debit({
      requestId: row.debit_id, bankAccount: row.bank_account, amountFen: Number(row.amount_fen), memo: `gridbill ${attempt.customer.customer_no}`,
    });
    if (result.kind !== 'answer' || result.answer.outcome === 'UNKNOWN') continue;
    return settleDebit(attempt, result.answer);
  }
  await change(attempt, { state: 'unknown', lease_until_ms: RELEASED });
  return unknownAnswer(attempt.store, attempt.customer, attempt.row, attempt.now, 'BANK_TIMEOUT');
}

async function settleDebit(attempt: Attempt, answer: DebitAnswer): Promise<PayOnlineAnswer | undefined> {
  if (answer.amountFen !== Number(attempt.row.amount_fen)) {
    // The bank's first answer for this id names another amount: never post what we cannot reconcile.
    throw new GridbillError('INTERNAL', `bank answered debit ${attempt.row.debit_id} with another amount`);
  }
  if (answer.outcome === 'FAILED') return fail(attempt, answer.failure ?? 'BANK_REJECTED');
  await change(attempt, { state: 'debited', bank_txn_id: answer.bankTxnId ?? null, bank_accounting_date: answer.accountingDate ?? null });
  return undefined;
}

async function fail(attempt: Attempt, failure: BankFailure): Promise<PayOnlineAnswer> {
  const { row, customer } = attempt;
  const answer: PayOnlineAnswer = {
    requestId: row.request_id, outcome: 'FAILED', failure, amountFen: Number(row.amount_fen), bankAccount: maskAccount(row.bank_account),
    totalDueFen: await totalDue(attempt.store, customer, attempt.now),
  };
  await inTransaction(attempt.store, async (tx) => {
    await updateOnlinePayment(tx, row.id, { state: 'failed', failure, response: JSON.stringify(answer), lease_until_ms: RELEASED, updated_at: attempt.now });
    await appendAudit(tx, {
      at: attempt.now, actor: `customer:${customer.customer_no}`, action: 'pay-online-failed', subject: `online-payment:${row.id}`,
      detail: { requestId: row.request_id, debitId: row.debit_id, amountFen: Number(row.amount_fen), failure, bankAccount: maskAccount(row.bank_account) },
    });
  });
  return answer;
}

/** Posts what the bank debited through pay(): once, whoever gets here first (pay is idempotent on the debit id). */
async function postStep(attempt: Attempt): Promise<PayOnlineAnswer> {
  const { row } = attempt;
  const receipt = await postDebited(attempt);
  const answer: PayOnlineAnswer = {
    requestId: row.request_id, outcome: 'SUCCESS', platformTxnId: receipt.receiptNo, amountFen: receipt.amountFen,
    bankAccount: maskAccount(row.bank_account), totalDueFen: receipt.remainingDueFen,
  };
  await change(attempt, { state: 'posted', payment_id: Number(receipt.receiptNo), response: JSON.stringify(answer), lease_until_ms: RELEASED });
  return answer;
}

/**
 * The chosen bills, or — when one was settled otherwise since the balance check (a counter payment
 * in between) — no list: the money is the customer's either way and pay() puts what the bills do
 * not take on the prepaid balance. The bank's accounting date, unless an attempt settled days
 * later has moved it out of pay()'s window; then the business date (the bank's stays on the row).
 */
async function postDebited(attempt: Attempt): Promise<PayReceipt> {
  const { row, now } = attempt;
  const bankDate = row.bank_accounting_date;
  const base = {
    channelCode: ONLINE_BANKING_CHANNEL, channelTxnId: row.debit_id, customerNo: attempt.customer.customer_no, amountFen: Number(row.amount_fen),
    accountingDate: bankDate !== null && withinAccountingWindow(bankDate, now) ? bankDate : businessDate(new Date(now)), now,
  };
  try {
    return await pay(attempt.store, { ...base, billNos: JSON.parse(row.bill_nos) as string[] });
  } catch (error) {
    if (!isGridbillError(error) || (error.code !== 'BILL_NOT_PAYABLE' && error.code !== 'TXN_ID_CONFLICT')) throw channelDisabled(error);
  }
  return pay(attempt.store, base).catch((error: unknown) => Promise.reject(channelDisabled(error)));
}

/** Staff disabled the online-banking channel: ours to fix, not the customer's (the debit stays, posted once it is enabled). */
function channelDisabled(error: unknown): unknown {
  if (!isGridbillError(error) || error.code !== 'CHANNEL_NOT_FOUND') return error;
  return new GridbillError('UNAVAILABLE', `channel ${ONLINE_BANKING_CHANNEL} is disabled: the debit is kept and posted once it is enabled`);
}

async function totalDue(store: Store, customer: CustomerRow, now: string): Promise<number> {
  const receivables = await receivablesOf(store, customer, businessDate(new Date(now)));
  return receivables.reduce((total, r) => total + r.outstandingFen + r.penaltyFen, 0);
}

async function unknownAnswer(
  store: Store, customer: CustomerRow, row: OnlinePaymentRow, now: string, failure: BankFailure | undefined,
): Promise<PayOnlineAnswer> {
  const answer = {
    requestId: row.request_id, outcome: 'UNKNOWN' as const, amountFen: Number(row.amount_fen), bankAccount: maskAccount(row.bank_account),
    totalDueFen: await totalDue(store, customer, now),
  };
  return failure === undefined ? answer : { ...answer, failure };
}

// ── The channel the money arrives through ───────────────────────────────────────────────────────

/**
 * Creates the online-banking channel if it is missing. Its password is random and sealed (every
 * channel row must open with the master key), never shown, and it may call no operation: it is a
 * ledger and idempotency identity, not a caller. Safe to run on every core at every start.
 */
export async function ensureOnlineBankingChannel(store: Store, seal: (plain: string) => string, now: string): Promise<void> {
  if (await findChannelByCode(store, ONLINE_BANKING_CHANNEL)) return;
  try {
    await inTransaction(store, async (tx) => {
      await insertChannel(tx, {
        code: ONLINE_BANKING_CHANNEL, name: '网上银行缴费 (PayOnline)', kind: 'bank', secret_enc: seal(randomBytes(32).toString('base64')),
        operations: '[]', enabled: 1, created_at: now, updated_at: now,
      });
      await appendAudit(tx, { at: now, actor: 'system', action: 'channel-add', subject: ONLINE_BANKING_CHANNEL, detail: { kind: 'bank', operations: [] } });
    });
  } catch (error) {
    // Another core created it at the same moment.
    if (!isUniqueViolation(error)) throw error;
  }
}

// ── Settling what requests left behind ──────────────────────────────────────────────────────────

export interface SettleRun {
  readonly posted: number;
  readonly failed: number;
  /** Still without an answer from the bank. */
  readonly stillUnknown: number;
  /** Could not be carried on (the posting failed); left as they were for the next run. */
  readonly errors: number;
}

/**
 * Settles attempts that may have taken money and are not posted (the bank did not answer, or the
 * process died), whose requests have given up on them: the same Debit again, then the posting.
 * For a scheduler, so that an UNKNOWN is settled even if the customer never asks again.
 */
export async function settleOnlinePayments(store: Store, bank: BankGateway, now: string, options: PayOnlineOptions = {}): Promise<SettleRun> {
  assertNotInTransaction(store);
  const nowMs = Date.parse(now);
  const leaseMs = options.leaseMs ?? LIMITS.onlinePaymentLeaseMs;
  const counts = { posted: 0, failed: 0, stillUnknown: 0, errors: 0 };
  for (const row of await abandonedOnlinePayments(store, nowMs, LIMITS.onlinePaymentsSettledPerRunMax)) {
    const customer = await findCustomerByNo(store, row.customer_no);
    if (customer === undefined || !(await takeOverOnlinePayment(store, row.id, Number(row.lease_until_ms), nowMs + leaseMs))) continue;
    const answer = await drive({ store, bank, customer, row: await ownedRow(store, row), now }).catch(() => undefined);
    if (answer === undefined) counts.errors += 1;
    else if (answer.outcome === 'SUCCESS') counts.posted += 1;
    else if (answer.outcome === 'FAILED') counts.failed += 1;
    else counts.stillUnknown += 1;
  }
  return counts;
}
