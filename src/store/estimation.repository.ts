// What the estimation run reads and writes for a slice of smart-payment accounts, with a handful
// of range queries on customer id (never one query per account), and its bulk writes: on SQLite
// as reused prepared statements inside the run's transaction, elsewhere as multi-row INSERTs.

import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { EstimationAlgorithm, NoticeLevel } from '../domain/estimation.ts';
import { LIMITS } from '../limits.ts';
import { firstRows, sqliteStatements, type Store } from './database.ts';
import type { CustomerCategory } from './customer.table.ts';
import type { EstimationAccount, EstimationSlice, EstimationSliceQuery, RegisterDay } from './estimation-slice.ts';
import { readSqliteEstimationSlice } from './estimation-slice-reader.ts';
import { insertReturningId } from './insert-id.ts';
import { assertBalanced, postLedgerTransaction, type LedgerPosting } from './ledger.repository.ts';
import type { EstimationSegmentRow, EstimationSegmentTable, NewSmartEstimate } from './smart-payment.table.ts';
import type { SmsTemplate } from './sms-outbox.table.ts';

export type { EstimationAccount, EstimationSlice, EstimationSliceQuery, RegisterDay } from './estimation-slice.ts';

export async function segmentSettingsRows(store: Store): Promise<EstimationSegmentRow[]> {
  return store.db.selectFrom('estimation_segments').selectAll().orderBy('segment').execute();
}

