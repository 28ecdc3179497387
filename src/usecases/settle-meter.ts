// The checks of a readings import that need the meter as stored — is it there, has it the
// register, does the value fit the dial, was it installed, is the day read already — and the
// all-or-nothing verdict on the meter's rows. Then the writer, which stores accepted meters.

import { formatScaled } from '../domain/money.ts';
import { LIMITS } from '../limits.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { insertReadings } from '../store/meter.repository.ts';
import type { NewReading, ReadingSource, RegisterKind } from '../store/meter.table.ts';
import type { HeldRow, MeterRows } from './meter-rows.ts';
import type { ReadingColumn } from './parse-reading-row.ts';

export interface MeterInfo {
  readonly installedOn: string;
  readonly removedOn: string | null;
  readonly registers: Map<RegisterKind, { readonly id: number; readonly digits: number }>;
}

export interface StoredReading {
  readonly valueHundredths: number;
  readonly source: ReadingSource;
}

interface RowError {
  readonly line: number;
  readonly field: ReadingColumn | null;
  readonly message: string;
}

export type MeterVerdict =
  | { readonly kind: 'rejected'; readonly errors: readonly RowError[] }
  | { readonly kind: 'accepted'; readonly errors: readonly RowError[]; readonly readings: readonly NewReading[]; readonly unchanged: number };

function hundredths(value: number): string {
  return formatScaled(BigInt(value), 2);
}

type RowOutcome = { readonly kind: 'new'; readonly registerId: number } | { readonly kind: 'unchanged' } | RowError;

function checkRow(row: HeldRow, meter: MeterInfo, stored: ReadonlyMap<string, StoredReading>): RowOutcome {
  const at = { line: row.line };
  const register = meter.registers.get(row.register);
  if (register === undefined) return { ...at, field: 'register', message: `meter ${row.meterNo} has no ${row.register} register` };
  if (row.valueHundredths >= 10 ** register.digits * 100) {
    const message = `${hundredths(row.valueHundredths)} has more integer digits than the ${register.digits} of register ${row.register} of meter ${row.meterNo}`;
    return { ...at, field: 'value', message };
  }
  if (row.readOn < meter.installedOn) {
    return { ...at, field: 'read_on', message: `${row.readOn} is before meter ${row.meterNo} was installed (${meter.installedOn})` };
  }
  if (meter.removedOn !== null && row.readOn > meter.removedOn) {
    return { ...at, field: 'read_on', message: `${row.readOn} is after meter ${row.meterNo} was removed (${meter.removedOn})` };
  }
  const before = stored.get(`${register.id}|${row.readOn}`);
  if (before === undefined) return { kind: 'new', registerId: register.id };
  const what = `meter ${row.meterNo} ${row.register} on ${row.readOn}`;
  if (before.valueHundredths !== row.valueHundredths) {
    const message = `${hundredths(row.valueHundredths)} differs from the stored reading of ${what} (${hundredths(before.valueHundredths)}); a correction is an adjustment, not a new reading`;
    return { ...at, field: 'value', message };
  }
  if (before.source !== row.source) {
    return { ...at, field: 'source', message: `${row.source} differs from the stored reading of ${what} (${before.source})` };
  }
  return { kind: 'unchanged' };
}

/** Judges every row of one meter; any problem, here or found earlier, rejects all of its rows. */
export function judgeMeter(
  rows: MeterRows, meter: MeterInfo | undefined, stored: ReadonlyMap<string, StoredReading>, now: string,
): MeterVerdict {
  const errors: RowError[] = [];
  const readings: NewReading[] = [];
  let unchanged = 0;
  for (let i = 0; i < rows.heldRows; i += 1) {
    const row = rows.row(i);
    const outcome: RowOutcome = meter === undefined
      ? { line: row.line, field: 'meter_no', message: `meter ${row.meterNo} not found` }
      : checkRow(row, meter, stored);
    if (!('kind' in outcome)) errors.push(outcome);
    else if (outcome.kind === 'unchanged') unchanged += 1;
    else readings.push({ register_id: outcome.registerId, read_on: row.readOn, value_hundredths: row.valueHundredths, source: row.source, recorded_at: now });
  }
  for (const { row, firstLine } of rows.duplicates()) {
    const { line, register, readOn } = rows.row(row);
    errors.push({ line, field: 'read_on', message: `repeats line ${firstLine}: meter ${rows.meterNo} ${register} on ${readOn}` });
  }
  if (errors.length === 0 && rows.invalidRows === 0) return { kind: 'accepted', errors, readings, unchanged };
  const badLines = new Set(errors.map((e) => e.line)).size + rows.invalidRows;
  if (badLines < rows.totalRows) {
    errors.push({
      line: rows.firstLine, field: 'meter_no',
      message: `meter ${rows.meterNo}: none of its ${rows.totalRows} rows stored, because ${badLines === 1 ? '1 of them is' : `${badLines} of them are`} wrong`
        + " (a meter's rows are stored all or nothing)",
    });
  }
  return { kind: 'rejected', errors };
}

/**
 * Stores accepted meters in transactions of about LIMITS.dbBatchRowsMax rows. A meter is never
 * split across two transactions, so a failure leaves whole meters only. Should another import
 * store the same reading meanwhile, the unique (register, day) constraint fails the batch; the
 * batches before it stay, and running the import again skips them as unchanged.
 */
export class ReadingsWriter {
  private pending: NewReading[] = [];

  constructor(private readonly store: Store, private readonly dryRun: boolean) {}

  async addMeter(readings: readonly NewReading[]): Promise<void> {
    for (const reading of readings) this.pending.push(reading);
    if (this.pending.length >= LIMITS.dbBatchRowsMax) await this.flush();
  }

  async flush(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    if (this.dryRun || rows.length === 0) return;
    await inTransaction(this.store, (tx) => insertReadings(tx, rows));
  }
}
