// Everything the bill run needs for a slice of customers, read with a handful of range queries
// (never one query per customer): the customers, their accounts, meters, registers, the readings
// around the period, and their recent bills. Ranges on customer id keep every statement's
// parameter count fixed, whatever the slice size, on every engine.

import BetterSqlite3 from 'better-sqlite3';
import { LIMITS } from '../limits.ts';
import { firstRows, inTransaction, preparedStatement, type Store } from './database.ts';
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
/**
 * A reading as the bill run holds it: a tuple, not an object, because a run reads millions of them
 * and SQLite hands them over as arrays without naming every column of every row.
 */
export type BillingReading = readonly [
  registerId: ReadingRow['register_id'], readOn: ReadingRow['read_on'], valueHundredths: ReadingRow['value_hundredths'], source: ReadingRow['source'],
];

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
 * The next slice of active customers after `afterCustomerId`; empty when there are no more. On
 * SQLite the reads share one read transaction: one snapshot, and the connection held for them.
 */
export async function loadBillingBatch(store: Store, q: BatchQuery): Promise<BillingBatch> {
  if (store.sqlite !== undefined) {
    if (!store.db.isTransaction) return inTransaction(store, (tx) => loadBillingBatch(tx, q));
    return readSqliteBatch(store.sqlite, q);
  }
  let customerQuery = store.db.selectFrom('customers').select(CUSTOMER_COLUMNS)
    .where('id', '>', q.afterCustomerId).where('status', '=', 'active');
  if (q.categories) customerQuery = customerQuery.where('category', 'in', [...q.categories]);
  const customers = await firstRows(store, customerQuery.orderBy('id'), q.size).execute();
  if (customers.length === 0) return emptyBatch();
  const lo = customers[0]!.id;
  const hi = customers[customers.length - 1]!.id;
  const [accounts, meters, registers, readings, bills] = await Promise.all([
    store.db.selectFrom('accounts').select(['customer_id', 'ladder_year_start_month'])
      .where('customer_id', '>=', lo).where('customer_id', '<=', hi).execute(),
    store.db.selectFrom('meters').select(METER_COLUMNS)
      .where('customer_id', '>=', lo).where('customer_id', '<=', hi).orderBy('id').execute(),
    store.db.selectFrom('registers').innerJoin('meters', 'meters.id', 'registers.meter_id')
      .selectAll('registers').where('meters.customer_id', '>=', lo).where('meters.customer_id', '<=', hi).orderBy('registers.id').execute(),
    store.db.selectFrom('readings').innerJoin('registers', 'registers.id', 'readings.register_id')
      .innerJoin('meters', 'meters.id', 'registers.meter_id')
      .select(['readings.register_id', 'readings.read_on', 'readings.value_hundredths', 'readings.source'])
      .where('meters.customer_id', '>=', lo).where('meters.customer_id', '<=', hi)
      .where('readings.read_on', '>=', q.readingsFrom).where('readings.read_on', '<=', q.readingsTo)
      .orderBy('readings.register_id').orderBy('readings.read_on').execute(),
    store.db.selectFrom('bills')
      .select(['customer_id', 'period', 'status', 'energy_kwh', 'tariff_code', 'multiplier', 'estimated_streak'])
      .where('customer_id', '>=', lo).where('customer_id', '<=', hi)
      .where('period', '>=', q.billsFromPeriod).where('period', '<=', q.billsToPeriod)
      .where('status', '!=', 'cancelled')
      .orderBy('customer_id').orderBy('period').execute(),
  ]);
  return {
    customers,
    accounts: new Map(accounts.map((a) => [a.customer_id, a])),
    meters: group(meters, (m) => m.customer_id),
    registers: group(registers, (r) => r.meter_id),
    readings: group(readings.map((r): BillingReading => [r.register_id, r.read_on, r.value_hundredths, r.source]), (r) => r[0]),
    bills: group(bills, (b) => b.customer_id),
  };
}

function emptyBatch(): BillingBatch {
  return { customers: [], accounts: new Map(), meters: new Map(), registers: new Map(), readings: new Map(), bills: new Map() };
}

// ── SQLite: the same slice in fewer, cheaper rows ────────────────────────────────────────────────
// Most of a run on SQLite went into turning rows into objects. Here accounts come joined to their
// customers and registers to their meters, readings arrive as arrays, and the statements are
// prepared once per connection. The bill run's worker reads through this with a connection of its
// own, so none of it goes through Kysely (which the worker does not load).

function customerSql(categories: number): string {
  const inCategories = categories === 0 ? '' : ` and c.category in (${Array<string>(categories).fill('?').join(', ')})`;
  return `select ${CUSTOMER_COLUMNS.map((c) => `c.${c}`).join(', ')}, a.ladder_year_start_month
    from customers c left join accounts a on a.customer_id = c.id
    where c.id > ? and c.status = 'active'${inCategories} order by c.id limit ?`;
}

