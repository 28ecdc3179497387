// Where the bill run loads and bills: worker threads on a SQLite file, this thread elsewhere. The
// two must store the same drafts, lines and exceptions; a failure in the worker must fail the run
// with nothing of the failing slice stored.

import { expect } from 'chai';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { registerCustomer } from '../../src/usecases/register-customer.ts';
import { runBilling } from '../../src/usecases/run-billing.ts';
import { loadsInWorker } from '../../src/usecases/bill-run-batches.ts';
import { findBillRun } from '../../src/store/bill.repository.ts';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

const NOW = '2026-11-02T01:00:00.000Z';

/** What a run stored, without ids, run ids and timestamps, in a stable order. */
async function storedRun(store: OpenStore): Promise<unknown[]> {
  const bills = await store.db.selectFrom('bills')
    .select(['bill_no', 'customer_id', 'period', 'status', 'energy_kwh', 'amount_fen', 'tariff_id', 'tariff_code', 'multiplier', 'estimated', 'estimated_streak'])
    .orderBy('bill_no').execute();
  const lines = await store.db.selectFrom('bill_lines').innerJoin('bills', 'bills.id', 'bill_lines.bill_id')
    .select(['bills.bill_no', 'bill_lines.seq', 'bill_lines.kind', 'bill_lines.code', 'bill_lines.label', 'bill_lines.quantity', 'bill_lines.unit', 'bill_lines.rate_micros', 'bill_lines.amount_fen'])
    .orderBy('bills.bill_no').orderBy('bill_lines.seq').execute();
  const exceptions = await store.db.selectFrom('bill_exceptions').leftJoin('bills', 'bills.id', 'bill_exceptions.bill_id')
    .select(['bills.bill_no', 'bill_exceptions.customer_id', 'bill_exceptions.rule', 'bill_exceptions.detail', 'bill_exceptions.status'])
    .orderBy('bill_exceptions.customer_id').orderBy('bill_exceptions.id').execute();
  return [bills, lines, exceptions];
}

async function seed(store: OpenStore, customers: number): Promise<void> {
  await importFixtureTariffs(store);
  for (const demo of generateDemo({ customers, months: 3, seed: 7, endMonth: '2026-10' })) await registerCustomer(store, demo, NOW);
}

describeOnEveryStore('the bill run in and out of a worker', (h) => {
  before(async () => {
    await seed(h.store, 45);
  });

  it('loads and bills in a worker on a SQLite file, on this thread on PostgreSQL', () => {
    expect(loadsInWorker(h.store)).to.equal(h.store.dialect === 'sqlite');
  });

  it('stores the same drafts, lines and exceptions either way, slice size aside', async () => {
    const inProcess = await runBilling(h.store, { period: '2026-10', now: NOW, inProcess: true, batchSize: 7 });
    const stored = await storedRun(h.store);
    const worker = await runBilling(h.store, { period: '2026-10', now: NOW, batchSize: 4 });
    expect(await storedRun(h.store)).to.deep.equal(stored);
    expect({ ...worker, runId: 0 }).to.deep.equal({ ...inProcess, runId: 0 });
    expect(worker.bills).to.be.greaterThan(30);
  });

  it('ends where the customers end, whichever worker finds the empty slice', async () => {
    const inProcess = await runBilling(h.store, { period: '2026-10', now: NOW, inProcess: true });
    const stored = await storedRun(h.store);
    // 45 customers: nine full slices of 5 (the empty tenth goes to the second worker), five of 9.
    for (const batchSize of [5, 9, 45, 1_000]) {
      const worker = await runBilling(h.store, { period: '2026-10', now: NOW, batchSize });
      expect(await storedRun(h.store)).to.deep.equal(stored);
      expect({ ...worker, runId: 0 }).to.deep.equal({ ...inProcess, runId: 0 });
    }
  });

  it('fails the run, marked failed, with no draft of the failing slice stored', async () => {
    // A CT ratio of 0 is malformed master data: billing that customer throws.
    const broken = await h.store.db.selectFrom('customers').select('id').orderBy('id').offset(20).limit(1).executeTakeFirstOrThrow();
    const meters = await h.store.db.selectFrom('meters').select(['id', 'ct_ratio']).where('customer_id', '=', broken.id).execute();
    await h.store.db.updateTable('meters').set({ ct_ratio: 0 }).where('customer_id', '=', broken.id).execute();
    try {
      let failure: Error | undefined;
      await runBilling(h.store, { period: '2026-10', now: NOW, batchSize: 5 }).catch((error: Error) => { failure = error; });
      expect(failure?.message).to.match(/CT ratio must be a positive integer/);
      const run = await h.store.db.selectFrom('bill_runs').select('id').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      const stored = await findBillRun(h.store, run.id);
      expect(stored!.status).to.equal('failed');
      expect(JSON.parse(stored!.summary!).error).to.match(/CT ratio/);
      // Slices of 5 in id order: the broken customer's slice starts 20 customers in.
      const drafts = await h.store.db.selectFrom('bills').select('customer_id').where('run_id', '=', run.id).execute();
      expect(drafts.length).to.be.greaterThan(0);
      for (const d of drafts) expect(d.customer_id).to.be.lessThan(broken.id);
    } finally {
      for (const m of meters) await h.store.db.updateTable('meters').set({ ct_ratio: m.ct_ratio }).where('id', '=', m.id).execute();
    }
  });
});

describe('the bill run on SQLite in memory', () => {
  it('loads and bills on this thread: a worker cannot open the same database', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      await migrateToLatest(store.db, store.dialect);
      await seed(store, 12);
      expect(loadsInWorker(store)).to.equal(false);
      const summary = await runBilling(store, { period: '2026-10', now: NOW, batchSize: 5 });
      expect(summary.customers).to.equal(12);
      expect(summary.bills).to.be.greaterThan(0);
    } finally {
      await store.close();
    }
  });
});
