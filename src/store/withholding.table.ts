import type { Generated, Insertable, Selectable } from 'kysely';

export type AgreementState = 'active' | 'cancelled';

/** A direct-debit agreement (migration 0003); agreement_id is unique per channel. */
export interface WithholdingAgreementTable {
  id: Generated<number>;
  channel_id: number;
  agreement_id: string;
  customer_id: number;
  /** Personal data: stored as given, never logged or answered unmasked. */
  bank_account: string;
  account_holder_name: string;
  status: AgreementState;
  signed_at: string;
  cancelled_at: string | null;
  /** SHA-256 of the signing request's canonical content. */
  sign_request_hash: string;
  /** SHA-256 of the cancelling request's canonical content. */
  cancel_request_hash: string | null;
}

export type WithholdingAgreementRow = Selectable<WithholdingAgreementTable>;
export type NewWithholdingAgreement = Insertable<WithholdingAgreementTable>;
