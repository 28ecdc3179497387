// The admin console's read-only lists: customer search, reconciliation days, the audit log's
// latest records. Every list is bounded by the caller's limit.

import { sql } from 'kysely';
import { firstRows, type Store } from './database.ts';
import type { AuditRow } from './audit.table.ts';
import type { CustomerRow } from './customer.table.ts';
import type { ReconciliationDayRow } from './reconciliation.table.ts';

/** Escapes LIKE's wildcards (and SQL Server's `[`) so the text is matched literally. */
function literal(text: string): string {
  return text.replace(/[\\%_[]/g, (c) => `\\${c}`);
}

/** `column LIKE pattern ESCAPE '\'`: SQLite and SQL Server have no default escape character. */
function like(column: 'customer_no' | 'name' | 'address' | 'phone', pattern: string) {
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

/**
 * Customers whose number starts with the text, or whose name, address or phone contains it,
 * by customer number. The text is a bound parameter; LIKE wildcards in it are escaped.
 */
export function searchCustomerRows(store: Store, text: string, limit: number): Promise<CustomerRow[]> {
  const contains = `%${literal(text)}%`;
  const query = store.db.selectFrom('customers').selectAll()
    .where((eb) => eb.or([like('customer_no', `${literal(text)}%`), like('name', contains), like('address', contains), like('phone', contains)]))
    .orderBy('customer_no');
  return firstRows(store, query, limit).execute();
}

export type ReconciliationDayWithChannel = ReconciliationDayRow & { readonly channel_code: string };

/** The latest reconciliation days of every channel, newest accounting date first. */
export function latestReconciliationDays(store: Store, limit: number): Promise<ReconciliationDayWithChannel[]> {
  const query = store.db.selectFrom('reconciliation_days')
    .innerJoin('channels', 'channels.id', 'reconciliation_days.channel_id')
    .selectAll('reconciliation_days').select('channels.code as channel_code')
    .orderBy('reconciliation_days.accounting_date', 'desc').orderBy('reconciliation_days.id', 'desc');
  return firstRows(store, query, limit).execute();
}

export function findReconciliationDayById(store: Store, dayId: number): Promise<ReconciliationDayWithChannel | undefined> {
  return store.db.selectFrom('reconciliation_days')
    .innerJoin('channels', 'channels.id', 'reconciliation_days.channel_id')
    .selectAll('reconciliation_days').select('channels.code as channel_code')
    .where('reconciliation_days.id', '=', dayId).executeTakeFirst();
}

/** The newest audit records, optionally of one actor. */
export function latestAuditRecords(store: Store, filter: { readonly actor?: string; readonly limit: number }): Promise<AuditRow[]> {
  let query = store.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc');
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  return firstRows(store, query, filter.limit).execute();
}
