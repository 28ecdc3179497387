// What the estimation run reads for a slice of smart-payment accounts: the query and the rows,
// the same from Kysely (estimation.repository.ts) and from SQLite's own statements
// (estimation-slice-reader.ts).

import type { CustomerCategory, CustomerRow } from './customer.table.ts';

export type EstimationAccount = Pick<CustomerRow,
  'id' | 'customer_no' | 'category' | 'voltage' | 'households' | 'tariff_code' | 'time_of_use' | 'capacity_kva' | 'contract_demand_kw' | 'basic_basis' | 'phone'
> & { readonly ladder_year_start_month: number };

/**
 * A total register with what measuring it needs and its readings of the day before and of the
 * day (null: none). A tuple, not an object: a run reads a million of them, and SQLite hands them
 * over as arrays without naming every column of every row.
 */
export type RegisterDay = readonly [
  customerId: number, registerId: number, ctRatio: number, ptRatio: number, digits: number, rolloverAllowed: number,
  startHundredths: number | null, endHundredths: number | null,
];

export interface EstimationSliceQuery {
  readonly afterCustomerId: number;
  readonly size: number;
  readonly categories: readonly CustomerCategory[];
  /** Readings of these two days (the day before and the day), for the register delta. */
  readonly readingDays: readonly [string, string];
  /** Interval starts in [from, to), UTC. */
  readonly intervalFrom: string;
  readonly intervalTo: string;
  /** Bills and estimates of the months from this one on (ladder year, average use). */
  readonly fromMonth: string;
  /** Existing estimates of the day: keys in [date, date + 'U'). */
  readonly day: string;
  /** Which consumption data the segment's algorithm reads (the other is not read at all). */
  readonly data: 'readings' | 'intervals' | 'none';
}

export interface EstimationSlice {
  readonly accounts: readonly EstimationAccount[];
  /** Registers with a reading on either day; a register with neither is left out. */
  readonly readings: readonly RegisterDay[];
  readonly intervals: ReadonlyArray<{ readonly customer_id: number; readonly kwh_hundredths: number | string }>;
  readonly bills: ReadonlyArray<{ readonly customer_id: number; readonly period: string; readonly energy_kwh: number }>;
  readonly estimates: ReadonlyArray<{ readonly customer_id: number; readonly month: string; readonly kwh: number | string }>;
  readonly dayKeys: ReadonlyArray<{ readonly customer_id: number; readonly period_key: string }>;
  readonly prepaid: ReadonlyArray<{ readonly customer_id: number | null; readonly total: number | string | null }>;
}
