// RequestLoginCode: a 6-digit code by SMS to the customer's registered phone, for Login.
//
// The contract promises the same answer whether or not the customer number exists, so nothing
// here is a fault: an unknown number, a customer without online access or without a phone gets an
// answer of the same shape with nothing sent (and no sentTo, the one element the contract leaves
// optional). Throttling is answered the same way — no new code, and resendAfterSeconds says when
// one may be asked for — so a fault never tells a registered number from an unregistered one.
//
// Codes are throttled per customer: one per loginCodeResendIntervalMs per purpose, at most
// loginCodesPerDayMax of any purpose in 24 hours. A new code voids the older open ones of its
// purpose. The code's hash and its SMS are written in one transaction (the outbox).

import { businessTimestamp } from '../clock.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { maskPhone } from '../ops/mask.ts';
import { findCredential, insertLoginCode, latestLoginCode, loginCodeTimesSince, voidOpenLoginCodes } from '../store/customer-access.repository.ts';
import type { LoginCodePurpose } from '../store/customer-access.table.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { hashSecret, newSmsCode, plusMs, utcInstant } from './customer-secrets.ts';
import { queueSms } from './sms-messages.ts';

const DAY_MS = 86_400_000;

export interface LoginCodeAnswer {
  /** The phone the code went to, masked; absent when nothing was sent to a registered phone. */
  readonly sentTo: string | undefined;
  /** When the code expires, with the business offset. */
  readonly expiresAt: string;
  readonly resendAfterSeconds: number;
}

export type CodeIssue =
  | { readonly kind: 'sent'; readonly expiresAt: string; readonly resendAfterMs: number }
  | { readonly kind: 'throttled'; readonly expiresAt: string; readonly resendAfterMs: number };

/** Until when no new code may be sent, or undefined when one may be sent now. */
async function throttledUntil(store: Store, customerId: number, purpose: LoginCodePurpose, at: string): Promise<
  { readonly until: string; readonly latestExpiresAt: string | undefined } | undefined
> {
  const latest = await latestLoginCode(store, customerId, purpose);
  const nextByInterval = latest === undefined ? undefined : plusMs(latest.created_at, LIMITS.loginCodeResendIntervalMs);
  const sentToday = await loginCodeTimesSince(store, customerId, plusMs(at, -DAY_MS), LIMITS.loginCodesPerDayMax);
  const nextByDay = sentToday.length >= LIMITS.loginCodesPerDayMax ? plusMs(sentToday[0]!, DAY_MS) : undefined;
  const until = [nextByInterval, nextByDay].filter((t): t is string => t !== undefined && t > at).sort().pop();
  return until === undefined ? undefined : { until, latestExpiresAt: latest?.expires_at };
}

/**
 * Sends a new code of a purpose to a phone, unless the customer's codes are throttled. Shared by
 * RequestLoginCode and the phone change of UpdateProfile.
 */
export async function issueSmsCode(
  store: Store, request: { readonly customerId: number; readonly purpose: LoginCodePurpose; readonly phone: string; readonly now: string },
): Promise<CodeIssue> {
  const at = utcInstant(request.now);
  const throttledAnswer = (t: { until: string; latestExpiresAt: string | undefined }): CodeIssue => ({
    kind: 'throttled', expiresAt: t.latestExpiresAt ?? at, resendAfterMs: Date.parse(t.until) - Date.parse(at),
  });
  const early = await throttledUntil(store, request.customerId, request.purpose, at);
  if (early !== undefined) return throttledAnswer(early);
  const code = newSmsCode();
  // Hashed before the transaction: scrypt takes tens of ms and must not hold the write lock.
  const hashed = await hashSecret(code);
  const expiresAt = plusMs(at, LIMITS.loginCodeLifetimeMs);
  return inTransaction(store, async (tx) => {
    const raced = await throttledUntil(tx, request.customerId, request.purpose, at);
    if (raced !== undefined) return throttledAnswer(raced);
    await voidOpenLoginCodes(tx, request.customerId, request.purpose, at);
    await insertLoginCode(tx, {
      customer_id: request.customerId, purpose: request.purpose, phone: request.phone, code_hash: hashed.hash, code_salt: hashed.salt, code_params: hashed.params,
      created_at: at, expires_at: expiresAt, consumed_at: null,
    });
    const message = request.purpose === 'login' ? { template: 'login-code' as const, code } : { template: 'phone-change-code' as const, code };
    await queueSms(tx, { phone: request.phone, customerId: request.customerId, message, at });
    return { kind: 'sent', expiresAt, resendAfterMs: LIMITS.loginCodeResendIntervalMs };
  });
}

export async function requestLoginCode(store: Store, request: { readonly customerNo: string; readonly now: string }): Promise<LoginCodeAnswer> {
  if (!/^\d{10,13}$/.test(request.customerNo)) throw new GridbillError('VALIDATION_FAILED', 'customer no: 10 to 13 digits');
  const at = utcInstant(request.now);
  const customer = await findCustomerByNo(store, request.customerNo);
  const credential = customer === undefined ? undefined : await findCredential(store, customer.id);
  if (customer === undefined || credential === undefined || customer.phone === null || customer.status !== 'active') {
    // As long as a real request takes (a code is hashed), so the time does not tell either.
    await hashSecret(newSmsCode());
    return {
      sentTo: undefined,
      expiresAt: businessTimestamp(new Date(plusMs(at, LIMITS.loginCodeLifetimeMs))),
      resendAfterSeconds: LIMITS.loginCodeResendIntervalMs / 1000,
    };
  }
  const issued = await issueSmsCode(store, { customerId: customer.id, purpose: 'login', phone: customer.phone, now: request.now });
  return {
    sentTo: maskPhone(customer.phone),
    expiresAt: businessTimestamp(new Date(issued.expiresAt)),
    resendAfterSeconds: Math.min(86_400, Math.ceil(issued.resendAfterMs / 1000)),
  };
}
