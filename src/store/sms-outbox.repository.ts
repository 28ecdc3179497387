// The SMS outbox: messages are written in the transaction that decides to send them; a dispatcher
// (or, in development, a person with `gridbill sms outbox`) reads them from here.

import { firstRows, type Store } from './database.ts';
import { insertReturningId } from './insert-id.ts';
import type { NewSms, SmsOutboxRow } from './sms-outbox.table.ts';

export function insertSms(store: Store, sms: NewSms): Promise<number> {
  return insertReturningId(store, 'sms_outbox', sms);
}

export interface OutboxFilter {
  readonly phone?: string;
  readonly customerId?: number;
  readonly limit: number;
}

/** The newest messages first. */
export function listOutbox(store: Store, filter: OutboxFilter): Promise<SmsOutboxRow[]> {
  let query = store.db.selectFrom('sms_outbox').selectAll();
  if (filter.phone !== undefined) query = query.where('phone', '=', filter.phone);
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
  return firstRows(store, query.orderBy('id', 'desc'), filter.limit).execute();
}
