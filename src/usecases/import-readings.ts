// Imports a readings file (format in README.md, "Readings files"). Good rows are stored, bad rows
// reported with their line and column; but a meter's rows are stored all or nothing, since half a
// meter's readings would bill a wrong month without anyone noticing.
//
// Two phases. Reading streams the file and keeps, per meter, only its checked rows in compact
// form (meter-rows.ts): memory is about 300 bytes per meter plus 20 per row (measured; README.md,
// "Readings files"), not the file's size in text. Settling then takes the meters in groups of METERS_PER_LOOKUP: one
// query for their registers, one for the readings already stored, then the checks that need the
// database, and writes accepted meters in transactions of about LIMITS.dbBatchRowsMax rows,
// never splitting a meter across two transactions.

import { basename } from 'node:path';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import type { IsoDate } from '../domain/dates.ts';
import { appendAudit } from '../store/audit.repository.ts';
import type { Store } from '../store/database.ts';
import { findMetersWithRegisters, readingsOfRegisters } from '../store/meter.repository.ts';
import { checkImportFile } from './import-file.ts';
import { MeterRows } from './meter-rows.ts';
import { checkReadingRow, headerColumns, READING_COLUMNS, unreadableRow, type ReadingColumn } from './parse-reading-row.ts';
import { readCsvRecords, type CsvRecord } from './read-csv-records.ts';
import { judgeMeter, ReadingsWriter, type MeterInfo, type StoredReading } from './settle-meter.ts';

/** 200 meters have at most 1,400 registers: the readings query stays under SQL Server's 2,100 parameters. */
const METERS_PER_LOOKUP = 200;

export interface ReadingsImportOptions {
  /** Readings dated after this day are refused. */
  readonly today: IsoDate;
  /** recorded_at of the stored readings, and the audit record's time. */
  readonly now: string;
  readonly dryRun: boolean;
  readonly actor: string;
}

export interface ReadingsImportError {
  readonly line: number;
  /** null for a problem of the whole row. */
  readonly field: ReadingColumn | null;
  readonly message: string;
}

export interface ReadingsImportSummary {
  readonly rowsRead: number;
  /** On a dry run: rows that would be stored. */
  readonly rowsStored: number;
  /** Rows already stored with the same value and source: skipped, so a file can be imported again. */
  readonly rowsUnchanged: number;
  readonly rowsRejected: number;
  /** Meters with at least one new row; every row of theirs was accepted. */
  readonly metersStored: number;
  /** Meters whose rows were all stored before. */
  readonly metersUnchanged: number;
  readonly metersRejected: number;
  /** Sorted by line; the first LIMITS.importErrorsListedMax. */
  readonly errors: readonly ReadingsImportError[];
  readonly errorsNotListed: number;
  readonly dryRun: boolean;
}

/** Keeps the errors with the lowest line numbers, at most LIMITS.importErrorsListedMax, and counts the rest. */
export class ErrorList {
  private list: ReadingsImportError[] = [];
  private dropped = 0;

  add(error: ReadingsImportError): void {
    this.list.push(error);
    if (this.list.length >= 2 * LIMITS.importErrorsListedMax) this.trim();
  }

  private trim(): void {
    const fieldRank = (f: ReadingColumn | null) => (f === null ? -1 : READING_COLUMNS.indexOf(f));
    this.list.sort((a, b) => a.line - b.line || fieldRank(a.field) - fieldRank(b.field));
    this.dropped += Math.max(0, this.list.length - LIMITS.importErrorsListedMax);
    this.list = this.list.slice(0, LIMITS.importErrorsListedMax);
  }

  result(): { errors: readonly ReadingsImportError[]; errorsNotListed: number } {
    this.trim();
    return { errors: this.list, errorsNotListed: this.dropped };
  }
}

export interface Tally {
  rowsRead: number;
  rowsStored: number;
  rowsUnchanged: number;
  rowsRejected: number;
  metersStored: number;
  metersUnchanged: number;
  metersRejected: number;
}

function expectedHeader(path: string, record: CsvRecord): GridbillError {
  const found = record.kind === 'fields' ? `is ${JSON.stringify(record.fields.join(','))}` : `cannot be read: ${record.message}`;
  return new GridbillError('INPUT_INVALID', `${path}: line ${record.line}: the header ${found}; expected the columns ${READING_COLUMNS.join(',')}`, {
    hint: `make the first line "${READING_COLUMNS.join(',')}" (source may be left out, then every row is actual)`,
  });
}

