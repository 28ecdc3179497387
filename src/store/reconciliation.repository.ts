// Reconciliation days, their batches and entries, and the discrepancies found (migration 0004).
// The comparison runs in the database (INSERT … SELECT), so a day of millions of payments is never
// held in memory. Everything here runs inside the use case's transaction, after
// lockReconciliationDay.

import { sql } from 'kysely';
import { LIMITS } from '../limits.ts';
import { firstRows, type Store } from './database.ts';
import { insertReturningId } from './insert-id.ts';
import type {
  DiscrepancyKind, NewReconciliationBatch, NewReconciliationDay, NewReconciliationEntry, ReconciliationBatchRow, ReconciliationDayRow,
  ReconciliationItemRow,
} from './reconciliation.table.ts';

/** Which day of which channel: the key every comparison query is bound to. */
export interface DayKey {
  readonly dayId: number;
  readonly channelId: number;
  readonly accountingDate: string;
}

/**
 * Serialises the batches of one channel's day with each other and with reversals of its payments
 * until the transaction ends: a reversal cannot slip between the comparison and the day being
 * marked reconciled. SQLite has one writer at a time already; PostgreSQL takes a transaction-level
 * advisory lock, SQL Server an application lock, both named after the day.
 */
export async function lockReconciliationDay(
  store: Store, channelId: number, accountingDate: string, mode: 'exclusive' | 'shared' = 'exclusive',
): Promise<void> {
  const name = `gridbill_reconcile_${channelId}_${accountingDate}`;
  switch (store.dialect) {
    case 'sqlite': return;
    case 'postgres':
      if (mode === 'shared') await sql`select pg_advisory_xact_lock_shared(hashtext(${name}))`.execute(store.db);
      else await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(store.db);
      return;
    case 'mssql':
      if (mode === 'shared') await sql`exec sp_getapplock @Resource = ${name}, @LockMode = 'Shared', @LockOwner = 'Transaction'`.execute(store.db);
      else await sql`exec sp_getapplock @Resource = ${name}, @LockMode = 'Exclusive', @LockOwner = 'Transaction'`.execute(store.db);
      return;
  }
}

export function findReconciliationDay(store: Store, channelId: number, accountingDate: string): Promise<ReconciliationDayRow | undefined> {
  return store.db.selectFrom('reconciliation_days').selectAll()
    .where('channel_id', '=', channelId).where('accounting_date', '=', accountingDate).executeTakeFirst();
}

/** Whether the channel's accounting date has been reconciled (a reversal of it is refused). */
export async function isDayReconciled(store: Store, channelId: number, accountingDate: string): Promise<boolean> {
  const day = await findReconciliationDay(store, channelId, accountingDate);
  return day?.status === 'reconciled';
}

export function insertReconciliationDay(store: Store, day: NewReconciliationDay): Promise<number> {
  return insertReturningId(store, 'reconciliation_days', day);
}

export function findReconciliationBatch(store: Store, dayId: number, batchNo: number): Promise<ReconciliationBatchRow | undefined> {
  return store.db.selectFrom('reconciliation_batches').selectAll()
    .where('day_id', '=', dayId).where('batch_no', '=', batchNo).executeTakeFirst();
}

export async function insertReconciliationBatch(store: Store, batch: NewReconciliationBatch): Promise<void> {
  await store.db.insertInto('reconciliation_batches').values(batch).execute();
}

/** The entries of these ids already received for the day (in an earlier batch). */
export async function entriesReceived(store: Store, dayId: number, txnIds: readonly string[]): Promise<{ channel_txn_id: string; batch_no: number }[]> {
  const found: { channel_txn_id: string; batch_no: number }[] = [];
  for (let i = 0; i < txnIds.length; i += LIMITS.dbBatchRowsMax) {
    found.push(...await store.db.selectFrom('reconciliation_entries').select(['channel_txn_id', 'batch_no'])
      .where('day_id', '=', dayId).where('channel_txn_id', 'in', txnIds.slice(i, i + LIMITS.dbBatchRowsMax)).execute());
  }
  return found;
}

export async function insertReconciliationEntries(store: Store, rows: readonly NewReconciliationEntry[]): Promise<void> {
  for (let i = 0; i < rows.length; i += LIMITS.dbBatchRowsMax) {
    await store.db.insertInto('reconciliation_entries').values(rows.slice(i, i + LIMITS.dbBatchRowsMax)).execute();
  }
}

/** Adds a received batch to the day's running sums. */
export async function addBatchToDay(store: Store, dayId: number, entryCount: number, amountFen: number): Promise<void> {
  await store.db.updateTable('reconciliation_days').set((eb) => ({
    batches_received: eb('batches_received', '+', 1),
    entry_count: eb('entry_count', '+', entryCount),
    entry_amount_fen: eb('entry_amount_fen', '+', amountFen),
  })).where('id', '=', dayId).execute();
}

/** Forgets a day that was never reconciled: its entries, batches and the day itself. */
export async function discardReconciliationDay(store: Store, dayId: number): Promise<void> {
  await store.db.deleteFrom('reconciliation_items').where('day_id', '=', dayId).execute();
  await store.db.deleteFrom('reconciliation_entries').where('day_id', '=', dayId).execute();
  await store.db.deleteFrom('reconciliation_batches').where('day_id', '=', dayId).execute();
  await store.db.deleteFrom('reconciliation_days').where('id', '=', dayId).where('status', '<>', 'reconciled').execute();
}

/**
 * The platform's side of a day: the channel's posted (not reversed) payments with that accounting
 * date, with their customer numbers. A reversed payment has left the platform's side.
 */
