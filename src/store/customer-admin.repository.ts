// Changing a customer's master data and its account's payment mode.

import type { Updateable } from 'kysely';
import type { CustomerTable, PaymentMode } from './customer.table.ts';
import type { Store } from './database.ts';

export async function updateCustomerRow(store: Store, customerId: number, change: Updateable<CustomerTable>): Promise<void> {
  if (Object.keys(change).length === 0) return;
  await store.db.updateTable('customers').set(change).where('id', '=', customerId).execute();
}

export async function setPaymentMode(store: Store, customerId: number, mode: PaymentMode): Promise<void> {
  await store.db.updateTable('accounts').set({ payment_mode: mode }).where('customer_id', '=', customerId).execute();
}
