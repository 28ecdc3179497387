// The bill run (电费计算): every active customer of a period (and optional segment) is billed into
// a draft with its lines and the tariff used, and every finding is stored as an exception for
// review. Re-running a period replaces its drafts; issued bills are never touched. Customers are
// read and written in slices, one transaction each, so memory does not grow with their number.

import { addDays, addMonths, isIsoMonth, monthStart, nextMonthStart } from '../domain/dates.ts';
import { DEFAULT_CONSUMPTION_PARAMS } from '../domain/consumption.ts';
import { DEFAULT_VERIFICATION_PARAMS } from '../domain/verification/input.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { inTransaction, type Store } from '../store/database.ts';
import type { CustomerCategory } from '../store/customer.table.ts';
import { tariffVersionsInForce } from '../store/billing-batch.repository.ts';
import { abandonBillRun, recordRunProgress, runningRunOfPeriod } from '../store/bill-run.repository.ts';
import { isUniqueViolation } from '../store/payment.repository.ts';
import {
  deleteDrafts, EXCEPTION_COLUMNS, finishBillRun, insertBillExceptionValues, insertBillLineValues, insertBillRun, insertBillValues, LINE_COLUMNS,
} from '../store/bill.repository.ts';
import type { BillingRules } from './bill-customer.ts';
import { startBatchSource, type BatchPlan, type BatchSource } from './bill-run-batches.ts';
import { addTotals, emptyTotals, type BatchRows } from './bill-run-rows.ts';
import { loadTariffs } from './load-tariffs.ts';

export const SEGMENTS = {
  'residential': ['residential', 'residential-shared'],
  'industrial-commercial': ['industrial-commercial'],
  'large-industry': ['large-industry'],
  'agricultural': ['agricultural'],
} as const satisfies Record<string, readonly CustomerCategory[]>;
export type Segment = keyof typeof SEGMENTS;

export function isSegment(value: string): value is Segment {
  return Object.hasOwn(SEGMENTS, value);
}

/** How far before the period a start reading may lie (a month-end reading plus slack). */
const START_READING_LOOKBACK_DAYS = 45;
/** Same month last year is 12 months back; the history window reaches one further. */
const HISTORY_MONTHS = 13;

export interface RunBillingOptions {
  readonly period: string;
  readonly segment?: Segment;
  /** When the run starts (its started_at). */
  readonly now: string;
  /** The time of each heartbeat and of the end; the wall clock by default. */
  readonly clock?: () => Date;
  readonly batchSize?: number;
  /** Load and bill on this thread even where a worker thread could (to compare the two). */
  readonly inProcess?: boolean;
  readonly onProgress?: (progress: { readonly done: number }) => void;
}

export interface RunSummary {
  readonly runId: number;
  readonly period: string;
  readonly segment: Segment | null;
  readonly customers: number;
  readonly bills: number;
  readonly held: number;
  readonly alreadyIssued: number;
  /** Customers with no meter connected during the period. */
  readonly notConnected: number;
  readonly energyKwh: number;
  readonly amountFen: number;
  readonly exceptionsByRule: Readonly<Record<string, number>>;
}

/** Stores one slice's rows in one transaction: its drafts, their lines and the exceptions. */
async function saveBatch(store: Store, rows: BatchRows): Promise<void> {
  await inTransaction(store, async (tx) => {
    const ids = await insertBillValues(tx, rows.bills);
    setBillIds(rows.lines, LINE_COLUMNS.indexOf('bill_id'), LINE_COLUMNS.length, ids);
    setBillIds(rows.exceptions, EXCEPTION_COLUMNS.indexOf('bill_id'), EXCEPTION_COLUMNS.length, ids);
    await insertBillLineValues(tx, rows.lines);
    await insertBillExceptionValues(tx, rows.exceptions);
  });
}

/** Replaces the bill index standing in each row's bill_id with the stored bill's id. */
function setBillIds(values: unknown[], at: number, width: number, ids: readonly number[]): void {
  for (let i = at; i < values.length; i += width) {
    const index = values[i];
    if (index !== null) values[i] = ids[index as number];
  }
}

/** A run that has its id and goes on: `finished` settles when it ends (failed runs reject). */
export interface StartedRun {
  readonly runId: number;
  readonly finished: Promise<RunSummary>;
}

