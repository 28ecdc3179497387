// The exceptions that verification (核查) raises before a bill is issued: one tagged type per rule,
// each carrying the figures that triggered it so a reviewer sees why without recomputing.
// `rule` is the stable code stored with the exception and shown to staff; it never changes once
// published, whatever happens to the wording.

import type { IsoDate } from '../dates.ts';
import type { Fen } from '../money.ts';
import type { RegisterKind } from '../consumption.ts';

export const RULE_CODES = {
  'missing-reading': 'VER_MISSING_READING',
  'zero-consumption': 'VER_ZERO_CONSUMPTION',
  'negative-consumption': 'VER_NEGATIVE_CONSUMPTION',
  'rollover-above-threshold': 'VER_ROLLOVER_ABOVE_THRESHOLD',
  'consumption-jump': 'VER_CONSUMPTION_JUMP',
  'tou-mismatch': 'VER_TOU_MISMATCH',
  'multiplier-changed': 'VER_MULTIPLIER_CHANGED',
  'tariff-changed': 'VER_TARIFF_CHANGED',
  'first-bill': 'VER_FIRST_BILL',
  'low-power-factor': 'VER_LOW_POWER_FACTOR',
  'demand-over-contract': 'VER_DEMAND_OVER_CONTRACT',
  'estimated-reading-streak': 'VER_ESTIMATED_READING_STREAK',
  'credit-bill': 'VER_CREDIT_BILL',
} as const;

export type VerificationKind = keyof typeof RULE_CODES;
export type RuleCode = (typeof RULE_CODES)[VerificationKind];

interface Tagged<K extends VerificationKind> {
  readonly kind: K;
  readonly rule: (typeof RULE_CODES)[K];
}

interface RegisterRef {
  readonly meterNo: string;
  readonly register: RegisterKind;
}

export type MissingReading = Tagged<'missing-reading'> & RegisterRef & { readonly reading: 'start' | 'end' };

export type ZeroConsumption = Tagged<'zero-consumption'> & { readonly totalKwh: number };

export type NegativeConsumption = Tagged<'negative-consumption'> & RegisterRef & {
  readonly startHundredths: number;
  readonly endHundredths: number;
};

export type RolloverAboveThreshold = Tagged<'rollover-above-threshold'> & RegisterRef & {
  readonly startHundredths: number;
  readonly endHundredths: number;
  readonly digits: number;
  readonly deltaHundredths: number;
  readonly thresholdHundredths: number;
};

export type ConsumptionJump = Tagged<'consumption-jump'> & {
  readonly basis: 'previous-month' | 'same-month-last-year';
  readonly previousKwh: number;
  readonly currentKwh: number;
  /** Signed change in basis points of the previous figure, rounded; null when that was 0 kWh. */
  readonly changeBp: number | null;
  readonly thresholdPercent: number;
};

export type TouMismatch = Tagged<'tou-mismatch'> & {
  readonly totalKwh: number;
  readonly touSumKwh: number;
  /** touSumKwh − totalKwh. */
  readonly differenceKwh: number;
  readonly toleranceKwh: number;
  readonly toleranceBp: number;
};

export type MultiplierChanged = Tagged<'multiplier-changed'> & {
  /** Distinct multipliers in order: the previous period's first, when known. */
  readonly multipliers: readonly number[];
};

export type TariffChanged = Tagged<'tariff-changed'> & {
  /** Distinct tariff codes in order: the previous period's first, when known. */
  readonly tariffCodes: readonly string[];
};

export type FirstBill = Tagged<'first-bill'> & {
  readonly reason: 'connection' | 'meter-exchange';
  readonly date: IsoDate;
};

export type LowPowerFactor = Tagged<'low-power-factor'> & {
  readonly powerFactorHundredths: number;
  readonly minimumHundredths: number;
};

export type DemandOverContract = Tagged<'demand-over-contract'> & {
  readonly maxDemandKw: number;
  readonly contractDemandKw: number;
  readonly thresholdPercent: number;
};

export type EstimatedReadingStreak = Tagged<'estimated-reading-streak'> & {
  readonly periodsInRow: number;
  readonly limitPeriods: number;
};

export type CreditBill = Tagged<'credit-bill'> & { readonly totalFen: Fen };

export type VerificationException =
  | MissingReading
  | ZeroConsumption
  | NegativeConsumption
  | RolloverAboveThreshold
  | ConsumptionJump
  | TouMismatch
  | MultiplierChanged
  | TariffChanged
  | FirstBill
  | LowPowerFactor
  | DemandOverContract
  | EstimatedReadingStreak
  | CreditBill;
