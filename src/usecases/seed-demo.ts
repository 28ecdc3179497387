// Fills an empty database with demo customers. Customers are written in batches, each batch one
// transaction, so a large seed streams instead of holding everything in memory or one huge
// transaction; a failure leaves whole customers only.

import { GridbillError } from '../errors.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { countCustomers } from '../store/customer.repository.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { registerCustomer, type NewCustomerInput } from './register-customer.ts';

const CUSTOMERS_PER_TRANSACTION = 200;

export interface SeedResult {
  readonly customers: number;
}

export async function seedDemo(
  store: Store,
  customers: Iterable<NewCustomerInput>,
  now: string,
  onProgress: (done: number) => void = () => undefined,
): Promise<SeedResult> {
  const existing = await countCustomers(store);
  if (existing > 0) {
    throw new GridbillError('DB_NOT_EMPTY', `it has ${existing} customers; seed fills an empty database only`, {
      hint: 'point GRIDBILL_DB at a new database file',
    });
  }
  let done = 0;
  let batch: NewCustomerInput[] = [];
  const flush = async (): Promise<void> => {
    await inTransaction(store, async (tx) => {
      for (const customer of batch) await registerCustomer(tx, customer, now);
    });
    done += batch.length;
    batch = [];
    onProgress(done);
  };
  for (const customer of customers) {
    batch.push(customer);
    if (batch.length >= CUSTOMERS_PER_TRANSACTION) await flush();
  }
  if (batch.length > 0) await flush();
  await appendAudit(store, { at: now, actor: 'system', action: 'seed-demo', subject: 'customers', detail: { customers: done } });
  return { customers: done };
}
