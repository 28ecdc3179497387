import { expect } from 'chai';
import fc from 'fast-check';
import { addDays, daysBetween } from '../../../src/domain/dates.ts';
import { parseRate } from '../../../src/domain/money.ts';
import { resolveSegments, splitUsage } from '../../../src/domain/tariffs/effective-dating.ts';
import type {
  FlatTariff, FlatVersion, ResidentialLadderTariff, ResidentialLadderVersion, TwoPartTariff,
} from '../../../src/domain/tariffs/tariff.ts';
import { loadTariff, monthPeriod, mustFail, mustPrice, tou } from './helpers.ts';

const LATE_FEE = { currentYearDailyBp: 20, crossYearDailyBp: 30, minimumFen: 100 };

const march = monthPeriod('2025-03'); // 31 days

function flatVersion(effectiveFrom: string, rate: string, effectiveTo?: string): FlatVersion {
  const base = { effectiveFrom, funds: [], lateFee: LATE_FEE, rates: [{ voltage: 'below-1kv' as const, rateMicros: parseRate(rate) }] };
  return effectiveTo === undefined ? base : { ...base, effectiveTo };
}

function flatTariff(...versions: FlatVersion[]): FlatTariff {
  return { kind: 'flat', code: 'test-flat', name: 'test', source: 'test data', versions };
}

