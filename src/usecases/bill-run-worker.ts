// A bill run's worker thread: on its own read-only SQLite connection it loads and bills its share
// of the slices (index, index + workers, …) and posts each slice's rows (flat values, see
// bill-run-rows.ts) to the thread that writes them. A slice starts after the last customer of the
// slice before it: the previous worker passes that boundary on as soon as it has loaded its slice,
// and this worker does the same for the next one before it bills. A worker runs ahead of the writer
// by at most BATCHES_IN_FLIGHT_MAX of its slices: it waits for the writer to acknowledge a stored
// slice before it loads another.

import { parentPort, workerData } from 'node:worker_threads';
import { openBillingBatchReader } from '../store/billing-batch.repository.ts';
import { batchRows } from './bill-run-rows.ts';
import {
  BATCHES_IN_FLIGHT_MAX, type BatchPlan, type Boundary, type FromWorker, type ToWorker, type WorkerInput,
} from './bill-run-batches.ts';

const port = parentPort;
if (port === null) throw new Error('bill-run-worker.ts runs only as a worker thread');
const input = workerData as WorkerInput;

let plan: BatchPlan | undefined;
let credits = BATCHES_IN_FLIGHT_MAX;
const boundaries = new Map<number, number | null>();
let wake: (() => void) | undefined;
port.on('message', (message: ToWorker) => {
  if (message.kind === 'plan') plan = message.plan;
  else credits += 1;
  wake?.();
});
input.fromPrevious.on('message', (message: Boundary) => {
  boundaries.set(message.slice, message.after);
  wake?.();
});

async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise<void>((resolve) => { wake = resolve; });
}

function post(message: FromWorker): void {
  port!.postMessage(message);
}

/** The customer the slice starts after, or null when the run ended before it. */
async function boundaryOf(slice: number): Promise<number | null> {
  if (slice === 0) return 0;
  await until(() => boundaries.has(slice));
  const after = boundaries.get(slice)!;
  boundaries.delete(slice);
  return after;
}

async function billAll(): Promise<void> {
  await until(() => plan !== undefined);
  const { query, rules, context } = plan!;
  const reader = openBillingBatchReader(input.path);
  try {
    for (let slice = input.index; ; slice += input.workers) {
      const after = await boundaryOf(slice);
      if (after === null) { post({ kind: 'end', slice }); return; }
      await until(() => credits > 0);
      let batch;
      try {
        batch = reader.load({ ...query, afterCustomerId: after });
      } catch (error) {
        post({ kind: 'failed', slice, message: (error as Error).message ?? String(error) });
        return;
      }
      const last = batch.customers[batch.customers.length - 1];
      input.toNext.postMessage({ slice: slice + 1, after: last === undefined ? null : last.id } satisfies Boundary);
      if (last === undefined) { post({ kind: 'end', slice }); return; }
      let rows;
      try {
        rows = batchRows(batch, rules, context);
      } catch (error) {
        post({ kind: 'failed', slice, message: (error as Error).message ?? String(error) });
        return;
      }
      credits -= 1;
      post({ kind: 'rows', slice, rows });
    }
  } finally {
    reader.close();
  }
}

try {
  await billAll();
} catch (error) {
  // Before any slice (the reader did not open): the run fails at this worker's first slice.
  post({ kind: 'failed', slice: input.index, message: (error as Error).message ?? String(error) });
} finally {
  input.fromPrevious.close();
  input.toNext.close();
  port.close();
}
