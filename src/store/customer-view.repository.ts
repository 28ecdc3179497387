// What a customer sees of their own data in the online business hall: issued bills with their
// lines, meters in service, and total-register readings for daily consumption. Reading only.

import type { Store } from './database.ts';
import type { BillLineRow, BillRow } from './bill.table.ts';

export type CustomerBillRow = Pick<BillRow, 'id' | 'bill_no' | 'period' | 'energy_kwh' | 'amount_fen' | 'issued_at' | 'due_on'>;

/** Issued bills of periods fromPeriod..toPeriod (inclusive), newest first. */
export function issuedBillsBetween(store: Store, customerId: number, fromPeriod: string, toPeriod: string): Promise<CustomerBillRow[]> {
  return store.db.selectFrom('bills')
    .select(['id', 'bill_no', 'period', 'energy_kwh', 'amount_fen', 'issued_at', 'due_on'])
    .where('customer_id', '=', customerId).where('status', '=', 'issued')
    .where('period', '>=', fromPeriod).where('period', '<=', toPeriod)
    .orderBy('period', 'desc').orderBy('bill_no', 'desc').execute();
}

/** The lines of several bills, by bill then line order. */
export async function linesOfBills(store: Store, billIds: readonly number[]): Promise<BillLineRow[]> {
  if (billIds.length === 0) return [];
  return store.db.selectFrom('bill_lines').selectAll().where('bill_id', 'in', [...billIds]).orderBy('bill_id').orderBy('seq').execute();
}

/** Meter numbers in service (not removed), by number. */
export async function meterNosInService(store: Store, customerId: number): Promise<string[]> {
  const rows = await store.db.selectFrom('meters').select('meter_no')
    .where('customer_id', '=', customerId).where('removed_on', 'is', null).orderBy('meter_no').execute();
  return rows.map((r) => r.meter_no);
}

export interface TotalReadingRow {
  readonly meter_id: number;
  readonly ct_ratio: number;
  readonly pt_ratio: number;
  readonly digits: number;
  readonly rollover_allowed: number;
  readonly read_on: string;
  readonly value_hundredths: number;
}

/** Total-register readings of every meter of the customer from..to (inclusive), by meter then date. */
export function totalReadingsBetween(store: Store, customerId: number, from: string, to: string): Promise<TotalReadingRow[]> {
  return store.db.selectFrom('readings')
    .innerJoin('registers', 'registers.id', 'readings.register_id')
    .innerJoin('meters', 'meters.id', 'registers.meter_id')
    .select(['meters.id as meter_id', 'meters.ct_ratio', 'meters.pt_ratio', 'registers.digits', 'registers.rollover_allowed',
      'readings.read_on', 'readings.value_hundredths'])
    .where('meters.customer_id', '=', customerId).where('registers.kind', '=', 'total')
    .where('readings.read_on', '>=', from).where('readings.read_on', '<=', to)
    .orderBy('meters.id').orderBy('readings.read_on').execute();
}

/** kWh of the customer's issued bills of periods fromPeriod..toPeriod exclusive of toPeriod (the ladder year so far). */
export async function issuedKwhBetween(store: Store, customerId: number, fromPeriod: string, beforePeriod: string): Promise<number> {
  const row = await store.db.selectFrom('bills').select((eb) => eb.fn.sum<number | string | null>('energy_kwh').as('total'))
    .where('customer_id', '=', customerId).where('status', '=', 'issued')
    .where('period', '>=', fromPeriod).where('period', '<', beforePeriod).executeTakeFirst();
  return Number(row?.total ?? 0);
}
