import type { Store } from './database.ts';
import type { AccountRow, CustomerRow, NewAccount, NewCustomer } from './customer.table.ts';
import { insertReturningId } from './insert-id.ts';
import { preparedQuery } from './prepared-query.ts';

export function insertCustomer(store: Store, customer: NewCustomer): Promise<number> {
  return insertReturningId(store, 'customers', customer);
}

export function insertAccount(store: Store, account: NewAccount): Promise<number> {
  return insertReturningId(store, 'accounts', account);
}

export function findCustomerByNo(store: Store, customerNo: string): Promise<CustomerRow | undefined> {
  return store.db.selectFrom('customers').selectAll().where('customer_no', '=', customerNo).executeTakeFirst();
}

/** What the channel payment paths need of a customer: the row without its contact and technical details. */
export type PayerRow = Pick<CustomerRow, 'id' | 'customer_no' | 'name' | 'address' | 'category'>;

const payerByNo = preparedQuery<{ customerNo: string }, PayerRow>((db, param) =>
  db.selectFrom('customers').select(['id', 'customer_no', 'name', 'address', 'category']).where('customer_no', '=', param('customerNo')));

/** The customer a channel pays for or asks about (QueryArrears, Pay: on every request). */
export function findPayerByNo(store: Store, customerNo: string): Promise<PayerRow | undefined> {
  return payerByNo.executeTakeFirst(store, { customerNo });
}

export function findAccountByCustomer(store: Store, customerId: number): Promise<AccountRow | undefined> {
  return store.db.selectFrom('accounts').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
}

export async function countCustomers(store: Store): Promise<number> {
  const row = await store.db.selectFrom('customers').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
