// Online payments (CustomerService.PayOnline): one row per attempt, the record that lets a payment
// through the customer's bank survive a timeout or a crash between the bank's debit and the posting.
//
// - (customer_id, request_id) is unique: request_id is the portal's idempotency key, scoped to the
//   customer whose session sent it, so one customer can neither collide with nor learn of another's.
// - debit_id is the requestId gridbill sends the bank (its idempotency key there) and the
//   channel transaction id of the posted payment; unique, and never reused for another attempt.
// - state: checking → debit-sent → debited → posted, or failed; unknown when the bank did not
//   answer a Debit (settled by sending the same debit_id again). request_hash is the SHA-256 of
//   the attempt's canonical content: the same request_id with other content is refused.
// - lease_until_ms: until when (epoch milliseconds, comparable whatever the offset of the request
//   time) the request that owns the attempt is working on it; after it, a repeat may take it over.
// - bank_account is personal data stored as given (a Debit has to be sent again with it); never
//   logged or answered unmasked. response is the final answer, returned again for a repeat.
// - The online-banking payment channel itself is created at start-up, not here: a channel row
//   needs its secret sealed with the master key, which migrations do not have.

import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('online_payments'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('request_id', t.str(64), (c) => c.notNull())
    .addColumn('request_hash', t.str(64), (c) => c.notNull())
    .addColumn('bill_nos', t.text(), (c) => c.notNull())
    .addColumn('bank_account', t.str(30), (c) => c.notNull())
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .addColumn('debit_id', t.str(64), (c) => c.notNull())
    .addColumn('state', t.str(16), (c) => c.notNull())
    .addColumn('failure', t.str(32))
    .addColumn('bank_txn_id', t.str(64))
    .addColumn('bank_accounting_date', t.str(10))
    .addColumn('payment_id', t.big(), (c) => c.references('payments.id'))
    .addColumn('response', t.text())
    .addColumn('lease_until_ms', t.big(), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('updated_at', t.str(40), (c) => c.notNull())
    .addUniqueConstraint('online_payments_request_uq', ['customer_id', 'request_id'])
    .addUniqueConstraint('online_payments_debit_uq', ['debit_id'])
    .execute();
  await db.schema.createIndex('online_payments_state_ix').on('online_payments').column('state').execute();
}
