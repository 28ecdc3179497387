import { expect } from 'chai';
import fc from 'fast-check';
import { fromFen, isAmount, sumYuan, toFen } from '../../src/portal/yuan.ts';

describe('portal amounts', () => {
  it('adds decimal yuan exactly, negative lines included', () => {
    expect(sumYuan(['0.10', '0.20'])).to.equal('0.30');
    expect(sumYuan(['150.64', '6.18'])).to.equal('156.82');
    expect(sumYuan(['1.00', '-3.5'])).to.equal('-2.50');
    expect(sumYuan([])).to.equal('0.00');
    expect(toFen('7')).to.equal(700n);
  });

  it('refuses what is not an amount', () => {
    for (const bad of ['1e3', '1.234', '', 'NaN', '1,5', ' 1.00']) {
      expect(isAmount(bad), bad).to.equal(false);
      expect(() => toFen(bad), bad).to.throw(RangeError);
    }
  });

  it('reads back what it writes', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (fen) => toFen(fromFen(fen)) === fen));
  });
});
