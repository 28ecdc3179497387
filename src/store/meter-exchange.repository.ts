// A meter as a meter exchange sees it, and its removal.

import type { Store } from './database.ts';
import type { MeterRow } from './meter.table.ts';

export function findMeterByNo(store: Store, meterNo: string): Promise<MeterRow | undefined> {
  return store.db.selectFrom('meters').selectAll().where('meter_no', '=', meterNo).executeTakeFirst();
}

/** Marks an installed meter removed; false when it was removed meanwhile. */
export async function markMeterRemoved(store: Store, meterId: number, removedOn: string): Promise<boolean> {
  const result = await store.db.updateTable('meters').set({ removed_on: removedOn, status: 'removed' })
    .where('id', '=', meterId).where('status', '=', 'installed').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
