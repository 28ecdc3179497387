// Terminal status for operations (OperationsService.GetTerminalStatus, the console): each
// installed meter as a terminal, with the age of its latest reading, its switch state and the
// remote commands that failed since its last completed one.
//
//   ONLINE    read within LIMITS.terminalReadingLateDays, no failed command outstanding
//   DEGRADED  a day's reading missing (older than that) or a failed command outstanding
//   OFFLINE   no reading within LIMITS.terminalOfflineDays, or never read
//
// A switched-off meter is not degraded: it does what it was told.

import { addDays, daysBetween } from '../domain/dates.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import type { Store } from '../store/database.ts';
import { pageOfTerminals, type TerminalRow, type TerminalState } from '../store/terminal-status.repository.ts';

export type { TerminalState };
export const TERMINAL_STATES: readonly TerminalState[] = ['ONLINE', 'DEGRADED', 'OFFLINE'];

export interface TerminalView extends TerminalRow {
  readonly status: TerminalState;
  /** Whole days from the latest reading's date to today, or null for a meter never read. */
  readonly readingAgeDays: number | null;
  /** 'on' unless the last completed command was a disconnect. */
  readonly switchState: 'on' | 'off';
}

export interface TerminalQuery {
  readonly meterNo?: string;
  readonly status?: TerminalState;
  readonly afterMeterNo?: string;
  readonly limit: number;
  /** The business date the ages are counted to. */
  readonly today: string;
}

function view(row: TerminalRow, today: string): TerminalView {
  const age = row.lastReadOn === null ? null : daysBetween(row.lastReadOn, today);
  const status: TerminalState = age === null || age > LIMITS.terminalOfflineDays ? 'OFFLINE'
    : age > LIMITS.terminalReadingLateDays || row.failedCommands > 0 ? 'DEGRADED' : 'ONLINE';
  return { ...row, status, readingAgeDays: age, switchState: row.lastSwitch === 'DISCONNECT' ? 'off' : 'on' };
}

/** A page of terminals by meter number; with meterNo, that one (NOT_FOUND when no such meter is installed). */
export async function terminalStatus(store: Store, query: TerminalQuery): Promise<{ terminals: TerminalView[]; more: boolean }> {
  const thresholds = {
    lateBefore: addDays(query.today, -LIMITS.terminalReadingLateDays),
    offlineBefore: addDays(query.today, -LIMITS.terminalOfflineDays),
  };
  if (query.meterNo !== undefined) {
    const [one] = await pageOfTerminals(store, { meterNo: query.meterNo, ...thresholds, limit: 1 });
    if (one === undefined) throw new GridbillError('NOT_FOUND', `terminal ${query.meterNo}`);
    const terminal = view(one, query.today);
    const wanted = query.status === undefined || terminal.status === query.status;
    return { terminals: wanted && (query.afterMeterNo === undefined || terminal.meterNo > query.afterMeterNo) ? [terminal] : [], more: false };
  }
  const rows = await pageOfTerminals(store, {
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.afterMeterNo === undefined ? {} : { afterMeterNo: query.afterMeterNo }),
    ...thresholds, limit: query.limit + 1,
  });
  return { terminals: rows.slice(0, query.limit).map((r) => view(r, query.today)), more: rows.length > query.limit };
}
