// Bills, their lines, bill runs and exceptions. Drafts are replaced wholesale by a new run;
// issued bills are never updated except by issuing, and never deleted.

import type BetterSqlite3 from 'better-sqlite3';
import { LIMITS } from '../limits.ts';
import { firstRows, sqliteStatements, type Store } from './database.ts';
import type {
  BillExceptionRow, BillLineRow, BillRow, BillRunRow, ExceptionStatus, NewBill, NewBillException, NewBillLine,
} from './bill.table.ts';
import type { CustomerCategory } from './customer.table.ts';
import { insertReturningId } from './insert-id.ts';

export function insertBillRun(store: Store, run: { period: string; segment: string | null; startedAt: string }): Promise<number> {
  return insertReturningId(store, 'bill_runs', {
    period: run.period, segment: run.segment, status: 'running', started_at: run.startedAt, finished_at: null, summary: null,
  });
}

export async function finishBillRun(store: Store, runId: number, status: 'finished' | 'failed', finishedAt: string, summary: unknown): Promise<void> {
  await store.db.updateTable('bill_runs').set({ status, finished_at: finishedAt, summary: JSON.stringify(summary) })
    .where('id', '=', runId).execute();
}

export function findBillRun(store: Store, runId: number): Promise<BillRunRow | undefined> {
  return store.db.selectFrom('bill_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

export function runsOfPeriod(store: Store, period: string): Promise<BillRunRow[]> {
  return store.db.selectFrom('bill_runs').selectAll().where('period', '=', period).orderBy('id').execute();
}

/** Removes the drafts of a period (of some categories) with their lines and exceptions. */
export async function deleteDrafts(store: Store, period: string, categories: readonly CustomerCategory[] | null): Promise<void> {
  const inSegment = store.db.selectFrom('customers').select('id').where('category', 'in', [...(categories ?? [])]);
  let drafts = store.db.selectFrom('bills').select('id').where('period', '=', period).where('status', '=', 'draft');
  if (categories) drafts = drafts.where('customer_id', 'in', inSegment);
  // Exceptions of a draft, and those of customers that got no bill (bill_id null) in the segment.
  let orphans = store.db.deleteFrom('bill_exceptions').where('period', '=', period).where('bill_id', 'is', null);
  if (categories) orphans = orphans.where('customer_id', 'in', inSegment);
  await orphans.execute();
  await store.db.deleteFrom('bill_exceptions').where('bill_id', 'in', drafts).execute();
  await store.db.deleteFrom('bill_lines').where('bill_id', 'in', drafts).execute();
  await store.db.deleteFrom('bills').where('id', 'in', drafts).execute();
}

/** Inserts bills and returns their ids by bill number (RETURNING order is not promised). */
export async function insertBills(store: Store, bills: readonly NewBill[]): Promise<Map<string, number>> {
  const prepare = sqliteStatements(store);
  if (prepare) return sqliteInsertBills(prepare, valuesOf(BILL_COLUMNS, bills));
  const ids = new Map<string, number>();
  for (let i = 0; i < bills.length; i += LIMITS.dbBatchRowsMax / 20) {
    const chunk = bills.slice(i, i + LIMITS.dbBatchRowsMax / 20);
    const insert = store.db.insertInto('bills').values(chunk);
    const rows = store.dialect === 'mssql'
      ? await insert.output(['inserted.id', 'inserted.bill_no']).execute()
      : await insert.returning(['id', 'bill_no']).execute();
    for (const row of rows) ids.set(row.bill_no, Number(row.id));
  }
  return ids;
}

async function insertInChunks<T>(rows: readonly T[], columns: number, write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  const perChunk = Math.max(1, Math.floor((LIMITS.dbBatchRowsMax * 4) / columns));
  for (let i = 0; i < rows.length; i += perChunk) await write(rows.slice(i, i + perChunk));
}

export async function insertBillLines(store: Store, lines: readonly NewBillLine[]): Promise<void> {
  const prepare = sqliteStatements(store);
  if (prepare) sqliteInsert(prepare, 'bill_lines', LINE_COLUMNS, valuesOf(LINE_COLUMNS, lines));
  else await insertInChunks(lines, LINE_COLUMNS.length, (chunk) => store.db.insertInto('bill_lines').values(chunk).execute());
}

export async function insertBillExceptions(store: Store, exceptions: readonly NewBillException[]): Promise<void> {
  const prepare = sqliteStatements(store);
  if (prepare) sqliteInsert(prepare, 'bill_exceptions', EXCEPTION_COLUMNS, valuesOf(EXCEPTION_COLUMNS, exceptions));
  else await insertInChunks(exceptions, EXCEPTION_COLUMNS.length, (chunk) => store.db.insertInto('bill_exceptions').values(chunk).execute());
}

// ── The bill run's rows as flat values ────────────────────────────────────────────────────────────
// The bill run computes its rows off the writing thread and hands them over as one flat array of
// values per table, in the column order below: cheap to pass between threads, and on SQLite bound
// to the prepared INSERTs as they are, without an object per row.

export const BILL_COLUMNS = [
  'bill_no', 'customer_id', 'run_id', 'period', 'status', 'energy_kwh', 'amount_fen', 'tariff_id', 'tariff_code',
  'multiplier', 'estimated', 'estimated_streak', 'issued_at', 'due_on', 'created_at',
] as const satisfies ReadonlyArray<keyof NewBill>;
export const LINE_COLUMNS = [
  'bill_id', 'seq', 'kind', 'code', 'label', 'quantity', 'unit', 'rate_micros', 'amount_fen',
] as const satisfies ReadonlyArray<keyof NewBillLine>;
export const EXCEPTION_COLUMNS = [
  'run_id', 'bill_id', 'customer_id', 'period', 'rule', 'detail', 'status', 'resolved_by', 'resolved_at', 'resolution',
] as const satisfies ReadonlyArray<keyof NewBillException>;

/** Rows' values, row after row, in the order of `columns`. */
export type FlatRows = readonly unknown[];

function valuesOf<R extends object>(columns: ReadonlyArray<keyof R & string>, rows: readonly R[]): unknown[] {
  const values: unknown[] = [];
  for (const row of rows) for (const column of columns) values.push(row[column] ?? null);
  return values;
}

function rowsOf<R>(columns: readonly string[], values: FlatRows): R[] {
  assertWholeRows(columns, values);
  const rows: R[] = [];
  for (let i = 0; i < values.length; i += columns.length) {
    rows.push(Object.fromEntries(columns.map((column, c) => [column, values[i + c]])) as R);
  }
  return rows;
}

function assertWholeRows(columns: readonly string[], values: FlatRows): void {
  if (values.length % columns.length !== 0) throw new RangeError(`${values.length} values are not whole rows of ${columns.length} columns`);
}

/** Inserts bills given as flat values (BILL_COLUMNS); returns their ids in the order given. */
export async function insertBillValues(store: Store, values: FlatRows): Promise<number[]> {
  const prepare = sqliteStatements(store);
  const byNo = prepare ? sqliteInsertBills(prepare, values) : await insertBills(store, rowsOf<NewBill>(BILL_COLUMNS, values));
  const ids: number[] = [];
  for (let i = 0; i < values.length; i += BILL_COLUMNS.length) ids.push(byNo.get(values[i] as string)!);
  return ids;
}

/** Inserts bill lines given as flat values (LINE_COLUMNS). */
export async function insertBillLineValues(store: Store, values: FlatRows): Promise<void> {
  const prepare = sqliteStatements(store);
  if (prepare) sqliteInsert(prepare, 'bill_lines', LINE_COLUMNS, values);
  else await insertBillLines(store, rowsOf<NewBillLine>(LINE_COLUMNS, values));
}

/** Inserts bill exceptions given as flat values (EXCEPTION_COLUMNS). */
export async function insertBillExceptionValues(store: Store, values: FlatRows): Promise<void> {
  const prepare = sqliteStatements(store);
  if (prepare) sqliteInsert(prepare, 'bill_exceptions', EXCEPTION_COLUMNS, values);
  else await insertBillExceptions(store, rowsOf<NewBillException>(EXCEPTION_COLUMNS, values));
}

// ── SQLite: the bill run's inserts as reused prepared statements ─────────────────────────────────
// Building and compiling a Kysely statement per chunk cost more than SQLite took to run it. On
// SQLite the same rows go through multi-row INSERTs prepared once per connection and table.

/** Rows per prepared multi-row INSERT: 100 × 15 columns stays far under SQLite's 32,766 parameters. */
const SQLITE_ROWS_PER_INSERT = 100;

function insertSql(table: string, columns: readonly string[], rows: number, returning: string | undefined): string {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array<string>(rows).fill(tuple).join(', ')}`
    + (returning === undefined ? '' : ` returning ${returning}`);
}

function sqliteInsertBills(prepare: (text: string) => BetterSqlite3.Statement, values: FlatRows): Map<string, number> {
  const ids = new Map<string, number>();
  for (const row of sqliteInsert(prepare, 'bills', BILL_COLUMNS, values, 'id, bill_no') as Array<{ id: number; bill_no: string }>) {
    ids.set(row.bill_no, row.id);
  }
  return ids;
}

/** Inserts flat rows in chunks of SQLITE_ROWS_PER_INSERT, then one by one; returns the RETURNING rows. */
function sqliteInsert(
  prepare: (text: string) => BetterSqlite3.Statement, table: string, columns: readonly string[], values: FlatRows, returning?: string,
): unknown[] {
  assertWholeRows(columns, values);
  const returned: unknown[] = [];
  const rows = values.length / columns.length;
  let i = 0;
  while (i < rows) {
    const n = rows - i >= SQLITE_ROWS_PER_INSERT ? SQLITE_ROWS_PER_INSERT : 1;
    const statement = prepare(insertSql(table, columns, n, returning));
    const chunk = values.slice(i * columns.length, (i + n) * columns.length);
    if (returning === undefined) statement.run(chunk);
    else for (const row of statement.all(chunk)) returned.push(row);
    i += n;
  }
  return returned;
}

export function findBillByNo(store: Store, billNo: string): Promise<BillRow | undefined> {
  return store.db.selectFrom('bills').selectAll().where('bill_no', '=', billNo).executeTakeFirst();
}

export function linesOfBill(store: Store, billId: number): Promise<BillLineRow[]> {
  return store.db.selectFrom('bill_lines').selectAll().where('bill_id', '=', billId).orderBy('seq').execute();
}

export function exceptionsOfBill(store: Store, billId: number): Promise<BillExceptionRow[]> {
  return store.db.selectFrom('bill_exceptions').selectAll().where('bill_id', '=', billId).orderBy('id').execute();
}

export interface ExceptionFilter {
  readonly period?: string;
  readonly status?: ExceptionStatus;
  readonly rule?: string;
  readonly afterId?: number;
  readonly limit: number;
}

export function listExceptions(store: Store, filter: ExceptionFilter): Promise<BillExceptionRow[]> {
  let query = store.db.selectFrom('bill_exceptions').selectAll().where('id', '>', filter.afterId ?? 0);
  if (filter.period) query = query.where('period', '=', filter.period);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.rule) query = query.where('rule', '=', filter.rule);
  return firstRows(store, query.orderBy('id'), filter.limit).execute();
}

export async function resolveException(
  store: Store, id: number, decision: { status: 'resolved' | 'accepted'; by: string; at: string; resolution: string },
): Promise<boolean> {
  const result = await store.db.updateTable('bill_exceptions')
    .set({ status: decision.status, resolved_by: decision.by, resolved_at: decision.at, resolution: decision.resolution })
    .where('id', '=', id).where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Drafts of a period (of some categories) without an open exception, after `afterId`, oldest first. */
export function issuableDrafts(
  store: Store, period: string, afterId: number, limit: number, categories: readonly CustomerCategory[] | null = null,
): Promise<BillRow[]> {
  let query = store.db.selectFrom('bills').selectAll()
    .where('period', '=', period).where('status', '=', 'draft').where('id', '>', afterId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('bill_exceptions').select('bill_exceptions.id')
      .whereRef('bill_exceptions.bill_id', '=', 'bills.id').where('bill_exceptions.status', '=', 'open'))));
  if (categories) query = query.where('customer_id', 'in', store.db.selectFrom('customers').select('id').where('category', 'in', [...categories]));
  return firstRows(store, query.orderBy('id'), limit).execute();
}

/** Marks drafts issued; only rows still in draft change, so two issuers cannot issue one bill twice. */
export async function markIssued(store: Store, billIds: readonly number[], issuedAt: string, dueOn: string): Promise<number> {
  if (billIds.length === 0) return 0;
  const result = await store.db.updateTable('bills').set({ status: 'issued', issued_at: issuedAt, due_on: dueOn })
    .where('id', 'in', [...billIds]).where('status', '=', 'draft').executeTakeFirst();
  return Number(result.numUpdatedRows);
}
