// Readings sent by an internal system (BillingAdminService.SubmitReadings): the same checks and
// the same all-or-nothing rule per meter as a readings file (import-readings.ts), the request's
// readings standing in for the file's rows, numbered from 1 in the order sent.

import { LIMITS } from '../limits.ts';
import { appendAudit } from '../store/audit.repository.ts';
import type { Store } from '../store/database.ts';
import { ErrorList, settleMeters, type Tally } from './import-readings.ts';
import { MeterRows } from './meter-rows.ts';
import { checkReadingRow, READING_COLUMNS, type ReadingColumn } from './parse-reading-row.ts';
import { ReadingsWriter } from './settle-meter.ts';

export interface SubmittedReading {
  readonly meterNo: string;
  readonly register: string;
  readonly readOn: string;
  /** The dial value as sent, e.g. "12345.67". */
  readonly value: string;
  readonly source: string;
}

export interface ReadingProblem {
  /** 1-based position of the reading in the request. */
  readonly index: number;
  readonly meterNo: string | undefined;
  readonly field: ReadingColumn | null;
  readonly message: string;
}

export interface SubmitSummary {
  /** Readings stored now or stored before with the same value and source. */
  readonly accepted: number;
  readonly rejected: number;
  /** The first LIMITS.importErrorsListedMax, by index. */
  readonly problems: readonly ReadingProblem[];
}

export interface SubmitOptions {
  readonly today: string;
  readonly now: string;
  readonly actor: string;
}

export async function submitReadings(store: Store, readings: readonly SubmittedReading[], options: SubmitOptions): Promise<SubmitSummary> {
  const tally: Tally = { rowsRead: readings.length, rowsStored: 0, rowsUnchanged: 0, rowsRejected: 0, metersStored: 0, metersUnchanged: 0, metersRejected: 0 };
  const errors = new ErrorList();
  const groups = new Map<string, MeterRows>();
  const groupOf = (meterNo: string, index: number) => {
    let rows = groups.get(meterNo);
    if (rows === undefined) groups.set(meterNo, rows = new MeterRows(meterNo, index));
    return rows;
  };
  readings.forEach((r, i) => {
    const index = i + 1;
    const check = checkReadingRow([r.meterNo, r.register, r.readOn, r.value, r.source], READING_COLUMNS.length, options.today);
    if (check.ok) return groupOf(check.row.meterNo, index).add(index, check.row);
    for (const problem of check.problems) errors.add({ line: index, ...problem });
    if (check.meterNo === undefined) tally.rowsRejected += 1;
    else groupOf(check.meterNo, index).invalidRows += 1;
  });
  await settleMeters(groups, { store, now: options.now, tally, errors, writer: new ReadingsWriter(store, false) });
  if (tally.rowsStored > 0) {
    await appendAudit(store, { at: options.now, actor: options.actor, action: 'readings-submit', subject: 'readings:soap', detail: { ...tally } });
  }
  const listed = errors.result().errors.slice(0, LIMITS.importErrorsListedMax);
  return {
    accepted: tally.rowsStored + tally.rowsUnchanged,
    rejected: tally.rowsRejected,
    problems: listed.map((e) => ({ index: e.line, meterNo: readings[e.line - 1]?.meterNo, field: e.field, message: e.message })),
  };
}
