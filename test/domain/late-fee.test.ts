import { expect } from 'chai';
import fc from 'fast-check';
import { addDays } from '../../src/domain/dates.ts';
import { DEFAULT_LATE_FEE_PARAMS, lateFee, type LateFeeInput } from '../../src/domain/late-fee.ts';

const nonResidential = (overrides: Partial<LateFeeInput>): LateFeeInput => ({
  category: 'non-residential', overdueFen: 1_000_000, billMonth: '2024-11', dueDate: '2024-12-20', paymentDate: '2025-01-10',
  ...overrides,
});

describe('late fee', () => {
  it('charges 2‰ on the current-year days and 3‰ on the cross-year days', () => {
    // 10,000.00 yuan overdue; days 2024-12-21..2025-01-10 = 21: 11 in 2024, 10 in 2025.
    // 10,000 × (11 × 0.002 + 10 × 0.003) = 10,000 × 0.052 = 520.00 yuan
    expect(lateFee(nonResidential({}))).to.deep.equal({
      overdueDays: 21, currentYearDays: 11, crossYearDays: 10, computedFen: 52_000, feeFen: 52_000, minimumApplied: false,
    });
  });

  it('rounds the whole penalty once, not each part', () => {
    // 1002.50 yuan, 2024-12-31 at 2‰ = 2.005 yuan, 2025-01-01 at 3‰ = 3.0075 yuan; exact 5.0125 → 5.01
    // (rounding each part would give 2.01 + 3.01 = 5.02)
    const fee = lateFee(nonResidential({ overdueFen: 100_250, dueDate: '2024-12-30', paymentDate: '2025-01-01' }));
    expect(fee).to.include({ currentYearDays: 1, crossYearDays: 1, feeFen: 501 });
  });

  it('anchors the cross-year part on the bill month by default', () => {
    // December 2024 bill due 2025-01-15, paid 2025-01-20: 5 days, all in a later year than 2024.
    // 10,000 × 5 × 0.003 = 150.00 yuan
    const input = nonResidential({ billMonth: '2024-12', dueDate: '2025-01-15', paymentDate: '2025-01-20' });
    expect(lateFee(input)).to.include({ currentYearDays: 0, crossYearDays: 5, feeFen: 15_000 });
    // anchored on the first overdue day (2025-01-16) the same days are current-year: 10,000 × 5 × 0.002 = 100.00
    expect(lateFee(input, { ...DEFAULT_LATE_FEE_PARAMS, crossYearAnchor: 'first-overdue-day' }))
      .to.include({ currentYearDays: 5, crossYearDays: 0, feeFen: 10_000 });
  });

  it('counts every later year as cross-year', () => {
    // due 2023-07-15, paid 2025-01-01: 536 days; 2023-07-16..2023-12-31 = 16+31+30+31+30+31 = 169 current
    const fee = lateFee(nonResidential({ billMonth: '2023-06', dueDate: '2023-07-15', paymentDate: '2025-01-01' }));
    expect(fee).to.include({ overdueDays: 536, currentYearDays: 169, crossYearDays: 367 });
  });

  it('charges residential customers 1‰ a day whatever the year', () => {
    // 1,000.00 yuan, same 21 days across the new year: 1,000 × 21 × 0.001 = 21.00 yuan
    const fee = lateFee(nonResidential({ category: 'residential', overdueFen: 100_000 }));
    expect(fee).to.deep.equal({
      overdueDays: 21, currentYearDays: 21, crossYearDays: 0, computedFen: 2_100, feeFen: 2_100, minimumApplied: false,
    });
  });

  it('charges a residential penalty under 1 yuan as 1 yuan', () => {
    // 50.00 yuan × 10 days × 0.001 = 0.50 yuan → 1.00 yuan
    const fee = lateFee({ category: 'residential', overdueFen: 5_000, billMonth: '2024-05', dueDate: '2024-06-15', paymentDate: '2024-06-25' });
    expect(fee).to.include({ overdueDays: 10, computedFen: 50, feeFen: 100, minimumApplied: true });
  });

  it('applies the minimum at 0.99 yuan but not at 1.00 yuan', () => {
    const base = { category: 'residential', billMonth: '2024-05', dueDate: '2024-06-15', paymentDate: '2024-06-25' } as const;
    // 99.49 × 10 × 0.001 = 0.9949 → 0.99 → minimum
    expect(lateFee({ ...base, overdueFen: 9_949 })).to.include({ computedFen: 99, feeFen: 100, minimumApplied: true });
    // 100.00 × 10 × 0.001 = 1.00 → charged as computed
    expect(lateFee({ ...base, overdueFen: 10_000 })).to.include({ computedFen: 100, feeFen: 100, minimumApplied: false });
    // a penalty that rounds to 0 fen is still owed, so the minimum applies: 0.01 × 1 day × 0.001
    expect(lateFee({ ...base, overdueFen: 1, paymentDate: '2024-06-16' })).to.include({ computedFen: 0, feeFen: 100 });
  });

  it('charges nothing on or before the due date, nor on nothing overdue', () => {
    const base = { category: 'non-residential', overdueFen: 100_000, billMonth: '2024-05', dueDate: '2024-06-15' } as const;
    expect(lateFee({ ...base, paymentDate: '2024-06-15' })).to.include({ overdueDays: 0, feeFen: 0, minimumApplied: false });
    expect(lateFee({ ...base, paymentDate: '2024-06-01' })).to.include({ overdueDays: 0, feeFen: 0 });
    expect(lateFee({ ...base, overdueFen: 0, paymentDate: '2024-07-15' })).to.include({ feeFen: 0, minimumApplied: false });
    // the day after the due date is the first overdue day: 1,000.00 × 0.002 = 2.00
    expect(lateFee({ ...base, paymentDate: '2024-06-16' })).to.include({ overdueDays: 1, feeFen: 200 });
  });

  it('takes every rate and the minimum from the parameters', () => {
    const params = { ...DEFAULT_LATE_FEE_PARAMS, currentYearDailyBp: 5, crossYearDailyBp: 7, minimumFen: 0 };
    // 10,000 × (11 × 0.0005 + 10 × 0.0007) = 10,000 × 0.0125 = 125.00 yuan
    expect(lateFee(nonResidential({}), params)).to.include({ feeFen: 12_500 });
    const noMinimum = { ...DEFAULT_LATE_FEE_PARAMS, minimumFen: 0 };
    expect(lateFee({ category: 'residential', overdueFen: 5_000, billMonth: '2024-05', dueDate: '2024-06-15', paymentDate: '2024-06-25' }, noMinimum))
      .to.include({ feeFen: 50, minimumApplied: false });
  });

  it('refuses malformed input and parameters', () => {
    expect(() => lateFee(nonResidential({ overdueFen: -1 }))).to.throw(RangeError);
    expect(() => lateFee(nonResidential({ overdueFen: 10.5 }))).to.throw(RangeError);
    expect(() => lateFee(nonResidential({ dueDate: '2024-02-30' }))).to.throw(/ISO date/);
    expect(() => lateFee(nonResidential({ billMonth: '2024-13' }))).to.throw(/ISO month/);
    expect(() => lateFee(nonResidential({}), { ...DEFAULT_LATE_FEE_PARAMS, crossYearDailyBp: -30 })).to.throw(RangeError);
    expect(() => lateFee(nonResidential({}), { ...DEFAULT_LATE_FEE_PARAMS, minimumFen: 0.5 })).to.throw(RangeError);
  });

  it('splits the overdue days completely and never decreases as payment is later', () => {
    const input = fc.record({
      category: fc.constantFrom('residential' as const, 'non-residential' as const),
      overdueFen: fc.integer({ min: 0, max: 1e10 }),
      dueOffset: fc.integer({ min: 0, max: 800 }),
      lateDays: fc.integer({ min: -30, max: 1200 }),
    });
    fc.assert(fc.property(input, ({ category, overdueFen, dueOffset, lateDays }) => {
      const dueDate = addDays('2023-01-01', dueOffset);
      const base = { category, overdueFen, billMonth: dueDate.slice(0, 7), dueDate };
      const fee = lateFee({ ...base, paymentDate: addDays(dueDate, lateDays) });
      const dayLater = lateFee({ ...base, paymentDate: addDays(dueDate, lateDays + 1) });
      return fee.currentYearDays + fee.crossYearDays === fee.overdueDays
        && fee.overdueDays === Math.max(0, lateDays)
        && dayLater.feeFen >= fee.feeFen
        && (fee.feeFen === 0 || fee.feeFen >= DEFAULT_LATE_FEE_PARAMS.minimumFen);
    }), { seed: 42, numRuns: 500 });
  });
});
