// Where an estimation run's slices are read and priced once the run is large. On a SQLite file a
// worker thread reads and prices the next slices (estimation-worker.ts) on a read-only connection
// of its own while this thread writes the current one: on the 2-core machines reading and pricing
// is about half of a run, and it overlaps with the other half instead of following it.
//
// The worker reads committed snapshots outside the writing transaction. What the run writes
// belongs to accounts of slices already read, which no later slice reads; a concurrent run that
// estimates an account between the worker's read and this thread's write is still caught by the
// unique (customer_id, period_key), and that slice rolls back whole. A payment committed in that
// moment is seen by the balance rules as if it had come just after the account was estimated.

import { Worker } from 'node:worker_threads';
import { LIMITS } from '../limits.ts';
import type { Store } from '../store/database.ts';
import type { EstimationSliceQuery } from '../store/estimation-slice.ts';
import type { PricedSlice, PricingPlan } from './estimate-slice.ts';

export interface EstimationWorkerInput {
  /** The worker's module, which the entry loads (registering tsx first for a .ts source). */
  readonly entry: string;
  readonly path: string;
  readonly plan: PricingPlan;
  readonly query: Omit<EstimationSliceQuery, 'afterCustomerId'>;
  /** The customer the worker's first slice starts after. */
  readonly afterCustomerId: number;
  readonly slicesInFlightMax: number;
}

export type ToEstimationWorker = { readonly kind: 'stored' };

export type FromEstimationWorker =
  | { readonly kind: 'slice'; readonly priced: PricedSlice }
  /** No account after the last slice: the period is done. */
  | { readonly kind: 'end' }
  | { readonly kind: 'failed'; readonly message: string };

const SOURCE_IS_TYPESCRIPT = import.meta.url.endsWith('.ts');
// The bill run's entry: it registers tsx in the worker for a .ts module, then loads the module.
const WORKER_ENTRY = new URL('./bill-run-worker-boot.js', import.meta.url);
const WORKER_MODULE = new URL(SOURCE_IS_TYPESCRIPT ? './estimation-worker.ts' : './estimation-worker.js', import.meta.url);

/** A worker's young generation: it allocates little that lives (see bill-run-batches.ts). */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: LIMITS.estimationWorkerYoungGenMb } as const;

/** The SQLite file a worker can read beside this store's writes, if there is one. */
export function workerReadablePath(store: Store): string | undefined {
  const handle = store.sqlite;
  if (handle === undefined || handle.memory || store.db.isTransaction) return undefined;
  // A pragma read outside Kysely is safe here: better-sqlite3 runs it synchronously, between
  // Kysely's statements, and no transaction is open on this connection (checked above).
  return handle.pragma('journal_mode', { simple: true }) === 'wal' ? handle.name : undefined;
}

/**
 * The priced slices after `afterCustomerId`, in customer order, from a worker thread. The consumer
 * stores each slice before it asks for the next one: that acknowledgement is what lets the worker
 * read further. Stops the worker when the consumer stops, whatever the reason.
 */
export async function* workerSlices(
  path: string, plan: PricingPlan, query: Omit<EstimationSliceQuery, 'afterCustomerId'>, afterCustomerId: number,
): AsyncGenerator<PricedSlice> {
  const input: EstimationWorkerInput = {
    entry: WORKER_MODULE.href, path, plan, query, afterCustomerId, slicesInFlightMax: LIMITS.estimationSlicesInFlightMax,
  };
  const worker = new Worker(WORKER_ENTRY, { workerData: input, resourceLimits: WORKER_LIMITS });
  const received: FromEstimationWorker[] = [];
  let stopped: string | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (message: FromEstimationWorker) => {
    received.push(message);
    wake?.();
  });
  worker.on('error', (error) => { stopped ??= error.message; wake?.(); });
  worker.on('exit', (code) => { stopped ??= `exit code ${code}`; wake?.(); });
  try {
    for (;;) {
      let message: FromEstimationWorker | undefined;
      while ((message = received.shift()) === undefined) {
        if (stopped !== undefined) throw new Error(`the estimation worker stopped before it finished: ${stopped}`);
        await new Promise<void>((resolve) => { wake = resolve; });
      }
      if (message.kind === 'end') return;
      if (message.kind === 'failed') throw new Error(message.message);
      yield message.priced;
      worker.postMessage({ kind: 'stored' } satisfies ToEstimationWorker);
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
