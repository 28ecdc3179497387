// The rows of a readings file (format in README.md, "Readings files"): the header, and the checks
// one row can pass or fail on its own, without the database. Every problem names its column.

import { compareDates, isIsoDate, type IsoDate } from '../domain/dates.ts';
import type { ReadingSource, RegisterKind } from '../store/meter.table.ts';

export const READING_COLUMNS = ['meter_no', 'register', 'read_on', 'value', 'source'] as const;
export type ReadingColumn = (typeof READING_COLUMNS)[number];

export const REGISTER_KINDS: readonly RegisterKind[] = ['total', 'sharp', 'peak', 'flat', 'valley', 'reactive', 'demand'];
export const READING_SOURCES: readonly ReadingSource[] = ['actual', 'estimated', 'install', 'removal'];

/** The meters.meter_no column's length. */
const METER_NO_CHARS_MAX = 32;
/** More integer digits than any dial has; keeps value × 100 an exact integer in a double. */
const VALUE_INTEGER_DIGITS_MAX = 12;
const VALUE_PATTERN = /^(\d+)(?:\.(\d+))?$/;

export interface FieldProblem {
  /** null for a problem of the whole row (its number of fields). */
  readonly field: ReadingColumn | null;
  readonly message: string;
}

export interface ReadingRow {
  readonly meterNo: string;
  readonly register: RegisterKind;
  readonly readOn: IsoDate;
  /** The dial value × 100: readings carry at most two decimals. */
  readonly valueHundredths: number;
  readonly source: ReadingSource;
}

export type RowCheck =
  | { readonly ok: true; readonly row: ReadingRow }
  /** meterNo is set when the row names a meter validly: the meter's other rows are then withheld. */
  | { readonly ok: false; readonly meterNo: string | undefined; readonly problems: readonly FieldProblem[] };

/** The number of columns the header declares (5, or 4 without source), or undefined if it is wrong. */
export function headerColumns(fields: readonly string[]): number | undefined {
  const full = READING_COLUMNS.join(',');
  const joined = fields.join(',');
  if (joined === full) return READING_COLUMNS.length;
  if (joined === READING_COLUMNS.slice(0, -1).join(',')) return READING_COLUMNS.length - 1;
  return undefined;
}

function checkMeterNo(text: string): string | FieldProblem {
  if (text === '') return { field: 'meter_no', message: 'is required' };
  if (text.length > METER_NO_CHARS_MAX || text.trim() !== text) {
    return { field: 'meter_no', message: `${JSON.stringify(text)} is not a meter number (at most ${METER_NO_CHARS_MAX} characters, no spaces around it)` };
  }
  return text;
}

function oneOf<T extends string>(field: ReadingColumn, text: string, allowed: readonly T[]): T | FieldProblem {
  // The catalogue's own string is kept, not the file's slice of it (see MeterRows on memory).
  const found = allowed.find((a) => a === text);
  if (found !== undefined) return found;
  return { field, message: text === '' ? 'is required' : `${JSON.stringify(text)} is not one of ${allowed.join(', ')}` };
}

function checkReadOn(text: string, today: IsoDate): IsoDate | FieldProblem {
  if (text === '') return { field: 'read_on', message: 'is required' };
  if (!isIsoDate(text)) return { field: 'read_on', message: `${JSON.stringify(text)} is not a date YYYY-MM-DD` };
  if (compareDates(text, today) > 0) return { field: 'read_on', message: `${text} is after today (${today})` };
  return text;
}

/** The value × 100, or the problem; the register's own digits are checked once it is known. */
export function checkValue(text: string): number | FieldProblem {
  if (text === '') return { field: 'value', message: 'is required' };
  const quoted = JSON.stringify(text);
  const match = VALUE_PATTERN.exec(text);
  if (match === null) return { field: 'value', message: `${quoted} is not a non-negative decimal such as 12345.67` };
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (fraction.length > 2) return { field: 'value', message: `${quoted} has more than 2 fraction digits` };
  if (whole.replace(/^0+(?=\d)/, '').length > VALUE_INTEGER_DIGITS_MAX) {
    return { field: 'value', message: `${quoted} has more than ${VALUE_INTEGER_DIGITS_MAX} integer digits` };
  }
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

function isProblem(value: unknown): value is FieldProblem {
  return typeof value === 'object' && value !== null && 'message' in value;
}

/** Checks one data row against the header's column count and `today` (no future readings). */
export function checkReadingRow(fields: readonly string[], columns: number, today: IsoDate): RowCheck {
  const meterNo = checkMeterNo(fields[0] ?? '');
  const namedMeter = isProblem(meterNo) ? undefined : meterNo;
  if (fields.length !== columns) {
    return { ok: false, meterNo: namedMeter, problems: [{ field: null, message: `has ${fields.length} fields; the header has ${columns}` }] };
  }
  const register = oneOf('register', fields[1]!, REGISTER_KINDS);
  const readOn = checkReadOn(fields[2]!, today);
  const value = checkValue(fields[3]!);
  const sourceText = fields[4] ?? '';
  const source = sourceText === '' ? 'actual' : oneOf('source', sourceText, READING_SOURCES);
  if (isProblem(meterNo) || isProblem(register) || isProblem(readOn) || isProblem(value) || isProblem(source)) {
    return { ok: false, meterNo: namedMeter, problems: [meterNo, register, readOn, value, source].filter(isProblem) };
  }
  return { ok: true, row: { meterNo, register, readOn, valueHundredths: value, source } };
}

/** A record the CSV reader could not split: rejected, and charged to the meter it seems to name. */
export function unreadableRow(fieldIndex: number | null, message: string, leadingField: string | undefined): RowCheck {
  const meterNo = leadingField === undefined ? undefined : checkMeterNo(leadingField);
  const field = fieldIndex === null ? null : READING_COLUMNS[fieldIndex] ?? null;
  return { ok: false, meterNo: typeof meterNo === 'string' ? meterNo : undefined, problems: [{ field, message }] };
}
