// Industrial and commercial time-of-use energy charge, priced as a sum of components
// (purchase + line loss + T&D + system operation) with TOU ratios on the flat price.
//
// Rate rule: a period's rate is  Σ fixed components + round(Σ floating components × ratio),
// rounded half up once to the micro-yuan (the six decimals a rate is published with).
// kWh rule: the total register is the billed energy; it is shared between the periods in the
// proportion of the TOU registers (apportion.ts), so a small register mismatch that verification
// let through still bills exactly the total. In months without sharp hours the sharp register
// belongs to peak hours and is billed as peak.

import { energyLine, type BillLine } from '../bill-line.ts';
import { divRoundHalfUp, type RateMicros } from '../money.ts';
import { TOU_PERIODS, type TouPeriod } from '../usage.ts';
import { apportion } from './apportion.ts';
import { fail, ok, type ComponentTouVersion, type LinesResult, type SegmentInput } from './tariff.ts';

const PERIOD_LABELS: Readonly<Record<TouPeriod, string>> = {
  sharp: '尖峰电量电费',
  peak: '高峰电量电费',
  flat: '平段电量电费',
  valley: '低谷电量电费',
};

/** The rate of each TOU period (see the rate rule above). */
export function periodRatesMicros(version: ComponentTouVersion): Readonly<Record<TouPeriod, RateMicros>> {
  let floating = 0n;
  let fixed = 0n;
  for (const c of version.components) {
    if (c.touApplies) floating += BigInt(c.rateMicros);
    else fixed += BigInt(c.rateMicros);
  }
  const rate = (p: TouPeriod): RateMicros =>
    Number(fixed + divRoundHalfUp(floating * BigInt(version.touRatiosBp[p]), 10_000n));
  return { sharp: rate('sharp'), peak: rate('peak'), flat: rate('flat'), valley: rate('valley') };
}

export function isSharpMonth(version: ComponentTouVersion, month: string): boolean {
  return version.sharpMonths.includes(Number(month.slice(5, 7)));
}

/** One energy line per TOU period with kWh. */
export function touEnergyLines(input: SegmentInput<ComponentTouVersion>): LinesResult {
  const total = input.usage.totalKwh;
  if (total === 0) return ok([]);
  const tou = input.usage.touKwh;
  if (tou === undefined) return fail('tou-usage-missing', 'a time-of-use tariff needs the TOU registers');
  const sharpPriced = isSharpMonth(input.version, input.period.month);
  const weights = sharpPriced
    ? [tou.sharp, tou.peak, tou.flat, tou.valley]
    : [0, tou.sharp + tou.peak, tou.flat, tou.valley];
  if (weights.every((w) => w === 0)) {
    return fail('tou-usage-missing', `${total} kWh but every TOU register is zero`);
  }
  const kwh = apportion(total, weights);
  const rates = periodRatesMicros(input.version);
  const lines: BillLine[] = [];
  TOU_PERIODS.forEach((period, i) => {
    const periodKwh = kwh[i] ?? 0;
    if (periodKwh === 0) return;
    lines.push(energyLine(`energy.${period}`, PERIOD_LABELS[period], periodKwh, rates[period], input.segment));
  });
  return ok(lines);
}

export const priceComponentTouSegment = touEnergyLines;
