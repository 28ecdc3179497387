// Staff accounts and console sessions (migration 0009). Counters are changed in the statement
// (`x = x + 1`), never read-modify-written, so concurrent failed logins all count.

import { sql } from 'kysely';
import type { Store } from './database.ts';
import { insertReturningId } from './insert-id.ts';
import type { NewConsoleSession, NewStaffUser, StaffRole, StaffUserRow } from './staff.table.ts';

export function insertStaffUser(store: Store, user: NewStaffUser): Promise<number> {
  return insertReturningId(store, 'staff_users', user);
}

export function findStaffUser(store: Store, username: string): Promise<StaffUserRow | undefined> {
  return store.db.selectFrom('staff_users').selectAll().where('username', '=', username).executeTakeFirst();
}

export function listStaffUsers(store: Store): Promise<StaffUserRow[]> {
  return store.db.selectFrom('staff_users').selectAll().orderBy('username').execute();
}

export async function setStaffEnabled(store: Store, staffId: number, enabled: boolean, at: string): Promise<void> {
  await store.db.updateTable('staff_users').set({ enabled: enabled ? 1 : 0, updated_at: at }).where('id', '=', staffId).execute();
}

/** Counts a failed login; at `failuresMax` in a row the account is locked until `lockedUntil`. True when it locked. */
export async function recordStaffLoginFailure(store: Store, staffId: number, failuresMax: number, lockedUntil: string): Promise<boolean> {
  await store.db.updateTable('staff_users').set({ failed_logins: sql`failed_logins + 1` }).where('id', '=', staffId).execute();
  const locked = await store.db.updateTable('staff_users').set({ failed_logins: 0, locked_until: lockedUntil })
    .where('id', '=', staffId).where('failed_logins', '>=', failuresMax).executeTakeFirst();
  return Number(locked.numUpdatedRows) === 1;
}

export async function recordStaffLoginSuccess(store: Store, staffId: number, at: string): Promise<void> {
  await store.db.updateTable('staff_users').set({ failed_logins: 0, locked_until: null, last_login_at: at }).where('id', '=', staffId).execute();
}

export function insertConsoleSession(store: Store, session: NewConsoleSession): Promise<number> {
  return insertReturningId(store, 'console_sessions', session);
}

export interface ConsoleSessionWithStaff {
  readonly id: number;
  readonly csrf_key: string;
  readonly expires_at: string;
  readonly ended_at: string | null;
  readonly staff_id: number;
  readonly username: string;
  readonly display_name: string;
  readonly role: StaffRole;
  readonly enabled: number;
}

export function findConsoleSession(store: Store, tokenHash: string): Promise<ConsoleSessionWithStaff | undefined> {
  return store.db.selectFrom('console_sessions')
    .innerJoin('staff_users', 'staff_users.id', 'console_sessions.staff_id')
    .select([
      'console_sessions.id', 'console_sessions.csrf_key', 'console_sessions.expires_at', 'console_sessions.ended_at',
      'staff_users.id as staff_id', 'staff_users.username', 'staff_users.display_name', 'staff_users.role', 'staff_users.enabled',
    ])
    .where('console_sessions.token_hash', '=', tokenHash).executeTakeFirst();
}

/** Ends a session that is still open; false when it had ended already. */
export async function endConsoleSession(store: Store, sessionId: number, at: string): Promise<boolean> {
  const result = await store.db.updateTable('console_sessions').set({ ended_at: at })
    .where('id', '=', sessionId).where('ended_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends every open session of a member of staff (disabled, or given a new password). */
export async function endSessionsOfStaff(store: Store, staffId: number, at: string): Promise<number> {
  const result = await store.db.updateTable('console_sessions').set({ ended_at: at })
    .where('staff_id', '=', staffId).where('ended_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
