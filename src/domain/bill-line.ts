// The lines of a bill. Each line is priced and rounded to the fen once, from exact inputs; the
// bill total is the exact sum of the rounded lines, so a customer adding up the printed lines
// always gets the printed total.

import type { IsoDate } from './dates.ts';
import { assertFen, charge, divRoundHalfUp, sumFen, type Fen, type RateMicros } from './money.ts';

/** The part of a billing period a line prices, when the period is split across tariff versions. */
export interface DateRange {
  readonly from: IsoDate;
  /** Exclusive, like BillingPeriod.to. */
  readonly to: IsoDate;
}

/**
 * A basic charge covers a month; a partial month is charged `days / ofDays` of it. Kept on the line
 * (rather than folded into a rounded quantity) so that quantity × rate × days / ofDays is the
 * exact amount before its single rounding.
 */
export interface Proration {
  readonly days: number;
  readonly ofDays: number;
}

interface LineBase {
  /** Stable machine code, e.g. 'energy.tier2.peak', 'fund.renewable'. */
  readonly code: string;
  /** What the customer reads on the bill, e.g. '第二档峰电量电费'. */
  readonly label: string;
  /** Exact decimal string, no exponent, trailing fraction zeros trimmed ("315", "157.5"). */
  readonly quantity: string;
  readonly rateMicros?: RateMicros;
  readonly amountFen: Fen;
  /** Present only when the period was split across tariff versions. */
  readonly segment?: DateRange;
}

export interface EnergyLine extends LineBase {
  readonly kind: 'energy';
  readonly unit: 'kWh';
  readonly rateMicros: RateMicros;
}

export interface FundLine extends LineBase {
  readonly kind: 'fund';
  readonly unit: 'kWh';
  readonly rateMicros: RateMicros;
}

export interface BasicCapacityLine extends LineBase {
  readonly kind: 'basic-capacity';
  readonly unit: 'kVA·month';
  readonly rateMicros: RateMicros;
  readonly proration: Proration;
}

export interface BasicDemandLine extends LineBase {
  readonly kind: 'basic-demand';
  readonly unit: 'kW·month';
  readonly rateMicros: RateMicros;
  readonly proration: Proration;
}

export interface PowerFactorLine extends LineBase {
  readonly kind: 'power-factor';
  /** The quantity is the adjustment in percent ("9.5", "-0.75"). */
  readonly unit: '%';
  /** The month's power factor, two decimals ("0.66"). */
  readonly powerFactor: string;
  readonly standard: string;
  /** The sum the percentage was applied to. */
  readonly baseFen: Fen;
}

export interface AdjustmentLine extends LineBase {
  readonly kind: 'adjustment';
  readonly unit: 'kWh' | 'yuan';
}

export interface PenaltyLine extends LineBase {
  readonly kind: 'penalty';
  readonly unit: 'day';
}

export type BillLine =
  | EnergyLine
  | FundLine
  | BasicCapacityLine
  | BasicDemandLine
  | PowerFactorLine
  | AdjustmentLine
  | PenaltyLine;

export type BillLineKind = BillLine['kind'];

export const BILL_LINE_KINDS: readonly BillLineKind[] = [
  'energy', 'fund', 'basic-capacity', 'basic-demand', 'power-factor', 'adjustment', 'penalty',
];

/** The exact sum of the lines' rounded amounts. */
export function billTotal(lines: readonly BillLine[]): Fen {
  return sumFen(lines.map((line) => line.amountFen));
}

/**
 * An integer scaled by 10^scale as an exact decimal string with trailing fraction zeros trimmed:
 * (1575n, 1) → "157.5", (1260000n, 4) → "126", (-75n, 2) → "-0.75".
 */
export function formatDecimal(scaled: bigint, scale: number): string {
  assertScale(scale);
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  const body = fraction === '' ? whole : `${whole}.${fraction}`;
  return negative ? `-${body}` : body;
}

function withSegment<T extends LineBase>(line: T, segment: DateRange | undefined): T {
  return segment === undefined ? line : { ...line, segment };
}

