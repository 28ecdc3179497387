import { expect } from 'chai';
import type { AccountFacts, FlatTariff } from '../../../src/domain/tariffs/tariff.ts';
import { loadTariff, monthPeriod, mustFail, mustPrice } from './helpers.ts';

const tariff = loadTariff('zj-residential-shared.json') as FlatTariff;
const period = monthPeriod('2025-06');

function shared(voltage: AccountFacts['voltage']): AccountFacts {
  return voltage === undefined ? { category: 'residential-shared' } : { category: 'residential-shared', voltage };
}

describe('flat tariff (shared residential meter, 合表)', () => {
  it('prices by the supply voltage, without a ladder', () => {
    // Below 1 kV: 1234 kWh × 0.558 = 688.572 → 68 857 fen.
    const low = mustPrice({ tariff, account: shared('below-1kv'), period, runningDays: 30, usage: { totalKwh: 1_234 } });
    expect(low.lines).to.deep.equal([
      { kind: 'energy', code: 'energy.single', label: '电量电费', quantity: '1234', unit: 'kWh', rateMicros: 558_000, amountFen: 68_857 },
    ]);
    expect(low.totalFen).to.equal(68_857);
    // 1–10 kV: far beyond any ladder threshold, still one price.
    const high = mustPrice({ tariff, account: shared('1-10kv'), period, runningDays: 30, usage: { totalKwh: 100_000 } });
    expect(high.totalFen).to.equal(5_380_000); // 100 000 × 0.538 = 53 800.00
  });

  it('refuses an account without a voltage or with a voltage the tariff does not price', () => {
    expect(mustFail({ tariff, account: shared(undefined), period, runningDays: 30, usage: { totalKwh: 1 } }).code).to.equal('voltage-not-priced');
    expect(mustFail({ tariff, account: shared('35kv'), period, runningDays: 30, usage: { totalKwh: 1 } }).code).to.equal('voltage-not-priced');
  });

  it('has no power-factor adjustment', () => {
    const error = mustFail({
      tariff, account: { ...shared('below-1kv'), powerFactorStandard: '0.85' }, period, runningDays: 30,
      usage: { totalKwh: 10, reactiveKvarh: 5 },
    });
    expect(error.code).to.equal('power-factor-not-applicable');
  });
});
