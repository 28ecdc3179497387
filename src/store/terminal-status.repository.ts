// Meters as the terminals the platform talks to: the age of each one's latest reading, its switch
// state and its failed remote commands (OperationsService.GetTerminalStatus, the console). Derived
// on the fly from readings and control_commands, never stored: a status column would be one more
// thing to keep in step on every reading import. Paged by meter number, so each page reads its
// meters' rows through the indexes readings_register_day_uq and control_commands_meter_ix.

import type { ControlCommandKind } from '../domain/estimation.ts';
import { firstRows, type Store } from './database.ts';

export type TerminalState = 'ONLINE' | 'DEGRADED' | 'OFFLINE';

export interface TerminalRow {
  readonly meterNo: string;
  readonly customerNo: string;
  /** The latest reading's date (YYYY-MM-DD), or null for a meter never read. */
  readonly lastReadOn: string | null;
  /** When the latest stored reading was stored (UTC ISO 8601), or null. */
  readonly lastRecordedAt: string | null;
  /** Failed commands since the meter's last completed one. */
  readonly failedCommands: number;
  /** The kind of the meter's last completed command, or null when it was never switched. */
  readonly lastSwitch: ControlCommandKind | null;
}

export interface TerminalQuery {
  readonly meterNo?: string;
  readonly status?: TerminalState;
  readonly afterMeterNo?: string;
  /** A latest reading dated before this is late (DEGRADED). */
  readonly lateBefore: string;
  /** A latest reading dated before this, or none, is OFFLINE. */
  readonly offlineBefore: string;
  readonly limit: number;
}

function terminalsQuery(store: Store) {
  return store.db.selectFrom('meters as m').innerJoin('customers as c', 'c.id', 'm.customer_id')
    .select((eb) => [
      'm.meter_no', 'c.customer_no',
      eb.selectFrom('registers as g').innerJoin('readings as r', 'r.register_id', 'g.id').whereRef('g.meter_id', '=', 'm.id')
        .select((e) => e.fn.max('r.read_on').as('x')).as('last_read_on'),
      eb.selectFrom('registers as g').innerJoin('readings as r', 'r.register_id', 'g.id').whereRef('g.meter_id', '=', 'm.id')
        .select((e) => e.fn.max('r.recorded_at').as('x')).as('last_recorded_at'),
      eb.selectFrom('control_commands as f').whereRef('f.meter_id', '=', 'm.id').where('f.status', '=', 'FAILED')
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('control_commands as d').select('d.id')
          .whereRef('d.meter_id', '=', 'm.id').where('d.status', '=', 'DONE').whereRef('d.id', '>', 'f.id'))))
        .select((e) => e.fn.countAll().as('x')).as('failed_commands'),
      firstRows(store, eb.selectFrom('control_commands as s').whereRef('s.meter_id', '=', 'm.id').where('s.status', '=', 'DONE')
        .select('s.kind').orderBy('s.id', 'desc'), 1).as('last_switch'),
    ])
    .where('m.status', '=', 'installed');
}

/** A page of installed meters by meter number, filtered by their derived state. */
export async function pageOfTerminals(store: Store, query: TerminalQuery): Promise<TerminalRow[]> {
  let page = store.db.selectFrom(terminalsQuery(store).as('t')).selectAll();
  if (query.meterNo !== undefined) page = page.where('t.meter_no', '=', query.meterNo);
  if (query.afterMeterNo !== undefined) page = page.where('t.meter_no', '>', query.afterMeterNo);
  switch (query.status) {
    case undefined: break;
    case 'OFFLINE': page = page.where((eb) => eb.or([eb('t.last_read_on', 'is', null), eb('t.last_read_on', '<', query.offlineBefore)])); break;
    case 'DEGRADED':
      page = page.where('t.last_read_on', '>=', query.offlineBefore)
        .where((eb) => eb.or([eb('t.last_read_on', '<', query.lateBefore), eb('t.failed_commands', '>', 0)]));
      break;
    case 'ONLINE': page = page.where('t.last_read_on', '>=', query.lateBefore).where('t.failed_commands', '=', 0); break;
  }
  const rows = await firstRows(store, page.orderBy('t.meter_no'), query.limit).execute();
  return rows.map((r) => ({
    meterNo: r.meter_no, customerNo: r.customer_no, lastReadOn: r.last_read_on ?? null, lastRecordedAt: r.last_recorded_at ?? null,
    failedCommands: Number(r.failed_commands ?? 0), lastSwitch: (r.last_switch ?? null) as ControlCommandKind | null,
  }));
}
