// Login: customer number + password + the SMS code from RequestLoginCode → a session token.
//
// Faults, chosen so that none tells an attacker more than "wrong":
//   - LOGIN_FAILED for an unknown customer, one without online access, a wrong password, a wrong
//     code, or no code asked for. The password is always hashed (against a decoy when there is no
//     stored one), so the time taken does not tell either.
//   - ACCOUNT_LOCKED while locked after loginFailuresMax failures in a row (also answered by the
//     failure that locks it, so the customer learns why the next try is refused).
//   - SMS_CODE_EXPIRED when the newest login code has expired, was used, or was voided by
//     loginCodeAttemptsMax wrong entries. Decided before the password is looked at, so it tells
//     nothing about the password.
// A wrong code counts against the code and against the login; a wrong password against the
// login only. A success uses the code up, resets the failures and opens a session of
// customerSessionLifetimeMs. Counting and locking are committed before the fault is raised.

import { businessTimestamp } from '../clock.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { maskName } from '../ops/mask.ts';
import { appendAudit } from '../store/audit.repository.ts';
import {
  consumeLoginCode, findCredential, insertSession, latestLoginCode, recordCodeAttempt, recordLoginFailure, recordLoginSuccess,
} from '../store/customer-access.repository.ts';
import type { CustomerCredentialRow, LoginCodeRow } from '../store/customer-access.table.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import type { CustomerRow } from '../store/customer.table.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { newSessionToken, plusMs, tokenHash, utcInstant, verifyAgainstDecoy, verifySecret } from './customer-secrets.ts';

export interface LoginRequest {
  readonly customerNo: string;
  readonly password: string;
  readonly smsCode: string;
  /** The channel (portal, app) the customer logs in through. */
  readonly channelCode: string;
  readonly now: string;
}

export interface LoginAnswer {
  readonly sessionToken: string;
  /** With the business offset. */
  readonly expiresAt: string;
  readonly customerNo: string;
  readonly customerName: string;
}

type Outcome = { readonly ok: true; readonly answer: LoginAnswer } | { readonly ok: false; readonly code: 'LOGIN_FAILED' | 'ACCOUNT_LOCKED' | 'SMS_CODE_EXPIRED' };

function codeUsable(code: LoginCodeRow | undefined, at: string): boolean {
  return code !== undefined && code.consumed_at === null && code.expires_at > at;
}

async function openSessionFor(tx: Store, customer: CustomerRow, credential: CustomerCredentialRow, request: LoginRequest, at: string): Promise<LoginAnswer> {
  await recordLoginSuccess(tx, credential.id, at);
  const token = newSessionToken();
  const expiresAt = plusMs(at, LIMITS.customerSessionLifetimeMs);
  await insertSession(tx, {
    customer_id: customer.id, token_hash: tokenHash(token), channel_code: request.channelCode, created_at: at, expires_at: expiresAt, ended_at: null,
  });
  await appendAudit(tx, { at, actor: `customer:${customer.customer_no}`, action: 'customer-login', subject: customer.customer_no, detail: { channel: request.channelCode } });
  return { sessionToken: token, expiresAt: businessTimestamp(new Date(expiresAt)), customerNo: customer.customer_no, customerName: maskName(customer.name) };
}

async function checkAndRecord(store: Store, customer: CustomerRow, credential: CustomerCredentialRow, request: LoginRequest, at: string): Promise<Outcome> {
  const code = await latestLoginCode(store, customer.id, 'login');
  if (code !== undefined && !codeUsable(code, at)) return { ok: false, code: 'SMS_CODE_EXPIRED' };
  const passwordOk = await verifySecret(request.password, { hash: credential.password_hash, salt: credential.password_salt, params: credential.password_params });
  const codeOk = code !== undefined && await verifySecret(request.smsCode, { hash: code.code_hash, salt: code.code_salt, params: code.code_params });
  return inTransaction(store, async (tx): Promise<Outcome> => {
    if (passwordOk && codeOk) {
      if (!(await consumeLoginCode(tx, code.id, at))) return { ok: false, code: 'SMS_CODE_EXPIRED' };
      return { ok: true, answer: await openSessionFor(tx, customer, credential, request, at) };
    }
    if (code !== undefined && !codeOk) await recordCodeAttempt(tx, code.id, LIMITS.loginCodeAttemptsMax, at);
    const locked = await recordLoginFailure(tx, credential.id, LIMITS.loginFailuresMax, plusMs(at, LIMITS.loginLockoutMs));
    await appendAudit(tx, {
      at, actor: `customer:${customer.customer_no}`, action: locked ? 'customer-locked' : 'customer-login-failed', subject: customer.customer_no,
      detail: { channel: request.channelCode, password: passwordOk ? 'right' : 'wrong', code: codeOk ? 'right' : 'wrong' },
    });
    return { ok: false, code: locked ? 'ACCOUNT_LOCKED' : 'LOGIN_FAILED' };
  });
}

export async function login(store: Store, request: LoginRequest): Promise<LoginAnswer> {
  const at = utcInstant(request.now);
  const wellFormed = /^\d{10,13}$/.test(request.customerNo) && /^\d{6}$/.test(request.smsCode)
    && request.password.length <= LIMITS.customerPasswordCharsMax;
  const customer = wellFormed ? await findCustomerByNo(store, request.customerNo) : undefined;
  const credential = customer === undefined || customer.status !== 'active' ? undefined : await findCredential(store, customer.id);
  if (customer === undefined || credential === undefined) {
    // Two hashes, as a real attempt takes (password and code).
    await verifyAgainstDecoy(request.password.slice(0, LIMITS.customerPasswordCharsMax));
    await verifyAgainstDecoy(request.smsCode.slice(0, LIMITS.customerPasswordCharsMax));
    throw new GridbillError('LOGIN_FAILED');
  }
  if (credential.locked_until !== null && credential.locked_until > at) throw new GridbillError('ACCOUNT_LOCKED');
  const outcome = await checkAndRecord(store, customer, credential, request, at);
  if (!outcome.ok) throw new GridbillError(outcome.code);
  return outcome.answer;
}
