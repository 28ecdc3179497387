// Channel payments: the penalty state of a bill, the before-state a reversal restores, and the
// reversals themselves.
//
// - bills.penalty_through: the last day whose late fee has been settled into the bill's state
//   (null: none yet, the penalty runs from the day after due_on). A later settlement accrues only
//   from the day after it, so a day is never charged twice.
// - bills.penalty_accrued_fen: the exact late fee (each segment rounded once) of every day up to
//   penalty_through, before the minimum; the minimum is a floor on this cumulative figure.
// - bills.penalty_carried_fen: late fee charged up to penalty_through and not yet paid.
// - payment_allocations.*_before: the bill's penalty state before the payment, restored exactly by
//   a reversal.
// - payments.reversal_*: the reversal of a payment (at most one), kept on its row; (channel,
//   reversal txn id) is unique among reversals, the reversal's idempotency key.

import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('bills').addColumn('penalty_through', t.str(10)).execute();
  await db.schema.alterTable('bills').addColumn('penalty_accrued_fen', t.big(), (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('bills').addColumn('penalty_carried_fen', t.big(), (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('payment_allocations').addColumn('penalty_through_before', t.str(10)).execute();
  await db.schema.alterTable('payment_allocations').addColumn('penalty_accrued_before_fen', t.big()).execute();
  await db.schema.alterTable('payment_allocations').addColumn('penalty_carried_before_fen', t.big()).execute();
  await db.schema.createIndex('payment_allocations_bill_ix').on('payment_allocations').column('bill_id').execute();
  await db.schema.createIndex('payment_allocations_payment_ix').on('payment_allocations').column('payment_id').execute();
  await db.schema.createIndex('payments_customer_ix').on('payments').column('customer_id').execute();
  for (const [name, type] of [
    ['reversal_txn_id', t.str(64)], ['reversal_accounting_date', t.str(10)], ['reversal_request_hash', t.str(64)],
    ['reversal_response', t.text()], ['reversed_at', t.str(40)],
  ] as const) {
    await db.schema.alterTable('payments').addColumn(name, type).execute();
  }
  // Partial: only reversed payments carry an id (SQL Server would otherwise count NULLs as equal).
  await db.schema.createIndex('payments_channel_reversal_uq').on('payments').columns(['channel_id', 'reversal_txn_id']).unique()
    .where('reversal_txn_id', 'is not', null).execute();
}
