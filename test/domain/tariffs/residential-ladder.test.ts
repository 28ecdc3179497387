import { expect } from 'chai';
import fc from 'fast-check';
import { addMonths, daysBetween } from '../../../src/domain/dates.ts';
import { ladderYearStart, tierKwh } from '../../../src/domain/tariffs/residential-ladder.ts';
import type { AccountFacts, LadderFacts, ResidentialLadderTariff } from '../../../src/domain/tariffs/tariff.ts';
import type { PeriodUsage } from '../../../src/domain/usage.ts';
import { amountsByCode, loadTariff, monthPeriod, mustFail, mustPrice, quantitiesByCode, tou } from './helpers.ts';

const tariff = loadTariff('zj-residential-ladder.json') as ResidentialLadderTariff;
const tiers = tariff.versions[0]?.tiers ?? [];

function account(ladder: Partial<LadderFacts>, timeOfUse = false): AccountFacts {
  return {
    category: 'residential',
    timeOfUse,
    ladder: { households: 1, yearStartMonth: 1, kwhBeforePeriod: 0, ...ladder },
  };
}

function price(month: string, facts: AccountFacts, usage: PeriodUsage) {
  const period = monthPeriod(month);
  return mustPrice({ tariff, account: facts, period, runningDays: daysBetween(period.from, period.to), usage });
}

