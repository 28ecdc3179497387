import { expect } from 'chai';
import fc from 'fast-check';
import {
  adjustmentTotalKwh, computePeriodUsage, measureSegment, multiplierOf, rolloverThresholdHundredths,
  DEFAULT_CONSUMPTION_PARAMS, type EnergyAdjustment, type RegisterKind, type RegisterSegment,
} from '../../src/domain/consumption.ts';

const read = (valueHundredths: number, estimated = false) => ({ valueHundredths, estimated });

function segment(
  kind: RegisterKind, start: number | null, end: number | null,
  options: { meterNo?: string; digits?: number; rollover?: boolean; ct?: number; pt?: number } = {},
): RegisterSegment {
  return {
    meterNo: options.meterNo ?? 'M1',
    register: { kind, digits: options.digits ?? 6, rolloverAllowed: options.rollover ?? false },
    ctRatio: options.ct ?? 1,
    ptRatio: options.pt ?? 1,
    start: start === null ? null : read(start),
    end: end === null ? null : read(end),
  };
}

function usageOf(segments: readonly RegisterSegment[], adjustments: readonly EnergyAdjustment[] = []) {
  const result = computePeriodUsage(segments, adjustments);
  if (!result.ok) throw new Error(`expected usage, got ${JSON.stringify(result.issues)}`);
  return result;
}

function issuesOf(segments: readonly RegisterSegment[], adjustments: readonly EnergyAdjustment[] = []) {
  const result = computePeriodUsage(segments, adjustments);
  if (result.ok) throw new Error(`expected issues, got ${JSON.stringify(result.usage)}`);
  return result.issues;
}

