import { expect } from 'chai';
import fc from 'fast-check';
import { energyLine, fundLine } from '../../src/domain/bill-line.ts';
import {
  adjustmentBasisPoints, formatPowerFactor, POWER_FACTOR_RULES, powerFactorHundredths, powerFactorLine,
  type PowerFactorRule,
} from '../../src/domain/power-factor.ts';

const [r90, r85, r80] = [POWER_FACTOR_RULES['0.90'], POWER_FACTOR_RULES['0.85'], POWER_FACTOR_RULES['0.80']];

describe('power factor', () => {
  describe('exact rounding to two decimals', () => {
    it('computes the usual cases', () => {
      expect(powerFactorHundredths(100, 0)).to.equal(100);
      expect(powerFactorHundredths(0, 100)).to.equal(0);
      expect(powerFactorHundredths(3, 4)).to.equal(60); // 3/5
      expect(powerFactorHundredths(4, 3)).to.equal(80); // 4/5
      expect(powerFactorHundredths(50_000, 56_914)).to.equal(66); // 0.65999…
      expect(powerFactorHundredths(0, 0)).to.equal(undefined);
    });

    it('rounds correctly a hair either side of a .xx5 boundary', () => {
      // PF is never exactly x.xx5 for whole P and Q (a rational PF needs P² + Q² to be a square,
      // whose reduced denominator is odd, never 200), but it comes within 1e-10 of it, where a
      // float sqrt and Math.round could land either way. Distances from a float64 search:
      expect(powerFactorHundredths(18_290, 20_541)).to.equal(67); // 0.665 + 2.2e-11
      expect(powerFactorHundredths(16_541, 8_244)).to.equal(89); // 0.895 − 3.7e-11
      expect(powerFactorHundredths(11_960, 7_569)).to.equal(84); // 0.845 − 1.1e-10
      // Exact values from Pythagorean triples: 7/25 = 0.28, 24/25 = 0.96, 3/5 = 0.6.
      expect(powerFactorHundredths(7, 24)).to.equal(28);
      expect(powerFactorHundredths(24, 7)).to.equal(96);
      expect(powerFactorHundredths(3_000_000, 4_000_000)).to.equal(60);
    });

    it('agrees with an exact rational check at every result (k − ½ ≤ 100·PF < k + ½)', () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (p, q) => {
        fc.pre(p + q > 0);
        const k = powerFactorHundredths(p, q);
        if (k === undefined) throw new Error('defined for p + q > 0');
        const P = BigInt(p);
        const S = P * P + BigInt(q) * BigInt(q);
        const lhs = 40_000n * P * P; // (200·P)²
        // PF ≥ (k − ½)/100  ⇔  (200P)² ≥ (2k − 1)²·S, and PF < (k + ½)/100 unless k = 100.
        if (k > 0) expect(lhs >= BigInt((2 * k - 1) ** 2) * S).to.equal(true);
        if (k < 100) expect(lhs < BigInt((2 * k + 1) ** 2) * S).to.equal(true);
      }));
    });

    it('does not move when reactive energy grows except downwards', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000 }),
        (p, q, dq) => (powerFactorHundredths(p, q + dq) ?? 0) <= (powerFactorHundredths(p, q) ?? 0)));
    });

    it('refuses negative or fractional energy', () => {
      expect(() => powerFactorHundredths(-1, 0)).to.throw(RangeError);
      expect(() => powerFactorHundredths(1, -1)).to.throw(RangeError);
      expect(() => powerFactorHundredths(1.5, 0)).to.throw(RangeError);
    });

    it('formats hundredths', () => {
      expect(formatPowerFactor(66)).to.equal('0.66');
      expect(formatPowerFactor(5)).to.equal('0.05');
      expect(formatPowerFactor(100)).to.equal('1.00');
    });
  });

  describe('adjustment rules (1983 table)', () => {
    const checkRows: [number, number, number, number][] = [
      // pf, 0.90, 0.85, 0.80 in basis points (DOMAIN.md check rows)
      [66, 1_400, 950, 700],
      [65, 1_500, 1_000, 750],
      [64, 1_700, 1_100, 800],
      [60, 2_500, 1_500, 1_000],
      [30, 8_500, 7_500, 6_500],
    ];
    for (const [pf, b90, b85, b80] of checkRows) {
      it(`charges PF ${formatPowerFactor(pf)} +${b90 / 100}% / +${b85 / 100}% / +${b80 / 100}%`, () => {
        expect(adjustmentBasisPoints(pf, r90)).to.equal(b90);
        expect(adjustmentBasisPoints(pf, r85)).to.equal(b85);
        expect(adjustmentBasisPoints(pf, r80)).to.equal(b80);
      });
    }

    it('credits above the standard up to the cap', () => {
      // 0.90: −0.15 % per 0.01 to −0.75 % at 0.95 and above.
      expect([90, 91, 94, 95, 96, 100].map((pf) => adjustmentBasisPoints(pf, r90))).to.deep.equal([0, -15, -60, -75, -75, -75]);
      // 0.85: −0.1 % per 0.01 to 0.90 (−0.5 %), then −0.15 %, cap −1.1 % at 0.94.
      expect([85, 86, 90, 91, 93, 94, 99].map((pf) => adjustmentBasisPoints(pf, r85))).to.deep.equal([0, -10, -50, -65, -95, -110, -110]);
      // 0.80: −0.1 % per 0.01 to 0.90 (−1.0 %), then −0.15 %, cap −1.3 % at 0.92.
      expect([80, 81, 90, 91, 92, 100].map((pf) => adjustmentBasisPoints(pf, r80))).to.deep.equal([0, -10, -100, -115, -130, -130]);
    });

    it('charges the slopes at each segment edge of the 0.90 standard', () => {
      // +0.5 % per 0.01 down to 0.70 (+10 %), +1 % down to 0.65 (+15 %), +2 % below.
      expect([89, 71, 70, 69, 66, 65, 64, 0].map((pf) => adjustmentBasisPoints(pf, r90)))
        .to.deep.equal([50, 950, 1_000, 1_100, 1_400, 1_500, 1_700, 1_500 + 65 * 200]);
    });

    it('only ever rises as the power factor falls', () => {
      for (const rule of [r90, r85, r80]) {
        for (let pf = 1; pf <= 100; pf++) {
          expect(adjustmentBasisPoints(pf - 1, rule)).to.be.at.least(adjustmentBasisPoints(pf, rule));
        }
      }
    });

    it('refuses malformed rules and power factors out of range', () => {
      const rising: PowerFactorRule = { standardHundredths: 90, surcharge: [{ boundHundredths: 95, bpPerHundredth: 50 }], credit: [] };
      const falling: PowerFactorRule = { standardHundredths: 90, surcharge: [], credit: [{ boundHundredths: 80, bpPerHundredth: -10 }] };
      expect(() => adjustmentBasisPoints(80, rising)).to.throw(/surcharge bounds/);
      expect(() => adjustmentBasisPoints(80, falling)).to.throw(/credit bounds/);
      expect(() => adjustmentBasisPoints(101, r90)).to.throw(RangeError);
      expect(() => adjustmentBasisPoints(-1, r90)).to.throw(RangeError);
      expect(() => adjustmentBasisPoints(66.5, r90)).to.throw(RangeError);
    });
  });

  describe('the bill line', () => {
    const lines = [
      energyLine('energy.peak', '高峰电量电费', 1_000, 900_000), // 900.00
      fundLine('fund.renewable', '可再生能源电价附加', 1_000, 19_000), // 19.00
    ];

    it('applies the percentage to the configured base only', () => {
      // PF 0.66 at 0.90: +14 % of 90 000 fen (energy only) = 12 600 fen; the fund is not adjusted.
      const line = powerFactorLine(lines, ['energy'], 50_000, 56_914, '0.90');
      expect(line).to.include({ kind: 'power-factor', quantity: '14', powerFactor: '0.66', baseFen: 90_000, amountFen: 12_600 });
      // With funds in the base (a province that adjusts them): 14 % of 91 900 = 12 866 fen.
      expect(powerFactorLine(lines, ['energy', 'fund'], 50_000, 56_914, '0.90')?.amountFen).to.equal(12_866);
    });

    it('writes a credit as a negative percentage and amount', () => {
      // PF 0.96 at 0.90: −0.75 % of 90 000 = −675 fen.
      const line = powerFactorLine(lines, ['energy'], 24, 7, '0.90');
      expect(line).to.include({ quantity: '-0.75', powerFactor: '0.96', amountFen: -675 });
    });

    it('has no line when the month had no energy at all', () => {
      expect(powerFactorLine(lines, ['energy'], 0, 0, '0.90')).to.equal(undefined);
    });
  });
});
