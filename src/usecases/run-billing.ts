// The bill run (电费计算): every active customer of a period (and optional segment) is billed into
// a draft with its lines and the tariff used, and every finding is stored as an exception for
// review. Re-running a period replaces its drafts; issued bills are never touched. Customers are
// read and written in slices, one transaction each, so memory does not grow with their number.

import { addDays, addMonths, isIsoMonth, monthStart, nextMonthStart } from '../domain/dates.ts';
import { DEFAULT_CONSUMPTION_PARAMS } from '../domain/consumption.ts';
import { DEFAULT_VERIFICATION_PARAMS } from '../domain/verification/input.ts';
import { GridbillError } from '../errors.ts';
import { inTransaction, type Store } from '../store/database.ts';
import type { CustomerCategory } from '../store/customer.table.ts';
import { tariffVersionsInForce } from '../store/billing-batch.repository.ts';
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
  readonly now: string;
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

export async function runBilling(store: Store, options: RunBillingOptions): Promise<RunSummary> {
  const { period } = options;
  if (!isIsoMonth(period)) throw new GridbillError('CLI_USAGE', `period ${period}: expected YYYY-MM`);
  const categories = options.segment ? SEGMENTS[options.segment] : null;
  // Started first: the workers' start-up overlaps with the statements below. They load nothing
  // before they are handed the plan.
  const source = startBatchSource(store, { inProcess: options.inProcess });
  try {
    return await billAll(store, options, categories, source);
  } finally {
    await source.close();
  }
}

async function billAll(
  store: Store, options: RunBillingOptions, categories: readonly CustomerCategory[] | null, source: BatchSource,
): Promise<RunSummary> {
  const { period, now } = options;
  const rules: BillingRules = {
    period: { month: period, from: monthStart(period), to: nextMonthStart(period) },
    tariffs: await loadTariffs(store),
    consumption: DEFAULT_CONSUMPTION_PARAMS,
    verification: DEFAULT_VERIFICATION_PARAMS,
  };
  const tariffIds = await tariffVersionsInForce(store, addDays(rules.period.to, -1));
  const runId = await insertBillRun(store, { period, segment: options.segment ?? null, startedAt: now });
  const totals = emptyTotals();
  const plan: BatchPlan = {
    query: {
      size: options.batchSize ?? 1_000, categories,
      readingsFrom: addDays(rules.period.from, -START_READING_LOOKBACK_DAYS), readingsTo: addDays(rules.period.to, -1),
      billsFromPeriod: addMonths(period, -HISTORY_MONTHS), billsToPeriod: period,
    },
    rules,
    context: { runId, period, now, tariffIds },
  };
  try {
    // Committed before the first slice is read, by this thread or a worker.
    await inTransaction(store, (tx) => deleteDrafts(tx, period, categories));
    for await (const rows of source.batches(plan)) {
      await saveBatch(store, rows);
      addTotals(totals, rows.totals);
      options.onProgress?.({ done: totals.customers });
    }
  } catch (error) {
    await finishBillRun(store, runId, 'failed', now, { error: (error as Error).message, ...totals });
    throw error;
  }
  const summary: RunSummary = { runId, period, segment: options.segment ?? null, ...totals };
  await finishBillRun(store, runId, 'finished', now, summary);
  return summary;
}
