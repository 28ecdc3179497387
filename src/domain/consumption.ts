// From meter readings to the energy of one billing period.
//
// Readings are exact decimals of at most two fraction digits, carried as integer hundredths of a
// dial unit. Everything below is integer (bigint where products can grow) and rounded once per
// segment, half up, to whole kWh / kW: a float never touches a reading.
//
// A *segment* is one register of one physical meter between two readings inside the period. A
// meter exchange is two segments (old meter start → removal, new meter installation → end), each
// with its own multiplier; segments of the same register kind are summed. Each segment is rounded
// on its own because each meter's consumption is printed as its own figure on the bill, and the
// printed figures must add up to the billed total.
//
// Expected failures (missing or impossible readings) come back as typed issues in the result,
// never as exceptions: a period with an issue is not billed but goes to review. Malformed
// configuration (a CT ratio of 0, a reading that is not an integer of hundredths) is a programmer
// or data-load error and throws a RangeError.

import { divRoundHalfUp } from './money.ts';
import { TOU_PERIODS, type PeriodUsage, type TouPeriod } from './usage.ts';

export type RegisterKind = 'total' | TouPeriod | 'reactive' | 'demand';
export const REGISTER_KINDS: readonly RegisterKind[] = [
  'total', 'sharp', 'peak', 'flat', 'valley', 'reactive', 'demand',
];

/** 12 integer digits keeps capacity × 100 × multiplier inside what the bigint path checks. */
export const REGISTER_DIGITS_MAX = 12;
const HUNDREDTHS_PER_UNIT = 100n;
const BP_PER_WHOLE = 10_000n;

export interface RegisterSpec {
  readonly kind: RegisterKind;
  /** Integer digits of the dial, from the meter's master data; never inferred from a reading. */
  readonly digits: number;
  readonly rolloverAllowed: boolean;
}

export interface MeterReading {
  /** The dial value × 100 (readings carry at most two fraction digits). */
  readonly valueHundredths: number;
  /** True when the reading was estimated rather than read from the meter. */
  readonly estimated: boolean;
}

export interface RegisterSegment {
  readonly meterNo: string;
  readonly register: RegisterSpec;
  readonly ctRatio: number;
  readonly ptRatio: number;
  /** Reading at the start of the segment; null when missing. Ignored for a demand register. */
  readonly start: MeterReading | null;
  /** Reading at the end of the segment (for demand: the period's maximum); null when missing. */
  readonly end: MeterReading | null;
}

/** A correction (退补) of energy, billed as its own line; readings are never edited for it. */
export interface EnergyAdjustment {
  readonly kind: 'adjustment';
  /** Signed whole kWh: positive bills more, negative refunds. */
  readonly energyKwh: number;
  readonly reason: string;
  /** When the correction belongs to one TOU period; otherwise it is priced at the flat rate. */
  readonly touPeriod?: TouPeriod;
}

export interface ConsumptionParams {
  /**
   * A rollover whose delta exceeds this share of the register's capacity (basis points of
   * 10^digits) is more likely a misread or a reversed meter than a real wrap: review it.
   */
  readonly rolloverMaxShareBp: number;
}

export const DEFAULT_CONSUMPTION_PARAMS: ConsumptionParams = { rolloverMaxShareBp: 5_000 };

interface SegmentRef {
  readonly meterNo: string;
  readonly register: RegisterKind;
}

export type ConsumptionIssue =
  | (SegmentRef & { readonly kind: 'reading-missing'; readonly reading: 'start' | 'end' })
  | (SegmentRef & {
      readonly kind: 'reading-out-of-range';
      readonly reading: 'start' | 'end';
      readonly valueHundredths: number;
      readonly digits: number;
    })
  | (SegmentRef & {
      readonly kind: 'negative-consumption';
      readonly startHundredths: number;
      readonly endHundredths: number;
    })
  | (SegmentRef & {
      readonly kind: 'rollover-above-threshold';
      readonly startHundredths: number;
      readonly endHundredths: number;
      readonly digits: number;
      readonly deltaHundredths: number;
      readonly thresholdHundredths: number;
    })
  | (SegmentRef & { readonly kind: 'duplicate-segment' })
  | { readonly kind: 'no-active-register' }
  | { readonly kind: 'adjustment-invalid'; readonly index: number; readonly reason: string };

