// The fee estimation run (电费测算) of smart-payment accounts: for one consumption day (and each
// of its slots that has ended, for segments estimated several times a day), every open
// smart-payment account of the segment gets its estimated charge deducted from its prepaid
// balance, and its balance is checked for reminders (balance-rules.ts).
//
// Idempotent per account and period: the accounts that already have an estimate of the period
// (or, for a segment whose frequency changed, any estimate of the day under the other scheme) are
// left alone, and the unique (customer_id, period_key) stops a concurrent run that slipped past
// the check: its slice rolls back whole. Re-running a day therefore charges nothing twice.
//
// Ledger, per slice of accounts, one balanced transaction: each account's prepaid balance debited
// with its estimate (its available balance goes down), `unbilled:estimates` credited with the
// slice's total. The monthly settlement (settle-estimates.ts) clears that account against the bill.
//
// Speed (a million accounts a day on SQLite): accounts are read in slices with a handful of range
// queries, priced without I/O (estimate-slice.ts) and written in one transaction per slice. On a
// SQLite file, once a run turns out large, a worker thread reads and prices the next slices while
// this thread writes (estimation-slices.ts); SQLite reads and writes go through prepared
// statements, the inserts many rows per statement, the reminders in bulk (estimation-reminders.ts).
// Elsewhere each slice is read and written in one transaction here, through Kysely. Tariff price
// schedules are cached per tariff and account facts for the run.

import { BUSINESS_UTC_OFFSET_MINUTES, businessDate } from '../clock.ts';
import { addDays, addMonths, isIsoDate, monthOf } from '../domain/dates.ts';
import { estimationPeriod, periodInstants, type EstimationPeriod, type SegmentSettings } from '../domain/estimation.ts';
import type { Tariff } from '../domain/tariffs/tariff.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import {
  finishEstimationRun, insertEstimateColumns, insertEstimationRun, loadEstimationSlice, postBulkLedgerTransaction, type EstimationSliceQuery,
} from '../store/estimation.repository.ts';
import type { LedgerLeg } from '../store/ledger.repository.ts';
import { emptyRuleCounts, type RuleCounts } from './balance-rules.ts';
import { HISTORY_MONTHS, priceSlice, pricingContext, type PricedSlice, type PricingContext } from './estimate-slice.ts';
import { applySliceBalanceRules } from './estimation-reminders.ts';
import { workerReadablePath, workerSlices } from './estimation-slices.ts';
import { loadSegmentSettings } from './estimation-settings.ts';
import { loadTariffs } from './load-tariffs.ts';
import { SEGMENTS, type Segment } from './run-billing.ts';

export const ESTIMATE_ACCOUNTS = { prepaid: 'prepaid', unbilled: 'unbilled:estimates' } as const;
const DATA_OF = { 'register-delta': 'readings', 'interval-sum': 'intervals', 'average-when-missing': 'none' } as const;

export interface EstimationRequest {
  /** The consumption day. */
  readonly date: string;
  readonly segment?: Segment;
  /** One slot of the day; absent: every slot that has ended by `now`. */
  readonly slot?: number;
  readonly now: string;
  readonly actor: string;
  readonly batchSize?: number;
  /** Read and price on this thread even where a worker thread could (to compare the two). */
  readonly inProcess?: boolean;
}

export interface EstimationSummary extends RuleCounts {
  readonly date: string;
  /** Accounts charged (an account estimated in several slots counts once per slot). */
  readonly accounts: number;
  /** Accounts estimated before: left alone. */
  readonly alreadyEstimated: number;
  /** Accounts without data for an estimate (no readings and no history, or no price). */
  readonly skipped: number;
  readonly estimatedKwh: number;
  readonly amountFen: number;
}

interface SliceTotals extends RuleCounts {
  accounts: number;
  alreadyEstimated: number;
  skipped: number;
  estimatedKwh: number;
  amountFen: number;
}

function emptyTotals(): SliceTotals {
  return { accounts: 0, alreadyEstimated: 0, skipped: 0, estimatedKwh: 0, amountFen: 0, ...emptyRuleCounts() };
}

function addInto(into: SliceTotals, add: SliceTotals): void {
  for (const key of Object.keys(into) as Array<keyof SliceTotals>) into[key] += add[key];
}

/** The slots of the day to run: the one asked for (it must have ended), or every ended one. */
function slotsToRun(settings: SegmentSettings, request: EstimationRequest): EstimationPeriod[] {
  const nowMs = Date.parse(request.now);
  const ended = (p: EstimationPeriod): boolean => Date.parse(periodInstants(p, BUSINESS_UTC_OFFSET_MINUTES).to) <= nowMs;
  if (request.slot !== undefined) {
    if (!Number.isInteger(request.slot) || request.slot < 1 || request.slot > settings.runsPerDay) {
      throw new GridbillError('ESTIMATION_DATE_INVALID', `slot ${request.slot}: the ${settings.segment} day has ${settings.runsPerDay}`);
    }
    const period = estimationPeriod(request.date, settings.runsPerDay, request.slot);
    if (!ended(period)) throw new GridbillError('ESTIMATION_DATE_INVALID', `${period.key} has not ended`);
    return [period];
  }
  return Array.from({ length: settings.runsPerDay }, (_, i) => estimationPeriod(request.date, settings.runsPerDay, i + 1)).filter(ended);
}

