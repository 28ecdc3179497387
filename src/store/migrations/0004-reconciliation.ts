// Daily reconciliation of a channel's accounting date (ChannelPaymentService.Reconcile,
// `gridbill reconcile`), and the per-channel reversal window.
//
// - channels.reversal_days: how many days after a payment's accounting date the channel may still
//   reverse it (null: the platform default, LIMITS.accountingDaysBehindMax, which was everyone's
//   window before this migration).
// - reconciliation_days: one row per (channel, accounting date), created by its first batch. The
//   totals and batch count every batch must repeat, running sums of the entries received, and —
//   once status is 'reconciled' — the result counts. Never reconciled twice: the row stays.
// - reconciliation_batches: each received batch with the SHA-256 of its canonical content (the
//   idempotency key: the same batch again is answered from here) and the answer it was given.
// - reconciliation_entries: the channel's entries, kept for review; a channel transaction id once
//   per day.
// - reconciliation_items: the discrepancies found (channel-only 长款, platform-only 短款,
//   amount-mismatch), each open for review.
// - payments_channel_date_ix: the platform side of a day is read by (channel, accounting date).

import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('channels').addColumn('reversal_days', t.int()).execute();
  await db.schema.createIndex('payments_channel_date_ix').on('payments').columns(['channel_id', 'accounting_date']).execute();
  await t.id(db.schema.createTable('reconciliation_days'))
    .addColumn('channel_id', t.big(), (c) => c.notNull().references('channels.id'))
    .addColumn('accounting_date', t.str(10), (c) => c.notNull())
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('total_count', t.big(), (c) => c.notNull())
    .addColumn('total_amount_fen', t.big(), (c) => c.notNull())
    .addColumn('batch_count', t.int(), (c) => c.notNull())
    .addColumn('batches_received', t.int(), (c) => c.notNull())
    .addColumn('entry_count', t.big(), (c) => c.notNull())
    .addColumn('entry_amount_fen', t.big(), (c) => c.notNull())
    .addColumn('matched_count', t.big())
    .addColumn('matched_amount_fen', t.big())
    .addColumn('channel_only_count', t.big())
    .addColumn('platform_only_count', t.big())
    .addColumn('amount_mismatch_count', t.big())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('reconciled_at', t.str(40))
    .addUniqueConstraint('reconciliation_days_channel_date_uq', ['channel_id', 'accounting_date'])
    .execute();
  await t.id(db.schema.createTable('reconciliation_batches'))
    .addColumn('day_id', t.big(), (c) => c.notNull().references('reconciliation_days.id'))
    .addColumn('batch_no', t.int(), (c) => c.notNull())
    .addColumn('request_hash', t.str(64), (c) => c.notNull())
    .addColumn('entry_count', t.int(), (c) => c.notNull())
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .addColumn('status_after', t.str(16), (c) => c.notNull())
    .addColumn('batches_received_after', t.int(), (c) => c.notNull())
    .addColumn('received_at', t.str(40), (c) => c.notNull())
    .addUniqueConstraint('reconciliation_batches_day_no_uq', ['day_id', 'batch_no'])
    .execute();
  await t.id(db.schema.createTable('reconciliation_entries'))
    .addColumn('day_id', t.big(), (c) => c.notNull().references('reconciliation_days.id'))
    .addColumn('batch_no', t.int(), (c) => c.notNull())
    .addColumn('channel_txn_id', t.str(64), (c) => c.notNull())
    .addColumn('customer_no', t.str(13), (c) => c.notNull())
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .addUniqueConstraint('reconciliation_entries_day_txn_uq', ['day_id', 'channel_txn_id'])
    .execute();
  await t.id(db.schema.createTable('reconciliation_items'))
    .addColumn('day_id', t.big(), (c) => c.notNull().references('reconciliation_days.id'))
    .addColumn('kind', t.str(16), (c) => c.notNull())
    .addColumn('channel_txn_id', t.str(64), (c) => c.notNull())
    .addColumn('customer_no', t.str(13), (c) => c.notNull())
    .addColumn('channel_amount_fen', t.big())
    .addColumn('platform_amount_fen', t.big())
    .addColumn('payment_id', t.big(), (c) => c.references('payments.id'))
    .addColumn('review_status', t.str(16), (c) => c.notNull())
    .addUniqueConstraint('reconciliation_items_day_kind_txn_uq', ['day_id', 'kind', 'channel_txn_id'])
    .execute();
}
