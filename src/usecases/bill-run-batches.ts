// Where the bill run's slices are loaded and billed. On a SQLite file the work goes to worker
// threads, each with its own read-only connection, so loading and billing the next slices (most of
// a run's time) overlaps with storing the current one on this thread; the cores of a small server
// all work. Everywhere else (SQLite in memory, PostgreSQL, SQL Server) the slices are loaded and
// billed here, one after another: a server database already works beside this process.
//
// The workers take slices in turn (slice i to worker i % BATCH_WORKERS). A slice starts after the
// last customer of the one before it, so a worker loads its slice once the previous worker has
// loaded its own and passed the boundary on; billing, the larger half of a slice's work, overlaps.
// This thread stores the slices strictly in order, whichever worker finishes first.
//
// The workers start when the run starts (a worker's start-up overlaps with the run's first
// statements) but load nothing before they are handed the plan, which is after the run's deleted
// drafts are committed. Each slice is read in one read transaction, so it sees everything committed
// before the run began. What this run writes are drafts of customers in slices already loaded,
// which no later slice reads.

import { LIMITS } from '../limits.ts';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Store } from '../store/database.ts';
import { loadBillingBatch, type BatchQuery } from '../store/billing-batch.repository.ts';
import type { BillingRules } from './bill-customer.ts';
import { batchRows, type BatchRows, type RunContext } from './bill-run-rows.ts';

/** Worker threads a run on a SQLite file loads and bills with. */
export const BATCH_WORKERS = LIMITS.billRunWorkers;

/**
 * Slices a worker has loaded and billed but this thread has not yet stored, counting the one being
 * stored: two keep every thread busy; more would only hold more rows in memory.
 */
export const BATCHES_IN_FLIGHT_MAX = LIMITS.billRunSlicesInFlightMax;

/**
 * A worker's young generation, smaller than V8's default: a worker allocates little that lives,
 * and with three threads' heaps in one process the default would take a run of a million customers
 * close to 500 MB (measured: about 490 MB, with this about 440 MB, no slower).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: LIMITS.billRunWorkerYoungGenMb } as const;

export interface BatchPlan {
  readonly query: Omit<BatchQuery, 'afterCustomerId'>;
  readonly rules: BillingRules;
  readonly context: RunContext;
}

export interface WorkerInput {
  /** The worker's module, which the entry loads (registering tsx first for a .ts source). */
  readonly entry: string;
  readonly path: string;
  /** This worker's number: it takes slices index, index + workers, … */
  readonly index: number;
  readonly workers: number;
  /** Where the boundary of this worker's next slice comes from (the previous worker). */
  readonly fromPrevious: MessagePort;
  /** Where this worker passes on the boundary of the slice after each of its own. */
  readonly toNext: MessagePort;
}

/** The customer a slice starts after; null when the slice before it was the end of the run. */
export interface Boundary {
  readonly slice: number;
  readonly after: number | null;
}

export type ToWorker = { readonly kind: 'plan'; readonly plan: BatchPlan } | { readonly kind: 'stored' };

export type FromWorker =
  | { readonly kind: 'rows'; readonly slice: number; readonly rows: BatchRows }
  /** The slice is empty: the run ends before it. */
  | { readonly kind: 'end'; readonly slice: number }
  | { readonly kind: 'failed'; readonly slice: number; readonly message: string };

const SOURCE_IS_TYPESCRIPT = import.meta.url.endsWith('.ts');
const WORKER_ENTRY = new URL('./bill-run-worker-boot.js', import.meta.url);
const WORKER_MODULE = new URL(SOURCE_IS_TYPESCRIPT ? './bill-run-worker.ts' : './bill-run-worker.js', import.meta.url);

/** True when a bill run on this store loads and bills in worker threads. */
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

