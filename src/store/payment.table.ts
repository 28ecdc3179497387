import type { Generated, Insertable, Selectable } from 'kysely';

export type ChannelKind = 'bank' | 'third-party' | 'portal' | 'internal';

export interface ChannelTable {
  id: Generated<number>;
  code: string;
  name: string;
  kind: ChannelKind;
  /** The credential, encrypted at rest (never plain text). */
  secret_enc: string;
  /** JSON array of the operations the channel may call. */
  operations: string;
  enabled: number;
  created_at: string;
  updated_at: string;
  /** Days after a payment's accounting date it may still be reversed; null: the platform default (migration 0004). */
  reversal_days: Generated<number | null>;
}

export interface PaymentTable {
  id: Generated<number>;
  channel_id: number;
  channel_txn_id: string;
  customer_id: number;
  amount_fen: number;
  accounting_date: string;
  status: 'posted' | 'reversed';
  /** SHA-256 of the request's canonical content: the same id with other content is refused. */
  request_hash: string;
  /** The first answer, returned again for a repeated request. */
  response: string;
  created_at: string;
  // The reversal, when there is one (migration 0002): a payment is reversed at most once, and
  // (channel_id, reversal_txn_id) is unique, the reversal's idempotency key.
  reversal_txn_id: Generated<string | null>;
  reversal_accounting_date: Generated<string | null>;
  /** SHA-256 of the reversal request's canonical content. */
  reversal_request_hash: Generated<string | null>;
  /** The reversal's first answer, returned again for a repeated reversal. */
  reversal_response: Generated<string | null>;
  reversed_at: Generated<string | null>;
}

export interface PaymentAllocationTable {
  id: Generated<number>;
  payment_id: number;
  bill_id: number | null;
  kind: 'penalty' | 'energy' | 'prepaid';
  amount_fen: number;
  /** The bill's penalty state before the payment, which a reversal restores (null on prepaid rows). */
  penalty_through_before: string | null;
  penalty_accrued_before_fen: number | null;
  penalty_carried_before_fen: number | null;
}

export type ChannelRow = Selectable<ChannelTable>;
export type NewChannel = Insertable<ChannelTable>;
export type PaymentRow = Selectable<PaymentTable>;
export type NewPayment = Insertable<PaymentTable>;
export type NewPaymentAllocation = Insertable<PaymentAllocationTable>;
export type PaymentAllocationRow = Selectable<PaymentAllocationTable>;
