// Pricing one slice of smart-payment accounts for an estimation period: which accounts were
// estimated before, which lack the data, and for the others the kWh, the charge and the available
// balance it leaves. No I/O: the run's thread calls it on a slice it read in its transaction, and
// the run's worker thread (estimation-worker.ts) on a slice it read on its own connection. The
// result is columns of numbers rather than an object per account, because a worker hands it to the
// writing thread by structured clone, and a run prices a million accounts.

import { addMonths, daysInMonth, monthOf } from '../domain/dates.ts';
import { DEFAULT_CONSUMPTION_PARAMS, measureSegment } from '../domain/consumption.ts';
import {
  averageDailyKwh, chooseUsage, estimationSchedule, ladderPosition, priceEstimate,
  type EstimationAlgorithm, type EstimationPeriod, type EstimationSchedule, type SegmentSettings,
} from '../domain/estimation.ts';
import { ladderYearStart } from '../domain/tariffs/residential-ladder.ts';
import type { AccountFacts, Tariff } from '../domain/tariffs/tariff.ts';
import type { EstimationAccount, EstimationSlice, RegisterDay } from '../store/estimation-slice.ts';
import type { BalanceCheck } from './balance-rules.ts';

/** Months of bills and estimates read: a ladder year, and the average-use window within it. */
export const HISTORY_MONTHS = 12;

/** What pricing a period needs; cloneable, so a worker thread can be handed it. */
export interface PricingPlan {
  readonly settings: SegmentSettings;
  readonly period: EstimationPeriod;
  readonly tariffs: ReadonlyMap<string, Tariff>;
}

/** A plan with the caches a run keeps for it: price schedules and ladder-year months. */
export interface PricingContext {
  readonly plan: PricingPlan;
  readonly schedules: Map<string, EstimationSchedule | null>;
  /** The months of the ladder year up to the period's month, per ladder-year start month. */
  readonly ladderMonths: Map<number, readonly string[]>;
}

export function pricingContext(plan: PricingPlan): PricingContext {
  return { plan, schedules: new Map(), ladderMonths: new Map() };
}

/** A priced slice: one entry per estimated account in each column, in customer order. */
export interface PricedSlice {
  readonly lastCustomerId: number;
  readonly alreadyEstimated: number;
  readonly skipped: number;
  readonly customerIds: number[];
  readonly kwh: number[];
  readonly amountFen: number[];
  readonly algorithms: EstimationAlgorithm[];
  readonly estimated: number[];
  /**
   * The accounts the balance rules may act on: below the first alarm, or at or below zero. An
   * account at or above the first alarm threshold (which is above zero) triggers nothing.
   */
  readonly checks: BalanceCheck[];
}

