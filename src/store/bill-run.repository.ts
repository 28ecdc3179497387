// The bill run's own row while it runs (migration 0007): one running run per period, its progress
// and heartbeat written with every stored slice, and a dead run's row let go.

import type { BillRunRow } from './bill.table.ts';
import type { Store } from './database.ts';

/** The period's running run, if any (the partial unique index allows one). */
export function runningRunOfPeriod(store: Store, period: string): Promise<BillRunRow | undefined> {
  return store.db.selectFrom('bill_runs').selectAll().where('period', '=', period).where('status', '=', 'running').executeTakeFirst();
}

/** The totals so far and a sign of life; only a run still running is touched. */
export async function recordRunProgress(store: Store, runId: number, at: string, totals: unknown): Promise<void> {
  await store.db.updateTable('bill_runs').set({ summary: JSON.stringify(totals), heartbeat_at: at })
    .where('id', '=', runId).where('status', '=', 'running').execute();
}

/** Marks a run whose process died as failed, keeping the totals it had stored. */
export async function abandonBillRun(store: Store, runId: number, at: string): Promise<void> {
  await store.db.updateTable('bill_runs').set({ status: 'failed', finished_at: at })
    .where('id', '=', runId).where('status', '=', 'running').execute();
}
