// Fills an empty database with demo customers. Customers are written in batches, each batch one
// transaction, so a large seed streams instead of holding everything in memory or one huge
// transaction; a failure leaves whole customers only. The tariffs the demo customers are billed
// with are published first, from files the caller names, unless some tariff is stored already.
//
// Every demo customer with a phone gets online access with the documented DEMO_PASSWORD, so a
// person can log in to the demo business hall (README, "Trying the SOAP services"). The password
// is hashed once per seed and that one hash stored for all of them: it is public anyway, and a
// hash per customer would cost a million scrypt runs in the benchmark's seed.
//
// Smart-payment customers pay in advance; without money on their prepaid balance the first
// estimation would disconnect nearly all of them. With `openingBalances` (npm start) each gets an
// opening prepaid balance — a balanced ledger posting per batch, prepaid credited, the account
// OPENING_BALANCES_ACCOUNT debited (money the demo says they paid before gridbill) — chosen from
// the customer number so the demo shows a realistic mix: most well in credit, about one in eight
// between the segment's alarm thresholds and one in twelve below the second.

import { GridbillError } from '../errors.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { countCustomers } from '../store/customer.repository.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { countTariffVersions } from '../store/tariff.repository.ts';
import { insertCredentialsForCustomers } from '../store/customer-access.repository.ts';
import { hashSecret, type SecretHash } from './customer-secrets.ts';
import { importTariffFile } from './import-tariff.ts';
import { registerCustomer, type NewCustomerInput } from './register-customer.ts';
import { postLedgerTransaction, type LedgerLeg } from '../store/ledger.repository.ts';
import { businessDate } from '../clock.ts';
import type { SegmentSettings } from '../domain/estimation.ts';
import { loadSegmentSettings } from './estimation-settings.ts';
import { PAYMENT_ACCOUNTS } from './pay.ts';
import { SEGMENTS, type Segment } from './run-billing.ts';

const CUSTOMERS_PER_TRANSACTION = 200;

/** Where the demo's opening prepaid balances come from: money paid before the platform existed. */
export const OPENING_BALANCES_ACCOUNT = 'equity:opening-balances';

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
  /** Give smart-payment customers an opening prepaid balance (default false; npm start does). */
  readonly openingBalances?: boolean;
}

/** A number 0–99 from the customer number: the same customer always lands in the same band. */
function rollOf(customerNo: string): number {
  let h = 7;
  for (const ch of customerNo) h = (h * 31 + ch.charCodeAt(0)) % 100_003;
  return h % 100;
}

/** The opening prepaid balance of a demo smart-payment customer, against its segment's alarm thresholds. */
export function openingBalanceFen(customerNo: string, alarms: Pick<SegmentSettings, 'alarm1Fen' | 'alarm2Fen'>): number {
  const roll = rollOf(customerNo);
  const { alarm1Fen, alarm2Fen } = alarms;
  if (roll < 8) return Math.max(1, Math.floor((alarm2Fen * (roll + 1)) / 9));
  if (roll < 20) return alarm2Fen + Math.floor(((alarm1Fen - alarm2Fen) * (roll - 7)) / 13);
  return alarm1Fen * (3 + (roll % 8));
}

function segmentOf(category: string): Segment | undefined {
  return (Object.keys(SEGMENTS) as Segment[]).find((s) => (SEGMENTS[s] as readonly string[]).includes(category));
}

/** One posting for a batch: each smart customer's prepaid credited, the opening-balances account debited. */
async function postOpeningBalances(tx: Store, customers: ReadonlyArray<{ readonly id: number; readonly input: NewCustomerInput }>, settings: ReadonlyMap<Segment, SegmentSettings>, now: string): Promise<void> {
  const legs: LedgerLeg[] = [];
  for (const { id, input } of customers) {
    const segment = segmentOf(input.category);
    const alarms = segment === undefined ? undefined : settings.get(segment);
    if (input.paymentMode !== 'smart-prepaid' || alarms === undefined) continue;
    legs.push({ accountCode: PAYMENT_ACCOUNTS.prepaid, customerId: id, amountFen: -openingBalanceFen(input.customerNo, alarms) });
  }
  if (legs.length === 0) return;
  const totalFen = legs.reduce((sum, leg) => sum - leg.amountFen, 0);
  await postLedgerTransaction(tx, {
    kind: 'opening-balance', refKind: null, refId: null, accountingDate: businessDate(new Date(now)), createdAt: now,
    legs: [{ accountCode: OPENING_BALANCES_ACCOUNT, customerId: null, amountFen: totalFen }, ...legs],
  });
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
  const settings = options.openingBalances === true ? await loadSegmentSettings(store) : undefined;
  let done = 0;
  let batch: NewCustomerInput[] = [];
  const flush = async (): Promise<void> => {
    await inTransaction(store, async (tx) => {
      const registered: Array<{ id: number; input: NewCustomerInput }> = [];
      for (const customer of batch) registered.push({ id: await registerCustomer(tx, customer, now), input: customer });
      if (settings !== undefined) await postOpeningBalances(tx, registered, settings, now);
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
