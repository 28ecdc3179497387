// Direct debits of issued bills (direct_debits, migration 0011) and the bills waiting for one.

import { firstRows, type Store } from './database.ts';
import type { DirectDebitChange, DirectDebitRow, DirectDebitState, NewDirectDebit } from './direct-debit.table.ts';
import { insertReturningId } from './insert-id.ts';

/**
 * Issued bills of postpaid customers with an active withholding agreement and no direct debit yet,
 * oldest first, each with the customer's earliest active agreement (one bank debits a bill).
 */
export async function billsAwaitingDebit(store: Store, limit: number) {
  const rows = await firstRows(store, store.db.selectFrom('bills as b')
    .innerJoin('accounts as acc', 'acc.customer_id', 'b.customer_id')
    .innerJoin('withholding_agreements as w', 'w.customer_id', 'b.customer_id')
    .select(['b.id as bill_id', 'b.customer_id', 'b.issued_at', 'w.id as agreement_id', 'w.signed_at'])
    .where('b.status', '=', 'issued').where('acc.payment_mode', '=', 'postpaid').where('w.status', '=', 'active')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('direct_debits as d').select('d.id').whereRef('d.bill_id', '=', 'b.id'))))
    .orderBy('b.id').orderBy('w.id'), limit).execute();
  const first = new Map<number, (typeof rows)[number]>();
  for (const row of rows) if (!first.has(Number(row.bill_id))) first.set(Number(row.bill_id), row);
  return [...first.values()].map((r) => ({ ...r, bill_id: Number(r.bill_id), customer_id: Number(r.customer_id), agreement_id: Number(r.agreement_id) }));
}

export function insertDirectDebit(store: Store, row: NewDirectDebit): Promise<number> {
  return insertReturningId(store, 'direct_debits', row);
}

/** Debits with work to do at `now`: an attempt due, a Debit without a known answer, a debit not posted. */
export function directDebitsToWork(store: Store, now: string, limit: number) {
  return firstRows(store, store.db.selectFrom('direct_debits as d')
    .innerJoin('withholding_agreements as w', 'w.id', 'd.agreement_id')
    .innerJoin('bills as b', 'b.id', 'd.bill_id')
    .innerJoin('customers as c', 'c.id', 'd.customer_id')
    .innerJoin('channels as ch', 'ch.id', 'w.channel_id')
    .selectAll('d')
    .select(['w.bank_account', 'w.status as agreement_status', 'b.bill_no', 'c.customer_no', 'c.category', 'ch.code as channel_code'])
    .where((eb) => eb.or([
      eb.and([eb('d.state', '=', 'pending'), eb('d.next_attempt_at', '<=', now)]),
      eb('d.state', 'in', ['sent', 'debited']),
    ]))
    .orderBy('d.id'), limit).execute();
}

/** Changes a debit only from the state it was read in; answers whether it did. */
export async function updateDirectDebit(store: Store, id: number, from: DirectDebitState, change: DirectDebitChange): Promise<boolean> {
  const result = await store.db.updateTable('direct_debits').set(change).where('id', '=', id).where('state', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function directDebitOfBill(store: Store, billId: number): Promise<DirectDebitRow | undefined> {
  return store.db.selectFrom('direct_debits').selectAll().where('bill_id', '=', billId).executeTakeFirst();
}
