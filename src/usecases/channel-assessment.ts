// Channel assessment (渠道考评): a channel's service quality per day and over a range of days (a
// month is the range of its days) — calls, success rate, latency percentiles, availability,
// payments, reversals, reconciled days and their discrepancies (OperationsService.
// GetChannelAssessment, the console).
//
// Calls come from the per-day counters every core adds to (channel-activity.ts), this core's not
// yet written included; the latency percentiles are read from the sum of the days' histograms, so
// they hold across cores and days. Payments and reversals are counted by accounting date, as the
// channel books them. Availability is the share of calls not answered with a Server-side fault:
// a refusal the caller caused (a wrong customer number, a wrong password) is the channel's, not
// the platform's; such Server-side answers are also the outcomes the channel cannot know.

import { addDays, daysBetween, isIsoDate, monthStart, nextMonthStart } from '../domain/dates.ts';
import { addHistogram, emptyHistogram, latencyQuantileMs } from '../domain/latency-histogram.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { channelActivityBetween, type ActivityDelta } from '../store/channel-activity.repository.ts';
import { LATENCY_COLUMNS } from '../store/channel-activity.table.ts';
import { paymentsByDay, reconciledDays, reversalsByDay } from '../store/channel-assessment.repository.ts';
import { findChannelByCode } from '../store/channel.repository.ts';
import type { Store } from '../store/database.ts';
import type { ChannelActivity } from './channel-activity.ts';

export interface AssessmentFigures {
  readonly calls: number;
  readonly failures: number;
  /** Calls answered with a Server-side fault: the channel cannot know their outcome. */
  readonly unknownOutcomes: number;
  /** Hundredths of a percent (0–10000), rounded down; 10000 without calls. */
  readonly successRateBp: number;
  readonly availabilityBp: number;
  readonly p50LatencyMs: number;
  readonly p95LatencyMs: number;
  readonly p99LatencyMs: number;
  readonly payments: number;
  readonly paymentAmountFen: number;
  readonly reversals: number;
  readonly daysReconciled: number;
  readonly discrepancies: number;
}

export interface ChannelAssessment {
  readonly channelCode: string;
  readonly from: string;
  readonly to: string;
  readonly total: AssessmentFigures;
  /** Every day of the range with anything to count, in order. */
  readonly days: ReadonlyArray<AssessmentFigures & { readonly day: string }>;
  /** Every month of the range with anything to count, in order, its days clipped to the range. */
  readonly months: ReadonlyArray<AssessmentFigures & { readonly from: string; readonly to: string }>;
}

interface Sums {
  calls: number; failures: number; serverFailures: number; latency: number[];
  payments: number; paymentAmountFen: number; reversals: number; daysReconciled: number; discrepancies: number;
}

function emptySums(): Sums {
  return { calls: 0, failures: 0, serverFailures: 0, latency: emptyHistogram(), payments: 0, paymentAmountFen: 0, reversals: 0, daysReconciled: 0, discrepancies: 0 };
}

/** Hundredths of a percent of `part` in `whole`, rounded down so that anything short of all is under 100.00. */
function basisPoints(part: number, whole: number): number {
  return whole === 0 ? 10000 : Math.floor((part * 10000) / whole);
}

function figures(s: Sums): AssessmentFigures {
  return {
    calls: s.calls, failures: s.failures, unknownOutcomes: s.serverFailures,
    successRateBp: basisPoints(s.calls - s.failures, s.calls), availabilityBp: basisPoints(s.calls - s.serverFailures, s.calls),
    p50LatencyMs: latencyQuantileMs(s.latency, 0.5), p95LatencyMs: latencyQuantileMs(s.latency, 0.95), p99LatencyMs: latencyQuantileMs(s.latency, 0.99),
    payments: s.payments, paymentAmountFen: s.paymentAmountFen, reversals: s.reversals, daysReconciled: s.daysReconciled, discrepancies: s.discrepancies,
  };
}

function addCalls(sums: Sums, delta: Pick<ActivityDelta, 'calls' | 'failures' | 'serverFailures' | 'latency'>): void {
  sums.calls += delta.calls;
  sums.failures += delta.failures;
  sums.serverFailures += delta.serverFailures ?? 0;
  if (delta.latency !== undefined) addHistogram(sums.latency, delta.latency);
}

function checkRange(from: string, to: string): void {
  if (!isIsoDate(from) || !isIsoDate(to)) throw new GridbillError('VALIDATION_FAILED', 'from and to: YYYY-MM-DD');
  if (from > to) throw new GridbillError('RANGE_INVALID', 'from is after to');
  if (daysBetween(from, to) + 1 > LIMITS.assessmentDaysMax) throw new GridbillError('RANGE_INVALID', `at most ${LIMITS.assessmentDaysMax} days`);
}

/** The assessment of a registered channel over from..to (inclusive dates); NOT_FOUND for another code. */
export async function assessChannel(
  store: Store, activity: ChannelActivity | undefined, query: { readonly channelCode: string; readonly from: string; readonly to: string },
): Promise<ChannelAssessment> {
  checkRange(query.from, query.to);
  const channel = await findChannelByCode(store, query.channelCode);
  if (channel === undefined) throw new GridbillError('NOT_FOUND', `channel ${query.channelCode}`);
  const byDay = new Map<string, Sums>();
  const day = (d: string) => {
    let sums = byDay.get(d);
    if (sums === undefined) byDay.set(d, sums = emptySums());
    return sums;
  };
  for (const row of await channelActivityBetween(store, channel.code, query.from, query.to)) {
    addCalls(day(row.day), {
      calls: Number(row.calls), failures: Number(row.failures), serverFailures: Number(row.server_failures),
      latency: LATENCY_COLUMNS.map((column) => Number(row[column])),
    });
  }
  for (const delta of activity?.unwrittenOf(channel.code) ?? []) {
    if (delta.day >= query.from && delta.day <= query.to) addCalls(day(delta.day), delta);
  }
  const channelId = Number(channel.id);
  for (const p of await paymentsByDay(store, channelId, query.from, query.to)) Object.assign(day(p.day), { payments: p.count, paymentAmountFen: p.amountFen });
  for (const r of await reversalsByDay(store, channelId, query.from, query.to)) day(r.day).reversals = r.count;
  for (const r of await reconciledDays(store, channelId, query.from, query.to)) Object.assign(day(r.day), { daysReconciled: 1, discrepancies: r.discrepancies });
  const total = emptySums();
  const byMonth = new Map<string, Sums>();
  const days = [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, sums]) => {
    const month = d.slice(0, 7);
    if (!byMonth.has(month)) byMonth.set(month, emptySums());
    for (const into of [total, byMonth.get(month)!]) addSums(into, sums);
    return { day: d, ...figures(sums) };
  });
  const months = [...byMonth.entries()].map(([month, sums]) => ({
    from: maxDate(monthStart(month), query.from), to: minDate(addDays(nextMonthStart(month), -1), query.to), ...figures(sums),
  }));
  return { channelCode: channel.code, from: query.from, to: query.to, total: figures(total), days, months };
}

/** Adds one period's counts into a larger period's (histograms add; percentiles are taken after). */
function addSums(into: Sums, sums: Sums): void {
  addCalls(into, sums);
  for (const key of ['payments', 'paymentAmountFen', 'reversals', 'daysReconciled', 'discrepancies'] as const) into[key] += sums[key];
}

const maxDate = (a: string, b: string) => (a > b ? a : b);
const minDate = (a: string, b: string) => (a < b ? a : b);
