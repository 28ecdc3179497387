// The bill run's worker thread: on its own read-only SQLite connection it loads and bills slice
// after slice of customers, and posts each slice's rows (flat values, see bill-run-rows.ts) to the
// thread that writes them. It runs ahead of the writer by at most BATCHES_IN_FLIGHT_MAX slices:
// it waits for the writer to acknowledge a stored slice before it loads another.

import { parentPort, workerData } from 'node:worker_threads';
import { openBillingBatchReader } from '../store/billing-batch.repository.ts';
import { batchRows } from './bill-run-rows.ts';
import { BATCHES_IN_FLIGHT_MAX, type FromWorker, type WorkerInput } from './bill-run-batches.ts';

const port = parentPort;
if (port === null) throw new Error('bill-run-worker.ts runs only as a worker thread');
const input = workerData as WorkerInput;

let credits = BATCHES_IN_FLIGHT_MAX;
let wake: (() => void) | undefined;
port.on('message', (message: unknown) => {
  if (message !== 'stored') return;
  credits += 1;
  wake?.();
});

function post(message: FromWorker): void {
  port!.postMessage(message);
}

async function billAll(): Promise<void> {
  const reader = openBillingBatchReader(input.path);
  try {
    let after = 0;
    for (;;) {
      while (credits === 0) await new Promise<void>((resolve) => { wake = resolve; });
      const batch = reader.load({ ...input.query, afterCustomerId: after });
      if (batch.customers.length === 0) break;
      const rows = batchRows(batch, input.rules, input.context);
      credits -= 1;
      post({ kind: 'rows', rows });
      after = rows.lastCustomerId;
    }
  } finally {
    reader.close();
  }
}

try {
  await billAll();
  post({ kind: 'done' });
} catch (error) {
  post({ kind: 'failed', message: (error as Error).message ?? String(error) });
} finally {
  port.close();
}
