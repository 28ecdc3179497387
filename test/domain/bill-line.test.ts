import { expect } from 'chai';
import fc from 'fast-check';
import {
  adjustmentLine, basicCapacityLine, basicDemandLine, billTotal, energyLine, formatDecimal, fundLine, penaltyLine,
  proratedChargeFen,
} from '../../src/domain/bill-line.ts';
import { parseRate } from '../../src/domain/money.ts';

describe('bill lines', () => {
  it('prices an energy line once from exact kWh and rate', () => {
    // 173 × 0.568 = 98.264 yuan → 9 826 fen
    expect(energyLine('energy.tier1.peak', '第一档峰电量电费', 173, parseRate('0.568'))).to.deep.equal({
      kind: 'energy', code: 'energy.tier1.peak', label: '第一档峰电量电费', quantity: '173', unit: 'kWh',
      rateMicros: 568_000, amountFen: 9_826,
    });
  });

  it('keeps the proration on a basic line so the amount is rounded once', () => {
    // 100 kVA × 22.6 × 7/30 = 527.333… yuan → 52 733 fen (a rounded quantity 23.33 would give 527.26)
    const line = basicCapacityLine('basic.capacity', '基本电费', { scaled: 100n, scale: 0 }, parseRate('22.6'), { days: 7, ofDays: 30 });
    expect(line).to.deep.include({ quantity: '100', unit: 'kVA·month', amountFen: 52_733, proration: { days: 7, ofDays: 30 } });
    const demand = basicDemandLine('basic.demand', '基本电费', { scaled: 3_150_000n, scale: 4 }, parseRate('36.1'), { days: 1, ofDays: 1 });
    expect(demand).to.deep.include({ quantity: '315', unit: 'kW·month', amountFen: 1_137_150 });
  });

  it('carries corrections and penalties as given amounts', () => {
    expect(adjustmentLine('adjustment.refund', '退补电费', '-120', 'kWh', -6_456)).to.deep.include({ kind: 'adjustment', amountFen: -6_456 });
    expect(penaltyLine('penalty.late', '电费违约金', 12, 360)).to.deep.include({ kind: 'penalty', unit: 'day', quantity: '12' });
    expect(() => adjustmentLine('adjustment.x', 'x', '1', 'yuan', 0.5)).to.throw(RangeError);
    expect(() => penaltyLine('penalty.late', 'x', -1, 100)).to.throw(RangeError);
  });

  it('formats exact quantities without trailing zeros', () => {
    expect(formatDecimal(1_575n, 1)).to.equal('157.5');
    expect(formatDecimal(1_260_000n, 4)).to.equal('126');
    expect(formatDecimal(-75n, 2)).to.equal('-0.75');
    expect(formatDecimal(5n, 3)).to.equal('0.005');
    expect(formatDecimal(0n, 2)).to.equal('0');
  });

  it('refuses impossible prorations', () => {
    expect(() => proratedChargeFen({ scaled: 1n, scale: 0 }, 1, { days: 1, ofDays: 0 })).to.throw(RangeError);
    expect(() => proratedChargeFen({ scaled: 1n, scale: 0 }, 1, { days: -1, ofDays: 30 })).to.throw(RangeError);
    expect(() => proratedChargeFen({ scaled: 1n, scale: -1 }, 1, { days: 1, ofDays: 30 })).to.throw(RangeError);
  });

  it('totals exactly the sum of the rounded line amounts', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(1_000_000), fc.integer({ min: 0, max: 2_000_000 }), fc.boolean()), { maxLength: 20 }),
      (specs) => {
        const lines = specs.map(([kwh, rate, isFund]) => (isFund ? fundLine : energyLine)('x', 'x', kwh, rate));
        const expected = lines.reduce((sum, l) => sum + l.amountFen, 0);
        expect(billTotal(lines)).to.equal(expected);
        // Each line is within half a fen of its exact value.
        for (const l of lines) {
          const exactMicros = BigInt(l.quantity) * BigInt(l.rateMicros);
          expect(Math.abs(l.amountFen * 10_000 - Number(exactMicros))).to.be.at.most(5_000);
        }
      },
    ));
  });
});
