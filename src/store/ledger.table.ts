import type { Generated, Insertable, Selectable } from 'kysely';

export interface LedgerTransactionTable {
  id: Generated<number>;
  kind: string;
  ref_kind: string | null;
  ref_id: number | null;
  accounting_date: string;
  created_at: string;
}

/** Debits are positive, credits negative; the entries of one transaction sum to zero. */
export interface LedgerEntryTable {
  id: Generated<number>;
  txn_id: number;
  account_code: string;
  customer_id: number | null;
  amount_fen: number;
}

export type LedgerTransactionRow = Selectable<LedgerTransactionTable>;
export type LedgerEntryRow = Selectable<LedgerEntryTable>;
export type NewLedgerEntry = Insertable<LedgerEntryTable>;
