// Helpers for the customer-access tests: instants relative to a base, the code a customer was
// last sent (read from the SMS outbox, as a tester does), and a login in one step.

import type { Store } from '../../src/store/database.ts';
import { findCustomerByNo } from '../../src/store/customer.repository.ts';
import { login, type LoginAnswer } from '../../src/usecases/login.ts';
import { openOnlineBanking } from '../../src/usecases/open-online-banking.ts';
import { requestLoginCode } from '../../src/usecases/request-login-code.ts';
import { addCustomer } from './payments.ts';

export const PASSWORD = 'secret2026pw';

/** base + minutes, as a UTC ISO instant. */
export function after(base: string, minutes: number): string {
  return new Date(Date.parse(base) + minutes * 60_000).toISOString();
}

/** The 6-digit code of the newest outbox message to a phone. */
export async function lastCodeTo(store: Store, phone: string): Promise<string> {
  const row = await store.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const code = /验证码为(\d{6})/.exec(row.body)?.[1];
  if (code === undefined) throw new Error(`no code in ${row.body}`);
  return code;
}

export async function outboxCount(store: Store, phone?: string): Promise<number> {
  let query = store.db.selectFrom('sms_outbox').select((eb) => eb.fn.countAll<number | string>().as('n'));
  if (phone !== undefined) query = query.where('phone', '=', phone);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** A customer with online access (PASSWORD) and a phone. */
export async function addOnlineCustomer(store: Store, customerNo: string, phone: string, now: string): Promise<number> {
  const id = (await findCustomerByNo(store, customerNo))?.id ?? await addCustomer(store, customerNo);
  await openOnlineBanking(store, { customerNo, password: PASSWORD, phone, now });
  return id;
}

export async function loginNow(store: Store, customerNo: string, phone: string, now: string, password = PASSWORD): Promise<LoginAnswer> {
  await requestLoginCode(store, { customerNo, now });
  return login(store, { customerNo, password, smsCode: await lastCodeTo(store, phone), channelCode: 'portal', now });
}
