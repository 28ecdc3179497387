// The bill run at scale: BENCH_CUSTOMERS (default 1,000,000) demo customers — 85 % residential
// ladder/TOU, 12 % commercial TOU, 3 % large industry with power factor — with one month of
// readings, billed to stored drafts with lines, durable (synchronous=FULL), on SQLite; then the
// same on PostgreSQL with BENCH_PG_CUSTOMERS (default 20,000). Reference: the same database's raw
// batched-insert rate measured in this run (prepared statement, one transaction per 10,000 rows).

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { importFixtureTariffs } from '../test/support/tariffs.ts';
import { seedDemo } from '../src/usecases/seed-demo.ts';
import { generateDemo } from '../fixtures/demo/generator.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { bulkSeed } from './bulk-seed.ts';
import type { BenchRow } from './run.ts';

const PERIOD = '2026-10';
const DEMO = { months: 2, seed: 2026, endMonth: PERIOD } as const;

interface ChildFigures { seconds: number; maxRssMb: number; customers: number; bills: number }

function runChild(url: string): ChildFigures {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bill-run-child.ts'), url, PERIOD], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildFigures;
}

function rawInsertRate(path: string, rows: number): number {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table raw_bench (id integer primary key, bill_no text, customer_id integer, amount_fen integer, lines text)');
  const insert = db.prepare('insert into raw_bench (bill_no, customer_id, amount_fen, lines) values (?, ?, ?, ?)');
  const chunk = db.transaction((from: number) => {
    for (let i = from; i < Math.min(rows, from + 10_000); i += 1) insert.run(`2026103300${i}`, i, i * 7, 'energy');
  });
  const started = performance.now();
  for (let i = 0; i < rows; i += 10_000) chunk(i);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return rows / seconds;
}

async function prepareSqlite(path: string, customers: number): Promise<void> {
  const store = await openStore(`sqlite:${path}`);
  await migrateToLatest(store.db, store.dialect);
  await importFixtureTariffs(store);
  await store.close();
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // setup only; the measured bill run opens the file durable
  bulkSeed(db, { customers, ...DEMO }, new Date().toISOString());
  db.close();
}

export async function billRunBench(dir: string): Promise<BenchRow[]> {
  const customers = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
  const path = join(dir, 'bill-run.db');
  let started = performance.now();
  await prepareSqlite(path, customers);
  console.log(`seeded ${customers} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const sqlite = runChild(`sqlite:${path}`);
  const raw = rawInsertRate(join(dir, 'raw.db'), Math.min(customers, 1_000_000));
  console.log(`SQLite bill run: ${sqlite.customers} customers, ${sqlite.bills} drafts in ${sqlite.seconds.toFixed(1)} s, peak RSS ${sqlite.maxRssMb.toFixed(0)} MB (target ≤ 30 s, ≤ 500 MB)`);
  const rows: BenchRow[] = [{
    name: `bill run, ${customers.toLocaleString('en')} customers to drafts (SQLite, durable; ${sqlite.seconds.toFixed(1)} s, peak ${sqlite.maxRssMb.toFixed(0)} MB)`,
    value: sqlite.customers / sqlite.seconds, unit: 'customers/s',
    reference: 'raw batched insert, same SQLite', referenceValue: raw, referenceUnit: 'rows/s',
  }];
  const pgCustomers = Number(process.env.BENCH_PG_CUSTOMERS ?? 20_000);
  const cluster = await startPostgres();
  if (!cluster) {
    console.log('PostgreSQL figure skipped: install Debian package postgresql');
    return rows;
  }
  try {
    const url = await cluster.createDatabase('bench');
    const store = await openStore(url);
    await migrateToLatest(store.db, store.dialect);
    await importFixtureTariffs(store);
    started = performance.now();
    await seedDemo(store, generateDemo({ customers: pgCustomers, ...DEMO }), new Date().toISOString());
    console.log(`seeded ${pgCustomers} customers on PostgreSQL in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await store.close();
    const pg = runChild(url);
    rows.push({
      name: `bill run, ${pgCustomers.toLocaleString('en')} customers to drafts (PostgreSQL; ${pg.seconds.toFixed(1)} s, peak ${pg.maxRssMb.toFixed(0)} MB)`,
      value: pg.customers / pg.seconds, unit: 'customers/s',
      reference: 'the SQLite bill run above', referenceValue: sqlite.customers / sqlite.seconds,
    });
  } finally {
    await cluster.stop();
  }
  return rows;
}