function platformPayments(store: Store, key: DayKey) {
  return store.db.selectFrom('payments as p')
    .innerJoin('customers as c', 'c.id', 'p.customer_id')
    .where('p.channel_id', '=', key.channelId)
    .where('p.accounting_date', '=', key.accountingDate)
    .where('p.status', '=', 'posted');
}

/** Entries joined with the platform payment of the same id and customer. */
function pairedEntries(store: Store, key: DayKey) {
  return store.db.selectFrom('reconciliation_entries as e')
    .innerJoin('payments as p', (join) => join.onRef('p.channel_txn_id', '=', 'e.channel_txn_id').on('p.channel_id', '=', key.channelId))
    .innerJoin('customers as c', (join) => join.onRef('c.id', '=', 'p.customer_id').onRef('c.customer_no', '=', 'e.customer_no'))
    .where('e.day_id', '=', key.dayId)
    .where('p.accounting_date', '=', key.accountingDate)
    .where('p.status', '=', 'posted');
}

/** Entries that agree with a platform payment in id, customer and amount. */
export async function matchedTotals(store: Store, key: DayKey): Promise<{ count: number; amountFen: number }> {
  const row = await pairedEntries(store, key).whereRef('p.amount_fen', '=', 'e.amount_fen')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('e.amount_fen').as('total')])
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), amountFen: Number(row.total ?? 0) };
}

const ITEM_COLUMNS = ['day_id', 'kind', 'channel_txn_id', 'customer_no', 'channel_amount_fen', 'platform_amount_fen', 'payment_id', 'review_status'] as const;

/**
 * Stores the day's discrepancies: the same id and customer with other amounts; channel entries
 * without such a platform payment (a payment of another customer under the id counts as
 * unmatched on both sides); platform payments without such an entry.
 */
export async function insertDiscrepancies(store: Store, key: DayKey): Promise<void> {
  const day = sql.lit(key.dayId);
  const open = sql.lit('open');
  await store.db.insertInto('reconciliation_items').columns(ITEM_COLUMNS).expression(
    pairedEntries(store, key).whereRef('p.amount_fen', '<>', 'e.amount_fen').select([
      day.as('day_id'), sql.lit('amount-mismatch').as('kind'), 'e.channel_txn_id', 'e.customer_no', 'e.amount_fen as channel_amount_fen',
      'p.amount_fen as platform_amount_fen', 'p.id as payment_id', open.as('review_status'),
    ]),
  ).execute();
  await store.db.insertInto('reconciliation_items').columns(ITEM_COLUMNS).expression(
    store.db.selectFrom('reconciliation_entries as e').where('e.day_id', '=', key.dayId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('payments as p').innerJoin('customers as c', 'c.id', 'p.customer_id')
        .where('p.channel_id', '=', key.channelId).where('p.accounting_date', '=', key.accountingDate).where('p.status', '=', 'posted')
        .whereRef('p.channel_txn_id', '=', 'e.channel_txn_id').whereRef('c.customer_no', '=', 'e.customer_no').select('p.id'))))
      .select([
        day.as('day_id'), sql.lit('channel-only').as('kind'), 'e.channel_txn_id', 'e.customer_no', 'e.amount_fen as channel_amount_fen',
        sql.lit(null).as('platform_amount_fen'), sql.lit(null).as('payment_id'), open.as('review_status'),
      ]),
  ).execute();
  await store.db.insertInto('reconciliation_items').columns(ITEM_COLUMNS).expression(
    platformPayments(store, key)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('reconciliation_entries as e').where('e.day_id', '=', key.dayId)
        .whereRef('e.channel_txn_id', '=', 'p.channel_txn_id').whereRef('e.customer_no', '=', 'c.customer_no').select('e.id'))))
      .select([
        day.as('day_id'), sql.lit('platform-only').as('kind'), 'p.channel_txn_id', 'c.customer_no', sql.lit(null).as('channel_amount_fen'),
        'p.amount_fen as platform_amount_fen', 'p.id as payment_id', open.as('review_status'),
      ]),
  ).execute();
}

export async function discrepancyCounts(store: Store, dayId: number): Promise<Record<DiscrepancyKind, number>> {
  const rows = await store.db.selectFrom('reconciliation_items').select((eb) => ['kind', eb.fn.countAll<number | string>().as('n')])
    .where('day_id', '=', dayId).groupBy('kind').execute();
  const counts: Record<DiscrepancyKind, number> = { 'channel-only': 0, 'platform-only': 0, 'amount-mismatch': 0 };
  for (const row of rows) counts[row.kind] = Number(row.n);
  return counts;
}

/** The first `limit` discrepancies of a day, in a fixed order (kind, then channel transaction id). */
export function listDiscrepancies(store: Store, dayId: number, limit: number): Promise<ReconciliationItemRow[]> {
  return firstRows(store, store.db.selectFrom('reconciliation_items').selectAll().where('day_id', '=', dayId)
    .orderBy('kind').orderBy('channel_txn_id'), limit).execute();
}

export interface DayResult {
  readonly matchedCount: number;
  readonly matchedAmountFen: number;
  readonly channelOnlyCount: number;
  readonly platformOnlyCount: number;
  readonly amountMismatchCount: number;
}

export async function markDayReconciled(store: Store, dayId: number, result: DayResult, at: string): Promise<void> {
  await store.db.updateTable('reconciliation_days').set({
    status: 'reconciled', reconciled_at: at, matched_count: result.matchedCount, matched_amount_fen: result.matchedAmountFen,
    channel_only_count: result.channelOnlyCount, platform_only_count: result.platformOnlyCount, amount_mismatch_count: result.amountMismatchCount,
  }).where('id', '=', dayId).execute();
}
