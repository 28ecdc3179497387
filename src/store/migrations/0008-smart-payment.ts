// Smart payment (智能交费): daily fee estimation, balance reminders, remote disconnect/reconnect.
//
// - estimation_segments: the per-segment configuration as data (DOMAIN.md: "algorithm type,
//   frequency, window and the switch between algorithms are configured per segment"), seeded with
//   defaults here and editable afterwards; reminder thresholds and the cut-off hours live beside it.
// - smart_estimates: one row per account and estimation period; the unique (customer_id,
//   period_key) is what makes a re-run of a day charge nothing twice, whatever the caller.
// - meter_intervals: interval energy from smart meters (the interval-sum algorithm), kWh in
//   hundredths per interval start (UTC instant).
// - balance_notices: one reminder per account, level and business day (the SMS de-duplication).
// - control_commands: remote switch commands; status holds the contract's ControlCommandStatus
//   spelling (PENDING_APPROVAL …), which exists on the wire only, so nothing maps it.
// - control_holidays / protected_customers: the calendar and the protection list, as data.
// - alerts: failures someone must look at (a command the head-end refused or never confirmed).
// - scheduler_leases: one row per scheduled job; a core runs a job only while it holds the lease,
//   and records the last run key so that several cores run each occurrence once.

import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  await createEstimation(db, dialect);
  await createControl(db, dialect);
  await seedSegments(db);
}

