// Prices one bill: resolves the tariff versions in force over the period, prices each segment with
// the tariff kind's rules, adds the government funds, then the power-factor adjustment.
// Operating errors (missing facts or usage) come back as values; malformed periods are programmer
// errors and throw.

import { billTotal, type BillLine } from '../bill-line.ts';
import { daysBetween } from '../dates.ts';
import type { Fen } from '../money.ts';
import { powerFactorLine } from '../power-factor.ts';
import { TOU_PERIODS, type BillingPeriod, type PeriodUsage } from '../usage.ts';
import { apportion } from './apportion.ts';
import { priceComponentTouSegment } from './component-tou.ts';
import { resolveSegments, splitUsage } from './effective-dating.ts';
import { priceFlatSegment } from './flat.ts';
import { fundLines } from './funds.ts';
import { priceResidentialLadderSegment } from './residential-ladder.ts';
import {
  fail, ok, type AccountFacts, type ComponentTouVersion, type LinesResult, type PricingError, type Result,
  type SegmentInput, type Tariff, type TariffVersion,
} from './tariff.ts';
import { priceTwoPartSegment } from './two-part.ts';

export interface PriceBillInput {
  readonly tariff: Tariff;
  readonly account: AccountFacts;
  readonly period: BillingPeriod;
  /** Days of the period the customer was connected (basic charge proration). */
  readonly runningDays: number;
  readonly usage: PeriodUsage;
}

export interface PricedBill {
  readonly lines: readonly BillLine[];
  readonly totalFen: Fen;
}

export function priceBill(input: PriceBillInput): Result<PricedBill, PricingError> {
  const usageError = checkUsage(input.usage);
  if (usageError !== undefined) return { ok: false, error: usageError };
  const periodDays = daysBetween(input.period.from, input.period.to);
  if (!Number.isSafeInteger(input.runningDays) || input.runningDays < 0 || input.runningDays > periodDays) {
    return fail('running-days-invalid', `running days must be 0–${periodDays}, got ${input.runningDays}`);
  }
  const priced = priceByKind(input);
  if (!priced.ok) return priced;
  const lines = [...priced.value.lines];
  const adjustment = powerFactorAdjustment(input, lines, priced.value.lastVersion);
  if (!adjustment.ok) return adjustment;
  lines.push(...adjustment.value);
  return ok({ lines, totalFen: billTotal(lines) });
}

interface PricedSegments {
  readonly lines: readonly BillLine[];
  readonly lastVersion: TariffVersion;
}

/** The one place that knows every tariff kind. */
function priceByKind(input: PriceBillInput): Result<PricedSegments, PricingError> {
  const { tariff } = input;
  switch (tariff.kind) {
    case 'residential-ladder':
      return priceSegments(tariff.versions, input, priceResidentialLadderSegment);
    case 'flat':
      return priceSegments(tariff.versions, input, priceFlatSegment);
    case 'component-tou':
      return priceSegments(tariff.versions, input, priceComponentTouSegment);
    case 'two-part':
      return priceSegments(tariff.versions, input, priceTwoPartSegment);
    default: {
      const unknownKind: never = tariff;
      throw new Error(`unknown tariff kind ${JSON.stringify(unknownKind)}`);
    }
  }
}

function priceSegments<V extends TariffVersion>(
  versions: readonly V[], input: PriceBillInput, priceSegment: (s: SegmentInput<V>) => LinesResult,
): Result<PricedSegments, PricingError> {
  const resolved = resolveSegments(versions, input.period);
  if (!resolved.ok) return resolved;
  const segments = resolved.value;
  const last = segments[segments.length - 1];
  if (last === undefined) throw new Error('a resolved period has at least one segment');
  const usages = splitUsage(input.usage, segments);
  const periodDays = daysBetween(input.period.from, input.period.to);
  const runningDays = apportion(input.runningDays, segments.map((s) => s.days));
  const split = segments.length > 1;
  const lines: BillLine[] = [];
  let kwhBeforeSegment = 0;
  for (const [i, seg] of segments.entries()) {
    const usage = usages[i];
    if (usage === undefined) throw new Error('one usage per segment');
    const segment = split ? { from: seg.from, to: seg.to } : undefined;
    const priced = priceSegment({
      version: seg.version, account: input.account, period: input.period, usage, kwhBeforeSegment,
      segmentDays: seg.days, periodDays, runningDays: runningDays[i] ?? 0,
      ranFullPeriod: input.runningDays === periodDays, maxDemandKw: input.usage.maxDemandKw, segment,
    });
    if (!priced.ok) return priced;
    lines.push(...priced.value, ...fundLines(seg.version.funds, input.account.category, usage.totalKwh, segment));
    kwhBeforeSegment += usage.totalKwh;
  }
  return ok({ lines, lastVersion: last.version });
}

/**
 * The power-factor line, for accounts assessed for it. The base kinds come from the version in
 * force at the end of the period, since the adjustment is assessed once for the whole month.
 */
function powerFactorAdjustment(
  input: PriceBillInput, lines: readonly BillLine[], lastVersion: TariffVersion,
): Result<readonly BillLine[], PricingError> {
  const standard = input.account.powerFactorStandard;
  if (standard === undefined) return ok([]);
  if (!hasPowerFactorBase(lastVersion)) {
    return fail('power-factor-not-applicable', `a ${input.tariff.kind} tariff has no power-factor adjustment`);
  }
  const reactive = input.usage.reactiveKvarh;
  if (reactive === undefined) return fail('reactive-missing', 'power-factor assessment needs the reactive energy');
  const line = powerFactorLine(lines, lastVersion.powerFactorBase, input.usage.totalKwh, reactive, standard);
  return ok(line === undefined ? [] : [line]);
}

function hasPowerFactorBase(version: TariffVersion): version is ComponentTouVersion {
  return 'powerFactorBase' in version;
}

function checkUsage(usage: PeriodUsage): PricingError | undefined {
  const values: [string, number | undefined][] = [
    ['totalKwh', usage.totalKwh],
    ['reactiveKvarh', usage.reactiveKvarh],
    ['maxDemandKw', usage.maxDemandKw],
    ...TOU_PERIODS.map((p): [string, number | undefined] => [`touKwh.${p}`, usage.touKwh?.[p]]),
  ];
  for (const [name, value] of values) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      return { code: 'usage-invalid', message: `${name} must be a whole number ≥ 0, got ${value}` };
    }
  }
  if (usage.touKwh !== undefined && TOU_PERIODS.some((p) => usage.touKwh?.[p] === undefined)) {
    return { code: 'usage-invalid', message: 'touKwh must give every period' };
  }
  return undefined;
}