export type ConsumptionNote =
  | (SegmentRef & {
      readonly kind: 'rollover-applied';
      readonly startHundredths: number;
      readonly endHundredths: number;
      readonly deltaHundredths: number;
    })
  | { readonly kind: 'meter-exchange'; readonly register: RegisterKind; readonly meterNos: readonly string[] }
  | { readonly kind: 'total-derived-from-tou'; readonly totalKwh: number };

/** The issues one segment can have on its own. */
export type SegmentIssue = Exclude<Extract<ConsumptionIssue, SegmentRef>, { readonly kind: 'duplicate-segment' }>;

/** The outcome of one segment, shared with the verification rules so both see the same figures. */
export type SegmentOutcome =
  | { readonly kind: 'measured'; readonly quantity: number; readonly deltaHundredths: number; readonly rollover: boolean }
  | SegmentIssue;

export interface SegmentResult {
  readonly meterNo: string;
  readonly register: RegisterKind;
  readonly multiplier: number;
  /** Whole kWh / kvarh for energy registers, whole kW for demand. */
  readonly quantity: number;
}

export type ConsumptionResult =
  | {
      readonly ok: true;
      /** Metered energy only: adjustments are never folded in. */
      readonly usage: PeriodUsage;
      readonly segments: readonly SegmentResult[];
      readonly adjustments: readonly EnergyAdjustment[];
      readonly notes: readonly ConsumptionNote[];
    }
  | { readonly ok: false; readonly issues: readonly ConsumptionIssue[]; readonly notes: readonly ConsumptionNote[] };

/** 综合倍率 = CT ratio × PT ratio. */
export function multiplierOf(ctRatio: number, ptRatio: number): number {
  assertPositiveInteger(ctRatio, 'CT ratio');
  assertPositiveInteger(ptRatio, 'PT ratio');
  const product = ctRatio * ptRatio;
  assertPositiveInteger(product, 'multiplier');
  return product;
}

/** Capacity in hundredths by digits, computed once: every segment of a bill run asks, thrice. */
const CAPACITY_HUNDREDTHS: readonly bigint[] = Array.from({ length: REGISTER_DIGITS_MAX + 1 }, (_, digits) => 10n ** BigInt(digits) * HUNDREDTHS_PER_UNIT);

/** Capacity of a dial in hundredths: 10^digits units. */
export function capacityHundredths(digits: number): bigint {
  if (!Number.isInteger(digits) || digits < 1 || digits > REGISTER_DIGITS_MAX) {
    throw new RangeError(`register digits must be 1..${REGISTER_DIGITS_MAX}, got ${digits}`);
  }
  return CAPACITY_HUNDREDTHS[digits]!;
}

/** hundredths × multiplier → whole units, half up. Exact: the product is formed in bigint. */
export function scaleToWhole(hundredths: bigint, multiplier: number): number {
  const whole = divRoundHalfUp(hundredths * BigInt(multiplier), HUNDREDTHS_PER_UNIT);
  if (whole > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`quantity out of range: ${whole}`);
  return Number(whole);
}

