import { expect } from 'chai';
import fc from 'fast-check';
import { apportion, roundedShare } from '../../../src/domain/tariffs/apportion.ts';

describe('apportioning whole kWh', () => {
  it('rounds the first part half up and gives the rest to the last', () => {
    expect(apportion(5, [1, 1])).to.deep.equal([3, 2]);
    expect(apportion(1_000, [15, 16])).to.deep.equal([484, 516]); // 483.87 → 484
    expect(apportion(10, [1, 1, 1])).to.deep.equal([3, 4, 3]); // 3.33 | 6.67 → 7 | 10
    expect(apportion(0, [3, 4])).to.deep.equal([0, 0]);
    expect(apportion(7, [0, 5, 0])).to.deep.equal([0, 7, 0]);
  });

  it('refuses what cannot be split', () => {
    expect(() => apportion(5, [0, 0])).to.throw(RangeError);
    expect(() => apportion(5, [])).to.throw(RangeError);
    expect(() => apportion(-1, [1])).to.throw(RangeError);
    expect(() => apportion(1.5, [1])).to.throw(RangeError);
    expect(() => apportion(5, [1, -1, 3])).to.throw(RangeError);
    expect(() => roundedShare(5, 1, 0)).to.throw(RangeError);
  });

  it('always sums to the whole, with each part within one of its exact share', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 1e9 }), fc.array(fc.nat(1e6), { minLength: 1, maxLength: 6 }),
      (total, weights) => {
        const sum = weights.reduce((a, b) => a + b, 0);
        fc.pre(sum > 0);
        const parts = apportion(total, weights);
        expect(parts.reduce((a, b) => a + b, 0)).to.equal(total);
        parts.forEach((part, i) => {
          expect(part).to.be.at.least(0);
          const exact = (BigInt(total) * BigInt(weights[i] ?? 0));
          expect(Number(BigInt(part) * BigInt(sum) - exact)).to.be.within(-sum, sum);
        });
      },
    ));
  });
});
