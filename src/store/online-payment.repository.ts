// Online payment attempts (migration 0006). Ownership of an attempt is a lease: taking it over is
// one conditional UPDATE on the lease the taker saw, so of two requests that saw the same expired
// lease exactly one gets the row, on every engine, without holding a transaction over bank calls.

import { firstRows, type Store } from './database.ts';
import { insertReturningId } from './insert-id.ts';
import type { NewOnlinePayment, OnlinePaymentChange, OnlinePaymentRow, OnlinePaymentState } from './online-payment.table.ts';

const FINAL_STATES: readonly OnlinePaymentState[] = ['posted', 'failed'];

export function insertOnlinePayment(store: Store, row: NewOnlinePayment): Promise<number> {
  return insertReturningId(store, 'online_payments', row);
}

export function findOnlinePayment(store: Store, customerId: number, requestId: string): Promise<OnlinePaymentRow | undefined> {
  return store.db.selectFrom('online_payments').selectAll()
    .where('customer_id', '=', customerId).where('request_id', '=', requestId).executeTakeFirst();
}

/** The customer's attempts that are not settled yet (neither posted nor failed), oldest first. */
export function unsettledOnlinePayments(store: Store, customerId: number): Promise<OnlinePaymentRow[]> {
  return store.db.selectFrom('online_payments').selectAll()
    .where('customer_id', '=', customerId).where('state', 'not in', [...FINAL_STATES]).orderBy('id').execute();
}

/** Takes the attempt over if its lease is still the one seen; false when another request was first. */
export async function takeOverOnlinePayment(store: Store, id: number, seenLeaseMs: number, leaseUntilMs: number): Promise<boolean> {
  const result = await store.db.updateTable('online_payments').set({ lease_until_ms: leaseUntilMs })
    .where('id', '=', id).where('lease_until_ms', '=', seenLeaseMs).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateOnlinePayment(store: Store, id: number, change: OnlinePaymentChange): Promise<void> {
  await store.db.updateTable('online_payments').set(change).where('id', '=', id).execute();
}

/** Forgets an attempt refused before anything was sent to the bank's Debit: it is judged afresh when sent again. */
export async function discardOnlinePayment(store: Store, id: number): Promise<void> {
  await store.db.deleteFrom('online_payments').where('id', '=', id).where('state', '=', 'checking').execute();
}

/** Attempts of any customer that may have taken money and are not posted, whose lease has run out; oldest first. */
export function abandonedOnlinePayments(store: Store, nowMs: number, max: number): Promise<Array<OnlinePaymentRow & { customer_no: string }>> {
  const query = store.db.selectFrom('online_payments').innerJoin('customers', 'customers.id', 'online_payments.customer_id')
    .selectAll('online_payments').select('customers.customer_no')
    .where('online_payments.state', 'in', ['debit-sent', 'unknown', 'debited']).where('online_payments.lease_until_ms', '<=', nowMs)
    .orderBy('online_payments.id');
  return firstRows(store, query, max).execute();
}
