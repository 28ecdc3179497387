// Splitting whole kWh into whole parts. One rule everywhere (TOU proportions, tariff versions by
// days), so the same inputs always give the same parts and the parts always sum to the whole.
//
// The rule is cumulative rounding: with weights w₁…wₙ summing to W, part i is
//   round(total × (w₁+…+wᵢ) / W) − round(total × (w₁+…+wᵢ₋₁) / W),
// rounding half up. The parts telescope to exactly `total`, each is within 1 of its exact share,
// and for two parts it is the familiar "round the first, the second takes the rest" (so an exact
// half goes to the first part, e.g. 5 kWh split 1:1 → 3 + 2).

import { divRoundHalfUp } from '../money.ts';

/** Splits `total` whole units in proportion to non-negative integer weights (not all zero). */
export function apportion(total: number, weights: readonly number[]): number[] {
  assertWhole(total, 'total');
  let weightSum = 0n;
  for (const w of weights) {
    assertWhole(w, 'weight');
    weightSum += BigInt(w);
  }
  if (weightSum === 0n) throw new RangeError('apportion needs at least one positive weight');
  const parts: number[] = [];
  let cumulative = 0n;
  let previousRounded = 0n;
  for (const w of weights) {
    cumulative += BigInt(w);
    const rounded = divRoundHalfUp(BigInt(total) * cumulative, weightSum);
    parts.push(Number(rounded - previousRounded));
    previousRounded = rounded;
  }
  return parts;
}

/** round(total × share / whole), half up: the cumulative point used by apportion. */
export function roundedShare(total: number, share: number, whole: number): number {
  assertWhole(total, 'total');
  assertWhole(share, 'share');
  assertWhole(whole, 'whole');
  if (whole === 0) throw new RangeError('whole must be positive');
  return Number(divRoundHalfUp(BigInt(total) * BigInt(share), BigInt(whole)));
}

function assertWhole(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a whole number, got ${value}`);
}