/** Measures one segment; every failure is returned with the figures that caused it. */
export function measureSegment(segment: RegisterSegment, params: ConsumptionParams): SegmentOutcome {
  const ref: SegmentRef = { meterNo: segment.meterNo, register: segment.register.kind };
  const capacity = capacityHundredths(segment.register.digits);
  const multiplier = multiplierOf(segment.ctRatio, segment.ptRatio);
  if (segment.end === null) return { ...ref, kind: 'reading-missing', reading: 'end' };
  const endIssue = rangeIssue(ref, 'end', segment.end, capacity, segment.register.digits);
  if (endIssue) return endIssue;
  const end = BigInt(segment.end.valueHundredths);
  if (segment.register.kind === 'demand') {
    // Maximum demand is the reading itself, not a difference of two readings.
    return { kind: 'measured', quantity: scaleToWhole(end, multiplier), deltaHundredths: 0, rollover: false };
  }
  if (segment.start === null) return { ...ref, kind: 'reading-missing', reading: 'start' };
  const startIssue = rangeIssue(ref, 'start', segment.start, capacity, segment.register.digits);
  if (startIssue) return startIssue;
  const start = BigInt(segment.start.valueHundredths);
  if (end >= start) {
    return { kind: 'measured', quantity: scaleToWhole(end - start, multiplier), deltaHundredths: Number(end - start), rollover: false };
  }
  const figures = { startHundredths: Number(start), endHundredths: Number(end) };
  if (!segment.register.rolloverAllowed) return { ...ref, kind: 'negative-consumption', ...figures };
  const delta = capacity - start + end;
  const threshold = rolloverThresholdHundredths(segment.register.digits, params);
  // Compare the exact share (delta / capacity) with the basis points, not a rounded threshold.
  if (delta * BP_PER_WHOLE > capacity * BigInt(params.rolloverMaxShareBp)) {
    return {
      ...ref, kind: 'rollover-above-threshold', ...figures, digits: segment.register.digits,
      deltaHundredths: Number(delta), thresholdHundredths: threshold,
    };
  }
  return { kind: 'measured', quantity: scaleToWhole(delta, multiplier), deltaHundredths: Number(delta), rollover: true };
}

/** The largest rollover delta still billed, in hundredths (floored: a delta above it is refused). */
export function rolloverThresholdHundredths(digits: number, params: ConsumptionParams): number {
  assertBasisPoints(params.rolloverMaxShareBp);
  return Number((capacityHundredths(digits) * BigInt(params.rolloverMaxShareBp)) / BP_PER_WHOLE);
}

function rangeIssue(
  ref: SegmentRef, which: 'start' | 'end', reading: MeterReading, capacity: bigint, digits: number,
): SegmentIssue | null {
  if (!Number.isSafeInteger(reading.valueHundredths)) {
    throw new RangeError(`reading must be an integer of hundredths, got ${reading.valueHundredths}`);
  }
  const value = BigInt(reading.valueHundredths);
  if (value >= 0n && value < capacity) return null;
  return { ...ref, kind: 'reading-out-of-range', reading: which, valueHundredths: reading.valueHundredths, digits };
}

/**
 * The period's usage from every register segment of one account's metering point, or the issues
 * that stop it from being billed. Adjustments are validated and passed through untouched.
 */
export function computePeriodUsage(
  segments: readonly RegisterSegment[],
  adjustments: readonly EnergyAdjustment[],
  params: ConsumptionParams = DEFAULT_CONSUMPTION_PARAMS,
): ConsumptionResult {
  assertBasisPoints(params.rolloverMaxShareBp);
  const issues: ConsumptionIssue[] = [];
  const notes: ConsumptionNote[] = [];
  const results: SegmentResult[] = [];
  for (const segment of segments) {
    const outcome = measureSegment(segment, params);
    if (outcome.kind !== 'measured') {
      issues.push(outcome);
      continue;
    }
    if (outcome.rollover) {
      notes.push({
        kind: 'rollover-applied', meterNo: segment.meterNo, register: segment.register.kind,
        startHundredths: segment.start?.valueHundredths ?? 0, endHundredths: segment.end?.valueHundredths ?? 0,
        deltaHundredths: outcome.deltaHundredths,
      });
    }
    results.push({
      meterNo: segment.meterNo, register: segment.register.kind,
      multiplier: multiplierOf(segment.ctRatio, segment.ptRatio), quantity: outcome.quantity,
    });
  }
  issues.push(...duplicateIssues(segments), ...adjustmentIssues(adjustments));
  notes.push(...exchangeNotes(segments));
  if (issues.length > 0) return { ok: false, issues, notes };
  const usage = usageFromSegments(results, notes);
  if (usage === null) return { ok: false, issues: [{ kind: 'no-active-register' }], notes };
  return { ok: true, usage, segments: results, adjustments, notes };
}

