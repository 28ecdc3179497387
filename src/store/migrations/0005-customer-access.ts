// Customers' own access to the online business hall and the app (CustomerService).
//
// - customer_credentials: one row per customer with online access. The password is kept only as
//   an scrypt hash with its own random salt and the parameters it was made with (so the cost can
//   be raised later without invalidating stored hashes). failed_logins counts failures in a row;
//   locked_until is set when they reach the limit. email is the contact address the customer
//   keeps through UpdateProfile (the phone stays on customers.phone: it is the registered phone).
// - login_codes: the 6-digit SMS codes, stored as an scrypt hash with a salt, never as digits (a
//   SHA-256 of a 6-digit number is reversed by trying all million). purpose tells a login code
//   from a phone-change code; phone is where it was sent (for a phone change, the new phone).
//   attempts counts wrong entries; consumed_at is set when it was used or made void.
// - customer_sessions: only the SHA-256 of the session token (the token is 256 random bits, so a
//   fast hash is enough and lets the lookup be an index seek); ended_at is set by Logout.
// - sms_outbox: the transactional outbox. A message is written in the same transaction as the code
//   it carries, so a code is never stored without its SMS or sent without being stored. In
//   development the outbox is the SMS gateway simulator (`gridbill sms outbox`); a dispatcher
//   marks messages sent.

import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('customer_credentials'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().unique().references('customers.id'))
    .addColumn('password_hash', t.str(128), (c) => c.notNull())
    .addColumn('password_salt', t.str(64), (c) => c.notNull())
    .addColumn('password_params', t.str(64), (c) => c.notNull())
    .addColumn('failed_logins', t.int(), (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', t.str(40))
    .addColumn('email', t.str(254))
    .addColumn('opened_at', t.str(40), (c) => c.notNull())
    .addColumn('password_changed_at', t.str(40), (c) => c.notNull())
    .addColumn('last_login_at', t.str(40))
    .execute();

  await t.id(db.schema.createTable('login_codes'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('purpose', t.str(16), (c) => c.notNull())
    .addColumn('phone', t.str(20), (c) => c.notNull())
    .addColumn('code_hash', t.str(128), (c) => c.notNull())
    .addColumn('code_salt', t.str(64), (c) => c.notNull())
    .addColumn('code_params', t.str(64), (c) => c.notNull())
    .addColumn('attempts', t.int(), (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('expires_at', t.str(40), (c) => c.notNull())
    .addColumn('consumed_at', t.str(40))
    .execute();
  await db.schema.createIndex('login_codes_customer_ix').on('login_codes').columns(['customer_id', 'purpose', 'created_at']).execute();

  await t.id(db.schema.createTable('customer_sessions'))
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('token_hash', t.str(64), (c) => c.notNull().unique())
    .addColumn('channel_code', t.str(32), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('expires_at', t.str(40), (c) => c.notNull())
    .addColumn('ended_at', t.str(40))
    .execute();
  await db.schema.createIndex('customer_sessions_customer_ix').on('customer_sessions').column('customer_id').execute();

  await t.id(db.schema.createTable('sms_outbox'))
    .addColumn('phone', t.str(20), (c) => c.notNull())
    .addColumn('customer_id', t.big(), (c) => c.references('customers.id'))
    .addColumn('template', t.str(32), (c) => c.notNull())
    .addColumn('body', t.str(500), (c) => c.notNull())
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('sent_at', t.str(40))
    .execute();
  await db.schema.createIndex('sms_outbox_phone_ix').on('sms_outbox').column('phone').execute();
  await db.schema.createIndex('sms_outbox_status_ix').on('sms_outbox').column('status').execute();
}
