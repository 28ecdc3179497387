// The staff who use the admin console: added, listed and disabled by an administrator (in the
// console or with `gridbill staff`). A password is kept only as an scrypt hash (customer-secrets.ts)
// and follows the customers' policy: 8 to 128 characters with letters and digits. Nobody is ever
// deleted: the audit log names people by username, so a username is never given to someone else.
// Every change is audited, with who made it.

import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import {
  endSessionsOfStaff, findStaffUser, insertStaffUser, listStaffUsers, setStaffEnabled,
} from '../store/staff.repository.ts';
import type { StaffRole, StaffUserRow } from '../store/staff.table.ts';
import { checkPasswordPolicy, hashSecret, utcInstant } from './customer-secrets.ts';

export const STAFF_ROLES: readonly StaffRole[] = ['billing-clerk', 'auditor', 'operator', 'administrator'];
export type { StaffRole };

/** Lower-case letters, digits, '.', '_' and '-', starting with a letter: it appears in the audit log as it is. */
const USERNAME = /^[a-z][a-z0-9._-]{1,31}$/;
const DISPLAY_NAME_CHARS_MAX = 100;

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

export interface NewStaffInput {
  readonly username: string;
  readonly displayName?: string;
  readonly role: string;
  readonly password: string;
}

export interface StaffView {
  readonly username: string;
  readonly displayName: string;
  readonly role: StaffRole;
  readonly enabled: boolean;
  readonly lockedUntil: string | null;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}

export function staffView(row: StaffUserRow): StaffView {
  return {
    username: row.username, displayName: row.display_name, role: row.role, enabled: row.enabled === 1,
    lockedUntil: row.locked_until, createdAt: row.created_at, lastLoginAt: row.last_login_at,
  };
}

function checkInput(input: NewStaffInput): StaffRole {
  const problems: string[] = [];
  if (!USERNAME.test(input.username)) problems.push(`user "${input.username}": 2–32 lower-case letters, digits, ".", "_" or "-", first a letter`);
  if (!isStaffRole(input.role)) problems.push(`role "${input.role}": one of ${STAFF_ROLES.join(', ')}`);
  const name = input.displayName ?? input.username;
  // eslint-disable-next-line no-control-regex
  if (name.trim() === '' || [...name].length > DISPLAY_NAME_CHARS_MAX || /[\u0000-\u001F\u007F]/.test(name)) {
    problems.push(`display name: 1–${DISPLAY_NAME_CHARS_MAX} characters on one line`);
  }
  if (problems.length > 0) throw new GridbillError('STAFF_INVALID', problems.join('; '));
  checkPasswordPolicy(input.password);
  return input.role as StaffRole;
}

export async function addStaffUser(store: Store, input: NewStaffInput, actor: string, now: string): Promise<StaffView> {
  const role = checkInput(input);
  const at = utcInstant(now);
  const hashed = await hashSecret(input.password);
  return inTransaction(store, async (tx) => {
    if (await findStaffUser(tx, input.username)) throw new GridbillError('STAFF_EXISTS', input.username);
    await insertStaffUser(tx, {
      username: input.username, display_name: input.displayName ?? input.username, role, password_hash: hashed.hash,
      password_salt: hashed.salt, password_params: hashed.params, enabled: 1, locked_until: null, created_at: at, updated_at: at, last_login_at: null,
    });
    await appendAudit(tx, { at, actor, action: 'staff-add', subject: `staff:${input.username}`, detail: { role } });
    return staffView((await findStaffUser(tx, input.username))!);
  });
}

/** The demo staff of `gridbill serve all` (README "Admin console"): one user per role. */
export const DEMO_STAFF: readonly NewStaffInput[] = [
  { username: 'admin', displayName: '演示管理员', role: 'administrator', password: 'admin2026' },
  { username: 'clerk', displayName: '演示核算员', role: 'billing-clerk', password: 'clerk2026' },
  { username: 'auditor', displayName: '演示稽核员', role: 'auditor', password: 'auditor2026' },
  { username: 'operator', displayName: '演示运维员', role: 'operator', password: 'operator2026' },
];

/** Adds the demo staff who are missing; a demo user changed or disabled since is left as it is. */
export async function ensureDemoStaff(store: Store, now: string): Promise<number> {
  let added = 0;
  for (const user of DEMO_STAFF) {
    if (await findStaffUser(store, user.username)) continue;
    await addStaffUser(store, user, 'demo', now);
    added += 1;
  }
  return added;
}

export async function staffUsers(store: Store): Promise<StaffView[]> {
  return (await listStaffUsers(store)).map(staffView);
}

/** Disables (or enables again) a member of staff; disabling ends their open sessions at once. */
export function setStaffUserEnabled(store: Store, username: string, enabled: boolean, actor: string, now: string): Promise<StaffView> {
  const at = utcInstant(now);
  return inTransaction(store, async (tx) => {
    const row = await findStaffUser(tx, username);
    if (row === undefined) throw new GridbillError('STAFF_NOT_FOUND', username);
    await setStaffEnabled(tx, row.id, enabled, at);
    if (!enabled) await endSessionsOfStaff(tx, row.id, at);
    await appendAudit(tx, { at, actor, action: enabled ? 'staff-enable' : 'staff-disable', subject: `staff:${username}`, detail: {} });
    return staffView((await findStaffUser(tx, username))!);
  });
}
