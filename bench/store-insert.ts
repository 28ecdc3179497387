// Readings written through the store (Kysely, batched multi-row INSERTs, one transaction) against
// the same rows written by raw better-sqlite3 prepared statements in one transaction: what the
// query builder costs on the write path. Both durable (synchronous=FULL, WAL).

import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { openStore } from '../src/store/connect.ts';
import { inTransaction } from '../src/store/database.ts';
import { insertReadings } from '../src/store/meter.repository.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import type { NewReading } from '../src/store/meter.table.ts';
import type { BenchRow } from './run.ts';

const ROWS = 200_000;
const REGISTERS = 1_000;

function readings(): NewReading[] {
  const out: NewReading[] = [];
  for (let i = 0; i < ROWS; i += 1) {
    const day = String(1 + (Math.floor(i / REGISTERS) % 28)).padStart(2, '0');
    const month = String(1 + Math.floor(i / (REGISTERS * 28))).padStart(2, '0');
    out.push({ register_id: 1 + (i % REGISTERS), read_on: `2026-${month}-${day}`, value_hundredths: i, source: 'actual', recorded_at: '2026-11-01T00:00:00Z' });
  }
  return out;
}

async function prepare(url: string) {
  const store = await openStore(url);
  await migrateToLatest(store.db, store.dialect);
  await store.db.insertInto('customers').values({ customer_no: '3300000000011', name: 'b', category: 'residential', voltage: 'below-1kv', address: 'a', phone: null, id_number: null, credit_code: null, households: 1, tariff_code: 't', time_of_use: 0, capacity_kva: null, contract_demand_kw: null, basic_basis: null, pf_standard: null, status: 'active', created_at: 'now' }).execute();
  await store.db.insertInto('meters').values({ meter_no: 'M', customer_id: 1, ct_ratio: 1, pt_ratio: 1, installed_on: '2026-01-01', removed_on: null, status: 'installed' }).execute();
  const registers = Array.from({ length: REGISTERS }, (_, i) => ({ meter_id: 1, kind: `r${i}` as 'total', digits: 6, rollover_allowed: 1 }));
  for (let i = 0; i < registers.length; i += 200) await store.db.insertInto('registers').values(registers.slice(i, i + 200)).execute();
  return store;
}

export async function storeInsertBench(dir: string): Promise<BenchRow[]> {
  const rows = readings();
  const store = await prepare(`sqlite:${join(dir, 'store.db')}`);
  let started = performance.now();
  await inTransaction(store, (tx) => insertReadings(tx, rows));
  const storeSeconds = (performance.now() - started) / 1000;
  await store.close();

  const rawStore = await prepare(`sqlite:${join(dir, 'raw.db')}`);
  await rawStore.close();
  const raw = new BetterSqlite3(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  const insert = raw.prepare('insert into readings (register_id, read_on, value_hundredths, source, recorded_at) values (?, ?, ?, ?, ?)');
  started = performance.now();
  raw.transaction(() => {
    for (const r of rows) insert.run(r.register_id, r.read_on, r.value_hundredths, r.source, r.recorded_at);
  })();
  const rawSeconds = (performance.now() - started) / 1000;
  raw.close();
  return [{
    name: `readings insert via store (${ROWS.toLocaleString('en')} rows, SQLite, durable)`,
    value: ROWS / storeSeconds, unit: 'rows/s',
    reference: 'raw better-sqlite3 prepared insert, one transaction', referenceValue: ROWS / rawSeconds,
  }];
}
