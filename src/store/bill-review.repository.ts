// Reading bills and exceptions for review (BillingAdminService, `gridbill bill`): pages of
// exceptions with the customer and bill numbers they concern, a bill with its customer's number,
// the drafts a period still holds.

import type { BillExceptionRow, BillRow, ExceptionStatus } from './bill.table.ts';
import type { CustomerCategory } from './customer.table.ts';
import { firstRows, type Store } from './database.ts';

export interface ExceptionPageFilter {
  readonly runId?: number;
  readonly period?: string;
  readonly status?: ExceptionStatus;
  readonly rule?: string;
  readonly customerNo?: string;
  readonly afterId?: number;
  readonly limit: number;
}

export type ReviewedException = BillExceptionRow & { readonly customer_no: string; readonly bill_no: string | null };

/** Exceptions matching every filter given, in id order after `afterId`. */
export function pageOfExceptions(store: Store, filter: ExceptionPageFilter): Promise<ReviewedException[]> {
  let query = store.db.selectFrom('bill_exceptions')
    .innerJoin('customers', 'customers.id', 'bill_exceptions.customer_id')
    .leftJoin('bills', 'bills.id', 'bill_exceptions.bill_id')
    .selectAll('bill_exceptions').select(['customers.customer_no', 'bills.bill_no'])
    .where('bill_exceptions.id', '>', filter.afterId ?? 0);
  if (filter.runId !== undefined) query = query.where('bill_exceptions.run_id', '=', filter.runId);
  if (filter.period !== undefined) query = query.where('bill_exceptions.period', '=', filter.period);
  if (filter.status !== undefined) query = query.where('bill_exceptions.status', '=', filter.status);
  if (filter.rule !== undefined) query = query.where('bill_exceptions.rule', '=', filter.rule);
  if (filter.customerNo !== undefined) query = query.where('customers.customer_no', '=', filter.customerNo);
  return firstRows(store, query.orderBy('bill_exceptions.id'), filter.limit).execute();
}

export function findException(store: Store, id: number): Promise<BillExceptionRow | undefined> {
  return store.db.selectFrom('bill_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export type BillWithCustomer = BillRow & { readonly customer_no: string };

export function findBillWithCustomer(store: Store, billNo: string): Promise<BillWithCustomer | undefined> {
  return store.db.selectFrom('bills').innerJoin('customers', 'customers.id', 'bills.customer_id')
    .selectAll('bills').select('customers.customer_no')
    .where('bills.bill_no', '=', billNo).executeTakeFirst();
}

/** Drafts of a period (of some categories) still in draft. */
export async function countDrafts(store: Store, period: string, categories: readonly CustomerCategory[] | null): Promise<number> {
  let query = store.db.selectFrom('bills').select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('period', '=', period).where('status', '=', 'draft');
  if (categories) query = query.where('customer_id', 'in', store.db.selectFrom('customers').select('id').where('category', 'in', [...categories]));
  return Number((await query.executeTakeFirstOrThrow()).n);
}
