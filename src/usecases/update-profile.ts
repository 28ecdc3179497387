// UpdateProfile: the customer changes their contact details and password.
//
// - email alone is changed at once.
// - A new phone takes two calls (the contract's UpdateProfile documentation): newPhone alone sends
//   a code to the new phone (CODE_SENT, nothing changed; SMS_TOO_SOON when codes are throttled);
//   newPhone with phoneCode confirms it (PHONE_CODE_INVALID when the code is wrong, expired, used,
//   or was sent to another number; wrong entries count against the code). The old phone is told
//   by SMS that the number changed, so a hijacked session cannot move the account quietly.
// - currentPassword + newPassword change the password (an extension of the v1 contract: two
//   optional elements at the end of the request). A wrong current password is PASSWORD_WRONG and
//   counts as a failed login (so it locks like one); the customer's other sessions are ended.
// Everything that can be refused is checked before anything is written; the writes are one
// transaction.

import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { maskPhone } from '../ops/mask.ts';
import { appendAudit } from '../store/audit.repository.ts';
import {
  consumeLoginCode, endOtherSessions, findCredential, latestLoginCode, recordCodeAttempt, recordLoginFailure, updateCustomerPhone,
  updateEmail, updatePassword,
} from '../store/customer-access.repository.ts';
import type { CustomerCredentialRow, LoginCodeRow } from '../store/customer-access.table.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import type { CustomerRow } from '../store/customer.table.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { checkPasswordPolicy, hashSecret, plusMs, utcInstant, verifySecret, type SecretHash } from './customer-secrets.ts';
import { openSession, type OpenSession } from './customer-session.ts';
import { issueSmsCode } from './request-login-code.ts';
import { queueSms } from './sms-messages.ts';

export interface ProfileUpdate {
  readonly sessionToken: string;
  readonly email?: string;
  readonly newPhone?: string;
  readonly phoneCode?: string;
  readonly currentPassword?: string;
  readonly newPassword?: string;
  readonly now: string;
}

export interface ProfileUpdateAnswer {
  readonly status: 'UPDATED' | 'CODE_SENT';
  /** The registered phone after the change, masked. */
  readonly phone: string | undefined;
  readonly email: string | undefined;
}

const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,24}$/;
const PHONE = /^1[3-9][0-9]{9}$/;

function validate(update: ProfileUpdate): void {
  const invalid = (reason: string) => new GridbillError('VALIDATION_FAILED', reason);
  const { email, newPhone, phoneCode, currentPassword, newPassword } = update;
  if ([email, newPhone, currentPassword, newPassword].every((v) => v === undefined)) throw invalid('nothing to change');
  if (email !== undefined && (email.length > 254 || !EMAIL.test(email))) throw invalid('email: not an e-mail address');
  if (newPhone !== undefined && !PHONE.test(newPhone)) throw invalid('newPhone: an 11-digit mainland mobile number');
  if (phoneCode !== undefined && (newPhone === undefined || !/^[0-9]{6}$/.test(phoneCode))) throw invalid('phoneCode: 6 digits, with newPhone');
  if ((currentPassword === undefined) !== (newPassword === undefined)) throw invalid('currentPassword and newPassword go together');
}

/** The new password's hash, once the current one is proven; PASSWORD_WRONG (counted as a failed login) otherwise. */
async function provePassword(store: Store, customer: CustomerRow, credential: CustomerCredentialRow, update: ProfileUpdate, at: string): Promise<SecretHash | undefined> {
  if (update.currentPassword === undefined || update.newPassword === undefined) return undefined;
  checkPasswordPolicy(update.newPassword);
  if (credential.locked_until !== null && credential.locked_until > at) throw new GridbillError('ACCOUNT_LOCKED');
  const stored = { hash: credential.password_hash, salt: credential.password_salt, params: credential.password_params };
  if (!(await verifySecret(update.currentPassword.slice(0, LIMITS.customerPasswordCharsMax), stored))) {
    const locked = await inTransaction(store, async (tx) => {
      const nowLocked = await recordLoginFailure(tx, credential.id, LIMITS.loginFailuresMax, plusMs(at, LIMITS.loginLockoutMs));
      await appendAudit(tx, { at, actor: `customer:${customer.customer_no}`, action: nowLocked ? 'customer-locked' : 'customer-password-wrong', subject: customer.customer_no, detail: {} });
      return nowLocked;
    });
    throw new GridbillError(locked ? 'ACCOUNT_LOCKED' : 'PASSWORD_WRONG');
  }
  return hashSecret(update.newPassword);
}