describe('residential ladder tariff', () => {
  it('prices a TOU month that crosses the 2760 kWh boundary, splitting peak/valley per tier', () => {
    // Ladder year from January; 2500 kWh billed Jan–Jul; August: 600 kWh, registers peak 400, valley 200.
    // Tiers: annual kWh 2501..2760 → tier 1 = 260 kWh; 2761..3100 → tier 2 = 340 kWh.
    // Peak share by cumulative rounding, P/(P+V) = 400/600:
    //   through tier 1: round(260 × 400/600) = round(173.33) = 173 → tier 1 peak 173, valley 260 − 173 = 87
    //   through tier 2: round(600 × 400/600) = 400           → tier 2 peak 400 − 173 = 227, valley 340 − 227 = 113
    // Lines (yuan → fen, half up):
    //   tier1 peak   173 × 0.568 =  98.264  →  9 826
    //   tier1 valley  87 × 0.288 =  25.056  →  2 506
    //   tier2 peak   227 × 0.618 = 140.286  → 14 029
    //   tier2 valley 113 × 0.338 =  38.194  →  3 819
    // Total 9 826 + 2 506 + 14 029 + 3 819 = 30 180 fen = 301.80 yuan. No funds (catalogue price includes them).
    const bill = price('2025-08', account({ kwhBeforePeriod: 2500 }, true), { totalKwh: 600, touKwh: tou(0, 400, 0, 200) });
    expect(quantitiesByCode(bill)).to.deep.equal({
      'energy.tier1.peak': '173', 'energy.tier1.valley': '87', 'energy.tier2.peak': '227', 'energy.tier2.valley': '113',
    });
    expect(amountsByCode(bill)).to.deep.equal({
      'energy.tier1.peak': 9_826, 'energy.tier1.valley': 2_506, 'energy.tier2.peak': 14_029, 'energy.tier2.valley': 3_819,
    });
    expect(bill.lines.map((l) => l.label)).to.deep.equal(['第一档峰电量电费', '第一档谷电量电费', '第二档峰电量电费', '第二档谷电量电费']);
    expect(bill.totalFen).to.equal(30_180);
  });

  it('prices a flat month that crosses 4800 kWh', () => {
    // 4700 kWh before; 200 kWh: 4701..4800 tier 2 = 100 kWh, 4801..4900 tier 3 = 100 kWh.
    // 100 × 0.588 = 58.80 → 5 880; 100 × 0.838 = 83.80 → 8 380; total 14 260.
    const bill = price('2025-11', account({ kwhBeforePeriod: 4700 }), { totalKwh: 200 });
    expect(amountsByCode(bill)).to.deep.equal({ 'energy.tier2': 5_880, 'energy.tier3': 8_380 });
    expect(bill.totalFen).to.equal(14_260);
  });

  it('gives an exact half of a tier to peak (round half up, valley takes the rest)', () => {
    // 5 kWh, P = V = 1: round(5 × 1/2) = round(2.5) = 3 peak, 2 valley.
    const bill = price('2025-02', account({ kwhBeforePeriod: 10 }, true), { totalKwh: 5, touKwh: tou(0, 1, 0, 1) });
    expect(quantitiesByCode(bill)).to.deep.equal({ 'energy.tier1.peak': '3', 'energy.tier1.valley': '2' });
  });

  it('bills nothing for a month without consumption', () => {
    const bill = price('2025-02', account({ kwhBeforePeriod: 10 }, true), { totalKwh: 0 });
    expect(bill.lines).to.deep.equal([]);
    expect(bill.totalFen).to.equal(0);
  });

  describe('tier edges (edge − 1, edge, edge + 1) for 1 to 4 households', () => {
    for (const households of [1, 2, 3, 4]) {
      for (const edge of [2760, 4800]) {
        const scaled = edge * households;
        it(`puts the ${scaled}th kWh of the year in the lower tier and the next one above (${households} household(s))`, () => {
          const lowerTier = edge === 2760 ? 0 : 1;
          for (const [before, expectedTier] of [[scaled - 2, lowerTier], [scaled - 1, lowerTier], [scaled, lowerTier + 1]] as const) {
            // One kWh, the (before + 1)th of the year.
            const parts = tierKwh(tiers, households, before, 1);
            const expected = [0, 0, 0];
            expected[expectedTier] = 1;
            expect(parts, `kWh no. ${before + 1}`).to.deep.equal(expected);
          }
          for (const total of [scaled - 1, scaled, scaled + 1]) {
            const parts = tierKwh(tiers, households, 0, total);
            const low = edge === 2760 ? 0 : 2760 * households;
            expect(parts[lowerTier], `total ${total}`).to.equal(Math.min(total, scaled) - low);
            expect(parts[lowerTier + 1], `total ${total}`).to.equal(Math.max(0, total - scaled));
          }
        });
      }
    }
  });

  it('bills the scaled edges of a two-household meter through the whole pricing', () => {
    // 2 households: tier 1 ends at 5520 kWh. January (opens the ladder year), 5521 kWh:
    //   tier 1 5520 × 0.538 = 2969.76 → 296 976; tier 2 1 × 0.588 → 59 (58.8 fen, half up); total 297 035.
    const bill = price('2025-01', account({ households: 2 }), { totalKwh: 5_521 });
    expect(quantitiesByCode(bill)).to.deep.equal({ 'energy.tier1': '5520', 'energy.tier2': '1' });
    expect(bill.totalFen).to.equal(297_035);
    // 5520 kWh stays entirely in tier 1: 296 976.
    expect(price('2025-01', account({ households: 2 }), { totalKwh: 5_520 }).totalFen).to.equal(296_976);
  });

  it('refuses ladder facts that cannot be right', () => {
    const usage = { totalKwh: 100 };
    const cases: [Partial<LadderFacts>, RegExp][] = [
      [{ households: 0 }, /households/],
      [{ households: -1 }, /households/],
      [{ households: 1.5 }, /households/],
      [{ yearStartMonth: 0 }, /start month/],
      [{ yearStartMonth: 13 }, /start month/],
      [{ kwhBeforePeriod: -1 }, /before the period/],
      [{ kwhBeforePeriod: 0.5 }, /before the period/],
    ];
    for (const [facts, message] of cases) {
      const error = mustFail({ tariff, account: account(facts), period: monthPeriod('2025-05'), runningDays: 31, usage });
      expect(error.code, JSON.stringify(facts)).to.equal('ladder-facts-invalid');
      expect(error.message).to.match(message);
    }
    const missing = mustFail({ tariff, account: { category: 'residential' }, period: monthPeriod('2025-05'), runningDays: 31, usage });
    expect(missing.code).to.equal('ladder-facts-missing');
  });

  it('refuses kWh carried into the first month of a ladder year', () => {
    // Ladder year from July: July 2025 opens it, so nothing can have been billed before.
    const error = mustFail({
      tariff, account: account({ yearStartMonth: 7, kwhBeforePeriod: 3000 }), period: monthPeriod('2025-07'),
      runningDays: 31, usage: { totalKwh: 100 },
    });
    expect(error.code).to.equal('ladder-facts-invalid');
    // August of the same ladder year may carry it.
    expect(price('2025-08', account({ yearStartMonth: 7, kwhBeforePeriod: 3000 }), { totalKwh: 100 }).totalFen)
      .to.equal(5_880); // 100 × 0.588 (tier 2)
  });

  it('finds the ladder year of a month from the account start month', () => {
    expect(ladderYearStart('2025-03', 7)).to.equal('2024-07');
    expect(ladderYearStart('2025-07', 7)).to.equal('2025-07');
    expect(ladderYearStart('2025-12', 1)).to.equal('2025-01');
    expect(ladderYearStart('2025-01', 12)).to.equal('2024-12');
  });

  it('refuses TOU pricing without usable TOU registers', () => {
    const facts = account({ kwhBeforePeriod: 10 }, true);
    const period = monthPeriod('2025-02');
    expect(mustFail({ tariff, account: facts, period, runningDays: 28, usage: { totalKwh: 50 } }).code).to.equal('tou-usage-missing');
    expect(mustFail({ tariff, account: facts, period, runningDays: 28, usage: { totalKwh: 50, touKwh: tou(0, 0, 0, 0) } }).code)
      .to.equal('tou-usage-missing');
    expect(mustFail({ tariff, account: facts, period, runningDays: 28, usage: { totalKwh: 50, touKwh: tou(5, 20, 0, 25) } }).code)
      .to.equal('tou-period-not-priced');
    expect(mustFail({ tariff, account: facts, period, runningDays: 28, usage: { totalKwh: 50, touKwh: tou(0, 20, 5, 25) } }).code)
      .to.equal('tou-period-not-priced');
  });

  it('refuses TOU pricing when the tariff has no TOU prices', () => {
    const flatOnly: ResidentialLadderTariff = {
      ...tariff, versions: tariff.versions.map((v) => ({ ...v, tiers: v.tiers.map((t) => ({ flatMicros: t.flatMicros, ...(t.upToKwh === undefined ? {} : { upToKwh: t.upToKwh }) })) })),
    };
    const error = mustFail({
      tariff: flatOnly, account: account({}, true), period: monthPeriod('2025-02'), runningDays: 28,
      usage: { totalKwh: 50, touKwh: tou(0, 25, 0, 25) },
    });
    expect(error.code).to.equal('tou-not-offered');
  });

  describe('properties', () => {
    it('never changes the kWh per tier for the year, however the year is split into months', () => {
      fc.assert(fc.property(
        fc.array(fc.integer({ min: 0, max: 1_500 }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        (monthly, households) => {
          const perTier = new Map<string, number>();
          let exactMonthlyMicros = 0n;
          let roundedMonthlyFen = 0;
          let lineCount = 0;
          let before = 0;
          monthly.forEach((kwh, i) => {
            const bill = price(addMonths('2025-01', i), account({ households, kwhBeforePeriod: before }), { totalKwh: kwh });
            for (const line of bill.lines) {
              perTier.set(line.code, (perTier.get(line.code) ?? 0) + Number(line.quantity));
              exactMonthlyMicros += BigInt(line.quantity) * BigInt(line.rateMicros ?? 0);
              lineCount++;
            }
            roundedMonthlyFen += bill.totalFen;
            before += kwh;
          });
          const annual = tierKwh(tiers, households, 0, before);
          annual.forEach((kwh, i) => expect(perTier.get(`energy.tier${i + 1}`) ?? 0).to.equal(kwh));
          // The exact charge is the same; only the per-line rounding (≤ ½ fen a line) can differ.
          const annualExactMicros = annual.reduce((sum, kwh, i) => sum + BigInt(kwh) * BigInt(tiers[i]?.flatMicros ?? 0), 0n);
          expect(exactMonthlyMicros).to.equal(annualExactMicros);
          expect(Math.abs(roundedMonthlyFen * 10_000 - Number(annualExactMicros))).to.be.at.most(lineCount * 5_000);
        },
      ));
    });

    it('scales every tier exactly with the households behind the meter', () => {
      fc.assert(fc.property(
        fc.integer({ min: 0, max: 8_000 }), fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 1, max: 50 }),
        (before, kwh, households) => {
          const one = tierKwh(tiers, 1, before, kwh);
          const many = tierKwh(tiers, households, before * households, kwh * households);
          expect(many).to.deep.equal(one.map((k) => k * households));
        },
      ));
    });

    it('splits each tier into peak and valley that sum to it, with total peak = round(total × P/(P+V))', () => {
      fc.assert(fc.property(
        fc.integer({ min: 0, max: 6_000 }), fc.integer({ min: 1, max: 4_000 }),
        fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 1_000 }),
        (before, total, peak, valley) => {
          fc.pre(peak + valley > 0);
          const bill = price('2025-06', account({ kwhBeforePeriod: before }, true), { totalKwh: total, touKwh: tou(0, peak, 0, valley) });
          const q = (code: string) => Number(quantitiesByCode(bill)[code] ?? 0);
          const parts = tierKwh(tiers, 1, before, total);
          let peakSum = 0;
          parts.forEach((kwh, i) => {
            const p = q(`energy.tier${i + 1}.peak`);
            expect(p + q(`energy.tier${i + 1}.valley`)).to.equal(kwh);
            // Within one kWh of the exact proportion.
            expect(Math.abs(p * (peak + valley) - kwh * peak)).to.be.at.most(peak + valley);
            peakSum += p;
          });
          expect(peakSum).to.equal(Math.floor((2 * total * peak + peak + valley) / (2 * (peak + valley))));
        },
      ));
    });
  });
});
