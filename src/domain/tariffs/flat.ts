// A single price per kWh, chosen by the supply voltage: shared residential meters (合表) and other
// customers without a ladder or time-of-use.

import { energyLine } from '../bill-line.ts';
import { fail, ok, type FlatVersion, type LinesResult, type SegmentInput } from './tariff.ts';

export function priceFlatSegment(input: SegmentInput<FlatVersion>): LinesResult {
  const voltage = input.account.voltage;
  if (voltage === undefined) return fail('voltage-not-priced', 'a flat tariff needs the supply voltage');
  const rate = input.version.rates.find((r) => r.voltage === voltage);
  if (rate === undefined) return fail('voltage-not-priced', `no price for voltage ${voltage}`);
  const kwh = input.usage.totalKwh;
  if (kwh === 0) return ok([]);
  return ok([energyLine('energy.single', '电量电费', kwh, rate.rateMicros, input.segment)]);
}
