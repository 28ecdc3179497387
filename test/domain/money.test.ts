import { expect } from 'chai';
import fc from 'fast-check';
import {
  charge, divRoundHalfUp, formatRate, formatYuan, parseRate, parseYuan, percentOf, sumFen,
} from '../../src/domain/money.ts';

describe('money', () => {
  it('parses and formats yuan exactly, keeping two fraction digits', () => {
    expect(parseYuan('19.50')).to.equal(1950);
    expect(parseYuan('19.5')).to.equal(1950);
    expect(parseYuan('0')).to.equal(0);
    expect(parseYuan('-3.07')).to.equal(-307);
    expect(formatYuan(1950)).to.equal('19.50');
    expect(formatYuan(5)).to.equal('0.05');
    expect(formatYuan(-307)).to.equal('-3.07');
  });

  it('refuses amounts that are not plain decimals or carry more than two fraction digits', () => {
    for (const bad of ['1e3', 'NaN', '12abc', '', ' 1', '1.005', '0x10', '1,00', '.5', 'Infinity']) {
      expect(() => parseYuan(bad), bad).to.throw(/not a valid amount/);
    }
  });

  it('refuses a float where fen are expected', () => {
    expect(() => formatYuan(19.5)).to.throw(RangeError);
    expect(() => sumFen([1, 0.1])).to.throw(RangeError);
  });

  it('keeps six fraction digits of a rate', () => {
    expect(parseRate('0.538')).to.equal(538_000);
    expect(parseRate('0.0062')).to.equal(6_200);
    expect(formatRate(6_200)).to.equal('0.006200');
    expect(() => parseRate('0.1234567')).to.throw(/at most 6/);
  });

  it('rounds half away from zero once per charge', () => {
    // 1 kWh × 0.0062 = 0.0062 yuan = 0.62 fen → 1 fen; 0.0042 → 0.42 fen → 0 fen
    expect(charge(1, parseRate('0.0062'))).to.equal(1);
    expect(charge(1, parseRate('0.0042'))).to.equal(0);
    // 5 kWh × 0.001 = 0.5 fen → 1 fen (half up); negative mirrors it
    expect(charge(5, parseRate('0.001'))).to.equal(1);
    expect(charge(-5, parseRate('0.001'))).to.equal(-1);
    // 2760 kWh × 0.538 = 1484.88 yuan
    expect(charge(2760, parseRate('0.538'))).to.equal(148_488);
    expect(divRoundHalfUp(15n, 10n)).to.equal(2n);
    expect(divRoundHalfUp(14n, 10n)).to.equal(1n);
    expect(divRoundHalfUp(-15n, 10n)).to.equal(-2n);
  });

  it('applies a scaled quantity (prorated capacity) before rounding', () => {
    // 315 kVA × 20/30 month = 210.000 kVA·month at 22.6 yuan = 4746.00 yuan
    expect(charge(210_000, parseRate('22.6'), 3)).to.equal(474_600);
  });

  it('takes percentages in basis points', () => {
    expect(percentOf(100_000, 950)).to.equal(9_500);
    expect(percentOf(100_000, -75)).to.equal(-750);
    expect(percentOf(333, 5)).to.equal(0); // 0.1665 fen
  });

  it('round-trips every amount through its wire form', () => {
    fc.assert(fc.property(fc.integer({ min: -1e13, max: 1e13 }), (fen) => parseYuan(formatYuan(fen)) === fen));
  });
});
