// The session check every CustomerService operation after Login starts with. The token travels in
// the body (wsdl/README.md, "Customer sessions"); only its SHA-256 is stored, so a copy of the
// table opens no session. Unknown, malformed, expired and logged-out tokens are one and the same
// fault: the caller learns only that it must log in again.

import { GridbillError } from '../errors.ts';
import { findSessionByTokenHash } from '../store/customer-access.repository.ts';
import type { Store } from '../store/database.ts';
import { tokenHash, utcInstant } from './customer-secrets.ts';

const TOKEN = /^[A-Za-z0-9_-]{32,128}$/;

export interface SessionCustomer {
  readonly customerId: number;
  readonly customerNo: string;
}

export interface OpenSession extends SessionCustomer {
  readonly sessionId: number;
  readonly expiresAt: string;
}

/** The open session of a token; SESSION_INVALID otherwise. */
export async function openSession(store: Store, token: string, now: string): Promise<OpenSession> {
  if (!TOKEN.test(token)) throw new GridbillError('SESSION_INVALID');
  const session = await findSessionByTokenHash(store, tokenHash(token));
  if (session === undefined || session.ended_at !== null || session.expires_at <= utcInstant(now)) {
    throw new GridbillError('SESSION_INVALID');
  }
  return { sessionId: session.id, customerId: session.customer_id, customerNo: session.customer_no, expiresAt: session.expires_at };
}

/** Who a session token belongs to (PayOnline and every other operation after Login). */
export async function sessionCustomer(store: Store, token: string, now: string): Promise<{ customerId: number; customerNo: string }> {
  const session = await openSession(store, token, now);
  return { customerId: session.customerId, customerNo: session.customerNo };
}
