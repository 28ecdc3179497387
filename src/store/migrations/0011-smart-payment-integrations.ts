// Direct debit (代扣) of issued bills through the customer's withholding agreement.
//
// direct_debits: one row per bill the platform asks a bank to debit (unique bill_id: a bill is
// debited at most once, whatever runs). debit_id is the current attempt's requestId at the bank —
// its idempotency key: a Debit without an answer is sent again under the same id, never as a new
// debit; an attempt that failed is retried later under a new id (the bank answers a repeated id
// with its first answer, FAILED included). state moves
//   pending → sent → debited → posted,   sent → pending (retry) or failed,   pending → closed
// and the bank account is read from the agreement, never copied here.

import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('direct_debits'))
    .addColumn('bill_id', t.big(), (c) => c.notNull().unique().references('bills.id'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('agreement_id', t.big(), (c) => c.notNull().references('withholding_agreements.id'))
    .addColumn('debit_id', t.str(64))
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .addColumn('state', t.str(16), (c) => c.notNull())
    .addColumn('attempts', t.int(), (c) => c.notNull())
    .addColumn('next_attempt_at', t.str(40), (c) => c.notNull())
    .addColumn('failure', t.str(32))
    .addColumn('bank_txn_id', t.str(64))
    .addColumn('bank_accounting_date', t.str(10))
    .addColumn('payment_id', t.big())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('updated_at', t.str(40), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('direct_debits_due_ix').on('direct_debits').columns(['state', 'next_attempt_at']).execute();
}
