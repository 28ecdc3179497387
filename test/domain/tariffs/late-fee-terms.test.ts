import { expect } from 'chai';
import { parseTariff } from '../../../src/domain/tariffs/parse-tariff.ts';
import { lateFee, lateFeeParamsOf } from '../../../src/domain/late-fee.ts';
import { loadTariff, readFixture } from './helpers.ts';

function withLateFee(lateFee: unknown): unknown {
  const doc = readFixture('zj-residential-shared.json') as { versions: Array<Record<string, unknown>> };
  return { ...doc, versions: [{ ...doc.versions[0], lateFee }] };
}

describe('late-fee terms in tariff data', () => {
  it('come from every version of the fixtures: 1‰ residential, 2‰/3‰ others, at least 1 yuan', () => {
    expect(loadTariff('zj-residential-ladder.json').versions[0]!.lateFee)
      .to.deep.equal({ currentYearDailyBp: 10, crossYearDailyBp: 10, minimumFen: 100 });
    expect(loadTariff('zj-commercial-tou.json').versions[0]!.lateFee)
      .to.deep.equal({ currentYearDailyBp: 20, crossYearDailyBp: 30, minimumFen: 100 });
  });

  it('drive the penalty: 10,000.00 yuan overdue 20 days at 2‰ = 400.00 yuan', () => {
    const params = lateFeeParamsOf(loadTariff('zj-large-industry-two-part.json').versions[0]!.lateFee);
    const fee = lateFee({ category: 'non-residential', overdueFen: 1_000_000, billMonth: '2026-09', dueDate: '2026-10-18', paymentDate: '2026-11-07' }, params);
    expect(fee.feeFen).to.equal(40_000);
  });

  it('are required, exact decimal strings, and below 1 % a day', () => {
    const cases: Array<[unknown, string]> = [
      [undefined, '$.versions[0].lateFee: is required'],
      [{ currentYearDailyRate: 0.001, crossYearDailyRate: '0.001', minimum: '1.00' }, '$.versions[0].lateFee.currentYearDailyRate: must be a decimal string such as "0.538", not a JSON number'],
      [{ currentYearDailyRate: '0.001', crossYearDailyRate: '0.01', minimum: '1.00' }, '$.versions[0].lateFee.crossYearDailyRate: must be below 0.01 a day'],
      [{ currentYearDailyRate: '0.001', crossYearDailyRate: '0.001' }, '$.versions[0].lateFee.minimum: is required'],
      [{ currentYearDailyRate: '0.001', crossYearDailyRate: '0.001', minimum: '1.005' }, '$.versions[0].lateFee.minimum: must be a non-negative decimal string with at most 2 fraction digits'],
      [{ currentYearDailyRate: '0.001', crossYearDailyRate: '0.001', minimum: '1', extra: 1 }, '$.versions[0].lateFee.extra: is not a known property'],
    ];
    for (const [terms, expected] of cases) {
      const parsed = parseTariff(withLateFee(terms));
      expect(parsed.ok, expected).to.equal(false);
      if (!parsed.ok) expect(parsed.error.map((i) => `${i.path}: ${i.message}`), expected).to.include(expected);
    }
  });
});
