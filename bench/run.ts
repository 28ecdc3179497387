// `npm run bench`: every figure is printed next to a reference measured in the same run, as a
// ratio, because these machines are noisy and absolute numbers mean little from one run to the
// next. Benchmarks are bounded in size; none is a test.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { storeInsertBench } from './store-insert.ts';
import { billRunBench } from './bill-run.ts';
import { soapBench } from './soap-services.ts';
import { estimationBench } from './estimation.ts';
import { gatewayBench } from './gateway.ts';
import { contractValidateBench } from './contract-validate.ts';

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

/**
 * bench/results.md: the last run's table with the machine it ran on, for the record (a partial run —
 * BENCH_ONLY — writes bench/results.local.md instead, so it never replaces a full one).
 */
function writeResults(machine: string, figures: string, rows: readonly BenchRow[]): void {
  const full = process.env.BENCH_ONLY === undefined;
  const file = new URL(full ? 'results.md' : 'results.local.md', import.meta.url);
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  writeFileSync(file, [
    '# gridbill benchmark results', '',
    `Written by \`npm run bench\` on ${new Date().toISOString()} (figures: ${figures}).`, '',
    `Machine: ${machine}; load average at the end ${load}. Every figure is next to a reference measured in`,
    'the same run; only the ratios compare from one run to another.', '',
    table(rows), '',
  ].join('\n'));
  console.log(`written: ${fileURLToPath(file)}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gridbill-bench-'));
  try {
    // BENCH_ONLY=soap,bill-run runs a subset (while working on one figure); the default is all.
    const only = new Set((process.env.BENCH_ONLY ?? 'store,bill-run,contract,soap,estimation,gateway').split(','));
    const rows: BenchRow[] = [];
    if (only.has('store')) rows.push(...await storeInsertBench(dir));
    if (only.has('bill-run')) rows.push(...await billRunBench(dir));
    if (only.has('contract')) rows.push(...contractValidateBench());
    if (only.has('soap')) rows.push(...await soapBench(dir));
    if (only.has('estimation')) rows.push(...await estimationBench(dir));
    if (only.has('gateway')) rows.push(...await gatewayBench(dir));
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, node ${process.version}`;
    console.log(`machine: ${machine}`);
    console.log(table(rows));
    writeResults(machine, [...only].join(','), rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
