// Fills an empty database with demo customers. Customers are written in batches, each batch one
// transaction, so a large seed streams instead of holding everything in memory or one huge
// transaction; a failure leaves whole customers only. The tariffs the demo customers are billed
// with are published first, from files the caller names, unless some tariff is stored already.
//
// Every demo customer with a phone gets online access with the documented DEMO_PASSWORD, so a
// person can log in to the demo business hall (README, "Trying the SOAP services"). The password
// is hashed once per seed and that one hash stored for all of them: it is public anyway, and a
// hash per customer would cost a million scrypt runs in the benchmark's seed.

import { GridbillError } from '../errors.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { countCustomers } from '../store/customer.repository.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { countTariffVersions } from '../store/tariff.repository.ts';
import { insertCredentialsForCustomers } from '../store/customer-access.repository.ts';
import { hashSecret, type SecretHash } from './customer-secrets.ts';
import { importTariffFile } from './import-tariff.ts';
import { registerCustomer, type NewCustomerInput } from './register-customer.ts';

const CUSTOMERS_PER_TRANSACTION = 200;

/** The online business hall password of every demo customer (documented in the README). */
export const DEMO_PASSWORD = 'demo2026';

export interface SeedResult {
  readonly customers: number;
  /** Tariff versions published; 0 when the database had tariffs already. */
  readonly tariffVersions: number;
}

export interface SeedOptions {
  /** Tariff documents to publish into a database without tariffs (the demo passes its fixtures). */
  readonly tariffFiles?: readonly string[];
  readonly onProgress?: (done: number) => void;
  /** Give the customers online access with DEMO_PASSWORD (default true). */
  readonly onlineAccess?: boolean;
}

async function publishTariffs(store: Store, files: readonly string[], now: string): Promise<number> {
  if (files.length === 0 || (await countTariffVersions(store)) > 0) return 0;
  let versions = 0;
  for (const file of files) {
    const result = await importTariffFile(store, file, { dryRun: false, actor: 'system', now });
    versions += result.stored.length;
  }
  return versions;
}

export async function seedDemo(
  store: Store,
  customers: Iterable<NewCustomerInput>,
  now: string,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const existing = await countCustomers(store);
  if (existing > 0) {
    throw new GridbillError('DB_NOT_EMPTY', `it has ${existing} customers; seed fills an empty database only`, {
      hint: 'point GRIDBILL_DB at a new database file',
    });
  }
  const tariffVersions = await publishTariffs(store, options.tariffFiles ?? [], now);
  const onProgress = options.onProgress ?? (() => undefined);
  const access: SecretHash | undefined = options.onlineAccess === false ? undefined : await hashSecret(DEMO_PASSWORD);
  let done = 0;
  let batch: NewCustomerInput[] = [];
  const flush = async (): Promise<void> => {
    await inTransaction(store, async (tx) => {
      for (const customer of batch) await registerCustomer(tx, customer, now);
      if (access !== undefined) {
        await insertCredentialsForCustomers(tx, batch.map((c) => c.customerNo), {
          password_hash: access.hash, password_salt: access.salt, password_params: access.params, opened_at: now, password_changed_at: now,
        });
      }
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
  return { customers: done, tariffVersions };
}
