// The daily fee estimation at scale: BENCH_ESTIMATION_ACCOUNTS (default 1,000,000) residential
// smart-payment accounts, each with one meter read on the day before and the day, one day's
// estimation with its ledger postings and reminders queued (one account in twenty starts with a
// low balance), durable, on SQLite. Target: ≤ 20 s and bounded memory on the 2-core machine.
// BENCH_ESTIMATION_DAYS_BEFORE (default 0, at most 9) first gives every account that many days of
// the month already estimated and charged, as later in a month, when every account has more
// estimates and ledger entries to read.
// Reference: the same database's raw batched-insert rate measured in this run.

import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { importFixtureTariffs } from '../test/support/tariffs.ts';
import { runEstimation } from '../src/usecases/run-estimation.ts';
import type { BenchRow } from './run.ts';

const DAY = '2026-11-10';
const NOW = '2026-11-10T23:00:00.000Z'; // 07:00 the next morning in Beijing

/** Accounts, meters, registers, two readings each and an opening prepaid balance, set-based. */
function seed(path: string, accounts: number, daysBefore: number): void {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // setup only; the measured run opens the file durable
  const series = `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${accounts})`;
  db.transaction(() => {
    db.exec(`${series} insert into customers (id, customer_no, name, category, voltage, address, phone, id_number, credit_code, households,
      tariff_code, time_of_use, capacity_kva, contract_demand_kw, basic_basis, pf_standard, status, created_at)
      select i, printf('33%011d', i), '测试用户', 'residential', 'below-1kv', '杭州市', printf('139%08d', i), null, null, 1,
      'zj-residential-ladder', i % 3 = 0, null, null, null, null, 'active', '2026-01-01T00:00:00.000Z' from n`);
    db.exec(`${series} insert into accounts (customer_id, payment_mode, ladder_year_start_month, status, opened_at)
      select i, 'smart-prepaid', 1, 'open', '2026-01-01T00:00:00.000Z' from n`);
    db.exec(`${series} insert into meters (id, meter_no, customer_id, ct_ratio, pt_ratio, installed_on, removed_on, status)
      select i, printf('M%012d', i), i, 1, 1, '2020-01-01', null, 'installed' from n`);
    db.exec(`${series} insert into registers (id, meter_id, kind, digits, rollover_allowed) select i, i, 'total', 6, 1 from n`);
    db.exec(`${series} insert into readings (register_id, read_on, value_hundredths, source, recorded_at)
      select i, '2026-11-09', 100000 + i % 997, 'actual', 'x' from n union all
      select i, '${DAY}', 100000 + i % 997 + 500 + (i % 23) * 100, 'actual', 'x' from n`);
    db.exec(`insert into ledger_transactions (id, kind, ref_kind, ref_id, accounting_date, created_at) values (1, 'bench-opening', null, null, '2026-11-01', 'x')`);
    db.exec(`${series} insert into ledger_entries (txn_id, account_code, customer_id, amount_fen)
      select 1, 'prepaid', i, case when i % 20 = 0 then -1500 else -20000 end from n`);
    db.exec(`insert into ledger_entries (txn_id, account_code, customer_id, amount_fen)
      select 1, 'clearing:bench', null, -sum(amount_fen) from ledger_entries where txn_id = 1`);
    for (let day = 1; day <= daysBefore; day += 1) seedEstimatedDay(db, series, `2026-11-${String(day).padStart(2, '0')}`, day + 1);
    db.exec(`insert into smart_estimate_months (customer_id, month, kwh, amount_fen)
      select customer_id, month, sum(kwh), sum(amount_fen) from smart_estimates group by customer_id, month`);
  })();
  db.close();
}

/** A day already estimated: 5 kWh for every account, charged to its prepaid balance (a low one stays above zero). */
function seedEstimatedDay(db: BetterSqlite3.Database, series: string, day: string, txnId: number): void {
  db.exec(`insert into ledger_transactions (id, kind, ref_kind, ref_id, accounting_date, created_at) values (${txnId}, 'smart-estimate', null, null, '${day}', 'x')`);
  db.exec(`${series} insert into smart_estimates (customer_id, period_key, month, kwh, amount_fen, algorithm, estimated, run_id, created_at)
    select i, '${day}', '2026-11', 5, case when i % 20 = 0 then 0 else 269 end, 'register-delta', 0, 0, 'x' from n`);
  db.exec(`insert into ledger_entries (txn_id, account_code, customer_id, amount_fen)
    select ${txnId}, 'prepaid', customer_id, amount_fen from smart_estimates where period_key = '${day}'`);
  db.exec(`insert into ledger_entries (txn_id, account_code, customer_id, amount_fen)
    select ${txnId}, 'unbilled:estimates', null, -sum(amount_fen) from ledger_entries where txn_id = ${txnId}`);
}

function rawInsertRate(path: string, rows: number): number {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table raw_bench (id integer primary key, customer_id integer, period_key text, amount_fen integer)');
  const insert = db.prepare('insert into raw_bench (customer_id, period_key, amount_fen) values (?, ?, ?)');
  const chunk = db.transaction((from: number) => {
    for (let i = from; i < Math.min(rows, from + 10_000); i += 1) insert.run(i, DAY, i * 7);
  });
  const started = performance.now();
  for (let i = 0; i < rows; i += 10_000) chunk(i);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return rows / seconds;
}

export async function estimationBench(dir: string): Promise<BenchRow[]> {
  const accounts = Number(process.env.BENCH_ESTIMATION_ACCOUNTS ?? 1_000_000);
  const path = join(dir, 'estimation.db');
  const setup = await openStore(`sqlite:${path}`);
  await migrateToLatest(setup.db, setup.dialect);
  await importFixtureTariffs(setup);
  await setup.close();
  const daysBefore = Math.min(9, Number(process.env.BENCH_ESTIMATION_DAYS_BEFORE ?? 0));
  let started = performance.now();
  seed(path, accounts, daysBefore);
  console.log(`seeded ${accounts} smart-payment accounts, ${daysBefore} days estimated before, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const store = await openStore(`sqlite:${path}`);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);
  started = performance.now();
  const summary = await runEstimation(store, { date: DAY, segment: 'residential', now: NOW, actor: 'bench' }).finally(() => clearInterval(sampler));
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  const mb = peakRss / 2 ** 20;
  console.log(`estimation: ${summary.accounts} accounts, ${summary.reminders + summary.cutoffNotices} reminders in ${seconds.toFixed(1)} s, peak RSS ${mb.toFixed(0)} MB (target ≤ 20 s)`);
  const raw = rawInsertRate(join(dir, 'raw-estimation.db'), Math.min(accounts, 1_000_000));
  return [{
    name: `estimation, ${accounts.toLocaleString('en')} accounts, one day${daysBefore > 0 ? ` after ${daysBefore} estimated` : ''} with ledger and reminders (SQLite, durable; ${seconds.toFixed(1)} s, peak ${mb.toFixed(0)} MB)`,
    value: summary.accounts / seconds, unit: 'accounts/s',
    reference: 'raw batched insert, same SQLite', referenceValue: raw, referenceUnit: 'rows/s',
  }];
}
