// `npm run bench`: every figure is printed next to a reference measured in the same run, as a
// ratio, because these machines are noisy and absolute numbers mean little from one run to the
// next. Benchmarks are bounded in size; none is a test.

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { storeInsertBench } from './store-insert.ts';
import { billRunBench } from './bill-run.ts';
import { soapBench } from './soap-services.ts';
import { estimationBench } from './estimation.ts';
import { gatewayBench } from './gateway.ts';

export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly reference: string;
  readonly referenceValue: number;
  /** When the reference counts something else (rows where the figure counts customers). */
  readonly referenceUnit?: string;
}

function table(rows: readonly BenchRow[]): string {
  const lines = [
    '| figure | value | reference | reference value | ratio |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${Math.round(r.value).toLocaleString('en')} ${r.unit} | ${r.reference} | ${Math.round(r.referenceValue).toLocaleString('en')} ${r.referenceUnit ?? r.unit} | ${(r.value / r.referenceValue).toFixed(2)} |`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gridbill-bench-'));
  try {
    // BENCH_ONLY=soap,bill-run runs a subset (while working on one figure); the default is all.
    const only = new Set((process.env.BENCH_ONLY ?? 'store,bill-run,soap,estimation,gateway').split(','));
    const rows: BenchRow[] = [];
    if (only.has('store')) rows.push(...await storeInsertBench(dir));
    if (only.has('bill-run')) rows.push(...await billRunBench(dir));
    if (only.has('soap')) rows.push(...await soapBench(dir));
    if (only.has('estimation')) rows.push(...await estimationBench(dir));
    if (only.has('gateway')) rows.push(...await gatewayBench(dir));
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
    console.log(table(rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
