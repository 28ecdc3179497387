import { expect } from 'chai';
import type { AccountFacts, BasicChargeFacts, TwoPartTariff } from '../../../src/domain/tariffs/tariff.ts';
import type { PeriodUsage } from '../../../src/domain/usage.ts';
import { amountsByCode, loadTariff, monthPeriod, mustFail, mustPrice, quantitiesByCode, tou } from './helpers.ts';

const tariff = loadTariff('zj-large-industry-two-part.json') as TwoPartTariff;

function factory(basic: BasicChargeFacts): AccountFacts {
  return { category: 'large-industry', basic, powerFactorStandard: '0.90' };
}
const byCapacity = factory({ basis: 'capacity', capacityKva: 315 });

function price(month: string, runningDays: number, usage: PeriodUsage, account: AccountFacts = byCapacity) {
  return mustPrice({ tariff, account, period: monthPeriod(month), runningDays, usage });
}

// Rates of the fixture (see component-tou.test.ts for the method): floating 0.4123 + 0.0207 + 0.1428 = 0.5758,
// fixed 0.0158. sharp 0.5758 × 1.80 + 0.0158 = 1.052240; peak 0.5758 × 1.49 = 0.857942 + 0.0158 = 0.873742;
// flat 0.591600; valley 0.5758 × 0.48 = 0.276384 + 0.0158 = 0.292184.

