// Late-payment penalty (电费违约金) on an overdue electricity bill.
//
// Day count: the penalty runs from the day after the due date to the payment date, both
// inclusive, so overdue days = daysBetween(dueDate, paymentDate). The payment day itself counts
// because the amount was still unpaid when that day began; paying on the due date costs nothing.
// The same function answers an arrears query "penalty to date" with the query date as
// paymentDate.
//
// Cross-year part (跨年度欠费): for non-residential customers each overdue day that falls in a
// calendar year later than the arrears' year is charged at the cross-year rate, the others at the
// current-year rate. The arrears' year is, by default, the year of the bill month (the fee of
// December 2024 is a 2024 fee even when it falls due in January 2025); `crossYearAnchor` can set
// it to the year of the first overdue day instead, since the public sources do not settle it (?).
//
// Rates are basis points per day of the overdue amount (1‰ = 10 bp), the minimum is in fen; all of
// it is data. The total is formed exactly and rounded once, half up, to the fen.

import { daysBetween, isIsoDate, isIsoMonth, addDays, type IsoDate, type IsoMonth } from './dates.ts';
import { divRoundHalfUp, type Fen } from './money.ts';

export type LateFeeCategory = 'residential' | 'non-residential';

export interface LateFeeParams {
  /** Residential: basis points of the overdue amount per overdue day (1‰ = 10). */
  readonly residentialDailyBp: number;
  /** Others, overdue days in the arrears' own year (2‰ = 20). */
  readonly currentYearDailyBp: number;
  /** Others, overdue days in a later calendar year (3‰ = 30). */
  readonly crossYearDailyBp: number;
  /** A positive penalty below this is charged as this (1 yuan = 100 fen). */
  readonly minimumFen: Fen;
  readonly crossYearAnchor: 'bill-month' | 'first-overdue-day';
}

/** 供电营业规则 art. 98 figures (?: confirm against the 2024 revision; keep as data). */
export const DEFAULT_LATE_FEE_PARAMS: LateFeeParams = {
  residentialDailyBp: 10,
  currentYearDailyBp: 20,
  crossYearDailyBp: 30,
  minimumFen: 100,
  crossYearAnchor: 'bill-month',
};

export interface LateFeeInput {
  readonly category: LateFeeCategory;
  /** The unpaid energy charge the penalty accrues on, in fen (≥ 0). */
  readonly overdueFen: Fen;
  readonly billMonth: IsoMonth;
  readonly dueDate: IsoDate;
  /** The payment date, or the as-of date of an arrears query. */
  readonly paymentDate: IsoDate;
}

export interface LateFee {
  readonly overdueDays: number;
  /** Days charged at the current-year (or residential) rate. */
  readonly currentYearDays: number;
  /** Days charged at the cross-year rate; always 0 for residential customers. */
  readonly crossYearDays: number;
  /** The exact penalty rounded to the fen, before the minimum. */
  readonly computedFen: Fen;
  readonly feeFen: Fen;
  readonly minimumApplied: boolean;
}

const BP_PER_WHOLE = 10_000n;

export function lateFee(input: LateFeeInput, params: LateFeeParams = DEFAULT_LATE_FEE_PARAMS): LateFee {
  assertInput(input);
  assertParams(params);
  const overdueDays = Math.max(0, daysBetween(input.dueDate, input.paymentDate));
  if (overdueDays === 0 || input.overdueFen === 0) {
    return { overdueDays, currentYearDays: overdueDays, crossYearDays: 0, computedFen: 0, feeFen: 0, minimumApplied: false };
  }
  const { currentYearDays, crossYearDays } = input.category === 'residential'
    ? { currentYearDays: overdueDays, crossYearDays: 0 }
    : splitByYear(input, overdueDays, params.crossYearAnchor);
  const dailyBpDays = input.category === 'residential'
    ? BigInt(params.residentialDailyBp) * BigInt(overdueDays)
    : BigInt(params.currentYearDailyBp) * BigInt(currentYearDays) + BigInt(params.crossYearDailyBp) * BigInt(crossYearDays);
  const computed = divRoundHalfUp(BigInt(input.overdueFen) * dailyBpDays, BP_PER_WHOLE);
  if (computed > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`late fee out of range: ${computed}`);
  const computedFen = Number(computed);
  // The minimum applies to every penalty that is owed at all, even one that rounds to 0 fen.
  const minimumApplied = computedFen < params.minimumFen;
  return {
    overdueDays, currentYearDays, crossYearDays, computedFen,
    feeFen: minimumApplied ? params.minimumFen : computedFen, minimumApplied,
  };
}

function splitByYear(
  input: LateFeeInput, overdueDays: number, anchor: LateFeeParams['crossYearAnchor'],
): { currentYearDays: number; crossYearDays: number } {
  const firstOverdueDay = addDays(input.dueDate, 1);
  const arrearsYear = Number((anchor === 'bill-month' ? input.billMonth : firstOverdueDay).slice(0, 4));
  const lastDayOfYear = `${String(arrearsYear).padStart(4, '0')}-12-31`;
  // Overdue days run firstOverdueDay..paymentDate; those up to 31 December stay current-year.
  const inYear = Math.max(0, Math.min(overdueDays, daysBetween(firstOverdueDay, lastDayOfYear) + 1));
  return { currentYearDays: inYear, crossYearDays: overdueDays - inYear };
}

function assertInput(input: LateFeeInput): void {
  if (!Number.isSafeInteger(input.overdueFen) || input.overdueFen < 0) {
    throw new RangeError(`overdueFen must be a non-negative integer, got ${input.overdueFen}`);
  }
  if (!isIsoMonth(input.billMonth)) throw new RangeError(`not an ISO month: ${input.billMonth}`);
  for (const date of [input.dueDate, input.paymentDate]) {
    if (!isIsoDate(date)) throw new RangeError(`not an ISO date: ${date}`);
  }
}

function assertParams(params: LateFeeParams): void {
  const rates = [params.residentialDailyBp, params.currentYearDailyBp, params.crossYearDailyBp, params.minimumFen];
  for (const value of rates) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`late-fee parameter must be a non-negative integer, got ${value}`);
  }
}

/**
 * The penalty parameters of a tariff version's late-fee terms. Residential tariffs carry one rate
 * for both parts, so the residential rate is the version's current-year rate.
 */
export function lateFeeParamsOf(
  terms: { readonly currentYearDailyBp: number; readonly crossYearDailyBp: number; readonly minimumFen: Fen },
  crossYearAnchor: LateFeeParams['crossYearAnchor'] = DEFAULT_LATE_FEE_PARAMS.crossYearAnchor,
): LateFeeParams {
  return {
    residentialDailyBp: terms.currentYearDailyBp,
    currentYearDailyBp: terms.currentYearDailyBp,
    crossYearDailyBp: terms.crossYearDailyBp,
    minimumFen: terms.minimumFen,
    crossYearAnchor,
  };
}
