// Runs every verification rule, in a fixed order, and returns all the exceptions they raise.

import type { VerificationException, VerificationKind } from './exceptions.ts';
import { DEFAULT_VERIFICATION_PARAMS, type VerificationInput, type VerificationParams } from './input.ts';
import {
  checkConsumptionJump, checkCreditBill, checkDemandOverContract, checkEstimatedStreak, checkFirstBill,
  checkMissingReading, checkMultiplierChanged, checkNegativeConsumption, checkPowerFactor,
  checkRolloverThreshold, checkTariffChanged, checkTouSum, checkZeroConsumption,
} from './rules.ts';

type AnyRule = (input: VerificationInput, params: VerificationParams) => readonly VerificationException[];

/** The fixed, named list: the order is the order exceptions are listed to a reviewer. */
export const VERIFICATION_RULES: readonly { readonly name: VerificationKind; readonly check: AnyRule }[] = [
  { name: 'missing-reading', check: checkMissingReading },
  { name: 'negative-consumption', check: checkNegativeConsumption },
  { name: 'rollover-above-threshold', check: checkRolloverThreshold },
  { name: 'zero-consumption', check: checkZeroConsumption },
  { name: 'consumption-jump', check: checkConsumptionJump },
  { name: 'tou-mismatch', check: checkTouSum },
  { name: 'multiplier-changed', check: checkMultiplierChanged },
  { name: 'tariff-changed', check: checkTariffChanged },
  { name: 'first-bill', check: checkFirstBill },
  { name: 'low-power-factor', check: checkPowerFactor },
  { name: 'demand-over-contract', check: checkDemandOverContract },
  { name: 'estimated-reading-streak', check: checkEstimatedStreak },
  { name: 'credit-bill', check: checkCreditBill },
];

export function verifyBill(
  input: VerificationInput, params: VerificationParams = DEFAULT_VERIFICATION_PARAMS,
): readonly VerificationException[] {
  assertParams(params);
  return VERIFICATION_RULES.flatMap((rule) => rule.check(input, params));
}

function assertParams(params: VerificationParams): void {
  const integers = [
    params.consumptionJumpPercent, params.touToleranceKwh, params.touToleranceBp,
    params.powerFactorMinHundredths, params.demandOverContractPercent, params.estimatedPeriodsLimit,
  ];
  for (const value of integers) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`verification parameter must be a non-negative integer, got ${value}`);
  }
  if (params.estimatedPeriodsLimit < 1) throw new RangeError('estimatedPeriodsLimit must be at least 1');
}
