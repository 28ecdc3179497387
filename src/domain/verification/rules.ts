// The verification rules, one function each. Every rule takes the whole input and the parameters
// and returns the exceptions it raises (usually none or one), so verifyBill can run a fixed, named
// list of them. A rule never corrects anything: it only reports.

import { measureSegment, multiplierOf } from '../consumption.ts';
import { divRoundHalfUp } from '../money.ts';
import { compareDates } from '../dates.ts';
import {
  RULE_CODES, type ConsumptionJump, type CreditBill, type DemandOverContract, type EstimatedReadingStreak,
  type FirstBill, type LowPowerFactor, type MissingReading, type MultiplierChanged, type NegativeConsumption,
  type RolloverAboveThreshold, type TariffChanged, type TouMismatch, type ZeroConsumption,
} from './exceptions.ts';
import type { VerificationInput, VerificationParams } from './input.ts';

type Rule<E> = (input: VerificationInput, params: VerificationParams) => readonly E[];

export const checkMissingReading: Rule<MissingReading> = (input, params) =>
  input.segments.flatMap((segment) => {
    const outcome = measureSegment(segment, params.consumption);
    if (outcome.kind !== 'reading-missing') return [];
    return [{
      kind: 'missing-reading', rule: RULE_CODES['missing-reading'],
      meterNo: outcome.meterNo, register: outcome.register, reading: outcome.reading,
    }];
  });

export const checkZeroConsumption: Rule<ZeroConsumption> = (input) => {
  if (!input.meterActive || input.usage === null || input.usage.totalKwh !== 0) return [];
  return [{ kind: 'zero-consumption', rule: RULE_CODES['zero-consumption'], totalKwh: 0 }];
};

/**
 * Each segment holds readings of one meter, so an exchange shows as separate segments and a
 * rollover as a rolling register: a negative delta left inside a segment is explained by neither.
 */
export const checkNegativeConsumption: Rule<NegativeConsumption> = (input, params) =>
  input.segments.flatMap((segment) => {
    const outcome = measureSegment(segment, params.consumption);
    if (outcome.kind !== 'negative-consumption') return [];
    return [{
      kind: 'negative-consumption', rule: RULE_CODES['negative-consumption'], meterNo: outcome.meterNo,
      register: outcome.register, startHundredths: outcome.startHundredths, endHundredths: outcome.endHundredths,
    }];
  });

export const checkRolloverThreshold: Rule<RolloverAboveThreshold> = (input, params) =>
  input.segments.flatMap((segment) => {
    const outcome = measureSegment(segment, params.consumption);
    if (outcome.kind !== 'rollover-above-threshold') return [];
    const { kind: _kind, ...figures } = outcome;
    return [{ kind: 'rollover-above-threshold', rule: RULE_CODES['rollover-above-threshold'], ...figures }];
  });

export const checkConsumptionJump: Rule<ConsumptionJump> = (input, params) => {
  if (input.usage === null) return [];
  const currentKwh = input.usage.totalKwh;
  const references = [
    { basis: 'previous-month', previousKwh: input.previousMonthKwh },
    { basis: 'same-month-last-year', previousKwh: input.sameMonthLastYearKwh },
  ] as const;
  const jumps: ConsumptionJump[] = [];
  for (const { basis, previousKwh } of references) {
    if (previousKwh === null) continue;
    const change = BigInt(currentKwh - previousKwh);
    const magnitude = change < 0n ? -change : change;
    // Exact comparison |Δ| / previous > threshold %: at exactly the threshold nothing is raised.
    if (magnitude * 100n <= BigInt(params.consumptionJumpPercent) * BigInt(previousKwh)) continue;
    const changeBp = previousKwh === 0 ? null : Number(divRoundHalfUp(change * 10_000n, BigInt(previousKwh)));
    jumps.push({
      kind: 'consumption-jump', rule: RULE_CODES['consumption-jump'], basis, previousKwh, currentKwh,
      changeBp, thresholdPercent: params.consumptionJumpPercent,
    });
  }
  return jumps;
};