const METER_REGISTER_SQL = `select ${METER_COLUMNS.map((c) => `m.${c}`).join(', ')}, r.id, r.kind, r.digits, r.rollover_allowed
  from meters m left join registers r on r.meter_id = m.id
  where m.customer_id >= ? and m.customer_id <= ? order by m.id, r.id`;

const READING_SQL = `select rd.register_id, rd.read_on, rd.value_hundredths, rd.source
  from readings rd join registers r on r.id = rd.register_id join meters m on m.id = r.meter_id
  where m.customer_id >= ? and m.customer_id <= ? and rd.read_on >= ? and rd.read_on <= ?
  order by rd.register_id, rd.read_on`;

const BILL_SQL = `select customer_id, period, status, energy_kwh, tariff_code, multiplier, estimated_streak from bills
  where customer_id >= ? and customer_id <= ? and period >= ? and period <= ? and status != 'cancelled'
  order by customer_id, period`;

type CustomerAccountRow = BillingCustomer & { readonly ladder_year_start_month: number | null };
type MeterRegisterTuple = [
  id: number, customerId: number, meterNo: string, ctRatio: number, ptRatio: number, installedOn: string, removedOn: string | null,
  registerId: number | null, kind: RegisterRow['kind'] | null, digits: number | null, rolloverAllowed: number | null,
];

/** One slice on a SQLite connection; the caller holds a transaction open around it. */
function readSqliteBatch(handle: BetterSqlite3.Database, q: BatchQuery): BillingBatch {
  const categories = q.categories ?? [];
  const rows = preparedStatement(handle, customerSql(categories.length))
    .all(q.afterCustomerId, ...categories, q.size) as CustomerAccountRow[];
  if (rows.length === 0) return emptyBatch();
  const customers: BillingCustomer[] = [];
  const accounts = new Map<number, BillingAccount>();
  for (const { ladder_year_start_month, ...customer } of rows) {
    customers.push(customer);
    if (ladder_year_start_month !== null) accounts.set(customer.id, { customer_id: customer.id, ladder_year_start_month });
  }
  const lo = customers[0]!.id;
  const hi = customers[customers.length - 1]!.id;
  const { meters, registers } = metersAndRegisters(preparedStatement(handle, METER_REGISTER_SQL).raw(true).all(lo, hi) as MeterRegisterTuple[]);
  const readings = preparedStatement(handle, READING_SQL).raw(true).all(lo, hi, q.readingsFrom, q.readingsTo) as BillingReading[];
  const bills = preparedStatement(handle, BILL_SQL).all(lo, hi, q.billsFromPeriod, q.billsToPeriod) as HistoryBill[];
  return { customers, accounts, meters, registers, readings: group(readings, (r) => r[0]), bills: group(bills, (b) => b.customer_id) };
}

function metersAndRegisters(rows: readonly MeterRegisterTuple[]): Pick<BillingBatch, 'meters' | 'registers'> {
  const meters = new Map<number, BillingMeter[]>();
  const registers = new Map<number, RegisterRow[]>();
  let last: BillingMeter | undefined;
  for (const [id, customerId, meterNo, ctRatio, ptRatio, installedOn, removedOn, registerId, kind, digits, rolloverAllowed] of rows) {
    if (last?.id !== id) {
      last = { id, customer_id: customerId, meter_no: meterNo, ct_ratio: ctRatio, pt_ratio: ptRatio, installed_on: installedOn, removed_on: removedOn };
      const list = meters.get(customerId);
      if (list) list.push(last);
      else meters.set(customerId, [last]);
    }
    if (registerId === null) continue;
    const register: RegisterRow = { id: registerId, meter_id: id, kind: kind!, digits: digits!, rollover_allowed: rolloverAllowed! };
    const list = registers.get(id);
    if (list) list.push(register);
    else registers.set(id, [register]);
  }
  return { meters, registers };
}

/** Reads slices of a SQLite file on a read-only connection of its own, each in one read transaction. */
export interface BillingBatchReader {
  load(q: BatchQuery): BillingBatch;
  close(): void;
}

/**
 * Opens the reader the bill run's worker loads through. The file must be in WAL mode (openStore
 * sets it): then this connection reads committed snapshots while another connection writes.
 */
export function openBillingBatchReader(path: string): BillingBatchReader {
  const handle = new BetterSqlite3(path, { readonly: true, fileMustExist: true, timeout: LIMITS.sqliteBusyTimeoutMs });
  const inReadTransaction = handle.transaction((q: BatchQuery) => readSqliteBatch(handle, q));
  return { load: (q) => inReadTransaction(q), close: () => handle.close() };
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