/** Per customer of the slice: what the estimate of each account needs. */
interface SliceIndex {
  readonly readings: Map<number, RegisterDay[]>;
  readonly intervals: Map<number, number>;
  readonly bills: Map<number, Map<string, number>>;
  readonly estimates: Map<number, Map<string, number>>;
  readonly dayKeys: Map<number, string[]>;
  readonly prepaid: Map<number, number>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function nested(map: Map<number, Map<string, number>>, id: number, key: string, value: number): void {
  let inner = map.get(id);
  if (!inner) map.set(id, inner = new Map());
  inner.set(key, (inner.get(key) ?? 0) + value);
}

function indexSlice(slice: EstimationSlice): SliceIndex {
  const index: SliceIndex = { readings: new Map(), intervals: new Map(), bills: new Map(), estimates: new Map(), dayKeys: new Map(), prepaid: new Map() };
  for (const r of slice.readings) push(index.readings, r[0], r);
  for (const i of slice.intervals) index.intervals.set(i.customer_id, Number(i.kwh_hundredths));
  for (const b of slice.bills) nested(index.bills, b.customer_id, b.period, Number(b.energy_kwh));
  for (const e of slice.estimates) nested(index.estimates, e.customer_id, e.month, Number(e.kwh));
  for (const k of slice.dayKeys) push(index.dayKeys, k.customer_id, k.period_key);
  for (const p of slice.prepaid) if (p.customer_id !== null) index.prepaid.set(p.customer_id, Number(p.total ?? 0));
  return index;
}

/** Prices a slice that holds at least one account. */
export function priceSlice(slice: EstimationSlice, context: PricingContext): PricedSlice {
  const { period, settings } = context.plan;
  const index = indexSlice(slice);
  const priced: PricedSlice = {
    lastCustomerId: slice.accounts[slice.accounts.length - 1]!.id, alreadyEstimated: 0, skipped: 0,
    customerIds: [], kwh: [], amountFen: [], algorithms: [], estimated: [], checks: [],
  };
  let alreadyEstimatedCount = 0;
  let skippedCount = 0;
  for (const account of slice.accounts) {
    if (alreadyEstimated(index.dayKeys.get(account.id), period)) {
      alreadyEstimatedCount += 1;
      continue;
    }
    const estimate = estimateAccount(account, index, context);
    if (estimate === undefined) {
      skippedCount += 1;
      continue;
    }
    priced.customerIds.push(account.id);
    priced.kwh.push(estimate.kwh);
    priced.amountFen.push(estimate.amountFen);
    priced.algorithms.push(estimate.algorithm);
    priced.estimated.push(estimate.estimated ? 1 : 0);
    const balanceFen = 0 - (index.prepaid.get(account.id) ?? 0) - estimate.amountFen;
    if (balanceFen < settings.alarm1Fen || balanceFen <= 0) {
      priced.checks.push({ customerId: account.id, customerNo: account.customer_no, phone: account.phone, balanceFen });
    }
  }
  return { ...priced, alreadyEstimated: alreadyEstimatedCount, skipped: skippedCount };
}

/** Whether the account has an estimate of this period, or of the same day under another frequency. */
function alreadyEstimated(keys: readonly string[] | undefined, period: EstimationPeriod): boolean {
  if (keys === undefined) return false;
  return keys.some((key) => key === period.key || key === period.date || period.runsPerDay === 1);
}

function registerDeltaKwh(registers: readonly RegisterDay[] | undefined): number | undefined {
  if (registers === undefined) return undefined;
  let kwh = 0;
  for (const [, registerId, ctRatio, ptRatio, digits, rolloverAllowed, start, end] of registers) {
    if (start === null || end === null) return undefined;
    const measured = measureSegment({
      meterNo: String(registerId), register: { kind: 'total', digits, rolloverAllowed: rolloverAllowed === 1 }, ctRatio, ptRatio,
      start: { valueHundredths: Number(start), estimated: false }, end: { valueHundredths: Number(end), estimated: false },
    }, DEFAULT_CONSUMPTION_PARAMS);
    if (measured.kind !== 'measured') return undefined;
    kwh += measured.quantity;
  }
  return kwh;
}

function measuredKwh(account: EstimationAccount, index: SliceIndex, settings: SegmentSettings): number | undefined {
  switch (settings.algorithm) {
    case 'register-delta': return registerDeltaKwh(index.readings.get(account.id));
    case 'interval-sum': {
      const hundredths = index.intervals.get(account.id);
      return hundredths === undefined ? undefined : Math.floor((hundredths + 50) / 100);
    }
    case 'average-when-missing': return undefined;
  }
}

function averageKwh(bills: ReadonlyMap<string, number> | undefined, month: string, months: number): number | undefined {
  if (bills === undefined) return undefined;
  const recent: Array<{ kwh: number; days: number }> = [];
  const first = addMonths(month, -months);
  for (const [period, kwh] of bills) {
    if (period < month && period >= first) {
      const [y, m] = period.split('-').map(Number) as [number, number];
      recent.push({ kwh, days: daysInMonth(y, m) });
    }
  }
  return averageDailyKwh(recent);
}

function factsOf(account: EstimationAccount, positionKwh: number): AccountFacts {
  const basic = account.basic_basis === 'capacity' && account.capacity_kva !== null
    ? { basis: 'capacity' as const, capacityKva: Number(account.capacity_kva) } : undefined;
  return {
    category: account.category, voltage: account.voltage, timeOfUse: account.time_of_use === 1, basic,
    ladder: { households: Number(account.households), yearStartMonth: Number(account.ladder_year_start_month), kwhBeforePeriod: positionKwh },
  };
}

function scheduleOf(account: EstimationAccount, context: PricingContext): EstimationSchedule | null {
  const key = `${account.tariff_code}|${account.category}|${account.voltage}|${account.time_of_use}|${account.households}|${account.basic_basis}|${account.capacity_kva}`;
  let schedule = context.schedules.get(key);
  if (schedule === undefined) {
    const tariff = context.plan.tariffs.get(account.tariff_code);
    const result = tariff === undefined ? undefined
      : estimationSchedule(tariff, factsOf(account, 0), context.plan.period.date, context.plan.settings.peakShareBp);
    schedule = result?.ok === true ? result.value : null;
    context.schedules.set(key, schedule);
  }
  return schedule;
}

function ladderMonthsOf(context: PricingContext, yearStartMonth: number, month: string): readonly string[] {
  let months = context.ladderMonths.get(yearStartMonth);
  if (months === undefined) {
    const yearStart = ladderYearStart(month, yearStartMonth);
    months = Array.from({ length: HISTORY_MONTHS }, (_, i) => addMonths(yearStart, i)).filter((m) => m <= month);
    context.ladderMonths.set(yearStartMonth, months);
  }
  return months;
}

const NO_MONTHS: ReadonlyMap<string, number> = new Map();

function estimateAccount(
  account: EstimationAccount, index: SliceIndex, context: PricingContext,
): { kwh: number; amountFen: number; algorithm: EstimationAlgorithm; estimated: boolean } | undefined {
  const { settings, period } = context.plan;
  const month = monthOf(period.date);
  const bills = index.bills.get(account.id);
  const usage = chooseUsage(settings, measuredKwh(account, index, settings), averageKwh(bills, month, settings.averageMonths));
  const schedule = usage === undefined ? null : scheduleOf(account, context);
  if (usage === undefined || schedule === null) return undefined;
  const months = ladderMonthsOf(context, Number(account.ladder_year_start_month), month);
  const position = ladderPosition(months, bills ?? NO_MONTHS, index.estimates.get(account.id) ?? NO_MONTHS, month);
  const amountFen = priceEstimate(schedule, position, usage.kwh, settings.runsPerDay);
  return { kwh: usage.kwh, amountFen, algorithm: usage.algorithm, estimated: usage.estimated };
}
