// OpenOnlineBanking: gives a customer access to the online business hall and the app.
//
// The phone given is bound as the registered phone (login codes go to it); without one, the phone
// on record is used. With a password (staff set one with the customer at the counter, or the demo
// seed) that is the password; without one an initial password is drawn and sent by SMS only —
// it is never in an answer or a log. A customer who has access already is answered ALREADY_OPEN
// with nothing changed (the call is safe to repeat).

import { businessTimestamp } from '../clock.ts';
import { GridbillError } from '../errors.ts';
import { maskPhone } from '../ops/mask.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findCredential, insertCredential, updateCustomerPhone } from '../store/customer-access.repository.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { checkPasswordPolicy, hashSecret, newInitialPassword, utcInstant } from './customer-secrets.ts';
import { queueSms } from './sms-messages.ts';

export interface OpenOnlineBankingRequest {
  readonly customerNo: string;
  /** The initial password; absent: one is drawn and sent to the phone by SMS. */
  readonly password?: string;
  /** The phone to bind; absent: the customer's phone on record. */
  readonly phone?: string;
  readonly now: string;
  /** Who opened it, for the audit log. */
  readonly actor?: string;
}

export interface OnlineAccess {
  readonly customerNo: string;
  /** Masked. */
  readonly phone: string;
  readonly status: 'OPENED' | 'ALREADY_OPEN';
  /** With the business offset. */
  readonly openedAt: string;
}

export async function openOnlineBanking(store: Store, request: OpenOnlineBankingRequest): Promise<OnlineAccess> {
  if (request.phone !== undefined && !/^1[3-9][0-9]{9}$/.test(request.phone)) {
    throw new GridbillError('VALIDATION_FAILED', 'phone: an 11-digit mainland mobile number');
  }
  if (request.password !== undefined) checkPasswordPolicy(request.password);
  const customer = await findCustomerByNo(store, request.customerNo);
  if (customer === undefined || customer.status !== 'active') throw new GridbillError('CUSTOMER_NOT_FOUND', request.customerNo);
  const existing = await findCredential(store, customer.id);
  const phone = request.phone ?? customer.phone;
  if (existing !== undefined) {
    return {
      customerNo: customer.customer_no, phone: maskPhone(customer.phone ?? phone ?? ''), status: 'ALREADY_OPEN',
      openedAt: businessTimestamp(new Date(existing.opened_at)),
    };
  }
  if (phone === null) throw new GridbillError('VALIDATION_FAILED', 'the customer has no phone on record: give one');
  const at = utcInstant(request.now);
  const drawn = request.password === undefined ? newInitialPassword() : undefined;
  const hashed = await hashSecret(request.password ?? drawn!);
  await inTransaction(store, async (tx) => {
    await insertCredential(tx, {
      customer_id: customer.id, password_hash: hashed.hash, password_salt: hashed.salt, password_params: hashed.params,
      locked_until: null, email: null, opened_at: at, password_changed_at: at, last_login_at: null,
    });
    if (phone !== customer.phone) await updateCustomerPhone(tx, customer.id, phone);
    await queueSms(tx, { phone, customerId: customer.id, message: { template: 'online-access-opened', customerNo: customer.customer_no, initialPassword: drawn }, at });
    await appendAudit(tx, {
      at, actor: request.actor ?? 'system', action: 'online-access-opened', subject: customer.customer_no,
      detail: { phone: maskPhone(phone), initialPassword: drawn === undefined ? 'given' : 'sent by SMS' },
    });
  });
  return { customerNo: customer.customer_no, phone: maskPhone(phone), status: 'OPENED', openedAt: businessTimestamp(new Date(at)) };
}
