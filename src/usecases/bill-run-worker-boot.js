// Entry of the bill run's worker thread. A worker does not inherit the TypeScript loader its parent
// registered (bin/gridbill.js, or `--import tsx` under mocha), so when the worker's module is a .ts
// source this registers tsx in the worker first; built JavaScript loads as it is.

import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
