import { expect } from 'chai';
import fc from 'fast-check';
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS, addHistogram, emptyHistogram, latencyBucket, latencyQuantileMs } from '../../src/domain/latency-histogram.ts';

describe('latency histogram', () => {
  it('puts a duration in the first bucket whose bound it does not exceed, at every edge', () => {
    expect(latencyBucket(0)).to.equal(0);
    expect(latencyBucket(1)).to.equal(0);
    expect(latencyBucket(1.001)).to.equal(1);
    expect(latencyBucket(2)).to.equal(1);
    expect(latencyBucket(60000)).to.equal(LATENCY_BOUNDS_MS.length - 1);
    expect(latencyBucket(60000.5)).to.equal(LATENCY_BUCKETS - 1);
  });

  it('reads 0 from an empty histogram and interpolates inside the bucket', () => {
    expect(latencyQuantileMs(emptyHistogram(), 0.99)).to.equal(0);
    const h = emptyHistogram();
    h[latencyBucket(15)] = 100; // all in (10, 20]
    expect(latencyQuantileMs(h, 0.5)).to.equal(15);
    expect(latencyQuantileMs(h, 0.99)).to.equal(20);
  });

  it('reports a quantile in the overflow bucket as the last bound', () => {
    const h = emptyHistogram();
    h[0] = 1;
    h[LATENCY_BUCKETS - 1] = 99;
    expect(latencyQuantileMs(h, 0.5)).to.equal(60000);
  });

  it('never reports less than the bucket below the quantile sample, nor more than its bound, and adds up across histograms', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 100000, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (samples, q) => {
      const a = emptyHistogram();
      const b = emptyHistogram();
      samples.forEach((ms, i) => { (i % 2 === 0 ? a : b)[latencyBucket(ms)]! += 1; });
      const sum = emptyHistogram();
      addHistogram(sum, a);
      addHistogram(sum, b);
      const sorted = [...samples].sort((x, y) => x - y);
      const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
      const bucket = latencyBucket(exact);
      const got = latencyQuantileMs(sum, q);
      const lower = bucket === 0 ? 0 : LATENCY_BOUNDS_MS[bucket - 1]!;
      const upper = LATENCY_BOUNDS_MS[Math.min(bucket, LATENCY_BOUNDS_MS.length - 1)]!;
      return got >= Math.floor(lower) && got <= upper;
    }));
  });
});
