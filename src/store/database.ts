// The one schema, as Kysely table types. Row types live in <name>.table.ts files; this interface
// names the tables. Amounts are integer fen (bigint columns), dates ISO text ('YYYY-MM-DD'),
// timestamps ISO text in UTC, booleans 0/1 integers: the same on SQLite, PostgreSQL and SQL Server.

import type { Kysely, Transaction } from 'kysely';
import type { AccountTable, CustomerTable } from './customer.table.ts';
import type { MeterTable, ReadingTable, RegisterTable } from './meter.table.ts';
import type { TariffTable } from './tariff.table.ts';
import type { BillLineTable, BillRunTable, BillTable } from './bill.table.ts';
import type { ChannelTable, PaymentAllocationTable, PaymentTable } from './payment.table.ts';
import type { LedgerEntryTable, LedgerTransactionTable } from './ledger.table.ts';
import type { AuditLogTable } from './audit.table.ts';

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
  channels: ChannelTable;
  payments: PaymentTable;
  payment_allocations: PaymentAllocationTable;
  ledger_transactions: LedgerTransactionTable;
  ledger_entries: LedgerEntryTable;
  audit_log: AuditLogTable;
}

export type DialectName = 'sqlite' | 'postgres' | 'mssql';

/**
 * What every repository function takes: the Kysely handle (or a transaction) and the dialect,
 * for the few statements that differ (SQL Server has OUTPUT where the others have RETURNING).
 */
export interface Store {
  readonly db: Kysely<Database> | Transaction<Database>;
  readonly dialect: DialectName;
}

/** Runs fn in one transaction: everything it writes lands together or not at all. */
export async function inTransaction<T>(store: Store, fn: (tx: Store) => Promise<T>): Promise<T> {
  if (store.db.isTransaction) return fn(store);
  return store.db.transaction().execute((trx) => fn({ db: trx, dialect: store.dialect }));
}

/**
 * First n rows of an ordered select: SQL Server has TOP where the others have LIMIT.
 * Typed loosely on the builder so it serves any select.
 */
export function firstRows<Q extends { limit(n: number): Q; top(n: number): Q }>(store: Store, query: Q, n: number): Q {
  return store.dialect === 'mssql' ? query.top(n) : query.limit(n);
}
