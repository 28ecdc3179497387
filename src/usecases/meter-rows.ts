// The parsed rows of one meter, held until the whole readings file has been read: a meter's rows
// may be anywhere in the file and are stored all or nothing. Memory is what bounds an import, so
// a row is three numbers in one flat array: its line, a key packing the date, register and
// source, and the value (about 20 bytes a row, beside some 300 bytes per meter; measured). No string from the file is kept: a short slice of a
// string can keep the whole 64 KB chunk it was cut from alive.

import type { ReadingSource, RegisterKind } from '../store/meter.table.ts';
import { READING_SOURCES, REGISTER_KINDS, type ReadingRow } from './parse-reading-row.ts';

const SLOTS_PER_ROW = 3;
const SOURCE_SPAN = 4; // READING_SOURCES.length, rounded up to a power of two
const REGISTER_SPAN = 8; // REGISTER_KINDS.length, likewise

export interface HeldRow extends ReadingRow {
  readonly line: number;
}

function packKey(row: ReadingRow): number {
  const yyyymmdd = Number(row.readOn.replaceAll('-', ''));
  return (yyyymmdd * REGISTER_SPAN + REGISTER_KINDS.indexOf(row.register)) * SOURCE_SPAN + READING_SOURCES.indexOf(row.source);
}

/** The (date, register) part of a key: two rows with the same one read the same dial on the same day. */
function dayRegister(key: number): number {
  return Math.floor(key / SOURCE_SPAN);
}

function unpackDate(yyyymmdd: number): string {
  const text = String(yyyymmdd).padStart(8, '0');
  return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}`;
}

export class MeterRows {
  private readonly slots: number[] = [];
  /** Rows of this meter that failed on their own; their problems are already reported. */
  invalidRows = 0;

  constructor(readonly meterNo: string, readonly firstLine: number) {}

  /** Rows that passed the checks a row can make on its own. */
  get heldRows(): number {
    return this.slots.length / SLOTS_PER_ROW;
  }

  get totalRows(): number {
    return this.heldRows + this.invalidRows;
  }

  add(line: number, row: ReadingRow): void {
    this.slots.push(line, packKey(row), row.valueHundredths);
  }

  row(i: number): HeldRow {
    const at = i * SLOTS_PER_ROW;
    const key = this.slots[at + 1]!;
    const dayReg = dayRegister(key);
    return {
      line: this.slots[at]!,
      meterNo: this.meterNo,
      readOn: unpackDate(Math.floor(dayReg / REGISTER_SPAN)),
      register: REGISTER_KINDS[dayReg % REGISTER_SPAN] as RegisterKind,
      source: READING_SOURCES[key % SOURCE_SPAN] as ReadingSource,
      valueHundredths: this.slots[at + 2]!,
    };
  }

  /** Each row that reads the same register on the same day as an earlier row, with that row's line. */
  duplicates(): Array<{ readonly row: number; readonly firstLine: number }> {
    const order = Array.from({ length: this.heldRows }, (_, i) => i);
    const keyOf = (i: number) => dayRegister(this.slots[i * SLOTS_PER_ROW + 1]!);
    const lineOf = (i: number) => this.slots[i * SLOTS_PER_ROW]!;
    order.sort((a, b) => keyOf(a) - keyOf(b) || lineOf(a) - lineOf(b));
    const found: Array<{ row: number; firstLine: number }> = [];
    let first = order[0];
    for (const i of order.slice(1)) {
      if (keyOf(i) === keyOf(first!)) found.push({ row: i, firstLine: lineOf(first!) });
      else first = i;
    }
    return found;
  }
}
