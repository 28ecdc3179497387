// Government funds (政府性基金及附加) collected with the energy charge, one line each, per kWh of
// the segment. Which categories are exempt is tariff data.

import { fundLine, type DateRange, type FundLine } from '../bill-line.ts';
import type { CustomerCategory, Fund } from './tariff.ts';

export function fundLines(
  funds: readonly Fund[], category: CustomerCategory, energyKwh: number, segment: DateRange | undefined,
): FundLine[] {
  if (energyKwh === 0) return [];
  return funds
    .filter((fund) => !fund.exemptCategories.includes(category))
    .map((fund) => fundLine(`fund.${fund.code}`, fund.label, energyKwh, fund.rateMicros, segment));
}