describe('two-part tariff (large industry)', () => {
  it('prorates the capacity charge for 20 running days and adds +14 % for PF 0.66', () => {
    // June 2025 (30 days, no sharp hours), connected for 20 days; 315 kVA.
    // Energy 50 000 kWh: peak 20 000, flat 15 000, valley 15 000.
    //   peak   20 000 × 0.873742 = 17 474.84 → 1 747 484
    //   flat   15 000 × 0.591600 =  8 874.00 →   887 400
    //   valley 15 000 × 0.292184 =  4 382.76 →   438 276      energy 3 073 160
    // Basic: 315 kVA × 22.6 × 20/30 = 4 746.00 → 474 600
    // PF: P = 50 000, Q = 56 914 → 0.65999… → 0.66; standard 0.90 → +14 %.
    //   base = energy + basic = 3 547 760; 14 % = 496 686.4 → 496 686
    // Funds (not adjusted): 50 000 × 0.019 = 95 000; × 0.0062 = 31 000; × 0.0042 = 21 000 → 147 000
    // Total 3 547 760 + 496 686 + 147 000 = 4 191 446 fen = 41 914.46 yuan.
    const bill = price('2025-06', 20, { totalKwh: 50_000, touKwh: tou(0, 20_000, 15_000, 15_000), reactiveKvarh: 56_914 });
    expect(amountsByCode(bill)).to.deep.equal({
      'energy.peak': 1_747_484, 'energy.flat': 887_400, 'energy.valley': 438_276,
      'basic.capacity': 474_600,
      'fund.renewable': 95_000, 'fund.reservoir': 31_000, 'fund.water-works': 21_000,
      'power-factor.adjustment': 496_686,
    });
    const basic = bill.lines.find((l) => l.kind === 'basic-capacity');
    expect(basic).to.deep.include({ quantity: '315', unit: 'kVA·month', proration: { days: 20, ofDays: 30 } });
    expect(bill.lines.at(-1)).to.deep.include({ powerFactor: '0.66', quantity: '14', baseFen: 3_547_760 });
    expect(bill.totalFen).to.equal(4_191_446);
  });

  it('charges a full month and credits −0.75 % for PF 0.96', () => {
    // July 2025 (31 days, sharp month), running all 31 days: a full month, 315 × 22.6 = 7 119.00 → 711 900.
    // Energy 40 000 kWh: sharp 4 000, peak 12 000, flat 12 000, valley 12 000.
    //   sharp   4 000 × 1.052240 =  4 208.960  →   420 896
    //   peak   12 000 × 0.873742 = 10 484.904  → 1 048 490
    //   flat   12 000 × 0.591600 =  7 099.200  →   709 920
    //   valley 12 000 × 0.292184 =  3 506.208  →   350 621     energy 2 529 927
    // PF: P = 40 000, Q = 11 667 → 0.95999… → 0.96 → −0.75 % (cap at 0.95 and above).
    //   base 2 529 927 + 711 900 = 3 241 827; −0.75 % = −24 313.70 → −24 314
    // Funds: 40 000 × 0.019 = 76 000; × 0.0062 = 24 800; × 0.0042 = 16 800 → 117 600
    // Total 3 241 827 − 24 314 + 117 600 = 3 335 113 fen.
    const bill = price('2025-07', 31, { totalKwh: 40_000, touKwh: tou(4_000, 12_000, 12_000, 12_000), reactiveKvarh: 11_667 });
    expect(amountsByCode(bill)).to.include({
      'energy.sharp': 420_896, 'energy.peak': 1_048_490, 'energy.flat': 709_920, 'energy.valley': 350_621,
      'basic.capacity': 711_900, 'power-factor.adjustment': -24_314,
    });
    expect(bill.lines.find((l) => l.kind === 'basic-capacity')).to.deep.include({ proration: { days: 31, ofDays: 31 } });
    expect(bill.totalFen).to.equal(3_335_113);
  });

  it('never charges more than a month of capacity for a partial month', () => {
    // 30 running days of a 31-day month is partial, but 30/30 is the whole month: 711 900.
    const bill = price('2025-07', 30, { totalKwh: 0, touKwh: tou(0, 0, 0, 0), reactiveKvarh: 0 });
    expect(amountsByCode(bill)).to.deep.equal({ 'basic.capacity': 711_900 });
    // No energy at all: no power factor exists, so no adjustment line.
  });

  describe('by contract demand', () => {
    const account = factory({ basis: 'contract-demand', capacityKva: 630, contractDemandKw: 300 });
    const usage = (maxDemandKw: number): PeriodUsage => ({ totalKwh: 0, maxDemandKw, reactiveKvarh: 0 });

    it('charges the contract demand up to 105 % of it', () => {
      // 300 kW × 36.1 = 10 830.00 → 1 083 000, whether the actual is 100, 300 or 315 kW (= 105 %).
      for (const actual of [100, 300, 315]) {
        const bill = price('2025-06', 30, usage(actual), account);
        expect(amountsByCode(bill), `${actual} kW`).to.deep.equal({ 'basic.demand': 1_083_000 });
      }
    });

    it('charges the excess above 105 % double', () => {
      // Actual 330 kW: 315 kW × 36.1 = 11 371.50 → 1 137 150; excess 15 kW × 72.2 = 1 083.00 → 108 300.
      const bill = price('2025-06', 30, usage(330), account);
      expect(amountsByCode(bill)).to.deep.equal({ 'basic.demand': 1_137_150, 'basic.demand.excess': 108_300 });
      expect(quantitiesByCode(bill)).to.deep.equal({ 'basic.demand': '315', 'basic.demand.excess': '15' });
      // A contract of 301 kW makes the threshold 316.05 kW, a fractional quantity; actual 317 kW.
      const odd = price('2025-06', 30, usage(317), factory({ basis: 'contract-demand', capacityKva: 630, contractDemandKw: 301 }));
      // 316.05 × 36.1 = 11 409.405 → 1 140 941 (half up); 0.95 × 72.2 = 68.59 → 6 859.
      expect(quantitiesByCode(odd)).to.deep.equal({ 'basic.demand': '316.05', 'basic.demand.excess': '0.95' });
      expect(amountsByCode(odd)).to.deep.equal({ 'basic.demand': 1_140_941, 'basic.demand.excess': 6_859 });
    });

    it('refuses a contract demand below 40 % of capacity, and a bill without the demand reading', () => {
      // 40 % of 630 kVA = 252 kW: 251 is refused, 252 is allowed.
      const low = factory({ basis: 'contract-demand', capacityKva: 630, contractDemandKw: 251 });
      expect(mustFail({ tariff, account: low, period: monthPeriod('2025-06'), runningDays: 30, usage: usage(200) }).code)
        .to.equal('contract-demand-below-floor');
      const edge = factory({ basis: 'contract-demand', capacityKva: 630, contractDemandKw: 252 });
      expect(price('2025-06', 30, usage(200), edge).totalFen).to.equal(909_720); // 252 × 36.1 = 9 097.20
      expect(mustFail({ tariff, account, period: monthPeriod('2025-06'), runningDays: 30, usage: { totalKwh: 0, reactiveKvarh: 0 } }).code)
        .to.equal('demand-missing');
    });
  });

  it('charges actual demand with a floor of 40 % of capacity', () => {
    const account = factory({ basis: 'actual-demand', capacityKva: 630 });
    // Actual 200 kW < 252 kW floor: 252 × 36.1 = 9 097.20; actual 400 kW: 400 × 36.1 = 14 440.00.
    expect(amountsByCode(price('2025-06', 30, { totalKwh: 0, maxDemandKw: 200, reactiveKvarh: 0 }, account)))
      .to.deep.equal({ 'basic.demand': 909_720 });
    expect(amountsByCode(price('2025-06', 30, { totalKwh: 0, maxDemandKw: 400, reactiveKvarh: 0 }, account)))
      .to.deep.equal({ 'basic.demand': 1_444_000 });
  });

  it('refuses missing or impossible basic-charge facts and running days', () => {
    const period = monthPeriod('2025-06');
    const usage = { totalKwh: 0, reactiveKvarh: 0 };
    expect(mustFail({ tariff, account: { category: 'large-industry' }, period, runningDays: 30, usage }).code).to.equal('basic-facts-missing');
    expect(mustFail({ tariff, account: factory({ basis: 'capacity', capacityKva: 0 }), period, runningDays: 30, usage }).code)
      .to.equal('basic-facts-invalid');
    expect(mustFail({ tariff, account: factory({ basis: 'contract-demand', capacityKva: 630, contractDemandKw: 0 }), period, runningDays: 30, usage }).code)
      .to.equal('basic-facts-invalid');
    for (const runningDays of [-1, 31, 2.5]) {
      expect(mustFail({ tariff, account: byCapacity, period, runningDays, usage }).code, String(runningDays)).to.equal('running-days-invalid');
    }
  });
});
