// Latency as a fixed histogram, so that counts from several cores and many days simply add up and
// a percentile can still be read from the sum (a list of samples or a per-core percentile cannot
// be merged). The bounds are part of the schema (one counter column each, migration 0012):
// changing them is a migration, not an edit here alone.

/** Upper bounds (inclusive) of the buckets, in ms; one more bucket counts everything slower. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 60000] as const;

/** Buckets of a histogram: one per bound plus the overflow bucket. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** The bucket a duration falls in. */
export function latencyBucket(ms: number): number {
  const index = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return index === -1 ? LATENCY_BOUNDS_MS.length : index;
}

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKETS).fill(0);
}

/** Adds `more` into `into`, bucket by bucket. */
export function addHistogram(into: number[], more: readonly number[]): void {
  for (let i = 0; i < LATENCY_BUCKETS; i += 1) into[i] = (into[i] ?? 0) + (more[i] ?? 0);
}

/**
 * The q-quantile (0 < q ≤ 1) in whole ms, rounded up, interpolated linearly inside its bucket as
 * Prometheus' histogram_quantile does; 0 for an empty histogram. A quantile in the overflow bucket
 * is reported as the last bound: the histogram cannot say how much slower it was.
 */
export function latencyQuantileMs(counts: readonly number[], q: number): number {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return 0;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i += 1) {
    const inBucket = counts[i] ?? 0;
    if (inBucket > 0 && below + inBucket >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const upper = LATENCY_BOUNDS_MS[i]!;
      return Math.ceil(lower + (upper - lower) * ((rank - below) / inBucket));
    }
    below += inBucket;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!;
}
