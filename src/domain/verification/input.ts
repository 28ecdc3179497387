// What verification looks at, and every threshold it uses (with defaults) in one place.

import {
  DEFAULT_CONSUMPTION_PARAMS, type ConsumptionParams, type RegisterSegment,
} from '../consumption.ts';
import type { Fen } from '../money.ts';
import type { BillingPeriod, PeriodUsage } from '../usage.ts';
import type { IsoDate } from '../dates.ts';

export interface VerificationInput {
  readonly period: BillingPeriod;
  /** An active (connected, not suspended) meter is expected to record some energy. */
  readonly meterActive: boolean;
  /**
   * The period's register segments. A declared meter exchange is two segments of different
   * meters; a declared rollover is a register configured to roll.
   */
  readonly segments: readonly RegisterSegment[];
  /** Metered usage from computePeriodUsage; null when it could not be computed. */
  readonly usage: PeriodUsage | null;
  readonly previousMonthKwh: number | null;
  readonly sameMonthLastYearKwh: number | null;
  readonly previousMultiplier: number | null;
  readonly previousTariffCode: string | null;
  /** Tariff codes in force during the period, in order; more than one means a change mid-period. */
  readonly tariffCodes: readonly string[];
  readonly connectedOn: IsoDate;
  readonly meterExchangedOn: IsoDate | null;
  /** PF × 100 as computed for the power-factor adjustment; null when not assessed. */
  readonly powerFactorHundredths: number | null;
  readonly contractDemandKw: number | null;
  /** Consecutive periods before this one billed on estimated readings. */
  readonly previousEstimatedPeriodsInRow: number;
  /** The priced bill's total; null when verification runs before pricing. */
  readonly billTotalFen: Fen | null;
}

export interface VerificationParams {
  readonly consumption: ConsumptionParams;
  /** A change of more than this percentage against a reference month is reviewed. */
  readonly consumptionJumpPercent: number;
  /** TOU registers may differ from the total by this many kWh … */
  readonly touToleranceKwh: number;
  /** … or by this share of the total (basis points), whichever is larger: rounding grows with size. */
  readonly touToleranceBp: number;
  readonly powerFactorMinHundredths: number;
  /** Demand above this percentage of the contract demand is charged double: review it first. */
  readonly demandOverContractPercent: number;
  /** This many consecutive estimated periods (including the current one) call for a real reading. */
  readonly estimatedPeriodsLimit: number;
}

/** Defaults from DOMAIN.md; the TOU tolerance and the estimation limit are local choices (?). */
export const DEFAULT_VERIFICATION_PARAMS: VerificationParams = {
  consumption: DEFAULT_CONSUMPTION_PARAMS,
  consumptionJumpPercent: 30,
  touToleranceKwh: 2,
  touToleranceBp: 100,
  powerFactorMinHundredths: 70,
  demandOverContractPercent: 105,
  estimatedPeriodsLimit: 3,
};