describe('consumption', () => {
  describe('multiplier and rounding', () => {
    it('multiplies the dial difference by CT × PT exactly', () => {
      // CT 200/5 = 40, PT 10 kV/100 V = 100 → 4000. 1236.78 − 1234.56 = 2.22 × 4000 = 8880 kWh
      expect(multiplierOf(40, 100)).to.equal(4000);
      const r = usageOf([segment('total', 123_456, 123_678, { ct: 40, pt: 100 })]);
      expect(r.usage.totalKwh).to.equal(8880);
      expect(r.segments).to.deep.equal([{ meterNo: 'M1', register: 'total', multiplier: 4000, quantity: 8880 }]);
    });

    it('rounds half up to whole kWh once per segment', () => {
      // multiplier 15: 0.10 × 15 = 1.50 → 2; 0.09 × 15 = 1.35 → 1; 0.03 × 15 = 0.45 → 0
      expect(usageOf([segment('total', 1000, 1010, { ct: 15 })]).usage.totalKwh).to.equal(2);
      expect(usageOf([segment('total', 1000, 1009, { ct: 15 })]).usage.totalKwh).to.equal(1);
      expect(usageOf([segment('total', 1000, 1003, { ct: 15 })]).usage.totalKwh).to.equal(0);
    });

    it('does not lose precision where floats would (0.29 × 100 hundredths)', () => {
      // 0.29 as a float × 100 = 28.999999999999996; as hundredths it is 29 → 29 × 100 / 100 = 29 kWh
      expect(usageOf([segment('total', 0, 29, { ct: 100 })]).usage.totalKwh).to.equal(29);
    });

    it('refuses malformed configuration instead of guessing', () => {
      expect(() => multiplierOf(0, 100)).to.throw(RangeError);
      expect(() => multiplierOf(40, 1.5)).to.throw(RangeError);
      expect(() => computePeriodUsage([segment('total', 0, 100, { digits: 0 })], [])).to.throw(/digits/);
      expect(() => computePeriodUsage([segment('total', 0, 100, { digits: 13 })], [])).to.throw(/digits/);
      expect(() => computePeriodUsage([segment('total', 0, 100.5)], [])).to.throw(/hundredths/);
      expect(() => computePeriodUsage([segment('total', 0, 100)], [], { rolloverMaxShareBp: 0 })).to.throw(RangeError);
    });
  });

  describe('rollover', () => {
    it('wraps a 5-digit register: 99990.00 → 12.50', () => {
      // 10^5 − 99990.00 + 12.50 = 22.50 dial units; × 1 = 22.5 → 23 kWh (half up); × 40 = 900 kWh
      const one = usageOf([segment('total', 9_999_000, 1_250, { digits: 5, rollover: true })]);
      expect(one.usage.totalKwh).to.equal(23);
      expect(one.notes).to.deep.include({
        kind: 'rollover-applied', meterNo: 'M1', register: 'total',
        startHundredths: 9_999_000, endHundredths: 1_250, deltaHundredths: 2_250,
      });
      const forty = usageOf([segment('total', 9_999_000, 1_250, { digits: 5, rollover: true, ct: 40 })]);
      expect(forty.usage.totalKwh).to.equal(900);
    });

    it('bills a rollover of exactly half the capacity and refuses one a hundredth above', () => {
      // capacity 100000.00, threshold 50% = 50000.00
      expect(rolloverThresholdHundredths(5, DEFAULT_CONSUMPTION_PARAMS)).to.equal(5_000_000);
      // 100000 − 60000.00 + 10000.00 = 50000.00: at the threshold → billed
      expect(usageOf([segment('total', 6_000_000, 1_000_000, { digits: 5, rollover: true })]).usage.totalKwh).to.equal(50_000);
      // 100000 − 60000.00 + 10000.01 = 50000.01: above → exception, not billed
      expect(issuesOf([segment('total', 6_000_000, 1_000_001, { digits: 5, rollover: true })])).to.deep.equal([{
        kind: 'rollover-above-threshold', meterNo: 'M1', register: 'total', startHundredths: 6_000_000,
        endHundredths: 1_000_001, digits: 5, deltaHundredths: 5_000_001, thresholdHundredths: 5_000_000,
      }]);
    });

    it('takes the digits from the register, never from the reading', () => {
      // Same readings as the 5-digit case on a 6-digit dial: 10^6 − 99990.00 + 12.50 = 900022.50,
      // 90% of capacity → exception rather than 23 kWh.
      const issues = issuesOf([segment('total', 9_999_000, 1_250, { digits: 6, rollover: true })]);
      expect(issues).to.have.length(1);
      expect(issues[0]).to.include({ kind: 'rollover-above-threshold', digits: 6, deltaHundredths: 90_002_250 });
    });

    it('uses the configured threshold share', () => {
      // 22.50 on 100000 is 0.0225%; a 1 bp (0.01%) limit = 10.00 refuses it
      const issues = computePeriodUsage([segment('total', 9_999_000, 1_250, { digits: 5, rollover: true })], [], { rolloverMaxShareBp: 1 });
      expect(issues.ok).to.equal(false);
    });

    it('reports end < start on a register that does not roll', () => {
      expect(issuesOf([segment('total', 9_999_000, 1_250, { digits: 5, rollover: false })])).to.deep.equal([{
        kind: 'negative-consumption', meterNo: 'M1', register: 'total', startHundredths: 9_999_000, endHundredths: 1_250,
      }]);
    });
  });

  describe('meter exchange', () => {
    it('sums old start → removal and installation → end, each with its own multiplier', () => {
      // old M1, CT 50/5 = 10: 1000.00 → 1200.50 = 200.50 × 10 = 2005 kWh
      // new M2, CT 100/5 = 20: 0.00 → 35.25 = 35.25 × 20 = 705 kWh; total 2710 kWh
      const r = usageOf([
        segment('total', 100_000, 120_050, { meterNo: 'M1', ct: 10 }),
        segment('total', 0, 3_525, { meterNo: 'M2', ct: 20 }),
      ]);
      expect(r.usage.totalKwh).to.equal(2710);
      expect(r.segments.map((s) => [s.meterNo, s.multiplier, s.quantity])).to.deep.equal([['M1', 10, 2005], ['M2', 20, 705]]);
      expect(r.notes).to.deep.include({ kind: 'meter-exchange', register: 'total', meterNos: ['M1', 'M2'] });
    });

    it('rounds each meter on its own so the printed figures add up', () => {
      // M1 0.05 × 10 = 0.5 → 1; M2 0.05 × 10 = 0.5 → 1; total 2 (not round(1.0) = 1)
      const r = usageOf([
        segment('total', 0, 5, { meterNo: 'M1', ct: 10 }),
        segment('total', 0, 5, { meterNo: 'M2', ct: 10 }),
      ]);
      expect(r.usage.totalKwh).to.equal(2);
    });

    it('takes the larger maximum demand of the two meters', () => {
      // M1 12.34 × 40 = 493.6 → 494 kW; M2 10.00 × 60 = 600 kW
      const r = usageOf([
        segment('total', 0, 100, { meterNo: 'M1' }),
        segment('demand', null, 1_234, { meterNo: 'M1', ct: 40 }),
        segment('demand', null, 1_000, { meterNo: 'M2', ct: 60 }),
      ]);
      expect(r.usage.maxDemandKw).to.equal(600);
    });

    it('refuses the same register of the same meter twice', () => {
      const issues = issuesOf([segment('total', 0, 100), segment('total', 100, 200)]);
      expect(issues).to.deep.equal([{ kind: 'duplicate-segment', meterNo: 'M1', register: 'total' }]);
    });
  });

  describe('register sets', () => {
    it('computes TOU, reactive and demand registers of one meter', () => {
      // multiplier 40. total 5000.00 → 5100.00 = 100 × 40 = 4000
      // sharp 10 × 40 = 400, peak 40 × 40 = 1600, flat 25 × 40 = 1000, valley 25 × 40 = 1000 (sum 4000)
      // reactive 30 × 40 = 1200 kvarh; demand reading 12.34 × 40 = 493.6 → 494 kW
      const r = usageOf([
        segment('total', 500_000, 510_000, { ct: 40 }),
        segment('sharp', 10_000, 11_000, { ct: 40 }),
        segment('peak', 200_000, 204_000, { ct: 40 }),
        segment('flat', 150_000, 152_500, { ct: 40 }),
        segment('valley', 140_000, 142_500, { ct: 40 }),
        segment('reactive', 30_000, 33_000, { ct: 40 }),
        segment('demand', 99_999, 1_234, { ct: 40 }),
      ]);
      expect(r.usage).to.deep.equal({
        totalKwh: 4000, touKwh: { sharp: 400, peak: 1600, flat: 1000, valley: 1000 }, reactiveKvarh: 1200, maxDemandKw: 494,
      });
    });

    it('bills absent TOU registers as zero and derives a missing total from the TOU sum', () => {
      // household peak/valley meter: peak 120.00, valley 80.00 → total 200
      const r = usageOf([segment('peak', 0, 12_000), segment('valley', 0, 8_000)]);
      expect(r.usage).to.deep.equal({ totalKwh: 200, touKwh: { sharp: 0, peak: 120, flat: 0, valley: 80 } });
      expect(r.notes).to.deep.include({ kind: 'total-derived-from-tou', totalKwh: 200 });
    });

    it('has no usage without an energy register', () => {
      expect(issuesOf([])).to.deep.equal([{ kind: 'no-active-register' }]);
      expect(issuesOf([segment('reactive', 0, 100), segment('demand', null, 100)])).to.deep.equal([{ kind: 'no-active-register' }]);
    });
  });

  describe('missing and impossible readings', () => {
    it('reports a missing start or end reading and bills nothing', () => {
      expect(issuesOf([segment('total', null, 100)])).to.deep.equal([{ kind: 'reading-missing', meterNo: 'M1', register: 'total', reading: 'start' }]);
      expect(issuesOf([segment('total', 100, null)])).to.deep.equal([{ kind: 'reading-missing', meterNo: 'M1', register: 'total', reading: 'end' }]);
      expect(issuesOf([segment('demand', 100, null), segment('total', 0, 1)])[0]).to.include({ kind: 'reading-missing', reading: 'end' });
    });

    it('needs no start reading for a demand register', () => {
      expect(usageOf([segment('total', 0, 1), segment('demand', null, 500)]).usage.maxDemandKw).to.equal(5);
    });

    it('reports readings outside the dial', () => {
      // a 5-digit dial shows at most 99999.99
      expect(usageOf([segment('total', 0, 9_999_999, { digits: 5 })]).usage.totalKwh).to.equal(100_000);
      expect(issuesOf([segment('total', 0, 10_000_000, { digits: 5 })])[0]).to.include({ kind: 'reading-out-of-range', reading: 'end', digits: 5 });
      expect(issuesOf([segment('total', -1, 100, { digits: 5 })])[0]).to.include({ kind: 'reading-out-of-range', reading: 'start' });
    });

    it('collects every issue of the period, not only the first', () => {
      const issues = issuesOf([segment('total', null, 100), segment('peak', 200, 100, { meterNo: 'M1' })]);
      expect(issues.map((i) => i.kind)).to.deep.equal(['reading-missing', 'negative-consumption']);
    });
  });

  describe('adjustments', () => {
    const refund: EnergyAdjustment = { kind: 'adjustment', energyKwh: -150, reason: 'meter ran fast in March, test report 2024-117' };

    it('passes adjustments through as their own records without touching metered usage', () => {
      const r = usageOf([segment('total', 0, 100_000)], [refund, { kind: 'adjustment', energyKwh: 20, reason: 'missed reading' }]);
      expect(r.usage.totalKwh).to.equal(1000);
      expect(r.adjustments).to.have.length(2);
      expect(adjustmentTotalKwh(r.adjustments)).to.equal(-130);
    });

    it('refuses an adjustment without a reason, of zero kWh, or of a fraction of a kWh', () => {
      for (const bad of [
        { ...refund, reason: '  ' }, { ...refund, energyKwh: 0 }, { ...refund, energyKwh: 1.5 },
      ]) {
        expect(issuesOf([segment('total', 0, 100)], [bad])[0]).to.include({ kind: 'adjustment-invalid', index: 0 });
      }
    });
  });

  describe('properties', () => {
    const register = fc.record({
      digits: fc.integer({ min: 1, max: 8 }),
      rollover: fc.boolean(),
      ct: fc.integer({ min: 1, max: 2000 }),
      pt: fc.integer({ min: 1, max: 1000 }),
      startShare: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      endShare: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    }).map(({ digits, rollover, ct, pt, startShare, endShare }) => {
      const capacity = 10 ** digits * 100;
      return segment('total', Math.floor(startShare * capacity), Math.floor(endShare * capacity), { digits, rollover, ct, pt });
    });

    it('never yields negative consumption: a backwards register is either a reviewed rollover or an issue', () => {
      fc.assert(fc.property(register, (s) => {
        const result = computePeriodUsage([s], []);
        const start = s.start?.valueHundredths ?? 0;
        const end = s.end?.valueHundredths ?? 0;
        if (!result.ok) return result.issues.length > 0 && end < start;
        if (result.usage.totalKwh < 0) return false;
        return end >= start || s.register.rolloverAllowed;
      }), { seed: 20240101, numRuns: 500 });
    });

    it('agrees with the exact decimal formula for a forward register', () => {
      fc.assert(fc.property(register, (s) => {
        const outcome = measureSegment(s, DEFAULT_CONSUMPTION_PARAMS);
        const start = BigInt(s.start?.valueHundredths ?? 0);
        const end = BigInt(s.end?.valueHundredths ?? 0);
        if (end < start) return true;
        const exact = (end - start) * BigInt(s.ctRatio * s.ptRatio); // hundredths of kWh
        const expected = Number((exact + 50n) / 100n);
        return outcome.kind === 'measured' && outcome.quantity === expected;
      }), { seed: 7, numRuns: 500 });
    });
  });
});
