// A bill run as it stands: running with the totals of the slices stored so far, or finished with
// its summary. A run still marked running whose heartbeat stopped (LIMITS.billRunStaleMs) died
// with its process and is answered as failed. A failed run's error text stays in the database:
// it may name internals.

import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { findBillRun } from '../store/bill.repository.ts';
import type { Store } from '../store/database.ts';
import { emptyTotals, type Totals } from './bill-run-rows.ts';
import { isSegment, type Segment } from './run-billing.ts';

export interface BillRunView extends Totals {
  readonly runId: number;
  readonly period: string;
  readonly segment: Segment | null;
  readonly status: 'running' | 'finished' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

function totalsOf(summary: string | null): Totals {
  const totals = emptyTotals();
  if (summary === null) return totals;
  const stored = JSON.parse(summary) as Partial<Totals>;
  for (const key of ['customers', 'bills', 'held', 'alreadyIssued', 'notConnected', 'energyKwh', 'amountFen'] as const) {
    if (typeof stored[key] === 'number') totals[key] = stored[key];
  }
  totals.exceptionsByRule = { ...stored.exceptionsByRule };
  return totals;
}

export async function getBillRun(store: Store, runId: number, now: Date): Promise<BillRunView> {
  const row = await findBillRun(store, runId);
  if (row === undefined) throw new GridbillError('NOT_FOUND', `bill run ${runId}`);
  const dead = row.status === 'running' && now.getTime() - Date.parse(row.heartbeat_at ?? row.started_at) >= LIMITS.billRunStaleMs;
  return {
    runId: row.id, period: row.period, segment: row.segment !== null && isSegment(row.segment) ? row.segment : null,
    status: dead ? 'failed' : row.status, startedAt: row.started_at, finishedAt: row.finished_at, ...totalsOf(row.summary),
  };
}
