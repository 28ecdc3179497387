// What a bill is computed from: the energy of one billing period after multipliers, rollover and
// meter exchange have been applied (see consumption.ts), plus the period itself.

import type { IsoDate, IsoMonth } from './dates.ts';

export type TouPeriod = 'sharp' | 'peak' | 'flat' | 'valley';
export const TOU_PERIODS: readonly TouPeriod[] = ['sharp', 'peak', 'flat', 'valley'];

/** A billing period: the half-open day range [from, to) of one billing month. */
export interface BillingPeriod {
  readonly month: IsoMonth;
  readonly from: IsoDate;
  readonly to: IsoDate;
}

export interface PeriodUsage {
  /** Whole kWh after the multiplier (active energy, total register). */
  readonly totalKwh: number;
  /** Whole kWh per TOU register, when the meter has them; they sum to totalKwh within a tolerance. */
  readonly touKwh?: Readonly<Record<TouPeriod, number>>;
  /** Whole kvarh of reactive energy, for power-factor adjustment. */
  readonly reactiveKvarh?: number;
  /** Maximum demand in whole kW after the multiplier, for demand-based basic charges. */
  readonly maxDemandKw?: number;
}
