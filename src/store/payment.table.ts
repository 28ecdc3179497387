import type { Generated, Insertable, Selectable } from 'kysely';

export type ChannelKind = 'bank' | 'third-party' | 'internal';

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
}

export interface PaymentAllocationTable {
  id: Generated<number>;
  payment_id: number;
  bill_id: number | null;
  kind: 'penalty' | 'energy' | 'prepaid';
  amount_fen: number;
}

export type ChannelRow = Selectable<ChannelTable>;
export type NewChannel = Insertable<ChannelTable>;
export type PaymentRow = Selectable<PaymentTable>;
export type NewPayment = Insertable<PaymentTable>;
export type NewPaymentAllocation = Insertable<PaymentAllocationTable>;
