import type { Generated, Insertable, Selectable } from 'kysely';

/** Where an online payment stands (migration 0006); posted and failed are final. */
export type OnlinePaymentState = 'checking' | 'debit-sent' | 'unknown' | 'debited' | 'posted' | 'failed';

export interface OnlinePaymentTable {
  id: Generated<number>;
  customer_id: number;
  /** The portal's idempotency key, unique per customer. */
  request_id: string;
  /** SHA-256 of the request's canonical content. */
  request_hash: string;
  /** JSON array of the bill numbers the customer chose. */
  bill_nos: string;
  /** Personal data: stored as given (a Debit may have to be sent again), never logged or answered unmasked. */
  bank_account: string;
  amount_fen: number;
  /** gridbill's requestId at the bank and the posted payment's channel transaction id. */
  debit_id: string;
  state: OnlinePaymentState;
  failure: string | null;
  bank_txn_id: string | null;
  bank_accounting_date: string | null;
  payment_id: number | null;
  /** The final answer (posted or failed), returned again for a repeated request. */
  response: string | null;
  /** Until when the owning request works on it (epoch ms). */
  lease_until_ms: number;
  created_at: string;
  updated_at: string;
}

export type OnlinePaymentRow = Selectable<OnlinePaymentTable>;
export type NewOnlinePayment = Insertable<OnlinePaymentTable>;
export type OnlinePaymentChange = Partial<Pick<OnlinePaymentRow,
  'state' | 'failure' | 'bank_txn_id' | 'bank_accounting_date' | 'payment_id' | 'response' | 'lease_until_ms' | 'updated_at'>>;
