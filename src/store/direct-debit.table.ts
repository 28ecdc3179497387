import type { Generated, Insertable, Selectable } from 'kysely';

/** pending: an attempt is due at next_attempt_at; sent: a Debit went out, its answer is not known yet. */
export type DirectDebitState = 'pending' | 'sent' | 'debited' | 'posted' | 'failed' | 'closed';

/** A bill debited through the customer's withholding agreement (migration 0011). */
export interface DirectDebitTable {
  id: Generated<number>;
  bill_id: number;
  customer_id: number;
  /** withholding_agreements.id: the bank, channel and account the bill is debited through. */
  agreement_id: number;
  /** The current attempt's requestId at the bank; null before the first attempt. */
  debit_id: string | null;
  /** What the current attempt asks for: the bill's due (late fee included) when it was sent. */
  amount_fen: number;
  state: DirectDebitState;
  attempts: number;
  next_attempt_at: string;
  /** The bank's failure of the last attempt, or why the debit was closed. */
  failure: string | null;
  bank_txn_id: string | null;
  bank_accounting_date: string | null;
  payment_id: number | null;
  created_at: string;
  updated_at: string;
}

export type DirectDebitRow = Selectable<DirectDebitTable>;
export type NewDirectDebit = Insertable<DirectDebitTable>;
export type DirectDebitChange = Partial<Omit<DirectDebitRow, 'id' | 'bill_id' | 'customer_id' | 'created_at'>>;
