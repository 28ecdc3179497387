// Remote control commands for review (BillingAdminService.ListControlCommands, the console): filters,
// paged by id with a `more` flag.

import type { ControlCommandStatus } from '../domain/estimation.ts';
import type { Store } from '../store/database.ts';
import { pageOfControlCommands } from '../store/control.repository.ts';
import type { ControlCommandRow } from '../store/smart-payment.table.ts';

export interface ControlCommandQuery {
  readonly status?: ControlCommandStatus;
  readonly customerNo?: string;
  /** Created on or after this UTC instant. */
  readonly from?: string;
  /** Created before this UTC instant. */
  readonly to?: string;
  readonly afterId?: number;
  readonly limit: number;
}

export type ControlCommandView = ControlCommandRow & { readonly customer_no: string; readonly meter_no: string };

export async function listControlCommands(store: Store, query: ControlCommandQuery): Promise<{ commands: ControlCommandView[]; more: boolean }> {
  const rows = await pageOfControlCommands(store, { ...query, limit: query.limit + 1 });
  return { commands: rows.slice(0, query.limit), more: rows.length > query.limit };
}
