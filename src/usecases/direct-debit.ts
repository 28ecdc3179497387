// Direct debit (代扣): after bills are issued, each bill of a postpaid customer with an ACTIVE
// withholding agreement (signed through ChannelPaymentService.SignWithholding) is debited through
// the bank (BankGateway) and what the bank confirms is posted through pay() as a payment of the
// agreement's channel. Run by the scheduler every LIMITS.directDebitMs; safe to run again at any
// time and from several cores: every step is idempotent.
//
// - A bill gets one direct_debits row (unique bill id). Bills issued before the agreement was
//   signed are not debited (the customer agreed to future bills, DOMAIN.md: "each bill cycle"):
//   their row is closed at once, so they are not looked at again.
// - Attempt n of a bill is the bank requestId `DD<billNo>-<n>`, written (state `sent`) BEFORE the
//   Debit goes out. A Debit without an answer stays `sent` and is sent again under the same id by
//   the next run — the bank answers a repeated id with its first answer — never as a new debit.
// - The amount is what the bill is due when the attempt starts (late fee included). A bill paid
//   otherwise meanwhile, or an agreement cancelled, closes the debit before anything is sent.
// - A FAILED attempt is tried again LIMITS.directDebitRetryMs later under the next id, at most
//   LIMITS.directDebitAttemptsMax attempts; an account the bank does not know, or the last
//   attempt failing, ends it `failed` with an alert. A bank fault counts as a failed attempt.
// - A debited amount is posted through pay() with the debit id as the channel transaction id
//   (pay is idempotent on it), on the listed bill, or — when the bill was paid otherwise since —
//   as the customer's payment without a list (the money is theirs either way).