/** kWh × rate, rounded once. */
export function energyLine(
  code: string, label: string, energyKwh: number, rateMicros: RateMicros, segment?: DateRange,
): EnergyLine {
  const amountFen = charge(energyKwh, rateMicros);
  return withSegment(
    { kind: 'energy', code, label, quantity: String(energyKwh), unit: 'kWh', rateMicros, amountFen },
    segment,
  );
}

/** A government fund collected per kWh, rounded once. */
export function fundLine(
  code: string, label: string, energyKwh: number, rateMicros: RateMicros, segment?: DateRange,
): FundLine {
  const amountFen = charge(energyKwh, rateMicros);
  return withSegment(
    { kind: 'fund', code, label, quantity: String(energyKwh), unit: 'kWh', rateMicros, amountFen },
    segment,
  );
}

/** A quantity scaled by 10^scale (kVA, or kW with fractions from the 105 % rule). */
export interface ScaledQuantity {
  readonly scaled: bigint;
  readonly scale: number;
}

/** quantity × rate × days / ofDays, rounded once to the fen. */
export function proratedChargeFen(quantity: ScaledQuantity, rateMicros: RateMicros, proration: Proration): Fen {
  assertScale(quantity.scale);
  assertProration(proration);
  if (!Number.isSafeInteger(rateMicros)) throw new RangeError(`rate must be a safe integer, got ${rateMicros}`);
  const numerator = quantity.scaled * BigInt(rateMicros) * BigInt(proration.days);
  const divisor = 10_000n * 10n ** BigInt(quantity.scale) * BigInt(proration.ofDays);
  const fen = divRoundHalfUp(numerator, divisor);
  if (fen > BigInt(Number.MAX_SAFE_INTEGER) || fen < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`charge out of range: ${fen}`);
  }
  return Number(fen);
}

export function basicCapacityLine(
  code: string, label: string, capacityKva: ScaledQuantity, rateMicros: RateMicros,
  proration: Proration, segment?: DateRange,
): BasicCapacityLine {
  const amountFen = proratedChargeFen(capacityKva, rateMicros, proration);
  const quantity = formatDecimal(capacityKva.scaled, capacityKva.scale);
  return withSegment(
    { kind: 'basic-capacity', code, label, quantity, unit: 'kVA·month', rateMicros, proration, amountFen },
    segment,
  );
}

export function basicDemandLine(
  code: string, label: string, demandKw: ScaledQuantity, rateMicros: RateMicros,
  proration: Proration, segment?: DateRange,
): BasicDemandLine {
  const amountFen = proratedChargeFen(demandKw, rateMicros, proration);
  const quantity = formatDecimal(demandKw.scaled, demandKw.scale);
  return withSegment(
    { kind: 'basic-demand', code, label, quantity, unit: 'kW·month', rateMicros, proration, amountFen },
    segment,
  );
}

/** A correction (退补) priced elsewhere; the amount is taken as given. */
export function adjustmentLine(
  code: string, label: string, quantity: string, unit: 'kWh' | 'yuan', amountFen: Fen,
): AdjustmentLine {
  assertFen(amountFen);
  return { kind: 'adjustment', code, label, quantity, unit, amountFen };
}

/** A late-payment penalty priced by late-fee rules; the amount is taken as given. */
export function penaltyLine(code: string, label: string, days: number, amountFen: Fen): PenaltyLine {
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`days must be a whole number, got ${days}`);
  assertFen(amountFen);
  return { kind: 'penalty', code, label, quantity: String(days), unit: 'day', amountFen };
}

function assertScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > 12) throw new RangeError(`bad scale ${scale}`);
}

function assertProration(p: Proration): void {
  if (!Number.isSafeInteger(p.days) || !Number.isSafeInteger(p.ofDays) || p.days < 0 || p.ofDays <= 0) {
    throw new RangeError(`bad proration ${p.days}/${p.ofDays}`);
  }
}
