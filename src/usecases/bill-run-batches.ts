// Where the bill run's slices are loaded and billed. On a SQLite file the work goes to a worker
// thread with its own read-only connection, so loading and billing slice N+1 (most of a run's
// time) overlaps with storing slice N on this thread; the two cores of a small server both work.
// Everywhere else (SQLite in memory, PostgreSQL, SQL Server) the slices are loaded and billed here,
// one after another: a server database already works beside this process.
//
// Consistency: the worker starts after the run's deleted drafts are committed and reads each slice
// in one read transaction, so it sees everything committed before the run began. What this run
// writes are drafts of customers in slices already loaded, which no later slice reads.

import { Worker } from 'node:worker_threads';
import type { Store } from '../store/database.ts';
import { loadBillingBatch, type BatchQuery } from '../store/billing-batch.repository.ts';
import type { BillingRules } from './bill-customer.ts';
import { batchRows, type BatchRows, type RunContext } from './bill-run-rows.ts';

/**
 * Slices loaded and billed but not yet stored, counting the one being stored: two keep both
 * threads busy; more would only hold more rows in memory.
 */
export const BATCHES_IN_FLIGHT_MAX = 2;

export interface BatchPlan {
  readonly query: Omit<BatchQuery, 'afterCustomerId'>;
  readonly rules: BillingRules;
  readonly context: RunContext;
}

export interface WorkerInput extends BatchPlan {
  /** The worker's module, which the entry loads (registering tsx first for a .ts source). */
  readonly entry: string;
  readonly path: string;
}

export type FromWorker =
  | { readonly kind: 'rows'; readonly rows: BatchRows }
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly message: string };

const SOURCE_IS_TYPESCRIPT = import.meta.url.endsWith('.ts');
const WORKER_ENTRY = new URL('./bill-run-worker-boot.js', import.meta.url);
const WORKER_MODULE = new URL(SOURCE_IS_TYPESCRIPT ? './bill-run-worker.ts' : './bill-run-worker.js', import.meta.url);

/** True when a bill run on this store loads and bills in a worker thread. */
export function loadsInWorker(store: Store): boolean {
  return workerReadablePath(store) !== undefined;
}

/** The SQLite file a worker can read beside this store's writes, if there is one. */
function workerReadablePath(store: Store): string | undefined {
  const handle = store.sqlite;
  if (handle === undefined || handle.memory || store.db.isTransaction) return undefined;
  // A pragma read outside Kysely is safe here: better-sqlite3 runs it synchronously, between
  // Kysely's statements, and no transaction is open on this connection (checked above).
  return handle.pragma('journal_mode', { simple: true }) === 'wal' ? handle.name : undefined;
}

/**
 * The run's slices as rows to store, in customer order. A consumer stores each slice before it
 * asks for the next one; that is what bounds the slices held in memory.
 */
export function billRunBatches(store: Store, plan: BatchPlan, options: { readonly inProcess?: boolean } = {}): AsyncGenerator<BatchRows> {
  const path = options.inProcess ? undefined : workerReadablePath(store);
  return path === undefined ? inProcessBatches(store, plan) : workerBatches(path, plan);
}

async function* inProcessBatches(store: Store, plan: BatchPlan): AsyncGenerator<BatchRows> {
  let after = 0;
  for (;;) {
    const batch = await loadBillingBatch(store, { ...plan.query, afterCustomerId: after });
    if (batch.customers.length === 0) return;
    const rows = batchRows(batch, plan.rules, plan.context);
    yield rows;
    after = rows.lastCustomerId;
  }
}

type Inbox = FromWorker | { readonly kind: 'exited'; readonly detail: string };

async function* workerBatches(path: string, plan: BatchPlan): AsyncGenerator<BatchRows> {
  const input: WorkerInput = { ...plan, entry: WORKER_MODULE.href, path };
  const worker = new Worker(WORKER_ENTRY, { workerData: input });
  const inbox: Inbox[] = [];
  let wake: (() => void) | undefined;
  const deliver = (message: Inbox) => { inbox.push(message); wake?.(); };
  worker.on('message', deliver);
  worker.on('error', (error) => deliver({ kind: 'exited', detail: error.message }));
  worker.on('exit', (code) => deliver({ kind: 'exited', detail: `exit code ${code}` }));
  try {
    for (;;) {
      while (inbox.length === 0) await new Promise<void>((resolve) => { wake = resolve; });
      const message = inbox.shift()!;
      switch (message.kind) {
        case 'rows':
          yield message.rows;
          worker.postMessage('stored');
          break;
        case 'done':
          return;
        case 'failed':
          throw new Error(message.message);
        case 'exited':
          throw new Error(`the bill run worker stopped before it finished: ${message.detail}`);
      }
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
