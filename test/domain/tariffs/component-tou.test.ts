import { expect } from 'chai';
import fc from 'fast-check';
import { billTotal } from '../../../src/domain/bill-line.ts';
import { charge, parseRate } from '../../../src/domain/money.ts';
import { periodRatesMicros } from '../../../src/domain/tariffs/component-tou.ts';
import type { AccountFacts, ComponentTouTariff } from '../../../src/domain/tariffs/tariff.ts';
import type { PeriodUsage } from '../../../src/domain/usage.ts';
import { amountsByCode, daysOf, loadTariff, monthPeriod, mustFail, mustPrice, quantitiesByCode, tou } from './helpers.ts';

const tariff = loadTariff('zj-commercial-tou.json') as ComponentTouTariff;
const version = tariff.versions[0];
const commercial: AccountFacts = { category: 'industrial-commercial' };

function price(month: string, usage: PeriodUsage, account: AccountFacts = commercial) {
  const period = monthPeriod(month);
  return mustPrice({ tariff, account, period, runningDays: daysOf(period), usage });
}

describe('component TOU tariff (industrial and commercial)', () => {
  it('prices a July bill with sharp hours', () => {
    // Components: floating (TOU) 0.4123 + 0.0207 + 0.1797 = 0.6127; fixed (system operation) 0.0158.
    // Period rates: sharp  0.6127 × 1.80 = 1.102860 + 0.0158 = 1.118660
    //               peak   0.6127 × 1.49 = 0.912923 + 0.0158 = 0.928723
    //               flat   0.6127 × 1.00 = 0.612700 + 0.0158 = 0.628500
    //               valley 0.6127 × 0.48 = 0.294096 + 0.0158 = 0.309896
    // July is a sharp month. 10 000 kWh: sharp 1000, peak 3000, flat 2500, valley 3500.
    //   sharp  1000 × 1.118660 = 1118.660  → 111 866
    //   peak   3000 × 0.928723 = 2786.169  → 278 617
    //   flat   2500 × 0.628500 = 1571.250  → 157 125
    //   valley 3500 × 0.309896 = 1084.636  → 108 464      energy 656 072
    // Funds on 10 000 kWh: renewable 0.019 → 19 000; reservoir 0.0062 → 6 200; water-works 0.0042 → 4 200 = 29 400
    // Total 656 072 + 29 400 = 685 472 fen = 6854.72 yuan.
    const bill = price('2025-07', { totalKwh: 10_000, touKwh: tou(1_000, 3_000, 2_500, 3_500) });
    expect(bill.lines.map((l) => [l.code, l.rateMicros, l.amountFen])).to.deep.equal([
      ['energy.sharp', 1_118_660, 111_866],
      ['energy.peak', 928_723, 278_617],
      ['energy.flat', 628_500, 157_125],
      ['energy.valley', 309_896, 108_464],
      ['fund.renewable', 19_000, 19_000],
      ['fund.reservoir', 6_200, 6_200],
      ['fund.water-works', 4_200, 4_200],
    ]);
    expect(bill.lines[0]?.label).to.equal('尖峰电量电费');
    expect(bill.totalFen).to.equal(685_472);
  });

  it('bills the sharp register as peak in a month without sharp hours', () => {
    // June: sharp 1000 + peak 3000 = 4000 kWh at 0.928723 = 3714.892 → 371 489.
    const bill = price('2025-06', { totalKwh: 10_000, touKwh: tou(1_000, 3_000, 2_500, 3_500) });
    expect(amountsByCode(bill)).to.not.have.property('energy.sharp');
    expect(quantitiesByCode(bill)['energy.peak']).to.equal('4000');
    expect(amountsByCode(bill)['energy.peak']).to.equal(371_489);
  });

  it('bills the total register, shared in the proportion of the TOU registers', () => {
    // Registers sum to 999 but the total is 1000: parts by cumulative rounding over weights 300/300/399:
    // round(1000 × 300/999) = 300; round(1000 × 600/999) = 601 → 301; 1000 − 601 = 399.
    const bill = price('2025-06', { totalKwh: 1_000, touKwh: tou(0, 300, 300, 399) });
    expect(quantitiesByCode(bill)).to.include({ 'energy.peak': '300', 'energy.flat': '301', 'energy.valley': '399' });
  });

  it('rounds a period rate once to the micro-yuan', () => {
    // Floating 0.123457 × 0.48 = 0.05925936 → 0.059259 (half up); + fixed 0.01 = 0.069259.
    const v = version;
    if (v === undefined) throw new Error('fixture has a version');
    const rates = periodRatesMicros({
      ...v,
      components: [
        { code: 'a', label: 'a', rateMicros: 123_457, touApplies: true },
        { code: 'b', label: 'b', rateMicros: 10_000, touApplies: false },
      ],
    });
    expect(rates).to.deep.equal({ sharp: 232_223, peak: 193_951, flat: 133_457, valley: 69_259 });
    // sharp 0.123457 × 1.8 = 0.2222226 → 0.222223 + 0.01; peak 0.123457 × 1.49 = 0.18395093 → 0.183951 + 0.01
  });

  it('exempts categories listed on a fund', () => {
    // Agriculture pays no renewable surcharge in the fixture: only reservoir and water-works lines.
    const bill = price('2025-06', { totalKwh: 100, touKwh: tou(0, 0, 100, 0) }, { category: 'agricultural' });
    expect(bill.lines.filter((l) => l.kind === 'fund').map((l) => l.code)).to.deep.equal(['fund.reservoir', 'fund.water-works']);
  });

  it('adds a power-factor adjustment for a customer assessed at 0.85', () => {
    // 1000 kWh all flat at 0.6285 = 628.50 → 62 850 fen. PF 4/5 = 0.80 at standard 0.85: 5 steps × 0.5 % = +2.5 %.
    // 62 850 × 2.5 % = 1 571.25 → 1 571 fen. Funds 1000 × (0.019 + 0.0062 + 0.0042): 1 900 + 620 + 420 = 2 940, not adjusted.
    const bill = price('2025-06', { totalKwh: 1_000, touKwh: tou(0, 0, 1_000, 0), reactiveKvarh: 750 },
      { ...commercial, powerFactorStandard: '0.85' });
    expect(amountsByCode(bill)['power-factor.adjustment']).to.equal(1_571);
    expect(bill.totalFen).to.equal(62_850 + 1_571 + 2_940);
  });

  it('refuses a TOU bill without TOU registers, and a PF assessment without reactive energy', () => {
    const period = monthPeriod('2025-06');
    expect(mustFail({ tariff, account: commercial, period, runningDays: 30, usage: { totalKwh: 10 } }).code).to.equal('tou-usage-missing');
    expect(mustFail({ tariff, account: commercial, period, runningDays: 30, usage: { totalKwh: 10, touKwh: tou(0, 0, 0, 0) } }).code)
      .to.equal('tou-usage-missing');
    expect(mustFail({
      tariff, account: { ...commercial, powerFactorStandard: '0.85' }, period, runningDays: 30,
      usage: { totalKwh: 10, touKwh: tou(0, 0, 10, 0) },
    }).code).to.equal('reactive-missing');
  });

  it('refuses usage that is not whole kWh', () => {
    const period = monthPeriod('2025-06');
    for (const usage of [
      { totalKwh: -1 }, { totalKwh: 1.5 }, { totalKwh: 10, touKwh: tou(0, -1, 11, 0) },
      { totalKwh: 10, reactiveKvarh: -3 }, { totalKwh: 10, maxDemandKw: 2.5 },
    ]) {
      expect(mustFail({ tariff, account: commercial, period, runningDays: 30, usage }).code, JSON.stringify(usage)).to.equal('usage-invalid');
    }
  });

  it('makes the total the exact sum of lines each rounded once', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 2_000_000 }),
      fc.tuple(fc.nat(1_000), fc.nat(1_000), fc.nat(1_000), fc.nat(1_000)),
      fc.integer({ min: 1, max: 12 }),
      (totalKwh, [s, p, f, v], month) => {
        fc.pre(s + p + f + v > 0);
        const bill = price(`2025-${String(month).padStart(2, '0')}`, { totalKwh, touKwh: tou(s, p, f, v) });
        expect(bill.totalFen).to.equal(billTotal(bill.lines));
        let energyKwh = 0;
        for (const line of bill.lines) {
          expect(line.amountFen).to.equal(charge(Number(line.quantity), line.rateMicros ?? 0));
          if (line.kind === 'energy') energyKwh += Number(line.quantity);
        }
        expect(energyKwh).to.equal(totalKwh);
      },
    ));
  });

  it('reads the fixture rates as published', () => {
    expect(version?.components.map((c) => c.rateMicros)).to.deep.equal(['0.4123', '0.0207', '0.1797', '0.0158'].map(parseRate));
  });
});
