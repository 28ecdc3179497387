// Power-factor adjustment (功率因数调整电费办法, 1983).
//
// The power factor is computed exactly: rounding PF = P/√(P²+Q²) half-up to two decimals is a
// comparison of squares of integers, done in bigint, so a value sitting on x.xx5 can never be
// rounded the wrong way by a float. The adjustment table is expressed as rules — segments walked
// 0.01 at a time away from the standard, each with a slope and an end — so the published check
// rows follow from the rules rather than being pasted in.

import { formatDecimal, type BillLine, type BillLineKind, type PowerFactorLine } from './bill-line.ts';
import { percentOf, sumFen } from './money.ts';

export type PowerFactorStandard = '0.90' | '0.85' | '0.80';
export const POWER_FACTOR_STANDARDS: readonly PowerFactorStandard[] = ['0.90', '0.85', '0.80'];

/** One stretch of the table: every 0.01 step until `boundHundredths` adds `bpPerHundredth`. */
export interface PowerFactorSegment {
  readonly boundHundredths: number;
  /** Basis points (0.01 %) per 0.01 of power factor; positive = surcharge, negative = credit. */
  readonly bpPerHundredth: number;
}

export interface PowerFactorRule {
  readonly standardHundredths: number;
  /** Walked downwards from the standard, bounds strictly decreasing; past the last bound nothing is added. */
  readonly surcharge: readonly PowerFactorSegment[];
  /** Walked upwards from the standard, bounds strictly increasing; the last bound is the cap. */
  readonly credit: readonly PowerFactorSegment[];
}

/**
 * The 1983 table. Below the last listed surcharge bound the rules keep adding +2 % per 0.01 down
 * to 0.00 (the published table stops at 0.30 (?)): bound 0 keeps that configurable.
 */
export const POWER_FACTOR_RULES: Readonly<Record<PowerFactorStandard, PowerFactorRule>> = {
  '0.90': {
    standardHundredths: 90,
    surcharge: [
      { boundHundredths: 70, bpPerHundredth: 50 },
      { boundHundredths: 65, bpPerHundredth: 100 },
      { boundHundredths: 0, bpPerHundredth: 200 },
    ],
    credit: [{ boundHundredths: 95, bpPerHundredth: -15 }],
  },
  '0.85': {
    standardHundredths: 85,
    surcharge: [
      { boundHundredths: 65, bpPerHundredth: 50 },
      { boundHundredths: 60, bpPerHundredth: 100 },
      { boundHundredths: 0, bpPerHundredth: 200 },
    ],
    credit: [
      { boundHundredths: 90, bpPerHundredth: -10 },
      { boundHundredths: 94, bpPerHundredth: -15 },
    ],
  },
  '0.80': {
    standardHundredths: 80,
    surcharge: [
      { boundHundredths: 60, bpPerHundredth: 50 },
      { boundHundredths: 55, bpPerHundredth: 100 },
      { boundHundredths: 0, bpPerHundredth: 200 },
    ],
    credit: [
      { boundHundredths: 90, bpPerHundredth: -10 },
      { boundHundredths: 92, bpPerHundredth: -15 },
    ],
  },
};

/**
 * PF = P/√(P²+Q²) rounded half-up to hundredths, as an integer 0..100; undefined when there was no
 * energy at all (P = Q = 0), where the ratio does not exist.
 *
 * PF rounds to k or more exactly when P/√(P²+Q²) ≥ (k − ½)/100, i.e. (200·P)² ≥ (2k − 1)²·(P² + Q²):
 * the largest such k is the answer.
 */
export function powerFactorHundredths(activeKwh: number, reactiveKvarh: number): number | undefined {
  assertWhole(activeKwh, 'active energy');
  assertWhole(reactiveKvarh, 'reactive energy');
  const p = BigInt(activeKwh);
  const q = BigInt(reactiveKvarh);
  const apparentSquared = p * p + q * q;
  if (apparentSquared === 0n) return undefined;
  const lhs = 200n * p * (200n * p);
  let k = 0;
  for (let candidate = 1; candidate <= 100; candidate++) {
    const twice = BigInt(2 * candidate - 1);
    if (lhs >= twice * twice * apparentSquared) k = candidate;
    else break;
  }
  return k;
}

/** The adjustment, in basis points of the base, for a power factor in hundredths. */
export function adjustmentBasisPoints(pfHundredths: number, rule: PowerFactorRule): number {
  assertRule(rule);
  if (!Number.isInteger(pfHundredths) || pfHundredths < 0 || pfHundredths > 100) {
    throw new RangeError(`power factor must be 0..100 hundredths, got ${pfHundredths}`);
  }
  const std = rule.standardHundredths;
  if (pfHundredths < std) return walk(std, pfHundredths, rule.surcharge, -1);
  if (pfHundredths > std) return walk(std, pfHundredths, rule.credit, 1);
  return 0;
}

/** Sums slope × steps over the segments between the standard and the power factor. */
function walk(std: number, pf: number, segments: readonly PowerFactorSegment[], direction: 1 | -1): number {
  let bp = 0;
  let from = std;
  for (const segment of segments) {
    // Steps of this segment that lie between `from` and the power factor.
    const end = direction === 1 ? Math.min(pf, segment.boundHundredths) : Math.max(pf, segment.boundHundredths);
    const steps = (end - from) * direction;
    if (steps > 0) bp += steps * segment.bpPerHundredth;
    from = segment.boundHundredths;
    if ((pf - from) * direction <= 0) break;
  }
  return bp;
}

/** 66 → "0.66". */
export function formatPowerFactor(hundredths: number): string {
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

function assertRule(rule: PowerFactorRule): void {
  const std = rule.standardHundredths;
  let previous = std;
  for (const s of rule.surcharge) {
    if (!(s.boundHundredths < previous) || s.boundHundredths < 0) throw new RangeError('surcharge bounds must fall');
    previous = s.boundHundredths;
  }
  previous = std;
  for (const s of rule.credit) {
    if (!(s.boundHundredths > previous) || s.boundHundredths > 100) throw new RangeError('credit bounds must rise');
    previous = s.boundHundredths;
  }
}

function assertWhole(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a whole number, got ${value}`);
}

/**
 * The power-factor line of a bill: the rule's percentage of the sum of the lines whose kinds are
 * in `baseKinds` (energy and basic charges; funds are not adjusted). Undefined when the month had
 * no energy, so there is no power factor to assess.
 */
export function powerFactorLine(
  lines: readonly BillLine[], baseKinds: readonly BillLineKind[], activeKwh: number, reactiveKvarh: number,
  standard: PowerFactorStandard,
): PowerFactorLine | undefined {
  const pf = powerFactorHundredths(activeKwh, reactiveKvarh);
  if (pf === undefined) return undefined;
  const baseFen = sumFen(lines.filter((l) => baseKinds.includes(l.kind)).map((l) => l.amountFen));
  const bp = adjustmentBasisPoints(pf, POWER_FACTOR_RULES[standard]);
  return {
    kind: 'power-factor',
    code: 'power-factor.adjustment',
    label: bp > 0 ? '功率因数调整电费（增收）' : bp < 0 ? '功率因数调整电费（减收）' : '功率因数调整电费',
    quantity: formatDecimal(BigInt(bp), 2),
    unit: '%',
    powerFactor: formatPowerFactor(pf),
    standard,
    baseFen,
    amountFen: percentOf(baseFen, bp),
  };
}