/** A copy that shares no memory with the file's text (see meter-rows.ts). */
function ownString(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function groupOf(groups: Map<string, MeterRows>, meterNo: string, line: number): MeterRows {
  let rows = groups.get(meterNo);
  if (rows === undefined) {
    const key = ownString(meterNo);
    rows = new MeterRows(key, line);
    groups.set(key, rows);
  }
  return rows;
}

/** Phase one: streams the file, reports what each row gets wrong on its own, groups the rest by meter. */
async function readMeterGroups(path: string, today: IsoDate, tally: Tally, errors: ErrorList): Promise<Map<string, MeterRows>> {
  const groups = new Map<string, MeterRows>();
  let columns: number | undefined;
  for await (const record of readCsvRecords(path)) {
    if (columns === undefined) {
      columns = record.kind === 'fields' ? headerColumns(record.fields) : undefined;
      if (columns === undefined) throw expectedHeader(path, record);
      continue;
    }
    tally.rowsRead += 1;
    const check = record.kind === 'fields'
      ? checkReadingRow(record.fields, columns, today)
      : unreadableRow(record.fieldIndex, record.message, record.leadingField);
    if (check.ok) {
      groupOf(groups, check.row.meterNo, record.line).add(record.line, check.row);
      continue;
    }
    for (const problem of check.problems) errors.add({ line: record.line, ...problem });
    if (check.meterNo === undefined) tally.rowsRejected += 1; // names no meter: rejected on its own
    else groupOf(groups, check.meterNo, record.line).invalidRows += 1;
  }
  if (columns === undefined) {
    throw new GridbillError('INPUT_INVALID', `${path}: the file is empty; expected the header ${READING_COLUMNS.join(',')}`, {
      hint: `make the first line "${READING_COLUMNS.join(',')}"`,
    });
  }
  return groups;
}

function meterInfos(rows: Awaited<ReturnType<typeof findMetersWithRegisters>>): Map<string, MeterInfo> {
  const meters = new Map<string, MeterInfo>();
  for (const row of rows) {
    let meter = meters.get(row.meter_no);
    if (meter === undefined) {
      meter = { installedOn: row.installed_on, removedOn: row.removed_on, registers: new Map() };
      meters.set(row.meter_no, meter);
    }
    if (row.register_id !== null && row.kind !== null && row.digits !== null) {
      meter.registers.set(row.kind, { id: row.register_id, digits: row.digits });
    }
  }
  return meters;
}

async function storedReadings(store: Store, meters: Map<string, MeterInfo>, chunk: readonly MeterRows[]): Promise<Map<string, StoredReading>> {
  const registerIds = [...meters.values()].flatMap((m) => [...m.registers.values()].map((r) => r.id));
  let from: string | undefined;
  let to: string | undefined;
  for (const rows of chunk) {
    for (let i = 0; i < rows.heldRows; i += 1) {
      const { readOn } = rows.row(i);
      if (from === undefined || readOn < from) from = readOn;
      if (to === undefined || readOn > to) to = readOn;
    }
  }
  const stored = new Map<string, StoredReading>();
  if (from === undefined || to === undefined) return stored;
  for (const r of await readingsOfRegisters(store, registerIds, from, to)) {
    stored.set(`${r.register_id}|${r.read_on}`, { valueHundredths: Number(r.value_hundredths), source: r.source });
  }
  return stored;
}

export interface Settling {
  readonly store: Store;
  readonly now: string;
  readonly tally: Tally;
  readonly errors: ErrorList;
  readonly writer: ReadingsWriter;
}

async function settleChunk(chunk: readonly MeterRows[], ctx: Settling): Promise<void> {
  const meters = meterInfos(await findMetersWithRegisters(ctx.store, chunk.map((rows) => rows.meterNo)));
  const stored = await storedReadings(ctx.store, meters, chunk);
  for (const rows of chunk) {
    const verdict = judgeMeter(rows, meters.get(rows.meterNo), stored, ctx.now);
    for (const error of verdict.errors) ctx.errors.add(error);
    if (verdict.kind === 'rejected') {
      ctx.tally.rowsRejected += rows.totalRows;
      ctx.tally.metersRejected += 1;
      continue;
    }
    ctx.tally.rowsUnchanged += verdict.unchanged;
    ctx.tally.rowsStored += verdict.readings.length;
    if (verdict.readings.length === 0) ctx.tally.metersUnchanged += 1;
    else ctx.tally.metersStored += 1;
    await ctx.writer.addMeter(verdict.readings);
  }
}

/** Phase two: the checks that need the database, then the writes; settled meters are let go. */
export async function settleMeters(groups: Map<string, MeterRows>, ctx: Settling): Promise<void> {
  let chunk: MeterRows[] = [];
  for (const [meterNo, rows] of groups) {
    chunk.push(rows);
    groups.delete(meterNo);
    if (chunk.length === METERS_PER_LOOKUP) {
      await settleChunk(chunk, ctx);
      chunk = [];
    }
  }
  if (chunk.length > 0) await settleChunk(chunk, ctx);
  await ctx.writer.flush();
}

export async function importReadings(store: Store, path: string, options: ReadingsImportOptions): Promise<ReadingsImportSummary> {
  await checkImportFile(path);
  const tally: Tally = { rowsRead: 0, rowsStored: 0, rowsUnchanged: 0, rowsRejected: 0, metersStored: 0, metersUnchanged: 0, metersRejected: 0 };
  const errors = new ErrorList();
  const groups = await readMeterGroups(path, options.today, tally, errors);
  const writer = new ReadingsWriter(store, options.dryRun);
  await settleMeters(groups, { store, now: options.now, tally, errors, writer });
  if (!options.dryRun && tally.rowsStored > 0) {
    await appendAudit(store, {
      at: options.now, actor: options.actor, action: 'readings-import', subject: `readings:${basename(path)}`.slice(0, 128), detail: { ...tally },
    });
  }
  return { ...tally, ...errors.result(), dryRun: options.dryRun };
}
