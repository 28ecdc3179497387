// Reconciliation results for review: the latest days of every channel with their counts, and one
// day's one-sided and mismatched items (长款 channel-only, 短款 platform-only, amount mismatches).

import { GridbillError } from '../errors.ts';
import { findReconciliationDayById, latestReconciliationDays, type ReconciliationDayWithChannel } from '../store/console-view.repository.ts';
import type { Store } from '../store/database.ts';
import { listDiscrepancies } from '../store/reconciliation.repository.ts';
import type { ReconciliationItemRow } from '../store/reconciliation.table.ts';

export function reconciliationDays(store: Store, limit: number): Promise<ReconciliationDayWithChannel[]> {
  return latestReconciliationDays(store, limit);
}

export interface ReconciliationDayDetail {
  readonly day: ReconciliationDayWithChannel;
  readonly items: readonly ReconciliationItemRow[];
}

export async function reconciliationDay(store: Store, dayId: number, limit: number): Promise<ReconciliationDayDetail> {
  const day = await findReconciliationDayById(store, dayId);
  if (day === undefined) throw new GridbillError('NOT_FOUND', `reconciliation day ${dayId}`);
  return { day, items: await listDiscrepancies(store, dayId, limit) };
}
