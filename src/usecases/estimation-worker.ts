// The estimation run's worker thread: on its own read-only SQLite connection it reads the run's
// slices one after another, prices each (estimate-slice.ts) and posts it to the thread that writes
// them. It runs ahead of the writer by at most LIMITS.estimationSlicesInFlightMax slices: it waits
// for the writer to acknowledge a stored slice before it reads another, which bounds the memory.

import { parentPort, workerData } from 'node:worker_threads';
import { openEstimationSliceReader } from '../store/estimation-slice-reader.ts';
import { priceSlice, pricingContext } from './estimate-slice.ts';
import type { FromEstimationWorker, EstimationWorkerInput, ToEstimationWorker } from './estimation-slices.ts';

const port = parentPort;
if (port === null) throw new Error('estimation-worker.ts runs only as a worker thread');
const input = workerData as EstimationWorkerInput;

let credits = input.slicesInFlightMax;
let wake: (() => void) | undefined;
port.on('message', (message: ToEstimationWorker) => {
  if (message.kind === 'stored') credits += 1;
  wake?.();
});

async function untilCredit(): Promise<void> {
  while (credits <= 0) await new Promise<void>((resolve) => { wake = resolve; });
}

function post(message: FromEstimationWorker): void {
  port!.postMessage(message);
}

async function priceAll(): Promise<void> {
  const context = pricingContext(input.plan);
  const reader = openEstimationSliceReader(input.path);
  try {
    let after = input.afterCustomerId;
    for (;;) {
      await untilCredit();
      const slice = reader.load({ ...input.query, afterCustomerId: after });
      if (slice.accounts.length === 0) {
        post({ kind: 'end' });
        return;
      }
      const priced = priceSlice(slice, context);
      credits -= 1;
      post({ kind: 'slice', priced });
      after = priced.lastCustomerId;
    }
  } finally {
    reader.close();
  }
}

try {
  await priceAll();
} catch (error) {
  post({ kind: 'failed', message: (error as Error).message ?? String(error) });
} finally {
  port.close();
}