import { businessDate } from '../clock.ts';
import { GridbillError, isGridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { maskAccount } from '../ops/mask.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { insertAlert } from '../store/control.repository.ts';
import type { CustomerCategory } from '../store/customer.table.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { billsAwaitingDebit, directDebitsToWork, insertDirectDebit, updateDirectDebit } from '../store/direct-debit.repository.ts';
import type { DirectDebitChange } from '../store/direct-debit.table.ts';
import { isUniqueViolation } from '../store/payment.repository.ts';
import type { BankFailure, BankGateway, DebitAnswer } from './bank-gateway.ts';
import { assertNotInTransaction, pay, withinAccountingWindow, type PayReceipt } from './pay.ts';
import { receivablesOf } from './receivables.ts';

export interface DirectDebitRun {
  /** Bills newly taken on. */
  readonly created: number;
  readonly posted: number;
  /** Attempts that failed and will be tried again later. */
  readonly retrying: number;
  /** Debits given up (an alert each). */
  readonly failed: number;
  /** Nothing left to debit, or the agreement ended. */
  readonly closed: number;
  /** Debits without an answer from the bank: sent again by the next run. */
  readonly unknown: number;
  /** Debits that could not be carried on (e.g. the channel is disabled); left for the next run. */
  readonly errors: number;
}

type Work = Awaited<ReturnType<typeof directDebitsToWork>>[number];
type Counts = { -readonly [K in keyof DirectDebitRun]: number };
type Outcome = 'posted' | 'retrying' | 'failed' | 'closed' | 'unknown' | 'skipped';

/** Failures no later attempt can cure: the debit ends at once. */
const FINAL_FAILURES: ReadonlySet<string> = new Set<BankFailure>(['ACCOUNT_INVALID']);

export function debitIdOf(billNo: string, attempt: number): string {
  return `DD${billNo}-${attempt}`;
}

export async function runDirectDebits(store: Store, bank: BankGateway, now: string, options: { readonly limit?: number } = {}): Promise<DirectDebitRun> {
  assertNotInTransaction(store);
  if (Number.isNaN(Date.parse(now))) throw new RangeError(`now is not an instant: ${now}`);
  const limit = options.limit ?? LIMITS.directDebitsPerRunMax;
  const counts: Counts = { created: await takeOnBills(store, now, limit), posted: 0, retrying: 0, failed: 0, closed: 0, unknown: 0, errors: 0 };
  for (const row of await directDebitsToWork(store, now, limit)) {
    try {
      const outcome = await carryOn(store, bank, row, now);
      if (outcome !== 'skipped') counts[outcome] += 1;
    } catch {
      counts.errors += 1;
    }
  }
  return counts;
}

/** A row per bill newly due for a debit: pending now, or closed when issued before the agreement. */
async function takeOnBills(store: Store, now: string, limit: number): Promise<number> {
  let created = 0;
  for (const bill of await billsAwaitingDebit(store, limit)) {
    const beforeAgreement = bill.issued_at === null || Date.parse(bill.issued_at) < Date.parse(bill.signed_at);
    try {
      await insertDirectDebit(store, {
        bill_id: bill.bill_id, customer_id: bill.customer_id, agreement_id: bill.agreement_id, debit_id: null, amount_fen: 0,
        state: beforeAgreement ? 'closed' : 'pending', attempts: 0, next_attempt_at: now, failure: beforeAgreement ? 'before-agreement' : null,
        bank_txn_id: null, bank_accounting_date: null, payment_id: null, created_at: now, updated_at: now,
      });
      if (!beforeAgreement) created += 1;
    } catch (error) {
      // Another run took the bill on at the same moment.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return created;
}

async function carryOn(store: Store, bank: BankGateway, row: Work, now: string): Promise<Outcome> {
  let current: Work | undefined = row;
  if (current.state === 'pending') {
    current = await startAttempt(store, current, now);
    if (current === undefined) return 'skipped';
    if (current.state === 'closed') return 'closed';
  }
  if (current.state === 'sent') {
    const sent = await sendDebit(store, bank, current, now);
    if (sent !== 'debited') return sent;
    current = { ...current, state: 'debited' };
  }
  await post(store, current, now);
  return 'posted';
}

/** Claims the next attempt of a pending debit (its id and amount written before the Debit goes out), or closes it. */
async function startAttempt(store: Store, row: Work, now: string): Promise<Work | undefined> {
  const close = async (failure: string): Promise<Work | undefined> =>
    (await updateDirectDebit(store, row.id, 'pending', { state: 'closed', failure, updated_at: now }) ? { ...row, state: 'closed' } : undefined);
  if (row.agreement_status !== 'active') return close('agreement-cancelled');
  const due = await dueOfBill(store, row, now);
  if (due <= 0) return close('paid-otherwise');
  const change: DirectDebitChange = { state: 'sent', debit_id: debitIdOf(row.bill_no, Number(row.attempts) + 1), amount_fen: due, attempts: Number(row.attempts) + 1, updated_at: now };
  return await updateDirectDebit(store, row.id, 'pending', change) ? { ...row, ...change } as Work : undefined;
}

async function dueOfBill(store: Store, row: Work, now: string): Promise<number> {
  const receivables = await receivablesOf(store, { id: Number(row.customer_id), category: row.category as CustomerCategory }, businessDate(new Date(now)));
  const bill = receivables.find((r) => r.billId === Number(row.bill_id));
  return bill === undefined ? 0 : bill.outstandingFen + bill.penaltyFen;
}

/** The Debit of a `sent` attempt, sent (again) under its id. */
async function sendDebit(store: Store, bank: BankGateway, row: Work, now: string): Promise<Outcome | 'debited'> {
  const result = await bank.debit({ requestId: row.debit_id!, bankAccount: row.bank_account, amountFen: Number(row.amount_fen), memo: `电费代扣 ${row.bill_no}` });
  if (result.kind === 'no-answer' || (result.kind === 'answer' && result.answer.outcome === 'UNKNOWN')) return 'unknown';
  if (result.kind === 'fault') return failAttempt(store, row, 'BANK_REJECTED', now);
  if (result.answer.outcome === 'FAILED') return failAttempt(store, row, result.answer.failure ?? 'BANK_REJECTED', now);
  return settleDebited(store, row, result.answer, now);
}

async function settleDebited(store: Store, row: Work, answer: DebitAnswer, now: string): Promise<Outcome | 'debited'> {
  if (answer.amountFen !== Number(row.amount_fen)) {
    // The bank's first answer for this id names another amount: never post what cannot be reconciled.
    throw new GridbillError('INTERNAL', `bank answered debit ${row.debit_id} with another amount`);
  }
  const moved = await updateDirectDebit(store, row.id, 'sent', {
    state: 'debited', bank_txn_id: answer.bankTxnId ?? null, bank_accounting_date: answer.accountingDate ?? null, failure: null, updated_at: now,
  });
  return moved ? 'debited' : 'skipped';
}

/** A failed attempt: tried again later under the next id, or given up with an alert. */
async function failAttempt(store: Store, row: Work, failure: string, now: string): Promise<Outcome> {
  const final = FINAL_FAILURES.has(failure) || Number(row.attempts) >= LIMITS.directDebitAttemptsMax;
  if (!final) {
    const next = new Date(Date.parse(now) + LIMITS.directDebitRetryMs).toISOString();
    return await updateDirectDebit(store, row.id, 'sent', { state: 'pending', failure, next_attempt_at: next, updated_at: now }) ? 'retrying' : 'skipped';
  }
  return inTransaction(store, async (tx) => {
    if (!await updateDirectDebit(tx, row.id, 'sent', { state: 'failed', failure, updated_at: now })) return 'skipped';
    await insertAlert(tx, {
      kind: 'direct-debit-failed', subject: `bill:${row.bill_no}`,
      message: `direct debit of bill ${row.bill_no} through ${row.channel_code} failed ${row.attempts} time(s): ${failure}`, created_at: now,
    });
    await appendAudit(tx, {
      at: now, actor: 'system', action: 'direct-debit-failed', subject: `bill:${row.bill_no}`,
      detail: { channel: row.channel_code, attempts: Number(row.attempts), failure, bankAccount: maskAccount(row.bank_account) },
    });
    return 'failed' as const;
  });
}

/** Posts a debited amount through pay(), once whoever gets here first; the row records the payment. */
async function post(store: Store, row: Work, now: string): Promise<void> {
  const bankDate = row.bank_accounting_date;
  const base = {
    channelCode: row.channel_code, channelTxnId: row.debit_id!, customerNo: row.customer_no, amountFen: Number(row.amount_fen),
    accountingDate: bankDate !== null && withinAccountingWindow(bankDate, now) ? bankDate : businessDate(new Date(now)), now,
  };
  let receipt: PayReceipt;
  try {
    receipt = await pay(store, { ...base, billNos: [row.bill_no] });
  } catch (error) {
    if (!isGridbillError(error) || (error.code !== 'BILL_NOT_PAYABLE' && error.code !== 'TXN_ID_CONFLICT')) throw error;
    receipt = await pay(store, base);
  }
  await updateDirectDebit(store, row.id, 'debited', { state: 'posted', payment_id: Number(receipt.receiptNo), updated_at: now });
}
