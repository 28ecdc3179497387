// The one schema, as Kysely table types. Row types live in <name>.table.ts files; this interface
// names the tables. Amounts are integer fen (bigint columns), dates ISO text ('YYYY-MM-DD'),
// timestamps ISO text in UTC, booleans 0/1 integers: the same on SQLite, PostgreSQL and SQL Server.

import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { AccountTable, CustomerTable } from './customer.table.ts';
import type { MeterTable, ReadingTable, RegisterTable } from './meter.table.ts';
import type { TariffTable } from './tariff.table.ts';
import type { BillExceptionTable, BillLineTable, BillRunTable, BillTable } from './bill.table.ts';
import type { ChannelTable, PaymentAllocationTable, PaymentTable } from './payment.table.ts';
import type { LedgerEntryTable, LedgerTransactionTable } from './ledger.table.ts';
import type { AuditLogTable } from './audit.table.ts';
import type { WithholdingAgreementTable } from './withholding.table.ts';
import type { OnlinePaymentTable } from './online-payment.table.ts';
import type { CustomerCredentialTable, CustomerSessionTable, LoginCodeTable } from './customer-access.table.ts';
import type { SmsOutboxTable } from './sms-outbox.table.ts';
import type { ReconciliationBatchTable, ReconciliationDayTable, ReconciliationEntryTable, ReconciliationItemTable } from './reconciliation.table.ts';
import type { ChannelActivityTable } from './channel-activity.table.ts';
import type {
  AlertTable, BalanceNoticeTable, ControlCommandTable, ControlHolidayTable, EstimateSettlementTable, EstimationRunTable, EstimationSegmentTable,
  MeterIntervalTable, ProtectedCustomerTable, SchedulerLeaseTable, SmartEstimateTable,
} from './smart-payment.table.ts';
import type { ConsoleSessionTable, StaffUserTable } from './staff.table.ts';
import type { SmartEstimateMonthTable } from './estimate-month.table.ts';
import type { DirectDebitTable } from './direct-debit.table.ts';

export interface Database {
  customers: CustomerTable;
  accounts: AccountTable;
  meters: MeterTable;
  registers: RegisterTable;
  readings: ReadingTable;
  tariffs: TariffTable;
  bill_runs: BillRunTable;
  bills: BillTable;
  bill_lines: BillLineTable;
  bill_exceptions: BillExceptionTable;
  channels: ChannelTable;
  payments: PaymentTable;
  payment_allocations: PaymentAllocationTable;
  ledger_transactions: LedgerTransactionTable;
  ledger_entries: LedgerEntryTable;
  audit_log: AuditLogTable;
  withholding_agreements: WithholdingAgreementTable;
  online_payments: OnlinePaymentTable;
  customer_credentials: CustomerCredentialTable;
  login_codes: LoginCodeTable;
  customer_sessions: CustomerSessionTable;
  sms_outbox: SmsOutboxTable;
  reconciliation_days: ReconciliationDayTable;
  reconciliation_batches: ReconciliationBatchTable;
  reconciliation_entries: ReconciliationEntryTable;
  reconciliation_items: ReconciliationItemTable;
  channel_activity: ChannelActivityTable;
  estimation_segments: EstimationSegmentTable;
  estimation_runs: EstimationRunTable;
  smart_estimates: SmartEstimateTable;
  smart_estimate_months: SmartEstimateMonthTable;
  estimate_settlements: EstimateSettlementTable;
  meter_intervals: MeterIntervalTable;
  balance_notices: BalanceNoticeTable;
  control_commands: ControlCommandTable;
  control_holidays: ControlHolidayTable;
  protected_customers: ProtectedCustomerTable;
  alerts: AlertTable;
  scheduler_leases: SchedulerLeaseTable;
  staff_users: StaffUserTable;
  console_sessions: ConsoleSessionTable;
  direct_debits: DirectDebitTable;
}

export type DialectName = 'sqlite' | 'postgres' | 'mssql';

/**
 * What every repository function takes: the Kysely handle (or a transaction) and the dialect,
 * for the few statements that differ (SQL Server has OUTPUT where the others have RETURNING).
 */
export interface Store {
  readonly db: Kysely<Database> | Transaction<Database>;
  readonly dialect: DialectName;
  /**
   * On SQLite, the one connection Kysely runs on, for the bill run's prepared statements. Raw
   * statements bypass Kysely's connection lock, so they run only inside inTransaction (which
   * holds it): there they belong to that transaction and nothing else can interleave.
   */
  readonly sqlite?: BetterSqlite3.Database;
  /**
   * On a SQLite file, a second, read-only connection for reads outside a transaction (prepared
   * queries, prepared-query.ts). In WAL mode it reads the last committed state without waiting for
   * the writer: a group commit holds the one write connection across its units' awaits, and a read
   * of a QueryArrears queued behind it would wait for the disk; run on the write connection
   * instead, it would see the group's uncommitted writes. Never passed into a transaction: there,
   * every read belongs to the transaction.
   */
  readonly sqliteReader?: BetterSqlite3.Database;
}

/** Runs fn in one transaction: everything it writes lands together or not at all. */
export async function inTransaction<T>(store: Store, fn: (tx: Store) => Promise<T>): Promise<T> {
  if (store.db.isTransaction) return fn(store);
  return store.db.transaction().execute((trx) => fn({ db: trx, dialect: store.dialect, sqlite: store.sqlite }));
}

const preparedStatements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/**
 * On a SQLite store that is a transaction, a function preparing statements on its connection,
 * each SQL text once per connection (callers use a fixed set of texts, so the cache stays small);
 * otherwise undefined, and the caller goes through Kysely. Kysely holds the connection for the
 * transaction, so these statements belong to it and cannot interleave with another caller's.
 */
export function sqliteStatements(store: Store): ((text: string) => BetterSqlite3.Statement) | undefined {
  const handle = store.sqlite;
  if (handle === undefined || !store.db.isTransaction) return undefined;
  if (!handle.inTransaction) throw new Error('the SQLite connection is not in the transaction Kysely opened');
  return (text) => preparedStatement(handle, text);
}

/** The statement for an SQL text on a connection, prepared on first use and then reused. */
export function preparedStatement(handle: BetterSqlite3.Database, text: string): BetterSqlite3.Statement {
  let cache = preparedStatements.get(handle);
  if (!cache) preparedStatements.set(handle, cache = new Map());
  let statement = cache.get(text);
  if (!statement) cache.set(text, statement = handle.prepare(text));
  return statement;
}

/**
 * First n rows of an ordered select: SQL Server has TOP where the others have LIMIT. The count is
 * written into the SQL text, not bound: SQLite (built with STAT4) plans a statement again on every
 * run when a bound value may change the plan, and a bound LIMIT is one (measured 27 µs against 4 µs
 * for a page of control commands). A count is a checked integer, never caller text.
 * Typed loosely on the builder so it serves any select.
 */
export function firstRows<Q extends { limit(n: RawBuilder<number>): Q; top(n: number): Q }>(store: Store, query: Q, n: number): Q {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`row count ${n}: a non-negative integer`);
  return store.dialect === 'mssql' ? query.top(n) : query.limit(sql.lit(n));
}
