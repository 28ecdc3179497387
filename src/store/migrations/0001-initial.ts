// The first schema: customers and their meters, readings, tariffs, bills, channels, payments,
// the double-entry ledger and the audit log.

import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  await createCustomers(db, dialect);
  await createMetering(db, dialect);
  await createBilling(db, dialect);
  await createPayments(db, dialect);
  await createLedgerAndAudit(db, dialect);
}

async function createCustomers(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('customers'))
    .addColumn('customer_no', t.str(13), (c) => c.notNull().unique())
    .addColumn('name', t.str(100), (c) => c.notNull())
    .addColumn('category', t.str(32), (c) => c.notNull())
    .addColumn('voltage', t.str(16), (c) => c.notNull())
    .addColumn('address', t.str(200), (c) => c.notNull())
    .addColumn('phone', t.str(20))
    .addColumn('id_number', t.str(32))
    .addColumn('credit_code', t.str(32))
    .addColumn('households', t.int(), (c) => c.notNull().defaultTo(1))
    .addColumn('tariff_code', t.str(64), (c) => c.notNull())
    .addColumn('time_of_use', t.int(), (c) => c.notNull().defaultTo(0))
    .addColumn('capacity_kva', t.int())
    .addColumn('contract_demand_kw', t.int())
    .addColumn('basic_basis', t.str(16))
    .addColumn('pf_standard', t.str(4))
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .execute();
  await t.id(db.schema.createTable('accounts'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().unique().references('customers.id'))
    .addColumn('payment_mode', t.str(16), (c) => c.notNull())
    .addColumn('ladder_year_start_month', t.int(), (c) => c.notNull().defaultTo(1))
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('opened_at', t.str(40), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customers_phone_ix').on('customers').column('phone').execute();
}

async function createMetering(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('meters'))
    .addColumn('meter_no', t.str(32), (c) => c.notNull().unique())
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('ct_ratio', t.int(), (c) => c.notNull())
    .addColumn('pt_ratio', t.int(), (c) => c.notNull())
    .addColumn('installed_on', t.str(10), (c) => c.notNull())
    .addColumn('removed_on', t.str(10))
    .addColumn('status', t.str(16), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('meters_customer_ix').on('meters').column('customer_id').execute();
  await t.id(db.schema.createTable('registers'))
    .addColumn('meter_id', t.big(), (c) => c.notNull().references('meters.id'))
    .addColumn('kind', t.str(16), (c) => c.notNull())
    .addColumn('digits', t.int(), (c) => c.notNull())
    .addColumn('rollover_allowed', t.int(), (c) => c.notNull())
    .addUniqueConstraint('registers_meter_kind_uq', ['meter_id', 'kind'])
    .execute();
  await t.id(db.schema.createTable('readings'))
    .addColumn('register_id', t.big(), (c) => c.notNull().references('registers.id'))
    .addColumn('read_on', t.str(10), (c) => c.notNull())
    .addColumn('value_hundredths', t.big(), (c) => c.notNull())
    .addColumn('source', t.str(16), (c) => c.notNull())
    .addColumn('recorded_at', t.str(40), (c) => c.notNull())
    .addUniqueConstraint('readings_register_day_uq', ['register_id', 'read_on'])
    .execute();
}

async function createBilling(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('tariffs'))
    .addColumn('code', t.str(64), (c) => c.notNull())
    .addColumn('version', t.int(), (c) => c.notNull())
    .addColumn('kind', t.str(32), (c) => c.notNull())
    .addColumn('name', t.str(100), (c) => c.notNull())
    .addColumn('effective_from', t.str(10), (c) => c.notNull())
    .addColumn('effective_to', t.str(10))
    .addColumn('document', t.text(), (c) => c.notNull())
    .addColumn('source', t.text(), (c) => c.notNull())
    .addColumn('published_at', t.str(40), (c) => c.notNull())
    .addUniqueConstraint('tariffs_code_version_uq', ['code', 'version'])
    .execute();
  await t.id(db.schema.createTable('bill_runs'))
    .addColumn('period', t.str(7), (c) => c.notNull())
    .addColumn('segment', t.str(32))
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('started_at', t.str(40), (c) => c.notNull())
    .addColumn('finished_at', t.str(40))
    .addColumn('summary', t.text())
    .execute();
  await t.id(db.schema.createTable('bills'))
    .addColumn('bill_no', t.str(32), (c) => c.notNull().unique())
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('run_id', t.big(), (c) => c.references('bill_runs.id'))
    .addColumn('period', t.str(7), (c) => c.notNull())
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('energy_kwh', t.big(), (c) => c.notNull())
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .addColumn('tariff_id', t.big(), (c) => c.references('tariffs.id'))
    .addColumn('tariff_code', t.str(64), (c) => c.notNull())
    .addColumn('multiplier', t.int())
    .addColumn('estimated', t.int(), (c) => c.notNull().defaultTo(0))
    .addColumn('estimated_streak', t.int(), (c) => c.notNull().defaultTo(0))
    .addColumn('issued_at', t.str(40))
    .addColumn('due_on', t.str(10))
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bills_customer_period_ix').on('bills').columns(['customer_id', 'period']).execute();
  await db.schema.createIndex('bills_period_status_ix').on('bills').columns(['period', 'status']).execute();
  await t.id(db.schema.createTable('bill_lines'))
    .addColumn('bill_id', t.big(), (c) => c.notNull().references('bills.id'))
    .addColumn('seq', t.int(), (c) => c.notNull())
    .addColumn('kind', t.str(32), (c) => c.notNull())
    .addColumn('code', t.str(64), (c) => c.notNull())
    .addColumn('label', t.str(100), (c) => c.notNull())
    .addColumn('quantity', t.str(32), (c) => c.notNull())
    .addColumn('unit', t.str(16), (c) => c.notNull())
    .addColumn('rate_micros', t.big())
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .addUniqueConstraint('bill_lines_bill_seq_uq', ['bill_id', 'seq'])
    .execute();
  await t.id(db.schema.createTable('bill_exceptions'))
    .addColumn('run_id', t.big(), (c) => c.notNull().references('bill_runs.id'))
    .addColumn('bill_id', t.big(), (c) => c.references('bills.id'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('period', t.str(7), (c) => c.notNull())
    .addColumn('rule', t.str(48), (c) => c.notNull())
    .addColumn('detail', t.text(), (c) => c.notNull())
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('resolved_by', t.str(64))
    .addColumn('resolved_at', t.str(40))
    .addColumn('resolution', t.text())
    .execute();
  await db.schema.createIndex('bill_exceptions_period_ix').on('bill_exceptions').columns(['period', 'status']).execute();
  await db.schema.createIndex('bill_exceptions_bill_ix').on('bill_exceptions').column('bill_id').execute();
  await db.schema.createIndex('bill_exceptions_customer_ix').on('bill_exceptions').columns(['customer_id', 'period']).execute();
}

async function createPayments(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('channels'))
    .addColumn('code', t.str(32), (c) => c.notNull().unique())
    .addColumn('name', t.str(100), (c) => c.notNull())
    .addColumn('kind', t.str(16), (c) => c.notNull())
    .addColumn('secret_enc', t.text(), (c) => c.notNull())
    .addColumn('operations', t.text(), (c) => c.notNull())
    .addColumn('enabled', t.int(), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('updated_at', t.str(40), (c) => c.notNull())
    .execute();
  await t.id(db.schema.createTable('payments'))
    .addColumn('channel_id', t.big(), (c) => c.notNull().references('channels.id'))
    .addColumn('channel_txn_id', t.str(64), (c) => c.notNull())
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .addColumn('accounting_date', t.str(10), (c) => c.notNull())
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('request_hash', t.str(64), (c) => c.notNull())
    .addColumn('response', t.text(), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addUniqueConstraint('payments_channel_txn_uq', ['channel_id', 'channel_txn_id'])
    .execute();
  await t.id(db.schema.createTable('payment_allocations'))
    .addColumn('payment_id', t.big(), (c) => c.notNull().references('payments.id'))
    .addColumn('bill_id', t.big(), (c) => c.references('bills.id'))
    .addColumn('kind', t.str(16), (c) => c.notNull())
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .execute();
}

async function createLedgerAndAudit(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('ledger_transactions'))
    .addColumn('kind', t.str(32), (c) => c.notNull())
    .addColumn('ref_kind', t.str(32))
    .addColumn('ref_id', t.big())
    .addColumn('accounting_date', t.str(10), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .execute();
  await t.id(db.schema.createTable('ledger_entries'))
    .addColumn('txn_id', t.big(), (c) => c.notNull().references('ledger_transactions.id'))
    .addColumn('account_code', t.str(64), (c) => c.notNull())
    .addColumn('customer_id', t.big(), (c) => c.references('customers.id'))
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_entries_account_ix').on('ledger_entries').columns(['account_code', 'customer_id']).execute();
  await db.schema.createIndex('ledger_entries_txn_ix').on('ledger_entries').column('txn_id').execute();
  await t.id(db.schema.createTable('audit_log'))
    .addColumn('at', t.str(40), (c) => c.notNull())
    .addColumn('actor', t.str(64), (c) => c.notNull())
    .addColumn('action', t.str(64), (c) => c.notNull())
    .addColumn('subject', t.str(128), (c) => c.notNull())
    .addColumn('detail', t.text(), (c) => c.notNull())
    .addColumn('prev_hash', t.str(64), (c) => c.notNull())
    .addColumn('hash', t.str(64), (c) => c.notNull())
    .execute();
}