export const checkTouSum: Rule<TouMismatch> = (input, params) => {
  const tou = input.usage?.touKwh;
  if (input.usage === null || tou === undefined) return [];
  const totalKwh = input.usage.totalKwh;
  const touSumKwh = tou.sharp + tou.peak + tou.flat + tou.valley;
  const differenceKwh = touSumKwh - totalKwh;
  const magnitude = BigInt(Math.abs(differenceKwh));
  const withinAbsolute = magnitude <= BigInt(params.touToleranceKwh);
  const withinRelative = magnitude * 10_000n <= BigInt(totalKwh) * BigInt(params.touToleranceBp);
  if (withinAbsolute || withinRelative) return [];
  return [{
    kind: 'tou-mismatch', rule: RULE_CODES['tou-mismatch'], totalKwh, touSumKwh, differenceKwh,
    toleranceKwh: params.touToleranceKwh, toleranceBp: params.touToleranceBp,
  }];
};

export const checkMultiplierChanged: Rule<MultiplierChanged> = (input) => {
  const multipliers = distinct([
    ...(input.previousMultiplier === null ? [] : [input.previousMultiplier]),
    ...input.segments.map((s) => multiplierOf(s.ctRatio, s.ptRatio)),
  ]);
  if (multipliers.length <= 1) return [];
  return [{ kind: 'multiplier-changed', rule: RULE_CODES['multiplier-changed'], multipliers }];
};

export const checkTariffChanged: Rule<TariffChanged> = (input) => {
  const tariffCodes = distinct([
    ...(input.previousTariffCode === null ? [] : [input.previousTariffCode]),
    ...input.tariffCodes,
  ]);
  if (tariffCodes.length <= 1) return [];
  return [{ kind: 'tariff-changed', rule: RULE_CODES['tariff-changed'], tariffCodes }];
};

/** The bill of the period that contains the connection or the exchange is the first one after it. */
export const checkFirstBill: Rule<FirstBill> = (input) => {
  const inPeriod = (date: string): boolean =>
    compareDates(date, input.period.from) >= 0 && compareDates(date, input.period.to) < 0;
  const found: FirstBill[] = [];
  if (inPeriod(input.connectedOn)) {
    found.push({ kind: 'first-bill', rule: RULE_CODES['first-bill'], reason: 'connection', date: input.connectedOn });
  }
  if (input.meterExchangedOn !== null && inPeriod(input.meterExchangedOn)) {
    found.push({ kind: 'first-bill', rule: RULE_CODES['first-bill'], reason: 'meter-exchange', date: input.meterExchangedOn });
  }
  return found;
};

export const checkPowerFactor: Rule<LowPowerFactor> = (input, params) => {
  const pf = input.powerFactorHundredths;
  if (pf === null || pf >= params.powerFactorMinHundredths) return [];
  return [{
    kind: 'low-power-factor', rule: RULE_CODES['low-power-factor'],
    powerFactorHundredths: pf, minimumHundredths: params.powerFactorMinHundredths,
  }];
};

export const checkDemandOverContract: Rule<DemandOverContract> = (input, params) => {
  const maxDemandKw = input.usage?.maxDemandKw;
  const contractDemandKw = input.contractDemandKw;
  if (maxDemandKw === undefined || contractDemandKw === null) return [];
  // Exact: demand / contract > threshold %; exactly at 105 % is still within the contract.
  if (BigInt(maxDemandKw) * 100n <= BigInt(contractDemandKw) * BigInt(params.demandOverContractPercent)) return [];
  return [{
    kind: 'demand-over-contract', rule: RULE_CODES['demand-over-contract'],
    maxDemandKw, contractDemandKw, thresholdPercent: params.demandOverContractPercent,
  }];
};

/** The current period counts as estimated when any closing reading was estimated. */
export const checkEstimatedStreak: Rule<EstimatedReadingStreak> = (input, params) => {
  const estimatedNow = input.segments.some((s) => s.end?.estimated === true);
  if (!estimatedNow) return [];
  const periodsInRow = input.previousEstimatedPeriodsInRow + 1;
  if (periodsInRow < params.estimatedPeriodsLimit) return [];
  return [{
    kind: 'estimated-reading-streak', rule: RULE_CODES['estimated-reading-streak'],
    periodsInRow, limitPeriods: params.estimatedPeriodsLimit,
  }];
};

export const checkCreditBill: Rule<CreditBill> = (input) => {
  if (input.billTotalFen === null || input.billTotalFen >= 0) return [];
  return [{ kind: 'credit-bill', rule: RULE_CODES['credit-bill'], totalFen: input.billTotalFen }];
};

function distinct<T>(values: readonly T[]): readonly T[] {
  return values.filter((value, index) => values.indexOf(value) === index);
}