/** Where a run's slices come from: started early, handed the plan once the run may read. */
export interface BatchSource {
  /**
   * The run's slices as rows to store, in customer order. A consumer stores each slice before it
   * asks for the next one; that is what bounds the slices held in memory. Called once.
   */
  batches(plan: BatchPlan): AsyncGenerator<BatchRows>;
  /** Stops whatever is still running; safe to call more than once, and without batches(). */
  close(): Promise<void>;
}

/** Starts what will load and bill a run's slices on this store (worker threads where they can). */
export function startBatchSource(store: Store, options: { readonly inProcess?: boolean; readonly workers?: number } = {}): BatchSource {
  const path = options.inProcess ? undefined : workerReadablePath(store);
  if (path === undefined) return { batches: (plan) => inProcessBatches(store, plan), close: async () => {} };
  return new WorkerPool(path, options.workers ?? BATCH_WORKERS);
}

/** The run's slices as rows to store, in customer order (see BatchSource.batches). */
export async function* billRunBatches(store: Store, plan: BatchPlan, options: { readonly inProcess?: boolean; readonly workers?: number } = {}): AsyncGenerator<BatchRows> {
  const source = startBatchSource(store, options);
  try {
    yield* source.batches(plan);
  } finally {
    await source.close();
  }
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

type Slice = Exclude<FromWorker, { kind: 'end' }> | { readonly kind: 'end'; readonly slice: number };

class WorkerPool implements BatchSource {
  readonly #workers: Worker[] = [];
  /** Slices received and not yet handed on, by slice number. */
  readonly #ready = new Map<number, Slice>();
  /** A worker that stopped without finishing its part: the run cannot go on. */
  #stopped: string | undefined;
  #wake: (() => void) | undefined;
  #closed: Promise<void> | undefined;

  constructor(path: string, count: number) {
    // A ring: worker i passes the boundary after each of its slices on to worker i + 1.
    const channels = Array.from({ length: count }, () => new MessageChannel());
    for (let index = 0; index < count; index += 1) {
      const toNext = channels[index]!.port1;
      const fromPrevious = channels[(index + count - 1) % count]!.port2;
      const input: WorkerInput = { entry: WORKER_MODULE.href, path, index, workers: count, fromPrevious, toNext };
      const worker = new Worker(WORKER_ENTRY, { workerData: input, transferList: [toNext, fromPrevious], resourceLimits: WORKER_LIMITS });
      let finished = false;
      worker.on('message', (message: FromWorker) => {
        finished ||= message.kind !== 'rows';
        this.#ready.set(message.slice, message);
        this.#wake?.();
      });
      worker.on('error', (error) => this.#stop(error.message));
      worker.on('exit', (code) => { if (!finished) this.#stop(`exit code ${code}`); });
      this.#workers.push(worker);
    }
  }

  #stop(detail: string): void {
    this.#stopped ??= detail;
    this.#wake?.();
  }

  async *batches(plan: BatchPlan): AsyncGenerator<BatchRows> {
    try {
      for (const worker of this.#workers) worker.postMessage({ kind: 'plan', plan } satisfies ToWorker);
      for (let slice = 0; ; slice += 1) {
        let message: Slice | undefined;
        while ((message = this.#ready.get(slice)) === undefined) {
          if (this.#stopped !== undefined) throw new Error(`the bill run worker stopped before it finished: ${this.#stopped}`);
          await new Promise<void>((resolve) => { this.#wake = resolve; });
        }
        this.#ready.delete(slice);
        switch (message.kind) {
          case 'rows':
            yield message.rows;
            this.#workers[slice % this.#workers.length]!.postMessage({ kind: 'stored' } satisfies ToWorker);
            break;
          case 'end':
            return;
          case 'failed':
            throw new Error(message.message);
        }
      }
    } finally {
      await this.close();
    }
  }

  close(): Promise<void> {
    this.#closed ??= Promise.all(this.#workers.map(async (worker) => {
      worker.removeAllListeners();
      await worker.terminate();
    })).then(() => undefined);
    return this.#closed;
  }
}
