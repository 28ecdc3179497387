// Console login, sessions and logout. The password is checked against its scrypt hash (a user
// that does not exist costs the same time, so the answer does not tell whether a name exists);
// staffLoginFailuresMax failures in a row lock the account for staffLockoutMs. A session token
// is 256 random bits kept only as SHA-256; it lasts consoleSessionLifetimeMs. Logins, failed
// logins and logouts are audited under the username.

import { randomBytes } from 'node:crypto';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import {
  endConsoleSession, findConsoleSession, findStaffUser, insertConsoleSession, recordStaffLoginFailure, recordStaffLoginSuccess,
} from '../store/staff.repository.ts';
import type { StaffRole } from '../store/staff.table.ts';
import { newSessionToken, plusMs, tokenHash, utcInstant, verifyAgainstDecoy, verifySecret } from './customer-secrets.ts';

const CSRF_KEY_BYTES = 32;
/** Longer input is not a password of ours (policy: at most 128 characters); scrypt is not fed it. */
const LOGIN_INPUT_CHARS_MAX = 256;

/** Who is acting in the console. */
export interface StaffIdentity {
  readonly sessionId: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: StaffRole;
  /** Hex key for this session's CSRF tokens. */
  readonly csrfKey: string;
}

export interface StaffLogin extends StaffIdentity {
  /** The session token for the cookie; never stored or logged. */
  readonly token: string;
  readonly expiresAt: string;
}

async function failed(store: Store, staffId: number, username: string, at: string): Promise<never> {
  const locked = await recordStaffLoginFailure(store, staffId, LIMITS.staffLoginFailuresMax, plusMs(at, LIMITS.staffLockoutMs));
  await appendAudit(store, { at, actor: username, action: 'console-login-failed', subject: `staff:${username}`, detail: { locked } });
  throw new GridbillError(locked ? 'STAFF_LOCKED' : 'STAFF_LOGIN_FAILED');
}

export async function staffLogin(store: Store, input: { username: string; password: string; now: string }): Promise<StaffLogin> {
  const at = utcInstant(input.now);
  if (input.username.length > LOGIN_INPUT_CHARS_MAX || input.password.length > LOGIN_INPUT_CHARS_MAX) throw new GridbillError('STAFF_LOGIN_FAILED');
  const user = await findStaffUser(store, input.username);
  if (user === undefined || user.enabled !== 1) {
    await verifyAgainstDecoy(input.password);
    throw new GridbillError('STAFF_LOGIN_FAILED');
  }
  if (user.locked_until !== null && user.locked_until > at) throw new GridbillError('STAFF_LOCKED');
  const ok = await verifySecret(input.password, { hash: user.password_hash, salt: user.password_salt, params: user.password_params });
  if (!ok) return failed(store, user.id, user.username, at);
  const token = newSessionToken();
  const csrfKey = randomBytes(CSRF_KEY_BYTES).toString('hex');
  const expiresAt = plusMs(at, LIMITS.consoleSessionLifetimeMs);
  const sessionId = await inTransaction(store, async (tx) => {
    await recordStaffLoginSuccess(tx, user.id, at);
    const id = await insertConsoleSession(tx, { staff_id: user.id, token_hash: tokenHash(token), csrf_key: csrfKey, created_at: at, expires_at: expiresAt, ended_at: null });
    await appendAudit(tx, { at, actor: user.username, action: 'console-login', subject: `staff:${user.username}`, detail: { role: user.role } });
    return id;
  });
  return { sessionId, username: user.username, displayName: user.display_name, role: user.role, csrfKey, token, expiresAt };
}

/** The staff member of a session token; STAFF_SESSION_INVALID when it is unknown, ended, expired or its user disabled. */
export async function staffSession(store: Store, token: string, now: string): Promise<StaffIdentity> {
  const row = await findConsoleSession(store, tokenHash(token));
  if (row === undefined || row.ended_at !== null || row.expires_at <= utcInstant(now) || row.enabled !== 1) {
    throw new GridbillError('STAFF_SESSION_INVALID');
  }
  return { sessionId: row.id, username: row.username, displayName: row.display_name, role: row.role, csrfKey: row.csrf_key };
}

export async function staffLogout(store: Store, who: StaffIdentity, now: string): Promise<void> {
  const at = utcInstant(now);
  await inTransaction(store, async (tx) => {
    if (await endConsoleSession(tx, who.sessionId, at)) {
      await appendAudit(tx, { at, actor: who.username, action: 'console-logout', subject: `staff:${who.username}`, detail: {} });
    }
  });
}

/** An audit record of a console action that its use case does not record itself (under the staff user's name). */
export function recordConsoleAction(
  store: Store, record: { readonly actor: string; readonly action: string; readonly subject: string; readonly detail?: Readonly<Record<string, unknown>>; readonly now: string },
): Promise<void> {
  return appendAudit(store, { at: utcInstant(record.now), actor: record.actor, action: record.action, subject: record.subject, detail: record.detail ?? {} });
}
