// Online access: credentials, SMS codes and sessions. Counters are changed in the statement
// (`x = x + 1`), never read-modify-written, so concurrent failed logins all count.

import { sql } from 'kysely';
import { firstRows, type Store } from './database.ts';
import { insertReturningId } from './insert-id.ts';
import type {
  CustomerCredentialRow, LoginCodePurpose, LoginCodeRow, NewCustomerCredential, NewCustomerSession, NewLoginCode,
} from './customer-access.table.ts';

export function findCredential(store: Store, customerId: number): Promise<CustomerCredentialRow | undefined> {
  return store.db.selectFrom('customer_credentials').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
}

export function insertCredential(store: Store, credential: NewCustomerCredential): Promise<number> {
  return insertReturningId(store, 'customer_credentials', credential);
}

/** One credential for each listed customer that has a phone and no credential yet, in one statement (the demo seed). */
export async function insertCredentialsForCustomers(
  store: Store, customerNos: readonly string[], credential: Omit<NewCustomerCredential, 'customer_id'>,
): Promise<void> {
  if (customerNos.length === 0) return;
  const c = credential;
  const rows = store.db.selectFrom('customers')
    .select((eb) => [
      'customers.id as customer_id', eb.val(c.password_hash).as('password_hash'), eb.val(c.password_salt).as('password_salt'),
      eb.val(c.password_params).as('password_params'), eb.val(c.opened_at).as('opened_at'),
      eb.val(c.password_changed_at).as('password_changed_at'),
    ])
    .where('customers.customer_no', 'in', [...customerNos])
    .where('customers.phone', 'is not', null)
    .where(({ not, exists, selectFrom }) => not(exists(
      selectFrom('customer_credentials').select('customer_credentials.id').whereRef('customer_credentials.customer_id', '=', 'customers.id'),
    )));
  await store.db.insertInto('customer_credentials')
    .columns(['customer_id', 'password_hash', 'password_salt', 'password_params', 'opened_at', 'password_changed_at'])
    .expression(rows).execute();
}

/** Counts a failed login; at `failuresMax` in a row the access is locked until `lockedUntil`. True when it locked. */
export async function recordLoginFailure(store: Store, credentialId: number, failuresMax: number, lockedUntil: string): Promise<boolean> {
  await store.db.updateTable('customer_credentials').set({ failed_logins: sql`failed_logins + 1` })
    .where('id', '=', credentialId).execute();
  const locked = await store.db.updateTable('customer_credentials').set({ failed_logins: 0, locked_until: lockedUntil })
    .where('id', '=', credentialId).where('failed_logins', '>=', failuresMax).executeTakeFirst();
  return Number(locked.numUpdatedRows) === 1;
}

export async function recordLoginSuccess(store: Store, credentialId: number, at: string): Promise<void> {
  await store.db.updateTable('customer_credentials').set({ failed_logins: 0, locked_until: null, last_login_at: at })
    .where('id', '=', credentialId).execute();
}

export async function updatePassword(
  store: Store, credentialId: number, password: { hash: string; salt: string; params: string; at: string },
): Promise<void> {
  await store.db.updateTable('customer_credentials')
    .set({ password_hash: password.hash, password_salt: password.salt, password_params: password.params, password_changed_at: password.at })
    .where('id', '=', credentialId).execute();
}

export async function updateEmail(store: Store, credentialId: number, email: string): Promise<void> {
  await store.db.updateTable('customer_credentials').set({ email }).where('id', '=', credentialId).execute();
}

/** The registered phone lives on the customer: it is where codes and notices go. */
export async function updateCustomerPhone(store: Store, customerId: number, phone: string): Promise<void> {
  await store.db.updateTable('customers').set({ phone }).where('id', '=', customerId).execute();
}

// ── SMS codes ────────────────────────────────────────────────────────────────────────────────────

export function insertLoginCode(store: Store, code: NewLoginCode): Promise<number> {
  return insertReturningId(store, 'login_codes', code);
}

/** The newest code of a purpose, used or not. */
export function latestLoginCode(store: Store, customerId: number, purpose: LoginCodePurpose): Promise<LoginCodeRow | undefined> {
  const query = store.db.selectFrom('login_codes').selectAll()
    .where('customer_id', '=', customerId).where('purpose', '=', purpose).orderBy('id', 'desc');
  return firstRows(store, query, 1).executeTakeFirst();
}

/** When the customer's codes (of any purpose) were sent since an instant, oldest first; at most `limit`. */
export async function loginCodeTimesSince(store: Store, customerId: number, since: string, limit: number): Promise<string[]> {
  const query = store.db.selectFrom('login_codes').select('created_at')
    .where('customer_id', '=', customerId).where('created_at', '>', since).orderBy('created_at');
  return (await firstRows(store, query, limit).execute()).map((r) => r.created_at);
}

/** Voids the open codes of a purpose: only the newest code sent is good. */
export async function voidOpenLoginCodes(store: Store, customerId: number, purpose: LoginCodePurpose, at: string): Promise<void> {
  await store.db.updateTable('login_codes').set({ consumed_at: at })
    .where('customer_id', '=', customerId).where('purpose', '=', purpose).where('consumed_at', 'is', null).execute();
}

/** Counts a wrong entry; at `attemptsMax` the code is void. True when it became void. */
export async function recordCodeAttempt(store: Store, codeId: number, attemptsMax: number, at: string): Promise<boolean> {
  await store.db.updateTable('login_codes').set({ attempts: sql`attempts + 1` }).where('id', '=', codeId).execute();
  const voided = await store.db.updateTable('login_codes').set({ consumed_at: at })
    .where('id', '=', codeId).where('consumed_at', 'is', null).where('attempts', '>=', attemptsMax).executeTakeFirst();
  return Number(voided.numUpdatedRows) === 1;
}

/** Uses a code once: false when another request used (or voided) it first. */
export async function consumeLoginCode(store: Store, codeId: number, at: string): Promise<boolean> {
  const result = await store.db.updateTable('login_codes').set({ consumed_at: at })
    .where('id', '=', codeId).where('consumed_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ── Sessions ─────────────────────────────────────────────────────────────────────────────────────

export function insertSession(store: Store, session: NewCustomerSession): Promise<number> {
  return insertReturningId(store, 'customer_sessions', session);
}

export interface SessionWithCustomer {
  readonly id: number;
  readonly customer_id: number;
  readonly customer_no: string;
  readonly expires_at: string;
  readonly ended_at: string | null;
}

export function findSessionByTokenHash(store: Store, tokenHash: string): Promise<SessionWithCustomer | undefined> {
  return store.db.selectFrom('customer_sessions')
    .innerJoin('customers', 'customers.id', 'customer_sessions.customer_id')
    .select(['customer_sessions.id', 'customer_sessions.customer_id', 'customers.customer_no', 'customer_sessions.expires_at', 'customer_sessions.ended_at'])
    .where('customer_sessions.token_hash', '=', tokenHash).executeTakeFirst();
}

/** Ends a session that is still open; false when it had ended already. */
export async function endSession(store: Store, sessionId: number, at: string): Promise<boolean> {
  const result = await store.db.updateTable('customer_sessions').set({ ended_at: at })
    .where('id', '=', sessionId).where('ended_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends the customer's other open sessions (after a password change). */
export async function endOtherSessions(store: Store, customerId: number, keepSessionId: number, at: string): Promise<number> {
  const result = await store.db.updateTable('customer_sessions').set({ ended_at: at })
    .where('customer_id', '=', customerId).where('id', '<>', keepSessionId).where('ended_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