describe('effective dating', () => {
  it('splits a period across a mid-month price change by days', () => {
    // 0.558 until 16 March (exclusive), 0.600 from then. March: 15 days old, 16 days new.
    // 1000 kWh: old part round(1000 × 15/31) = round(483.87) = 484, new part 1000 − 484 = 516.
    //   484 × 0.558 = 270.072 → 27 007;  516 × 0.600 = 309.600 → 30 960;  total 57 967 fen.
    const tariff = flatTariff(flatVersion('2024-01-01', '0.558', '2025-03-16'), flatVersion('2025-03-16', '0.600'));
    const bill = mustPrice({
      tariff, account: { category: 'residential-shared', voltage: 'below-1kv' }, period: march, runningDays: 31,
      usage: { totalKwh: 1_000 },
    });
    expect(bill.lines.map((l) => [l.quantity, l.amountFen, l.segment])).to.deep.equal([
      ['484', 27_007, { from: '2025-03-01', to: '2025-03-16' }],
      ['516', 30_960, { from: '2025-03-16', to: '2025-04-01' }],
    ]);
    expect(bill.totalFen).to.equal(57_967);
  });

  it('keeps the ladder running total across the versions of one period', () => {
    // Old version until 11 March: tiers 0.53 / 0.58 / 0.83 (invented); new: the fixture (0.538 / 0.588 / 0.838).
    // 2600 kWh before March; 310 kWh in March: old part round(310 × 10/31) = 100, new part 210.
    //   old:  kWh 2601..2700 → tier 1: 100 × 0.53 = 53.00 → 5 300
    //   new:  kWh 2701..2760 → tier 1:  60 × 0.538 = 32.28 → 3 228
    //         kWh 2761..2910 → tier 2: 150 × 0.588 = 88.20 → 8 820
    // Total 17 348 fen.
    const current = loadTariff('zj-residential-ladder.json') as ResidentialLadderTariff;
    const now = current.versions[0];
    if (now === undefined) throw new Error('fixture has a version');
    const old: ResidentialLadderVersion = {
      effectiveFrom: '2017-01-01', funds: [], lateFee: LATE_FEE,
      tiers: [{ upToKwh: 2760, flatMicros: 530_000 }, { upToKwh: 4800, flatMicros: 580_000 }, { flatMicros: 830_000 }],
    };
    const tariff: ResidentialLadderTariff = { ...current, versions: [old, { ...now, effectiveFrom: '2025-03-11' }] };
    const bill = mustPrice({
      tariff, period: march, runningDays: 31, usage: { totalKwh: 310 },
      account: { category: 'residential', ladder: { households: 1, yearStartMonth: 1, kwhBeforePeriod: 2_600 } },
    });
    expect(bill.lines.map((l) => [l.code, l.quantity, l.amountFen, l.segment?.from])).to.deep.equal([
      ['energy.tier1', '100', 5_300, '2025-03-01'],
      ['energy.tier1', '60', 3_228, '2025-03-11'],
      ['energy.tier2', '150', 8_820, '2025-03-11'],
    ]);
    expect(bill.totalFen).to.equal(17_348);
  });

  it('shares a full month of capacity between the versions by days', () => {
    // 315 kVA × 22.6 × 15/31 = 3 444.677… → 344 468;  × 16/31 = 3 674.322… → 367 432;  sum 711 900 = a full month.
    const tariff = loadTariff('zj-large-industry-two-part.json') as TwoPartTariff;
    const v = tariff.versions[0];
    if (v === undefined) throw new Error('fixture has a version');
    const split: TwoPartTariff = { ...tariff, versions: [{ ...v, effectiveTo: '2025-03-16' }, { ...v, effectiveFrom: '2025-03-16' }] };
    const bill = mustPrice({
      tariff: split, period: march, runningDays: 31, usage: { totalKwh: 0, touKwh: tou(0, 0, 0, 0) },
      account: { category: 'large-industry', basic: { basis: 'capacity', capacityKva: 315 } },
    });
    expect(bill.lines.map((l) => l.amountFen)).to.deep.equal([344_468, 367_432]);
  });

  it('refuses a period with a day no version covers', () => {
    const ending = flatTariff(flatVersion('2024-01-01', '0.558', '2025-03-20'));
    const starting = flatTariff(flatVersion('2025-03-05', '0.558'));
    const gap = flatTariff(flatVersion('2024-01-01', '0.558', '2025-03-10'), flatVersion('2025-03-12', '0.6'));
    const later = flatTariff(flatVersion('2026-01-01', '0.558'));
    for (const [tariff, day] of [[ending, '2025-03-20'], [starting, '2025-03-01'], [gap, '2025-03-10'], [later, '2025-03-01']] as const) {
      const error = mustFail({ tariff, account: { category: 'residential-shared', voltage: 'below-1kv' }, period: march, runningDays: 31, usage: { totalKwh: 1 } });
      expect(error.code).to.equal('tariff-not-in-force');
      expect(error.message).to.contain(day);
    }
  });

  it('ignores versions outside the period and ends an open version at the next one', () => {
    const versions = [flatVersion('2020-01-01', '0.5'), flatVersion('2025-03-10', '0.6'), flatVersion('2025-05-01', '0.7')];
    const resolved = resolveSegments(versions, march);
    if (!resolved.ok) throw new Error(resolved.error.message);
    expect(resolved.value.map((s) => [s.from, s.to, s.days])).to.deep.equal([['2025-03-01', '2025-03-10', 9], ['2025-03-10', '2025-04-01', 22]]);
  });

  it('asserts a malformed period', () => {
    expect(() => resolveSegments([flatVersion('2020-01-01', '0.5')], { month: '2025-03', from: '2025-03-10', to: '2025-03-10' })).to.throw(RangeError);
    expect(() => resolveSegments([flatVersion('2020-01-01', '0.5')], { month: '2025-03', from: '2025-02-30', to: '2025-03-10' })).to.throw(RangeError);
  });

  it('shares the kWh and each TOU register by days, parts summing to the whole', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1_000_000 }),
      fc.tuple(fc.nat(100_000), fc.nat(100_000), fc.nat(100_000), fc.nat(100_000)),
      (cut, totalKwh, [s, p, f, v]) => {
        const change = addDays(march.from, cut);
        const segments = [{ days: daysBetween(march.from, change) }, { days: daysBetween(change, march.to) }];
        const parts = splitUsage({ totalKwh, touKwh: tou(s, p, f, v) }, segments);
        expect(parts.reduce((sum, x) => sum + x.totalKwh, 0)).to.equal(totalKwh);
        expect(parts.reduce((sum, x) => sum + (x.touKwh?.valley ?? 0), 0)).to.equal(v);
        // Each part within one kWh of its exact share of the days.
        expect(Math.abs((parts[0]?.totalKwh ?? 0) * 31 - totalKwh * cut)).to.be.at.most(31);
      },
    ));
  });

  it('splits by days only, whichever version is cheaper', () => {
    // Same split for a cheaper and a dearer second version: the rule does not look at prices.
    const up = flatTariff(flatVersion('2024-01-01', '0.5', '2025-03-16'), flatVersion('2025-03-16', '0.9'));
    const down = flatTariff(flatVersion('2024-01-01', '0.9', '2025-03-16'), flatVersion('2025-03-16', '0.5'));
    const input = { account: { category: 'residential-shared' as const, voltage: 'below-1kv' as const }, period: march, runningDays: 31, usage: { totalKwh: 31 } };
    expect(mustPrice({ ...input, tariff: up }).lines.map((l) => l.quantity)).to.deep.equal(['15', '16']);
    expect(mustPrice({ ...input, tariff: down }).lines.map((l) => l.quantity)).to.deep.equal(['15', '16']);
  });
});
