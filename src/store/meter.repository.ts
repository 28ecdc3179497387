import { LIMITS } from '../limits.ts';
import type { Store } from './database.ts';
import type { MeterRow, NewMeter, NewReading, NewRegister, ReadingRow, RegisterKind, RegisterRow } from './meter.table.ts';
import { insertManyReturningIds, insertReturningId } from './insert-id.ts';

export function insertMeter(store: Store, meter: NewMeter): Promise<number> {
  return insertReturningId(store, 'meters', meter);
}

export function insertRegisters(store: Store, registers: readonly NewRegister[]): Promise<number[]> {
  return insertManyReturningIds(store, 'registers', registers);
}

/** Inserts readings in batches small enough for every engine's bind-parameter limit. */
export async function insertReadings(store: Store, readings: readonly NewReading[]): Promise<void> {
  const perBatch = Math.floor(LIMITS.dbBatchRowsMax / 2);
  for (let i = 0; i < readings.length; i += perBatch) {
    await store.db.insertInto('readings').values(readings.slice(i, i + perBatch)).execute();
  }
}

export function metersOfCustomer(store: Store, customerId: number): Promise<MeterRow[]> {
  return store.db.selectFrom('meters').selectAll().where('customer_id', '=', customerId).orderBy('installed_on').execute();
}

export function registersOfMeter(store: Store, meterId: number): Promise<RegisterRow[]> {
  return store.db.selectFrom('registers').selectAll().where('meter_id', '=', meterId).orderBy('id').execute();
}

/** Readings of one register in [from, to], oldest first. */
export function readingsBetween(store: Store, registerId: number, from: string, to: string): Promise<ReadingRow[]> {
  return store.db.selectFrom('readings').selectAll()
    .where('register_id', '=', registerId)
    .where('read_on', '>=', from)
    .where('read_on', '<=', to)
    .orderBy('read_on')
    .execute();
}

/** A meter with one of its registers (register columns null for a meter without registers). */
export interface MeterRegisterRow {
  readonly meter_id: number;
  readonly meter_no: string;
  readonly installed_on: string;
  readonly removed_on: string | null;
  readonly register_id: number | null;
  readonly kind: RegisterKind | null;
  readonly digits: number | null;
}

/** The meters with these numbers and their registers, one row per register. */
export async function findMetersWithRegisters(store: Store, meterNos: readonly string[]): Promise<MeterRegisterRow[]> {
  if (meterNos.length === 0) return [];
  return store.db.selectFrom('meters')
    .leftJoin('registers', 'registers.meter_id', 'meters.id')
    .select([
      'meters.id as meter_id', 'meters.meter_no', 'meters.installed_on', 'meters.removed_on',
      'registers.id as register_id', 'registers.kind', 'registers.digits',
    ])
    .where('meters.meter_no', 'in', [...meterNos])
    .execute();
}

/** Readings of these registers in [from, to]. */
export async function readingsOfRegisters(
  store: Store, registerIds: readonly number[], from: string, to: string,
): Promise<Array<Pick<ReadingRow, 'register_id' | 'read_on' | 'value_hundredths' | 'source'>>> {
  if (registerIds.length === 0) return [];
  return store.db.selectFrom('readings')
    .select(['register_id', 'read_on', 'value_hundredths', 'source'])
    .where('register_id', 'in', [...registerIds])
    .where('read_on', '>=', from)
    .where('read_on', '<=', to)
    .execute();
}