export async function runEstimation(store: Store, request: EstimationRequest): Promise<EstimationSummary> {
  if (!isIsoDate(request.date)) throw new GridbillError('ESTIMATION_DATE_INVALID', `${request.date}: expected YYYY-MM-DD`);
  if (Number.isNaN(Date.parse(request.now))) throw new RangeError(`now is not an instant: ${request.now}`);
  const settings = await loadSegmentSettings(store);
  const tariffs = await loadTariffs(store);
  const segments = request.segment ? [request.segment] : (Object.keys(SEGMENTS) as Segment[]);
  const plans = segments.flatMap((segment) => {
    const s = settings.get(segment);
    return s === undefined ? [] : slotsToRun(s, request).map((period) => ({ segment, settings: s, period }));
  });
  if (plans.length === 0) throw new GridbillError('ESTIMATION_DATE_INVALID', `no estimation period of ${request.date} has ended yet`);
  const totals = emptyTotals();
  for (const plan of plans) addInto(totals, await runPeriod(store, plan, tariffs, request));
  await appendAudit(store, {
    at: request.now, actor: request.actor, action: 'estimate', subject: request.date,
    detail: { segment: request.segment ?? null, slot: request.slot ?? null, ...totals },
  });
  return { date: request.date, ...totals };
}

interface PeriodPlan {
  readonly segment: Segment;
  readonly settings: SegmentSettings;
  readonly period: EstimationPeriod;
}

/** What writing a period's slices needs. */
interface WriteContext {
  readonly plan: PeriodPlan;
  readonly runId: number;
  readonly now: string;
}

async function runPeriod(store: Store, plan: PeriodPlan, tariffs: ReadonlyMap<string, Tariff>, request: EstimationRequest): Promise<SliceTotals> {
  const runId = await insertEstimationRun(store, { day: plan.period.date, slot: plan.period.slot, segment: plan.segment, startedAt: request.now });
  const totals = emptyTotals();
  const context: WriteContext = { plan, runId, now: request.now };
  try {
    await estimatePeriod(store, context, pricingContext({ settings: plan.settings, period: plan.period, tariffs }), request, totals);
  } catch (error) {
    await finishEstimationRun(store, runId, 'failed', new Date().toISOString(), { ...totals, error: (error as Error).message });
    throw error;
  }
  await finishEstimationRun(store, runId, 'finished', new Date().toISOString(), totals);
  return totals;
}

/**
 * Slices are read, priced and written in one transaction each, on this thread, as long as the
 * period looks small. Once a slice comes back full on a SQLite file, the rest of the period is
 * read and priced by a worker thread while this thread writes (estimation-slices.ts): small runs
 * (a test, a day of the demo) never pay for starting a thread.
 */
async function estimatePeriod(
  store: Store, context: WriteContext, pricing: PricingContext, request: EstimationRequest, totals: SliceTotals,
): Promise<void> {
  const query = sliceQuery(context.plan, request.batchSize ?? LIMITS.estimationSliceAccounts);
  const path = request.inProcess === true ? undefined : workerReadablePath(store);
  let after = 0;
  for (;;) {
    const read = await inTransaction(store, async (tx) => {
      const slice = await loadEstimationSlice(tx, { ...query, afterCustomerId: after });
      if (slice.accounts.length === 0) return undefined;
      const priced = priceSlice(slice, pricing);
      addInto(totals, await writeSlice(tx, context, priced));
      return { lastCustomerId: priced.lastCustomerId, full: slice.accounts.length === query.size };
    });
    if (read === undefined) return;
    after = read.lastCustomerId;
    if (read.full && path !== undefined) break;
  }
  for await (const priced of workerSlices(path, pricing.plan, query, after)) {
    addInto(totals, await inTransaction(store, (tx) => writeSlice(tx, context, priced)));
  }
}

function sliceQuery(plan: PeriodPlan, size: number): Omit<EstimationSliceQuery, 'afterCustomerId'> {
  const { period, segment } = plan;
  const instants = periodInstants(period, BUSINESS_UTC_OFFSET_MINUTES);
  return {
    size, categories: SEGMENTS[segment], readingDays: [addDays(period.date, -1), period.date],
    intervalFrom: instants.from, intervalTo: instants.to, fromMonth: addMonths(monthOf(period.date), -HISTORY_MONTHS), day: period.date,
    data: DATA_OF[plan.settings.algorithm],
  };
}

/** Writes a priced slice in the caller's transaction: estimates, one ledger posting, balance rules. */
async function writeSlice(tx: Store, context: WriteContext, priced: PricedSlice): Promise<SliceTotals> {
  const { period } = context.plan;
  const totals = emptyTotals();
  totals.alreadyEstimated = priced.alreadyEstimated;
  totals.skipped = priced.skipped;
  totals.accounts = priced.customerIds.length;
  const legs: LedgerLeg[] = [];
  for (let i = 0; i < priced.customerIds.length; i += 1) {
    const amountFen = priced.amountFen[i]!;
    totals.estimatedKwh += priced.kwh[i]!;
    totals.amountFen += amountFen;
    if (amountFen !== 0) legs.push({ accountCode: ESTIMATE_ACCOUNTS.prepaid, customerId: priced.customerIds[i]!, amountFen });
  }
  await insertEstimateColumns(tx, { ...priced, periodKey: period.key, month: monthOf(period.date), runId: context.runId, createdAt: context.now });
  if (legs.length > 0) {
    legs.push({ accountCode: ESTIMATE_ACCOUNTS.unbilled, customerId: null, amountFen: -totals.amountFen });
    await postBulkLedgerTransaction(tx, {
      kind: 'smart-estimate', refKind: 'estimation-run', refId: context.runId, accountingDate: businessDate(new Date(context.now)),
      createdAt: context.now, legs,
    });
  }
  const counts = await applySliceBalanceRules(tx, priced.checks, context.plan.settings, context.now);
  for (const key of Object.keys(counts) as Array<keyof RuleCounts>) totals[key] += counts[key];
  return totals;
}
