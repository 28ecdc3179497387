// The estimation run's slice on SQLite: the same rows loadEstimationSlice reads through Kysely,
// from statements prepared once per connection. A run reads a million accounts; through Kysely
// most of that time went on compiling and awaiting queries, not on SQLite. Used on the run's own
// connection inside its transaction, and by the run's worker thread on a read-only connection of
// its own (openEstimationSliceReader), which loads none of Kysely.

import BetterSqlite3 from 'better-sqlite3';
import { LIMITS } from '../limits.ts';
import { preparedStatement } from './database.ts';
import type { EstimationAccount, EstimationSlice, EstimationSliceQuery, RegisterDay } from './estimation-slice.ts';

function accountSql(categories: number): string {
  return `select c.id, c.customer_no, c.category, c.voltage, c.households, c.tariff_code, c.time_of_use, c.capacity_kva,
      c.contract_demand_kw, c.basic_basis, c.phone, a.ladder_year_start_month
    from customers c join accounts a on a.customer_id = c.id
    where c.id > ? and c.status = 'active' and c.category in (${Array<string>(categories).fill('?').join(', ')})
      and a.payment_mode = 'smart-prepaid' and a.status = 'open'
    order by c.id limit ?`;
}

// One row per total register with both days' values side by side: half the rows of a reading per
// row, and no date strings to build. A register with neither reading is left out, as the
// Kysely query leaves it out; one with a single reading keeps the missing one as null.
const READING_PAIR_SQL = `select m.customer_id, r.id, m.ct_ratio, m.pt_ratio, r.digits, r.rollover_allowed, r0.value_hundredths, r1.value_hundredths
  from meters m join registers r on r.meter_id = m.id
  left join readings r0 on r0.register_id = r.id and r0.read_on = ?
  left join readings r1 on r1.register_id = r.id and r1.read_on = ?
  where m.customer_id >= ? and m.customer_id <= ? and r.kind = 'total' and (r0.id is not null or r1.id is not null)`;

const INTERVAL_SQL = `select m.customer_id, sum(i.kwh_hundredths) as kwh_hundredths
  from meters m join meter_intervals i on i.meter_id = m.id
  where m.customer_id >= ? and m.customer_id <= ? and i.starts_at >= ? and i.starts_at < ?
  group by m.customer_id`;

const BILL_SQL = `select customer_id, period, energy_kwh from bills
  where customer_id >= ? and customer_id <= ? and period >= ? and status = 'issued'`;

// The months' sums kept beside the estimates (migration 0010), not the estimates themselves.
const ESTIMATE_SQL = `select customer_id, month, kwh from smart_estimate_months
  where customer_id >= ? and customer_id <= ? and month >= ?`;

// A walk over the slice's entries of the unique (customer_id, period_key) index, read from the
// index alone: at the end of a month about 30 entries an account, and none on the first day.
// (A seek per account instead costs about the same averaged over a month.)
const DAY_KEY_SQL = `select customer_id, period_key from smart_estimates
  where customer_id >= ? and customer_id <= ? and period_key >= ? and period_key < ?`;

// The covering index of migration 0010 answers this from the index alone.
const PREPAID_SQL = `select customer_id, sum(amount_fen) as total from ledger_entries
  where account_code = 'prepaid' and customer_id >= ? and customer_id <= ?
  group by customer_id`;

type AccountTuple = [
  id: number, customerNo: string, category: EstimationAccount['category'], voltage: EstimationAccount['voltage'], households: number, tariffCode: string,
  timeOfUse: number, capacityKva: number | null, contractDemandKw: number | null, basicBasis: EstimationAccount['basic_basis'], phone: string | null,
  ladderYearStartMonth: number,
];

/**
 * Accounts from rows read as arrays: better-sqlite3 builds a row object by setting each column by
 * name, which took twice as long as reading the row; an object literal costs next to nothing.
 */
function accountsOf(rows: readonly AccountTuple[]): EstimationAccount[] {
  return rows.map(([id, customer_no, category, voltage, households, tariff_code, time_of_use, capacity_kva, contract_demand_kw, basic_basis, phone, ladder_year_start_month]) => ({
    id, customer_no, category, voltage, households, tariff_code, time_of_use, capacity_kva, contract_demand_kw, basic_basis, phone, ladder_year_start_month,
  }));
}

/** One slice on a SQLite connection; the caller holds a transaction open around it (one snapshot). */
export function readSqliteEstimationSlice(handle: BetterSqlite3.Database, q: EstimationSliceQuery): EstimationSlice {
  const statement = (text: string): BetterSqlite3.Statement => preparedStatement(handle, text);
  const accounts = accountsOf(statement(accountSql(q.categories.length)).raw(true).all(q.afterCustomerId, ...q.categories, q.size) as AccountTuple[]);
  if (accounts.length === 0) return { accounts, readings: [], intervals: [], bills: [], estimates: [], dayKeys: [], prepaid: [] };
  const lo = accounts[0]!.id;
  const hi = accounts[accounts.length - 1]!.id;
  return {
    accounts,
    readings: q.data === 'readings' ? statement(READING_PAIR_SQL).raw(true).all(...q.readingDays, lo, hi) as RegisterDay[] : [],
    intervals: q.data === 'intervals' ? statement(INTERVAL_SQL).all(lo, hi, q.intervalFrom, q.intervalTo) as EstimationSlice['intervals'] : [],
    bills: statement(BILL_SQL).all(lo, hi, q.fromMonth) as EstimationSlice['bills'],
    estimates: statement(ESTIMATE_SQL).all(lo, hi, q.fromMonth) as EstimationSlice['estimates'],
    dayKeys: statement(DAY_KEY_SQL).all(lo, hi, q.day, `${q.day}U`) as EstimationSlice['dayKeys'],
    prepaid: statement(PREPAID_SQL).all(lo, hi) as EstimationSlice['prepaid'],
  };
}

/** Reads slices of a SQLite file on a read-only connection of its own, each in one read transaction. */
export interface EstimationSliceReader {
  load(q: EstimationSliceQuery): EstimationSlice;
  close(): void;
}

/**
 * The reader of the run's worker thread. The file must be in WAL mode (openStore sets it): then
 * this connection reads committed snapshots while the run's connection writes.
 */
export function openEstimationSliceReader(path: string): EstimationSliceReader {
  const handle = new BetterSqlite3(path, { readonly: true, fileMustExist: true, timeout: LIMITS.sqliteBusyTimeoutMs });
  const inReadTransaction = handle.transaction((q: EstimationSliceQuery) => readSqliteEstimationSlice(handle, q));
  return { load: (q) => inReadTransaction(q), close: () => handle.close() };
}
