// Direct-debit agreements. Lookups are always within one channel: an agreement id is the bank's,
// and one channel never sees another's agreements.

import type { Store } from './database.ts';
import { insertReturningId } from './insert-id.ts';
import type { NewWithholdingAgreement, WithholdingAgreementRow } from './withholding.table.ts';

export function findAgreement(store: Store, channelId: number, agreementId: string): Promise<WithholdingAgreementRow | undefined> {
  return store.db.selectFrom('withholding_agreements').selectAll()
    .where('channel_id', '=', channelId).where('agreement_id', '=', agreementId).executeTakeFirst();
}

/** The customer's active agreement with the channel, if any (there is at most one). */
export function findActiveAgreementOfCustomer(store: Store, channelId: number, customerId: number): Promise<WithholdingAgreementRow | undefined> {
  return store.db.selectFrom('withholding_agreements').selectAll()
    .where('channel_id', '=', channelId).where('customer_id', '=', customerId).where('status', '=', 'active').executeTakeFirst();
}

export function insertAgreement(store: Store, agreement: NewWithholdingAgreement): Promise<number> {
  return insertReturningId(store, 'withholding_agreements', agreement);
}

/** Cancels an active agreement; false when it was not active any more. */
export async function markAgreementCancelled(store: Store, id: number, cancel: { cancelledAt: string; requestHash: string }): Promise<boolean> {
  const result = await store.db.updateTable('withholding_agreements')
    .set({ status: 'cancelled', cancelled_at: cancel.cancelledAt, cancel_request_hash: cancel.requestHash })
    .where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
