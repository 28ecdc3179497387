// Everything the bill run needs for a slice of customers, read with a handful of range queries
// (never one query per customer): the customers, their accounts, meters, registers, the readings
// around the period, and their recent bills. Ranges on customer id keep every statement's
// parameter count fixed, whatever the slice size, on every engine.

import type { CompiledQuery } from 'kysely';
import { firstRows, inTransaction, sqliteStatements, type Store } from './database.ts';
import type { AccountRow, CustomerCategory, CustomerRow } from './customer.table.ts';
import type { MeterRow, ReadingRow, RegisterRow } from './meter.table.ts';
import type { BillStatus } from './bill.table.ts';

// Only the columns the bill run reads: every column fetched is a value materialised per row, and
// there are millions of rows in a run.
const CUSTOMER_COLUMNS = [
  'id', 'customer_no', 'category', 'voltage', 'households', 'tariff_code', 'time_of_use', 'capacity_kva',
  'contract_demand_kw', 'basic_basis', 'pf_standard',
] as const;
const METER_COLUMNS = ['id', 'customer_id', 'meter_no', 'ct_ratio', 'pt_ratio', 'installed_on', 'removed_on'] as const;

export type BillingCustomer = Pick<CustomerRow, (typeof CUSTOMER_COLUMNS)[number]>;
export type BillingAccount = Pick<AccountRow, 'customer_id' | 'ladder_year_start_month'>;
export type BillingMeter = Pick<MeterRow, (typeof METER_COLUMNS)[number]>;
export type BillingReading = Pick<ReadingRow, 'register_id' | 'read_on' | 'value_hundredths' | 'source'>;

export interface HistoryBill {
  readonly customer_id: number;
  readonly period: string;
  readonly status: BillStatus;
  readonly energy_kwh: number;
  readonly tariff_code: string;
  readonly multiplier: number | null;
  readonly estimated_streak: number;
}

export interface BillingBatch {
  readonly customers: readonly BillingCustomer[];
  readonly accounts: ReadonlyMap<number, BillingAccount>;
  readonly meters: ReadonlyMap<number, readonly BillingMeter[]>;
  readonly registers: ReadonlyMap<number, readonly RegisterRow[]>;
  /** Readings per register, oldest first. */
  readonly readings: ReadonlyMap<number, readonly BillingReading[]>;
  /** Bills per customer in the history window and the period itself, oldest first. */
  readonly bills: ReadonlyMap<number, readonly HistoryBill[]>;
}

export interface BatchQuery {
  readonly afterCustomerId: number;
  readonly size: number;
  readonly categories: readonly CustomerCategory[] | null;
  readonly readingsFrom: string;
  readonly readingsTo: string;
  readonly billsFromPeriod: string;
  readonly billsToPeriod: string;
}

function group<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/**
 * Runs a compiled select. On SQLite the statement is prepared once per connection and reused:
 * the SQL text of each query is the same for every batch, only the parameters change.
 */
async function rowsOf<R>(store: Store, query: { compile(): CompiledQuery<R> }): Promise<R[]> {
  const compiled = query.compile();
  const prepare = sqliteStatements(store);
  if (prepare) return prepare(compiled.sql).all(compiled.parameters) as R[];
  return (await store.db.executeQuery(compiled)).rows;
}

/**
 * The next slice of active customers after `afterCustomerId`; empty when there are no more. On
 * SQLite the reads share one read transaction: one snapshot, and the connection held for them.
 */
export async function loadBillingBatch(store: Store, q: BatchQuery): Promise<BillingBatch> {
  if (store.sqlite !== undefined && !store.db.isTransaction) return inTransaction(store, (tx) => loadBillingBatch(tx, q));
  let customerQuery = store.db.selectFrom('customers').select(CUSTOMER_COLUMNS)
    .where('id', '>', q.afterCustomerId).where('status', '=', 'active');
  if (q.categories) customerQuery = customerQuery.where('category', 'in', [...q.categories]);
  const customers = await rowsOf(store, firstRows(store, customerQuery.orderBy('id'), q.size));
  if (customers.length === 0) return { customers, accounts: new Map(), meters: new Map(), registers: new Map(), readings: new Map(), bills: new Map() };
  const lo = customers[0]!.id;
  const hi = customers[customers.length - 1]!.id;
  const [accounts, meters, registers, readings, bills] = await Promise.all([
    rowsOf(store, store.db.selectFrom('accounts').select(['customer_id', 'ladder_year_start_month'])
      .where('customer_id', '>=', lo).where('customer_id', '<=', hi)),
    rowsOf(store, store.db.selectFrom('meters').select(METER_COLUMNS)
      .where('customer_id', '>=', lo).where('customer_id', '<=', hi).orderBy('id')),
    rowsOf(store, store.db.selectFrom('registers').innerJoin('meters', 'meters.id', 'registers.meter_id')
      .selectAll('registers').where('meters.customer_id', '>=', lo).where('meters.customer_id', '<=', hi).orderBy('registers.id')),
    rowsOf(store, store.db.selectFrom('readings').innerJoin('registers', 'registers.id', 'readings.register_id')
      .innerJoin('meters', 'meters.id', 'registers.meter_id')
      .select(['readings.register_id', 'readings.read_on', 'readings.value_hundredths', 'readings.source'])
      .where('meters.customer_id', '>=', lo).where('meters.customer_id', '<=', hi)
      .where('readings.read_on', '>=', q.readingsFrom).where('readings.read_on', '<=', q.readingsTo)
      .orderBy('readings.register_id').orderBy('readings.read_on')),
    rowsOf(store, store.db.selectFrom('bills')
      .select(['customer_id', 'period', 'status', 'energy_kwh', 'tariff_code', 'multiplier', 'estimated_streak'])
      .where('customer_id', '>=', lo).where('customer_id', '<=', hi)
      .where('period', '>=', q.billsFromPeriod).where('period', '<=', q.billsToPeriod)
      .where('status', '!=', 'cancelled')
      .orderBy('customer_id').orderBy('period')),
  ]);
  return {
    customers,
    accounts: new Map(accounts.map((a) => [a.customer_id, a])),
    meters: group(meters, (m) => m.customer_id),
    registers: group(registers, (r) => r.meter_id),
    readings: group(readings, (r) => r.register_id),
    bills: group(bills, (b) => b.customer_id),
  };
}

/**
 * The stored tariff version in force on a date for every tariff code: the latest effective_from on
 * or before the date, and of those the highest version (a re-published version supersedes).
 */
export async function tariffVersionsInForce(store: Store, onDate: string): Promise<Map<string, number>> {
  const rows = await store.db.selectFrom('tariffs').select(['id', 'code', 'version', 'effective_from', 'effective_to'])
    .where('effective_from', '<=', onDate).orderBy('code').orderBy('effective_from').orderBy('version').execute();
  const inForce = new Map<string, number>();
  for (const row of rows) {
    if (row.effective_to !== null && row.effective_to <= onDate) inForce.delete(row.code);
    else inForce.set(row.code, row.id);
  }
  return inForce;
}

export async function countActiveCustomers(store: Store, categories: readonly CustomerCategory[] | null): Promise<number> {
  let query = store.db.selectFrom('customers').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', '=', 'active');
  if (categories) query = query.where('category', 'in', [...categories]);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
