// Residential annual ladder (阶梯电价), flat or time-of-use.
//
// The tier of each kWh comes from its position in the ladder year's running total, so a month that
// crosses a threshold is split across tiers. Thresholds are per household and multiply by the
// households behind the meter.
//
// TOU split rule: the period's kWh are divided between peak and valley in the proportion of the
// peak and valley registers, by cumulative rounding over the tiers: with P, V the registers and
// cᵢ the period's kWh in tiers 1..i, the peak kWh of tier i is
//   round(cᵢ × P/(P+V)) − round(cᵢ₋₁ × P/(P+V))   (half up)
// and the valley kWh the rest of the tier's part. Each tier's parts sum to the tier's kWh, and the
// peak parts over all tiers sum to round(total × P/(P+V)) whatever the tier crossing.

import { energyLine, type BillLine } from '../bill-line.ts';
import type { IsoMonth } from '../dates.ts';
import { roundedShare } from './apportion.ts';
import {
  fail, ok, type LadderFacts, type LadderTier, type LinesResult, type PricingError, type Result,
  type ResidentialLadderVersion, type SegmentInput,
} from './tariff.ts';

const TIER_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九'];

/**
 * kWh of a consumption that falls in each tier, given the ladder year's kWh before it. Tier i
 * covers annual kWh (upToᵢ₋₁ × households, upToᵢ × households].
 */
export function tierKwh(
  tiers: readonly LadderTier[], households: number, kwhBefore: number, energyKwh: number,
): number[] {
  const end = kwhBefore + energyKwh;
  let lower = 0;
  return tiers.map((tier) => {
    const upper = tier.upToKwh === undefined ? Number.POSITIVE_INFINITY : tier.upToKwh * households;
    const part = Math.max(0, Math.min(end, upper) - Math.max(kwhBefore, lower));
    lower = upper;
    return part;
  });
}

/** The first month of the ladder year that `month` belongs to. */
export function ladderYearStart(month: IsoMonth, yearStartMonth: number): IsoMonth {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const startYear = m >= yearStartMonth ? year : year - 1;
  return `${startYear}-${String(yearStartMonth).padStart(2, '0')}`;
}

function checkLadderFacts(input: SegmentInput<ResidentialLadderVersion>): Result<LadderFacts, PricingError> {
  const ladder = input.account.ladder;
  if (ladder === undefined) return fail('ladder-facts-missing', 'a ladder tariff needs households and ladder-year facts');
  const { households, yearStartMonth, kwhBeforePeriod } = ladder;
  if (!Number.isSafeInteger(households) || households < 1) {
    return fail('ladder-facts-invalid', `households must be a whole number ≥ 1, got ${households}`);
  }
  if (!Number.isInteger(yearStartMonth) || yearStartMonth < 1 || yearStartMonth > 12) {
    return fail('ladder-facts-invalid', `ladder-year start month must be 1–12, got ${yearStartMonth}`);
  }
  if (!Number.isSafeInteger(kwhBeforePeriod) || kwhBeforePeriod < 0) {
    return fail('ladder-facts-invalid', `ladder kWh before the period must be a whole number, got ${kwhBeforePeriod}`);
  }
  // The first bill of a ladder year starts from zero; anything else means the caller summed the
  // wrong year, which would put every kWh of the year in the wrong tier.
  if (ladderYearStart(input.period.month, yearStartMonth) === input.period.month && kwhBeforePeriod > 0) {
    return fail('ladder-facts-invalid', `${input.period.month} opens a ladder year but ${kwhBeforePeriod} kWh were given before it`);
  }
  return ok(ladder);
}

function tierName(index: number): string {
  return `第${TIER_NUMERALS[index] ?? String(index + 1)}档`;
}

export function priceResidentialLadderSegment(input: SegmentInput<ResidentialLadderVersion>): LinesResult {
  const facts = checkLadderFacts(input);
  if (!facts.ok) return facts;
  const { tiers } = input.version;
  const kwhBefore = facts.value.kwhBeforePeriod + input.kwhBeforeSegment;
  const parts = tierKwh(tiers, facts.value.households, kwhBefore, input.usage.totalKwh);
  if (input.account.timeOfUse === true) return touLines(input, parts);
  const lines: BillLine[] = [];
  parts.forEach((kwh, i) => {
    const tier = tiers[i];
    if (kwh === 0 || tier === undefined) return;
    lines.push(energyLine(`energy.tier${i + 1}`, `${tierName(i)}电量电费`, kwh, tier.flatMicros, input.segment));
  });
  return ok(lines);
}

function touLines(input: SegmentInput<ResidentialLadderVersion>, parts: readonly number[]): LinesResult {
  const { tiers } = input.version;
  if (tiers.some((t) => t.tou === undefined)) {
    return fail('tou-not-offered', 'this ladder tariff has no time-of-use prices');
  }
  const total = input.usage.totalKwh;
  if (total === 0) return ok([]);
  const tou = input.usage.touKwh;
  if (tou === undefined || tou.peak + tou.valley === 0) {
    return fail('tou-usage-missing', 'a time-of-use customer needs peak and valley kWh');
  }
  if (tou.sharp !== 0 || tou.flat !== 0) {
    return fail('tou-period-not-priced', 'residential time-of-use prices only peak and valley kWh');
  }
  const registersKwh = tou.peak + tou.valley;
  const lines: BillLine[] = [];
  let cumulative = 0;
  let peakBefore = 0;
  parts.forEach((kwh, i) => {
    const prices = tiers[i]?.tou;
    if (kwh === 0 || prices === undefined) return;
    cumulative += kwh;
    const peakThrough = roundedShare(cumulative, tou.peak, registersKwh);
    const peakKwh = peakThrough - peakBefore;
    peakBefore = peakThrough;
    const name = tierName(i);
    if (peakKwh > 0) {
      lines.push(energyLine(`energy.tier${i + 1}.peak`, `${name}峰电量电费`, peakKwh, prices.peakMicros, input.segment));
    }
    if (kwh - peakKwh > 0) {
      lines.push(energyLine(`energy.tier${i + 1}.valley`, `${name}谷电量电费`, kwh - peakKwh, prices.valleyMicros, input.segment));
    }
  });
  return ok(lines);
}
