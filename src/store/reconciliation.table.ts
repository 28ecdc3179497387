import type { Generated, Insertable, Selectable } from 'kysely';

export type ReconciliationDayStatus = 'receiving' | 'reconciled';
export type DiscrepancyKind = 'channel-only' | 'platform-only' | 'amount-mismatch';

/** One channel's accounting date (migration 0004): its totals, the batches so far, the result. */
export interface ReconciliationDayTable {
  id: Generated<number>;
  channel_id: number;
  accounting_date: string;
  status: ReconciliationDayStatus;
  total_count: number;
  total_amount_fen: number;
  batch_count: number;
  batches_received: number;
  /** Running sums of the entries received, compared with the totals when the last batch arrives. */
  entry_count: number;
  entry_amount_fen: number;
  // The result, set when the day is reconciled.
  matched_count: number | null;
  matched_amount_fen: number | null;
  channel_only_count: number | null;
  platform_only_count: number | null;
  amount_mismatch_count: number | null;
  created_at: string;
  reconciled_at: string | null;
}

export interface ReconciliationBatchTable {
  id: Generated<number>;
  day_id: number;
  batch_no: number;
  /** SHA-256 of the batch's canonical content: the same batch again gets the answer below. */
  request_hash: string;
  entry_count: number;
  amount_fen: number;
  /** The answer the batch was given: the day's status and batches received right after it. */
  status_after: ReconciliationDayStatus;
  batches_received_after: number;
  received_at: string;
}

export interface ReconciliationEntryTable {
  id: Generated<number>;
  day_id: number;
  batch_no: number;
  channel_txn_id: string;
  customer_no: string;
  amount_fen: number;
}

export interface ReconciliationItemTable {
  id: Generated<number>;
  day_id: number;
  kind: DiscrepancyKind;
  channel_txn_id: string;
  customer_no: string;
  /** What the channel reported (null for platform-only). */
  channel_amount_fen: number | null;
  /** What the platform posted (null for channel-only). */
  platform_amount_fen: number | null;
  payment_id: number | null;
  /** Every item waits for a person: 'open' until reviewed. */
  review_status: string;
}

export type ReconciliationDayRow = Selectable<ReconciliationDayTable>;
export type NewReconciliationDay = Insertable<ReconciliationDayTable>;
export type ReconciliationBatchRow = Selectable<ReconciliationBatchTable>;
export type NewReconciliationBatch = Insertable<ReconciliationBatchTable>;
export type NewReconciliationEntry = Insertable<ReconciliationEntryTable>;
export type ReconciliationItemRow = Selectable<ReconciliationItemTable>;
