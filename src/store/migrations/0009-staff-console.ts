// The staff of the admin console (src/console): their accounts and their login sessions.
//
// - staff_users: one row per person. The password is kept only as an scrypt hash with its own
//   salt and the parameters it was made with (as customers' are, migration 0005). role is one of
//   the console's roles (billing-clerk, auditor, operator, administrator); what a role may do is
//   code (src/console/permissions.ts), never data, so a changed row cannot grant itself more.
//   A person who leaves is disabled, never deleted: the audit log names them by username.
//   failed_logins counts failures in a row; locked_until is set when they reach the limit.
// - console_sessions: only the SHA-256 of the session token (256 random bits, so a fast hash is
//   enough and the lookup is an index seek). csrf_key is the session's own key for the CSRF
//   tokens of its forms, kept in the row so every core behind a load balancer checks them alike.
//   ended_at is set by logout or when the user is disabled.

import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('staff_users'))
    .addColumn('username', t.str(32), (c) => c.notNull().unique())
    .addColumn('display_name', t.str(100), (c) => c.notNull())
    .addColumn('role', t.str(20), (c) => c.notNull())
    .addColumn('password_hash', t.str(128), (c) => c.notNull())
    .addColumn('password_salt', t.str(64), (c) => c.notNull())
    .addColumn('password_params', t.str(64), (c) => c.notNull())
    .addColumn('enabled', t.int(), (c) => c.notNull())
    .addColumn('failed_logins', t.int(), (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', t.str(40))
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('updated_at', t.str(40), (c) => c.notNull())
    .addColumn('last_login_at', t.str(40))
    .execute();

  await t.id(db.schema.createTable('console_sessions'))
    .addColumn('staff_id', t.big(), (c) => c.notNull().references('staff_users.id'))
    .addColumn('token_hash', t.str(64), (c) => c.notNull().unique())
    .addColumn('csrf_key', t.str(64), (c) => c.notNull())
    .addColumn('created_at', t.str(40), (c) => c.notNull())
    .addColumn('expires_at', t.str(40), (c) => c.notNull())
    .addColumn('ended_at', t.str(40))
    .execute();
  await db.schema.createIndex('console_sessions_staff_ix').on('console_sessions').column('staff_id').execute();
}