/** The phone-change code that confirms newPhone; PHONE_CODE_INVALID otherwise. */
async function provePhone(store: Store, customerId: number, update: ProfileUpdate, at: string): Promise<LoginCodeRow | undefined> {
  if (update.phoneCode === undefined || update.newPhone === undefined) return undefined;
  const code = await latestLoginCode(store, customerId, 'phone-change');
  const usable = code !== undefined && code.consumed_at === null && code.expires_at > at && code.phone === update.newPhone;
  if (usable && await verifySecret(update.phoneCode, { hash: code.code_hash, salt: code.code_salt, params: code.code_params })) return code;
  if (usable) await recordCodeAttempt(store, code.id, LIMITS.loginCodeAttemptsMax, at);
  throw new GridbillError('PHONE_CODE_INVALID');
}

interface Proven {
  readonly session: OpenSession;
  readonly customer: CustomerRow;
  readonly credential: CustomerCredentialRow;
  readonly password: SecretHash | undefined;
  readonly phoneCode: LoginCodeRow | undefined;
}

async function applyChanges(tx: Store, proven: Proven, update: ProfileUpdate, at: string): Promise<void> {
  const { customer, credential, session } = proven;
  const changed: string[] = [];
  if (proven.password !== undefined) {
    await updatePassword(tx, credential.id, { ...proven.password, at });
    await endOtherSessions(tx, customer.id, session.sessionId, at);
    changed.push('password');
  }
  if (proven.phoneCode !== undefined && update.newPhone !== undefined) {
    if (!(await consumeLoginCode(tx, proven.phoneCode.id, at))) throw new GridbillError('PHONE_CODE_INVALID');
    await updateCustomerPhone(tx, customer.id, update.newPhone);
    if (customer.phone !== null && customer.phone !== update.newPhone) {
      await queueSms(tx, { phone: customer.phone, customerId: customer.id, message: { template: 'phone-changed', maskedNewPhone: maskPhone(update.newPhone) }, at });
    }
    changed.push('phone');
  }
  if (update.email !== undefined) {
    await updateEmail(tx, credential.id, update.email);
    changed.push('email');
  }
  if (changed.length > 0) {
    await appendAudit(tx, { at, actor: `customer:${customer.customer_no}`, action: 'customer-profile-updated', subject: customer.customer_no, detail: { changed } });
  }
}

export async function updateProfile(store: Store, update: ProfileUpdate): Promise<ProfileUpdateAnswer> {
  validate(update);
  const at = utcInstant(update.now);
  const session = await openSession(store, update.sessionToken, update.now);
  const customer = await findCustomerByNo(store, session.customerNo);
  const credential = customer === undefined ? undefined : await findCredential(store, customer.id);
  if (customer === undefined || credential === undefined) throw new GridbillError('SESSION_INVALID');
  const password = await provePassword(store, customer, credential, update, at);
  const phoneCode = await provePhone(store, customer.id, update, at);
  const sendCode = update.newPhone !== undefined && update.phoneCode === undefined;
  if (sendCode) {
    const issued = await issueSmsCode(store, { customerId: customer.id, purpose: 'phone-change', phone: update.newPhone!, now: update.now });
    if (issued.kind === 'throttled') throw new GridbillError('SMS_TOO_SOON', `again in ${Math.ceil(issued.resendAfterMs / 1000)} s`);
  }
  await inTransaction(store, (tx) => applyChanges(tx, { session, customer, credential, password, phoneCode }, update, at));
  const phone = phoneCode !== undefined ? update.newPhone : customer.phone ?? undefined;
  return {
    status: sendCode ? 'CODE_SENT' : 'UPDATED',
    phone: phone === undefined ? undefined : maskPhone(phone),
    email: update.email ?? credential.email ?? undefined,
  };
}
