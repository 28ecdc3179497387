// Which tariff versions price which days of a billing period, and how the period's kWh are shared
// between them.
//
// Split rule: a period covered by several versions is cut into segments at the version
// boundaries; the total kWh and each TOU register are apportioned to the segments in proportion to
// their calendar days (apportion.ts: cumulative rounding, half up), so every segment gets whole kWh
// and the parts sum exactly to the period's kWh. Reactive energy and maximum demand are not split:
// the power factor and the demand are properties of the whole month.

import { compareDates, daysBetween, isIsoDate, type IsoDate } from '../dates.ts';
import type { BillingPeriod, TouPeriod } from '../usage.ts';
import { TOU_PERIODS } from '../usage.ts';
import { apportion } from './apportion.ts';
import { fail, ok, type PricingError, type Result, type SegmentUsage } from './tariff.ts';

export type { SegmentUsage };

interface Dated {
  readonly effectiveFrom: IsoDate;
  readonly effectiveTo?: IsoDate;
}

export interface Segment<V> {
  readonly version: V;
  readonly from: IsoDate;
  /** Exclusive. */
  readonly to: IsoDate;
  readonly days: number;
}

/** The end (exclusive) of version i: its own effectiveTo, else the next version's start. */
function versionEnd<V extends Dated>(versions: readonly V[], i: number): IsoDate | undefined {
  const own = versions[i]?.effectiveTo;
  const next = versions[i + 1]?.effectiveFrom;
  if (own !== undefined && next !== undefined) return compareDates(own, next) <= 0 ? own : next;
  return own ?? next;
}

/**
 * The segments of the period, in date order. Versions must be sorted by effectiveFrom (parse-tariff
 * guarantees it). Any day not covered by a version is an operating error.
 */
export function resolveSegments<V extends Dated>(
  versions: readonly V[], period: BillingPeriod,
): Result<readonly Segment<V>[], PricingError> {
  assertPeriod(period);
  const segments: Segment<V>[] = [];
  let cursor = period.from;
  versions.forEach((version, i) => {
    const end = versionEnd(versions, i);
    const from = compareDates(version.effectiveFrom, cursor) > 0 ? version.effectiveFrom : cursor;
    const to = end !== undefined && compareDates(end, period.to) < 0 ? end : period.to;
    if (compareDates(from, to) >= 0 || compareDates(from, cursor) !== 0) return;
    segments.push({ version, from, to, days: daysBetween(from, to) });
    cursor = to;
  });
  if (cursor !== period.to) {
    return fail('tariff-not-in-force', `no tariff version in force on ${cursor}`);
  }
  return ok(segments);
}

/** Shares the period's energy between the segments by days (see the split rule above). */
export function splitUsage(
  usage: SegmentUsage, segments: readonly { readonly days: number }[],
): readonly SegmentUsage[] {
  if (segments.length === 1) {
    return [usage.touKwh === undefined ? { totalKwh: usage.totalKwh } : { totalKwh: usage.totalKwh, touKwh: usage.touKwh }];
  }
  const days = segments.map((s) => s.days);
  const totals = apportion(usage.totalKwh, days);
  const tou = usage.touKwh;
  const registers = tou === undefined
    ? undefined
    : TOU_PERIODS.map((p) => apportion(tou[p], days));
  return totals.map((totalKwh, i) => {
    if (registers === undefined) return { totalKwh };
    const touKwh = Object.fromEntries(TOU_PERIODS.map((p, j) => [p, registers[j]?.[i] ?? 0])) as Record<TouPeriod, number>;
    return { totalKwh, touKwh };
  });
}

function assertPeriod(period: BillingPeriod): void {
  if (!isIsoDate(period.from) || !isIsoDate(period.to) || compareDates(period.from, period.to) >= 0) {
    throw new RangeError(`bad billing period ${period.from}..${period.to}`);
  }
  // A billing period is a month (a little more after a late reading); a year is surely a bug.
  if (daysBetween(period.from, period.to) > 366) throw new RangeError('billing period longer than a year');
}