async function createEstimation(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.createTable('estimation_segments')
    .addColumn('segment', t.str(32), (c) => c.primaryKey())
    .addColumn('algorithm', t.str(24), (c) => c.notNull())
    .addColumn('fallback', t.str(24), (c) => c.notNull())
    .addColumn('runs_per_day', t.int(), (c) => c.notNull())
    .addColumn('window_start', t.str(5), (c) => c.notNull())
    .addColumn('window_end', t.str(5), (c) => c.notNull())
    .addColumn('average_months', t.int(), (c) => c.notNull())
    .addColumn('peak_share_bp', t.int(), (c) => c.notNull())
    .addColumn('alarm1_fen', t.big(), (c) => c.notNull())
    .addColumn('alarm2_fen', t.big(), (c) => c.notNull())
    .addColumn('grace_hours', t.int(), (c) => c.notNull())
    .addColumn('cutoff_from', t.str(5), (c) => c.notNull())
    .addColumn('cutoff_to', t.str(5), (c) => c.notNull())
    .addColumn('updated_at', t.str(40), (c) => c.notNull())
    .addColumn('updated_by', t.str(64), (c) => c.notNull())
    .execute();
  await t.id(db.schema.createTable('estimation_runs'))
    .addColumn('day', t.str(10), (c) => c.notNull())
    .addColumn('slot', t.int(), (c) => c.notNull())
    .addColumn('segment', t.str(32))
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('started_at', t.str(40), (c) => c.notNull())
    .addColumn('finished_at', t.str(40))
    .addColumn('summary', t.text())
    .execute();
  await t.id(db.schema.createTable('smart_estimates'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('period_key', t.str(16), (c) => c.notNull())
    .addColumn('month', t.str(7), (c) => c.notNull())
    .addColumn('kwh', t.big(), (c) => c.notNull())
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .addColumn('algorithm', t.str(24), (c) => c.notNull())
    .addColumn('estimated', t.int(), (c) => c.notNull())
    .addColumn('run_id', t.big(), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addUniqueConstraint('smart_estimates_customer_period_uq', ['customer_id', 'period_key'])
    .execute();
  await t.id(db.schema.createTable('estimate_settlements'))
    .addColumn('bill_id', t.big(), (c) => c.notNull().unique().references('bills.id'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('period', t.str(7), (c) => c.notNull())
    .addColumn('estimates_fen', t.big(), (c) => c.notNull())
    .addColumn('bill_fen', t.big(), (c) => c.notNull())
    .addColumn('settlement_fen', t.big(), (c) => c.notNull())
    .addColumn('settled_at', t.str(40), (c) => c.notNull())
    .execute();
  await t.id(db.schema.createTable('meter_intervals'))
    .addColumn('meter_id', t.big(), (c) => c.notNull().references('meters.id'))
    .addColumn('starts_at', t.str(40), (c) => c.notNull())
    .addColumn('kwh_hundredths', t.big(), (c) => c.notNull())
    .addUniqueConstraint('meter_intervals_meter_start_uq', ['meter_id', 'starts_at'])
    .execute();
}

async function createControl(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('balance_notices'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('day', t.str(10), (c) => c.notNull())
    .addColumn('level', t.str(16), (c) => c.notNull())
    .addColumn('balance_fen', t.big(), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addUniqueConstraint('balance_notices_customer_day_level_uq', ['customer_id', 'day', 'level'])
    .execute();
  await t.id(db.schema.createTable('control_commands'))
    .addColumn('command_id', t.str(40), (c) => c.notNull().unique())
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('meter_id', t.big(), (c) => c.notNull().references('meters.id'))
    .addColumn('kind', t.str(16), (c) => c.notNull())
    .addColumn('status', t.str(20), (c) => c.notNull())
    .addColumn('reason', t.str(200), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('approved_by', t.str(64))
    .addColumn('approved_at', t.str(40))
    .addColumn('sent_at', t.str(40))
    .addColumn('completed_at', t.str(40))
    .addColumn('attempts', t.int(), (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', t.str(200))
    .execute();
  await db.schema.createIndex('control_commands_customer_ix').on('control_commands').columns(['customer_id', 'status']).execute();
  await db.schema.createIndex('control_commands_status_ix').on('control_commands').columns(['status', 'id']).execute();
  await db.schema.createTable('control_holidays')
    .addColumn('day', t.str(10), (c) => c.primaryKey())
    .addColumn('name', t.str(100), (c) => c.notNull())
    .execute();
  await db.schema.createTable('protected_customers')
    .addColumn('customer_id', t.big(), (c) => c.primaryKey().references('customers.id'))
    .addColumn('reason', t.str(200), (c) => c.notNull())
    .addColumn('until_day', t.str(10))
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .execute();
  await t.id(db.schema.createTable('alerts'))
    .addColumn('kind', t.str(32), (c) => c.notNull())
    .addColumn('subject', t.str(128), (c) => c.notNull())
    .addColumn('message', t.str(500), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('acknowledged_at', t.str(40))
    .execute();
  await db.schema.createTable('scheduler_leases')
    .addColumn('job', t.str(64), (c) => c.primaryKey())
    .addColumn('holder', t.str(64), (c) => c.notNull())
    .addColumn('expires_at', t.str(40), (c) => c.notNull())
    .addColumn('last_run_key', t.str(64))
    .execute();
}

/**
 * Defaults, from DOMAIN.md: residential once a day in a morning window, industrial several times a
 * day in production hours; no cut-off outside 08:00–17:00. Thresholds are a few days of a
 * typical customer's use of each segment (?): operators tune them with `gridbill estimate config`.
 */
async function seedSegments(db: AnyDb): Promise<void> {
  const base = { fallback: 'average-when-missing', average_months: 3, grace_hours: 24, cutoff_from: '08:00', cutoff_to: '17:00', updated_at: '1970-01-01T00:00:00.000Z', updated_by: 'migration' };
  await db.insertInto('estimation_segments').values([
    { ...base, segment: 'residential', algorithm: 'register-delta', runs_per_day: 1, window_start: '06:00', window_end: '08:00', peak_share_bp: 6000, alarm1_fen: 3000, alarm2_fen: 1000 },
    { ...base, segment: 'industrial-commercial', algorithm: 'interval-sum', runs_per_day: 4, window_start: '08:00', window_end: '20:00', peak_share_bp: 6000, alarm1_fen: 100_000, alarm2_fen: 30_000 },
    { ...base, segment: 'large-industry', algorithm: 'interval-sum', runs_per_day: 4, window_start: '08:00', window_end: '20:00', peak_share_bp: 6000, alarm1_fen: 1_000_000, alarm2_fen: 300_000 },
    { ...base, segment: 'agricultural', algorithm: 'register-delta', runs_per_day: 1, window_start: '06:00', window_end: '08:00', peak_share_bp: 6000, alarm1_fen: 3000, alarm2_fen: 1000 },
  ]).execute();
}