function usageFromSegments(results: readonly SegmentResult[], notes: ConsumptionNote[]): PeriodUsage | null {
  const sums = new Map<RegisterKind, number>();
  let maxDemandKw: number | undefined;
  for (const r of results) {
    if (r.register === 'demand') {
      // Across an exchange the period's maximum is the larger of the two meters' maxima.
      maxDemandKw = Math.max(maxDemandKw ?? 0, r.quantity);
    } else {
      sums.set(r.register, (sums.get(r.register) ?? 0) + r.quantity);
    }
  }
  const hasTou = TOU_PERIODS.some((p) => sums.has(p));
  // A meter with only some TOU registers (peak/valley for households) bills the others as zero.
  const touKwh = hasTou
    ? { sharp: sums.get('sharp') ?? 0, peak: sums.get('peak') ?? 0, flat: sums.get('flat') ?? 0, valley: sums.get('valley') ?? 0 }
    : undefined;
  let totalKwh = sums.get('total');
  if (totalKwh === undefined) {
    if (touKwh === undefined) return null;
    totalKwh = touKwh.sharp + touKwh.peak + touKwh.flat + touKwh.valley;
    notes.push({ kind: 'total-derived-from-tou', totalKwh });
  }
  return {
    totalKwh,
    ...(touKwh ? { touKwh } : {}),
    ...(sums.has('reactive') ? { reactiveKvarh: sums.get('reactive') ?? 0 } : {}),
    ...(maxDemandKw !== undefined ? { maxDemandKw } : {}),
  };
}

function exchangeNotes(segments: readonly RegisterSegment[]): ConsumptionNote[] {
  const meters = new Map<RegisterKind, string[]>();
  for (const s of segments) {
    const list = meters.get(s.register.kind) ?? [];
    if (!list.includes(s.meterNo)) list.push(s.meterNo);
    meters.set(s.register.kind, list);
  }
  const notes: ConsumptionNote[] = [];
  for (const [register, meterNos] of meters) {
    if (meterNos.length > 1) notes.push({ kind: 'meter-exchange', register, meterNos });
  }
  return notes;
}

/** The same register of the same meter twice would be billed twice. */
function duplicateIssues(segments: readonly RegisterSegment[]): ConsumptionIssue[] {
  const seen = new Set<string>();
  const issues: ConsumptionIssue[] = [];
  for (const s of segments) {
    const key = `${s.meterNo}\u0000${s.register.kind}`;
    if (seen.has(key)) issues.push({ kind: 'duplicate-segment', meterNo: s.meterNo, register: s.register.kind });
    seen.add(key);
  }
  return issues;
}

function adjustmentIssues(adjustments: readonly EnergyAdjustment[]): ConsumptionIssue[] {
  const issues: ConsumptionIssue[] = [];
  adjustments.forEach((a, index) => {
    if (!Number.isSafeInteger(a.energyKwh)) {
      issues.push({ kind: 'adjustment-invalid', index, reason: 'energyKwh must be a whole number of kWh' });
    } else if (a.energyKwh === 0) {
      issues.push({ kind: 'adjustment-invalid', index, reason: 'a zero adjustment bills nothing' });
    } else if (a.reason.trim() === '') {
      issues.push({ kind: 'adjustment-invalid', index, reason: 'an adjustment needs a reason for the audit trail' });
    }
  });
  return issues;
}

/** Net energy of the adjustments: for totals shown next to the metered figure. */
export function adjustmentTotalKwh(adjustments: readonly EnergyAdjustment[]): number {
  return adjustments.reduce((sum, a) => sum + a.energyKwh, 0);
}

function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer, got ${value}`);
}

function assertBasisPoints(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new RangeError(`rolloverMaxShareBp must be 1..10000, got ${value}`);
  }
}
