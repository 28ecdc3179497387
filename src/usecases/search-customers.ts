// The console's customer search and a customer's file (for the counter: details, account and
// meters with their registers). Staff see the data unmasked; the search text is never logged.

import { GridbillError } from '../errors.ts';
import { searchCustomerRows } from '../store/console-view.repository.ts';
import { findAccountByCustomer, findCustomerByNo } from '../store/customer.repository.ts';
import type { AccountRow, CustomerRow } from '../store/customer.table.ts';
import type { Store } from '../store/database.ts';
import { metersOfCustomer, registersOfMeter } from '../store/meter.repository.ts';
import type { MeterRow, RegisterRow } from '../store/meter.table.ts';

/** A search shorter than this would match most of the book. */
const SEARCH_CHARS_MIN = 2;
const SEARCH_CHARS_MAX = 64;

export async function searchCustomers(store: Store, text: string, limit: number): Promise<CustomerRow[]> {
  const query = text.trim();
  if ([...query].length < SEARCH_CHARS_MIN || [...query].length > SEARCH_CHARS_MAX) {
    throw new GridbillError('VALIDATION_FAILED', `search: ${SEARCH_CHARS_MIN} to ${SEARCH_CHARS_MAX} characters`);
  }
  return searchCustomerRows(store, query, limit);
}

export interface CustomerFile {
  readonly customer: CustomerRow;
  readonly account: AccountRow | undefined;
  readonly meters: ReadonlyArray<{ readonly meter: MeterRow; readonly registers: readonly RegisterRow[] }>;
}

export async function customerFile(store: Store, customerNo: string): Promise<CustomerFile> {
  const customer = await findCustomerByNo(store, customerNo);
  if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', customerNo);
  const meters = await metersOfCustomer(store, customer.id);
  return {
    customer,
    account: await findAccountByCustomer(store, customer.id),
    meters: await Promise.all(meters.map(async (meter) => ({ meter, registers: await registersOfMeter(store, meter.id) }))),
  };
}
