// Runs one bill run in a process of its own, so its peak RSS is the bill run's alone, and prints
// the figures as one JSON line: `node --import tsx bench/bill-run-child.ts DB_URL PERIOD`.

import { openStore } from '../src/store/connect.ts';
import { runBilling } from '../src/usecases/run-billing.ts';

const [url, period] = process.argv.slice(2);
if (!url || !period) throw new Error('usage: bill-run-child.ts DB_URL PERIOD');
const store = await openStore(url);
const started = performance.now();
const summary = await runBilling(store, { period, now: new Date().toISOString(), batchSize: 2_000 });
const seconds = (performance.now() - started) / 1000;
await store.close();
// maxRSS is in kilobytes on Linux.
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ seconds, maxRssMb, customers: summary.customers, bills: summary.bills, held: summary.held, exceptions: summary.exceptionsByRule })}\n`);