export async function updateSegmentSettingsRow(store: Store, segment: string, row: Omit<EstimationSegmentTable, 'segment'>): Promise<number> {
  const result = await store.db.updateTable('estimation_segments').set(row).where('segment', '=', segment).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function insertEstimationRun(store: Store, run: { day: string; slot: number; segment: string | null; startedAt: string }): Promise<number> {
  return insertReturningId(store, 'estimation_runs', {
    day: run.day, slot: run.slot, segment: run.segment, status: 'running', started_at: run.startedAt, finished_at: null, summary: null,
  });
}

export async function finishEstimationRun(store: Store, runId: number, status: 'finished' | 'failed', finishedAt: string, summary: unknown): Promise<void> {
  await store.db.updateTable('estimation_runs').set({ status, finished_at: finishedAt, summary: JSON.stringify(summary) })
    .where('id', '=', runId).execute();
}

async function sliceAccounts(store: Store, q: EstimationSliceQuery): Promise<EstimationAccount[]> {
  const query = store.db.selectFrom('customers').innerJoin('accounts', 'accounts.customer_id', 'customers.id')
    .select([
      'customers.id', 'customers.customer_no', 'customers.category', 'customers.voltage', 'customers.households', 'customers.tariff_code',
      'customers.time_of_use', 'customers.capacity_kva', 'customers.contract_demand_kw', 'customers.basic_basis', 'customers.phone',
      'accounts.ladder_year_start_month',
    ])
    .where('customers.id', '>', q.afterCustomerId).where('customers.status', '=', 'active')
    .where('customers.category', 'in', [...q.categories])
    .where('accounts.payment_mode', '=', 'smart-prepaid').where('accounts.status', '=', 'open')
    .orderBy('customers.id');
  return firstRows(store, query, q.size).execute();
}

/** The next slice of open smart-payment accounts of the categories after afterCustomerId, with their data. */
export async function loadEstimationSlice(store: Store, q: EstimationSliceQuery): Promise<EstimationSlice> {
  if (sqliteStatements(store) !== undefined) return readSqliteEstimationSlice(store.sqlite!, q);
  const accounts = await sliceAccounts(store, q);
  if (accounts.length === 0) return { accounts, readings: [], intervals: [], bills: [], estimates: [], dayKeys: [], prepaid: [] };
  const lo = accounts[0]!.id;
  const hi = accounts[accounts.length - 1]!.id;
  const [readings, intervals, bills, estimates, dayKeys, prepaid] = await Promise.all([
    q.data !== 'readings' ? [] : store.db.selectFrom('readings').innerJoin('registers', 'registers.id', 'readings.register_id')
      .innerJoin('meters', 'meters.id', 'registers.meter_id')
      .select(['meters.customer_id', 'readings.register_id', 'meters.ct_ratio', 'meters.pt_ratio', 'registers.digits', 'registers.rollover_allowed',
        'readings.read_on', 'readings.value_hundredths'])
      .where('meters.customer_id', '>=', lo).where('meters.customer_id', '<=', hi).where('registers.kind', '=', 'total')
      .where('readings.read_on', 'in', [...q.readingDays])
      .orderBy('readings.register_id').orderBy('readings.read_on').execute().then((rows) => registerDays(rows, q.readingDays[1])),
    q.data !== 'intervals' ? [] : store.db.selectFrom('meter_intervals').innerJoin('meters', 'meters.id', 'meter_intervals.meter_id')
      .select((eb) => ['meters.customer_id', eb.fn.sum<number | string>('meter_intervals.kwh_hundredths').as('kwh_hundredths')])
      .where('meters.customer_id', '>=', lo).where('meters.customer_id', '<=', hi)
      .where('meter_intervals.starts_at', '>=', q.intervalFrom).where('meter_intervals.starts_at', '<', q.intervalTo)
      .groupBy('meters.customer_id').execute(),
    store.db.selectFrom('bills').select(['customer_id', 'period', 'energy_kwh'])
      .where('customer_id', '>=', lo).where('customer_id', '<=', hi).where('period', '>=', q.fromMonth).where('status', '=', 'issued').execute(),
    store.db.selectFrom('smart_estimate_months').select(['customer_id', 'month', 'kwh'])
      .where('customer_id', '>=', lo).where('customer_id', '<=', hi).where('month', '>=', q.fromMonth).execute(),
    store.db.selectFrom('smart_estimates').select(['customer_id', 'period_key'])
      .where('customer_id', '>=', lo).where('customer_id', '<=', hi)
      .where('period_key', '>=', q.day).where('period_key', '<', `${q.day}U`).execute(),
    store.db.selectFrom('ledger_entries').select((eb) => ['customer_id', eb.fn.sum<number | string | null>('amount_fen').as('total')])
      .where('account_code', '=', 'prepaid').where('customer_id', '>=', lo).where('customer_id', '<=', hi)
      .groupBy('customer_id').execute(),
  ]);
  return { accounts, readings, intervals, bills, estimates, dayKeys, prepaid };
}

/** Readings in register order, one or two per register, as one RegisterDay per register. */
function registerDays(rows: ReadonlyArray<{
  customer_id: number; register_id: number; ct_ratio: number; pt_ratio: number; digits: number; rollover_allowed: number; read_on: string; value_hundredths: number;
}>, day: string): RegisterDay[] {
  const out: RegisterDay[] = [];
  for (let i = 0; i < rows.length; i += 1) {
    const r = rows[i]!;
    const next = rows[i + 1];
    const pair = next !== undefined && next.register_id === r.register_id;
    const start = r.read_on === day ? null : Number(r.value_hundredths);
    const end = r.read_on === day ? Number(r.value_hundredths) : pair ? Number(next.value_hundredths) : null;
    out.push([r.customer_id, r.register_id, r.ct_ratio, r.pt_ratio, r.digits, r.rollover_allowed, start, end]);
    if (pair) i += 1;
  }
  return out;
}

export const ESTIMATE_COLUMNS = [
  'customer_id', 'period_key', 'month', 'kwh', 'amount_fen', 'algorithm', 'estimated', 'run_id', 'created_at',
] as const satisfies ReadonlyArray<keyof NewSmartEstimate>;

/**
 * Inserts estimates and adds them to their months (smart_estimate_months) in the caller's
 * transaction; a unique violation means another run got there first, and aborts the slice.
 */
export async function insertEstimates(store: Store, rows: readonly NewSmartEstimate[]): Promise<void> {
  const prepare = sqliteStatements(store);
  if (prepare) {
    insertRowsSqlite(prepare, 'smart_estimates', ESTIMATE_COLUMNS, rows.length, (i, out) => {
      for (const c of ESTIMATE_COLUMNS) out.push(rows[i]![c] ?? null);
    });
    insertRowsSqlite(prepare, 'smart_estimate_months', MONTH_COLUMNS, rows.length, (i, out) => {
      const row = rows[i]!;
      out.push(row.customer_id, row.month, row.kwh, row.amount_fen);
    }, ADD_TO_MONTH);
    return;
  }
  const perChunk = Math.floor(LIMITS.dbBatchRowsMax / ESTIMATE_COLUMNS.length);
  for (let i = 0; i < rows.length; i += perChunk) {
    const chunk = rows.slice(i, i + perChunk);
    await store.db.insertInto('smart_estimates').values(chunk).execute();
    await recountMonths(store, chunk);
  }
}

const MONTH_COLUMNS = ['customer_id', 'month', 'kwh', 'amount_fen'] as const;
const ADD_TO_MONTH = 'on conflict (customer_id, month) do update set kwh = kwh + excluded.kwh, amount_fen = amount_fen + excluded.amount_fen';

/**
 * Sets the months of the estimates' customers to the sum of their estimates, statement by
 * statement: an upsert is spelled differently on every engine, a delete and an insert are not.
 */
async function recountMonths(store: Store, rows: readonly NewSmartEstimate[]): Promise<void> {
  const customers = [...new Set(rows.map((r) => r.customer_id))];
  const months = [...new Set(rows.map((r) => r.month))];
  await store.db.deleteFrom('smart_estimate_months').where('customer_id', 'in', customers).where('month', 'in', months).execute();
  await store.db.insertInto('smart_estimate_months').columns(MONTH_COLUMNS)
    .expression((eb) => eb.selectFrom('smart_estimates')
      .select(['customer_id', 'month', eb.fn.sum<number>('kwh').as('kwh'), eb.fn.sum<number>('amount_fen').as('amount_fen')])
      .where('customer_id', 'in', customers).where('month', 'in', months).groupBy(['customer_id', 'month']))
    .execute();
}

/** A slice's estimates as columns (one entry per account), with what they share. */
export interface EstimateColumns {
  readonly periodKey: string;
  readonly month: string;
  readonly runId: number;
  readonly createdAt: string;
  readonly customerIds: readonly number[];
  readonly kwh: readonly number[];
  readonly amountFen: readonly number[];
  readonly algorithms: readonly EstimationAlgorithm[];
  readonly estimated: readonly number[];
}

/** insertEstimates for a slice held as columns: no object per row on SQLite. */
export async function insertEstimateColumns(store: Store, c: EstimateColumns): Promise<void> {
  const prepare = sqliteStatements(store);
  if (prepare) {
    insertRowsSqlite(prepare, 'smart_estimates', ESTIMATE_COLUMNS, c.customerIds.length, (i, out) => {
      out.push(c.customerIds[i]!, c.periodKey, c.month, c.kwh[i]!, c.amountFen[i]!, c.algorithms[i]!, c.estimated[i]!, c.runId, c.createdAt);
    });
    insertRowsSqlite(prepare, 'smart_estimate_months', MONTH_COLUMNS, c.customerIds.length, (i, out) => {
      out.push(c.customerIds[i]!, c.month, c.kwh[i]!, c.amountFen[i]!);
    }, ADD_TO_MONTH);
    return;
  }
  await insertEstimates(store, c.customerIds.map((customerId, i) => ({
    customer_id: customerId, period_key: c.periodKey, month: c.month, kwh: c.kwh[i]!, amount_fen: c.amountFen[i]!,
    algorithm: c.algorithms[i]!, estimated: c.estimated[i]!, run_id: c.runId, created_at: c.createdAt,
  })));
}

/**
 * Rows per multi-row INSERT on SQLite: each statement run crosses from JavaScript into SQLite
 * once, so a slice goes in a few hundred runs instead of one per row; 64 rows of 9 columns stay
 * far below SQLite's 32,766 parameters.
 */
const SQLITE_ROWS_PER_INSERT = 64;

/** Inserts `count` rows, the values of row i pushed by valuesOf, in statements of many rows. */
function insertRowsSqlite(
  prepare: (text: string) => BetterSqlite3.Statement, table: string, columns: readonly string[], count: number,
  valuesOf: (i: number, out: unknown[]) => void, onConflict = '',
): void {
  const text = (rows: number): string => {
    const row = `(${columns.map(() => '?').join(', ')})`;
    return `insert into ${table} (${columns.join(', ')}) values ${Array<string>(rows).fill(row).join(', ')} ${onConflict}`;
  };
  const values: unknown[] = [];
  let i = 0;
  if (count >= SQLITE_ROWS_PER_INSERT) {
    const many = prepare(text(SQLITE_ROWS_PER_INSERT));
    for (; i + SQLITE_ROWS_PER_INSERT <= count; i += SQLITE_ROWS_PER_INSERT) {
      values.length = 0;
      for (let j = i; j < i + SQLITE_ROWS_PER_INSERT; j += 1) valuesOf(j, values);
      many.run(values);
    }
  }
  const one = prepare(text(1));
  for (; i < count; i += 1) {
    values.length = 0;
    valuesOf(i, values);
    one.run(values);
  }
}

/** One balanced posting with many legs; on SQLite through prepared statements (a run posts a million legs). */
export async function postBulkLedgerTransaction(store: Store, posting: LedgerPosting): Promise<void> {
  const prepare = sqliteStatements(store);
  if (!prepare) {
    await postLedgerTransaction(store, posting);
    return;
  }
  assertBalanced(posting.legs);
  const txn = prepare('insert into ledger_transactions (kind, ref_kind, ref_id, accounting_date, created_at) values (?, ?, ?, ?, ?)')
    .run(posting.kind, posting.refKind, posting.refId, posting.accountingDate, posting.createdAt);
  const { legs } = posting;
  insertRowsSqlite(prepare, 'ledger_entries', ['txn_id', 'account_code', 'customer_id', 'amount_fen'], legs.length, (i, out) => {
    const leg = legs[i]!;
    out.push(txn.lastInsertRowid, leg.accountCode, leg.customerId, leg.amountFen);
  });
}

/** The (customer, level) notices of a business day of the customers in [lo, hi], as `id|level`. */
export async function noticeKeysOfDay(store: Store, day: string, lo: number, hi: number): Promise<Set<string>> {
  const rows = await store.db.selectFrom('balance_notices').select(['customer_id', 'level'])
    .where('day', '=', day).where('customer_id', '>=', lo).where('customer_id', '<=', hi).execute();
  return new Set(rows.map((r) => `${r.customer_id}|${r.level}`));
}

/** A balance notice and the SMS that tells the customer (none without a phone). */
export interface NoticeWithSms {
  readonly notice: { readonly customer_id: number; readonly day: string; readonly level: NoticeLevel; readonly balance_fen: number; readonly created_at: string };
  readonly sms: { readonly phone: string; readonly template: SmsTemplate; readonly body: string } | null;
}

const NOTICE_COLUMNS = ['customer_id', 'day', 'level', 'balance_fen', 'created_at'] as const;
const SMS_COLUMNS = ['phone', 'customer_id', 'template', 'body', 'status', 'created_at', 'sent_at'] as const;

/** Many notices and their SMS at once (the outbox rows pending), in the caller's transaction. */
export async function insertNoticesWithSms(store: Store, rows: readonly NoticeWithSms[]): Promise<void> {
  const notices = rows.map((r) => r.notice);
  const sms = rows.flatMap((r) => r.sms === null ? [] : [{
    phone: r.sms.phone, customer_id: r.notice.customer_id, template: r.sms.template, body: r.sms.body,
    status: 'pending' as const, created_at: r.notice.created_at, sent_at: null,
  }]);
  const prepare = sqliteStatements(store);
  if (prepare) {
    insertRowsSqlite(prepare, 'balance_notices', NOTICE_COLUMNS, notices.length, (i, out) => { for (const c of NOTICE_COLUMNS) out.push(notices[i]![c]); });
    insertRowsSqlite(prepare, 'sms_outbox', SMS_COLUMNS, sms.length, (i, out) => { for (const c of SMS_COLUMNS) out.push(sms[i]![c]); });
    return;
  }
  const noticeChunk = Math.floor(LIMITS.dbBatchRowsMax / NOTICE_COLUMNS.length);
  for (let i = 0; i < notices.length; i += noticeChunk) await store.db.insertInto('balance_notices').values(notices.slice(i, i + noticeChunk)).execute();
  const smsChunk = Math.floor(LIMITS.dbBatchRowsMax / SMS_COLUMNS.length);
  for (let i = 0; i < sms.length; i += smsChunk) await store.db.insertInto('sms_outbox').values(sms.slice(i, i + smsChunk)).execute();
}

/** kWh and fen of a customer's estimates of a month. */
export async function estimatesOfMonth(store: Store, customerId: number, month: string): Promise<{ kwh: number; amountFen: number; count: number }> {
  const row = await store.db.selectFrom('smart_estimates')
    .select((eb) => [eb.fn.sum<number | string | null>('kwh').as('kwh'), eb.fn.sum<number | string | null>('amount_fen').as('amount'), eb.fn.countAll<number | string>().as('n')])
    .where('customer_id', '=', customerId).where('month', '=', month).executeTakeFirst();
  return { kwh: Number(row?.kwh ?? 0), amountFen: Number(row?.amount ?? 0), count: Number(row?.n ?? 0) };
}

/** Issued bills of smart-payment accounts of a period not settled against their estimates yet. */
export async function unsettledSmartBills(store: Store, period: string, afterBillId: number, limit: number) {
  const query = store.db.selectFrom('bills').innerJoin('accounts', 'accounts.customer_id', 'bills.customer_id')
    .leftJoin('estimate_settlements', 'estimate_settlements.bill_id', 'bills.id')
    .select(['bills.id', 'bills.bill_no', 'bills.customer_id', 'bills.amount_fen', 'bills.period', 'bills.penalty_through', 'bills.penalty_accrued_fen', 'bills.penalty_carried_fen'])
    .where('bills.period', '=', period).where('bills.status', '=', 'issued').where('bills.id', '>', afterBillId)
    .where('accounts.payment_mode', '=', 'smart-prepaid').where('estimate_settlements.id', 'is', null)
    .orderBy('bills.id');
  return firstRows(store, query, limit).execute();
}

export function insertSettlement(store: Store, row: {
  bill_id: number; customer_id: number; period: string; estimates_fen: number; bill_fen: number; settlement_fen: number; settled_at: string;
}): Promise<number> {
  return insertReturningId(store, 'estimate_settlements', row);
}

export function settlementOfBill(store: Store, billId: number) {
  return store.db.selectFrom('estimate_settlements').selectAll().where('bill_id', '=', billId).executeTakeFirst();
}

/** Interval energy of meters (the head-end's feed); an interval already stored is a unique violation. */
export async function insertMeterIntervals(store: Store, rows: ReadonlyArray<{ meter_id: number; starts_at: string; kwh_hundredths: number }>): Promise<void> {
  const perChunk = Math.floor(LIMITS.dbBatchRowsMax / 3);
  for (let i = 0; i < rows.length; i += perChunk) {
    await store.db.insertInto('meter_intervals').values(rows.slice(i, i + perChunk)).execute();
  }
}

/** Smart-payment accounts in the categories (for progress bars and the benchmark). */
export async function countSmartAccounts(store: Store, categories: readonly CustomerCategory[]): Promise<number> {
  const row = await store.db.selectFrom('accounts').innerJoin('customers', 'customers.id', 'accounts.customer_id')
    .select(sql<number | string>`count(*)`.as('n'))
    .where('accounts.payment_mode', '=', 'smart-prepaid').where('accounts.status', '=', 'open')
    .where('customers.status', '=', 'active').where('customers.category', 'in', [...categories]).executeTakeFirst();
  return Number(row?.n ?? 0);
}