/**
 * Claims the period (one running run per period, however many cores) and starts billing it.
 * A running run that has stored nothing for LIMITS.billRunStaleMs died with its process: it is
 * marked failed and this run takes over. A live one is BILL_RUN_IN_PROGRESS.
 */
async function claimPeriod(store: Store, options: RunBillingOptions, at: Date): Promise<number> {
  const { period } = options;
  const busy = (runId: number) => new GridbillError('BILL_RUN_IN_PROGRESS', `bill run ${runId} of ${period} is running`, {
    hint: 'wait for it to finish (GetBillRun, or the bill_runs table), then run the period again',
  });
  try {
    return await inTransaction(store, async (tx) => {
      const running = await runningRunOfPeriod(tx, period);
      if (running !== undefined) {
        const lastSign = Date.parse(running.heartbeat_at ?? running.started_at);
        if (at.getTime() - lastSign < LIMITS.billRunStaleMs) throw busy(running.id);
        await abandonBillRun(tx, running.id, at.toISOString());
      }
      return insertBillRun(tx, { period, segment: options.segment ?? null, startedAt: options.now });
    });
  } catch (error) {
    // Another core claimed the period between our look and our insert.
    if (isUniqueViolation(error)) throw busy((await runningRunOfPeriod(store, period))?.id ?? 0);
    throw error;
  }
}

export async function startBilling(store: Store, options: RunBillingOptions): Promise<StartedRun> {
  const { period } = options;
  if (!isIsoMonth(period)) throw new GridbillError('CLI_USAGE', `period ${period}: expected YYYY-MM`);
  const clock = options.clock ?? (() => new Date());
  const runId = await claimPeriod(store, options, clock());
  const categories = options.segment ? SEGMENTS[options.segment] : null;
  // The workers' start-up overlaps with the first statements of billAll. They load nothing
  // before they are handed the plan.
  const source = startBatchSource(store, { inProcess: options.inProcess });
  const finished = billAll(store, { ...options, clock }, runId, categories, source).finally(() => source.close());
  // Whoever holds the run decides what a failure means; it must never be an unhandled rejection.
  finished.catch(() => undefined);
  return { runId, finished };
}

/** Bills the period to the end; for callers that wait (the CLI, the demo seed). */
export async function runBilling(store: Store, options: RunBillingOptions): Promise<RunSummary> {
  return (await startBilling(store, options)).finished;
}

async function billingPlan(store: Store, options: RunBillingOptions, runId: number, categories: readonly CustomerCategory[] | null): Promise<BatchPlan> {
  const { period, now } = options;
  const rules: BillingRules = {
    period: { month: period, from: monthStart(period), to: nextMonthStart(period) },
    tariffs: await loadTariffs(store),
    consumption: DEFAULT_CONSUMPTION_PARAMS,
    verification: DEFAULT_VERIFICATION_PARAMS,
  };
  const tariffIds = await tariffVersionsInForce(store, addDays(rules.period.to, -1));
  return {
    query: {
      size: options.batchSize ?? 1_000, categories,
      readingsFrom: addDays(rules.period.from, -START_READING_LOOKBACK_DAYS), readingsTo: addDays(rules.period.to, -1),
      billsFromPeriod: addMonths(period, -HISTORY_MONTHS), billsToPeriod: period,
    },
    rules,
    context: { runId, period, now, tariffIds },
  };
}

async function billAll(
  store: Store, options: RunBillingOptions & { clock: () => Date }, runId: number, categories: readonly CustomerCategory[] | null, source: BatchSource,
): Promise<RunSummary> {
  const { period, clock } = options;
  const totals = emptyTotals();
  try {
    const plan = await billingPlan(store, options, runId, categories);
    // Committed before the first slice is read, by this thread or a worker.
    await inTransaction(store, (tx) => deleteDrafts(tx, period, categories));
    for await (const rows of source.batches(plan)) {
      await saveBatch(store, rows);
      addTotals(totals, rows.totals);
      await recordRunProgress(store, runId, clock().toISOString(), totals);
      options.onProgress?.({ done: totals.customers });
    }
  } catch (error) {
    await finishBillRun(store, runId, 'failed', clock().toISOString(), { error: (error as Error).message, ...totals });
    throw error;
  }
  const summary: RunSummary = { runId, period, segment: options.segment ?? null, ...totals };
  await finishBillRun(store, runId, 'finished', clock().toISOString(), summary);
  return summary;
}
