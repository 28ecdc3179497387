import { expect } from 'chai';
import type { RegisterKind, RegisterSegment } from '../../src/domain/consumption.ts';
import {
  checkConsumptionJump, checkCreditBill, checkDemandOverContract, checkEstimatedStreak, checkFirstBill,
  checkMissingReading, checkMultiplierChanged, checkNegativeConsumption, checkPowerFactor, checkRolloverThreshold,
  checkTariffChanged, checkTouSum, checkZeroConsumption, describeException, verifyBill,
  DEFAULT_VERIFICATION_PARAMS as P, RULE_CODES, VERIFICATION_RULES,
  type VerificationException, type VerificationInput,
} from '../../src/domain/verification.ts';

function segment(
  kind: RegisterKind, start: number | null, end: number | null,
  options: { meterNo?: string; digits?: number; rollover?: boolean; ct?: number; estimated?: boolean } = {},
): RegisterSegment {
  return {
    meterNo: options.meterNo ?? 'M1',
    register: { kind, digits: options.digits ?? 6, rolloverAllowed: options.rollover ?? false },
    ctRatio: options.ct ?? 1,
    ptRatio: 1,
    start: start === null ? null : { valueHundredths: start, estimated: false },
    end: end === null ? null : { valueHundredths: end, estimated: options.estimated ?? false },
  };
}

/** A bill that passes every rule: 1000 kWh as last month and last year, nothing changed. */
function input(overrides: Partial<VerificationInput> = {}): VerificationInput {
  return {
    period: { month: '2024-06', from: '2024-06-01', to: '2024-07-01' },
    meterActive: true,
    segments: [segment('total', 0, 100_000)],
    usage: { totalKwh: 1000 },
    previousMonthKwh: 1000,
    sameMonthLastYearKwh: 1000,
    previousMultiplier: 1,
    previousTariffCode: 'RES-ZJ-2024',
    tariffCodes: ['RES-ZJ-2024'],
    connectedOn: '2020-03-15',
    meterExchangedOn: null,
    powerFactorHundredths: null,
    contractDemandKw: null,
    previousEstimatedPeriodsInRow: 0,
    billTotalFen: 53_800,
    ...overrides,
  };
}

describe('verification', () => {
  it('raises nothing for an ordinary bill', () => {
    expect(verifyBill(input())).to.deep.equal([]);
  });

  describe('missing reading', () => {
    it('fires for a missing start or end, naming the register', () => {
      expect(checkMissingReading(input({ segments: [segment('total', 0, null)] }), P)).to.deep.equal([{
        kind: 'missing-reading', rule: 'VER_MISSING_READING', meterNo: 'M1', register: 'total', reading: 'end',
      }]);
      expect(checkMissingReading(input({ segments: [segment('peak', null, 5)] }), P)).to.have.length(1);
    });
    it('does not fire when both readings are there, nor for the start of a demand register', () => {
      expect(checkMissingReading(input(), P)).to.deep.equal([]);
      expect(checkMissingReading(input({ segments: [segment('demand', null, 5)] }), P)).to.deep.equal([]);
    });
  });

  describe('zero consumption', () => {
    it('fires for 0 kWh on an active meter', () => {
      expect(checkZeroConsumption(input({ usage: { totalKwh: 0 } }), P)).to.deep.equal([
        { kind: 'zero-consumption', rule: 'VER_ZERO_CONSUMPTION', totalKwh: 0 },
      ]);
    });
    it('does not fire for 1 kWh, for an inactive meter, or without usage', () => {
      expect(checkZeroConsumption(input({ usage: { totalKwh: 1 } }), P)).to.deep.equal([]);
      expect(checkZeroConsumption(input({ usage: { totalKwh: 0 }, meterActive: false }), P)).to.deep.equal([]);
      expect(checkZeroConsumption(input({ usage: null }), P)).to.deep.equal([]);
    });
  });

  describe('negative consumption', () => {
    it('fires when a register that does not roll goes backwards', () => {
      // 2.00 → 1.00 on a non-rolling register
      expect(checkNegativeConsumption(input({ segments: [segment('total', 200, 100)] }), P)).to.deep.equal([{
        kind: 'negative-consumption', rule: 'VER_NEGATIVE_CONSUMPTION', meterNo: 'M1', register: 'total',
        startHundredths: 200, endHundredths: 100,
      }]);
    });
    it('does not fire for a declared rollover, a declared exchange, or equal readings', () => {
      const rolled = segment('total', 9_999_000, 1_250, { digits: 5, rollover: true });
      expect(checkNegativeConsumption(input({ segments: [rolled] }), P)).to.deep.equal([]);
      // exchange: old meter 1000.00 → 1200.00, new meter 0.00 → 5.00: each segment moves forward
      const exchange = [segment('total', 100_000, 120_000, { meterNo: 'OLD' }), segment('total', 0, 500, { meterNo: 'NEW' })];
      expect(checkNegativeConsumption(input({ segments: exchange }), P)).to.deep.equal([]);
      expect(checkNegativeConsumption(input({ segments: [segment('total', 100, 100)] }), P)).to.deep.equal([]);
    });
  });

  describe('rollover above threshold', () => {
    it('fires a hundredth above half the capacity', () => {
      // 5 digits: 100000 − 60000.00 + 10000.01 = 50000.01 > 50000.00
      const segments = [segment('total', 6_000_000, 1_000_001, { digits: 5, rollover: true })];
      expect(checkRolloverThreshold(input({ segments }), P)).to.deep.equal([{
        kind: 'rollover-above-threshold', rule: 'VER_ROLLOVER_ABOVE_THRESHOLD', meterNo: 'M1', register: 'total',
        startHundredths: 6_000_000, endHundredths: 1_000_001, digits: 5, deltaHundredths: 5_000_001, thresholdHundredths: 5_000_000,
      }]);
    });
    it('does not fire at exactly half the capacity', () => {
      const segments = [segment('total', 6_000_000, 1_000_000, { digits: 5, rollover: true })];
      expect(checkRolloverThreshold(input({ segments }), P)).to.deep.equal([]);
    });
  });

  describe('consumption jump', () => {
    it('does not fire at exactly 30% up or down', () => {
      // 1000 → 1300 = +30.00%, 1000 → 700 = −30.00%: at the threshold, not beyond it
      expect(checkConsumptionJump(input({ usage: { totalKwh: 1300 } }), P)).to.deep.equal([]);
      expect(checkConsumptionJump(input({ usage: { totalKwh: 700 } }), P)).to.deep.equal([]);
    });
    it('fires one kWh beyond, against each reference month', () => {
      // 1000 → 1301 = +30.10% = 3010 bp against both last month and last year
      expect(checkConsumptionJump(input({ usage: { totalKwh: 1301 } }), P)).to.deep.equal([
        { kind: 'consumption-jump', rule: 'VER_CONSUMPTION_JUMP', basis: 'previous-month', previousKwh: 1000, currentKwh: 1301, changeBp: 3010, thresholdPercent: 30 },
        { kind: 'consumption-jump', rule: 'VER_CONSUMPTION_JUMP', basis: 'same-month-last-year', previousKwh: 1000, currentKwh: 1301, changeBp: 3010, thresholdPercent: 30 },
      ]);
      // 1000 → 699 = −30.10%, only last month given
      const down = checkConsumptionJump(input({ usage: { totalKwh: 699 }, sameMonthLastYearKwh: null }), P);
      expect(down).to.have.length(1);
      expect(down[0]).to.include({ basis: 'previous-month', changeBp: -3010 });
    });
    it('compares against last year alone when last month is unknown', () => {
      // last year 2000 → 1000 = −50%
      const r = checkConsumptionJump(input({ previousMonthKwh: null, sameMonthLastYearKwh: 2000 }), P);
      expect(r.map((e) => [e.basis, e.changeBp])).to.deep.equal([['same-month-last-year', -5000]]);
    });
    it('treats any use after a 0 kWh month as a jump, and 0 after 0 as none', () => {
      const fromZero = checkConsumptionJump(input({ previousMonthKwh: 0, sameMonthLastYearKwh: null, usage: { totalKwh: 1 } }), P);
      expect(fromZero[0]).to.include({ changeBp: null, previousKwh: 0 });
      expect(checkConsumptionJump(input({ previousMonthKwh: 0, sameMonthLastYearKwh: 0, usage: { totalKwh: 0 } }), P)).to.deep.equal([]);
    });
    it('takes the percentage from the parameters', () => {
      expect(checkConsumptionJump(input({ usage: { totalKwh: 1101 } }), { ...P, consumptionJumpPercent: 10 })).to.have.length(2);
      expect(checkConsumptionJump(input({ usage: { totalKwh: 1100 } }), { ...P, consumptionJumpPercent: 10 })).to.have.length(0);
    });
  });

  describe('TOU sum', () => {
    const withTou = (totalKwh: number, flat: number) => input({ usage: { totalKwh, touKwh: { sharp: 0, peak: 0, flat, valley: 0 } } });
    it('does not fire within the larger of 2 kWh and 1% of the total', () => {
      // 1000 kWh: tolerance 1% = 10 kWh; 100 kWh: tolerance 2 kWh (1% would be 1)
      expect(checkTouSum(withTou(1000, 1010), P)).to.deep.equal([]);
      expect(checkTouSum(withTou(1000, 990), P)).to.deep.equal([]);
      expect(checkTouSum(withTou(100, 102), P)).to.deep.equal([]);
      expect(checkTouSum(input({ usage: { totalKwh: 100 } }), P)).to.deep.equal([]);
    });
    it('fires one kWh beyond the tolerance', () => {
      expect(checkTouSum(withTou(1000, 1011), P)).to.deep.equal([{
        kind: 'tou-mismatch', rule: 'VER_TOU_MISMATCH', totalKwh: 1000, touSumKwh: 1011, differenceKwh: 11, toleranceKwh: 2, toleranceBp: 100,
      }]);
      expect(checkTouSum(withTou(100, 97), P)[0]).to.include({ differenceKwh: -3 });
    });
  });

  describe('multiplier changed', () => {
    it('fires when the multiplier differs from last period or between segments', () => {
      // last period 40, now CT 80
      expect(checkMultiplierChanged(input({ previousMultiplier: 40, segments: [segment('total', 0, 1, { ct: 80 })] }), P))
        .to.deep.equal([{ kind: 'multiplier-changed', rule: 'VER_MULTIPLIER_CHANGED', multipliers: [40, 80] }]);
      const exchange = [segment('total', 0, 1, { meterNo: 'OLD', ct: 10 }), segment('total', 0, 1, { meterNo: 'NEW', ct: 20 })];
      expect(checkMultiplierChanged(input({ previousMultiplier: 10, segments: exchange }), P)[0]).to.include({ kind: 'multiplier-changed' });
    });
    it('does not fire when it stays the same or there is no previous period', () => {
      expect(checkMultiplierChanged(input({ previousMultiplier: 40, segments: [segment('total', 0, 1, { ct: 40 })] }), P)).to.deep.equal([]);
      expect(checkMultiplierChanged(input({ previousMultiplier: null, segments: [segment('total', 0, 1, { ct: 40 })] }), P)).to.deep.equal([]);
    });
  });

  describe('tariff changed', () => {
    it('fires on a change from last period or within the period', () => {
      expect(checkTariffChanged(input({ tariffCodes: ['RES-ZJ-2024', 'RES-ZJ-2024B'] }), P)).to.deep.equal([
        { kind: 'tariff-changed', rule: 'VER_TARIFF_CHANGED', tariffCodes: ['RES-ZJ-2024', 'RES-ZJ-2024B'] },
      ]);
      expect(checkTariffChanged(input({ previousTariffCode: 'RES-ZJ-2023' }), P)).to.have.length(1);
    });
    it('does not fire on the same tariff or a first period', () => {
      expect(checkTariffChanged(input(), P)).to.deep.equal([]);
      expect(checkTariffChanged(input({ previousTariffCode: null }), P)).to.deep.equal([]);
    });
  });

  describe('first bill', () => {
    it('fires when the connection or the exchange falls inside the period [from, to)', () => {
      expect(checkFirstBill(input({ connectedOn: '2024-06-01' }), P)).to.deep.equal([
        { kind: 'first-bill', rule: 'VER_FIRST_BILL', reason: 'connection', date: '2024-06-01' },
      ]);
      expect(checkFirstBill(input({ connectedOn: '2024-06-30' }), P)).to.have.length(1);
      expect(checkFirstBill(input({ meterExchangedOn: '2024-06-15' }), P)).to.deep.equal([
        { kind: 'first-bill', rule: 'VER_FIRST_BILL', reason: 'meter-exchange', date: '2024-06-15' },
      ]);
    });
    it('does not fire for a connection or exchange outside the period', () => {
      expect(checkFirstBill(input({ connectedOn: '2024-05-31' }), P)).to.deep.equal([]);
      expect(checkFirstBill(input({ connectedOn: '2024-07-01' }), P)).to.deep.equal([]);
      expect(checkFirstBill(input({ meterExchangedOn: '2024-05-20' }), P)).to.deep.equal([]);
    });
  });

  describe('power factor', () => {
    it('fires at 0.69', () => {
      expect(checkPowerFactor(input({ powerFactorHundredths: 69 }), P)).to.deep.equal([
        { kind: 'low-power-factor', rule: 'VER_LOW_POWER_FACTOR', powerFactorHundredths: 69, minimumHundredths: 70 },
      ]);
    });
    it('does not fire at 0.70 or when not assessed', () => {
      expect(checkPowerFactor(input({ powerFactorHundredths: 70 }), P)).to.deep.equal([]);
      expect(checkPowerFactor(input({ powerFactorHundredths: null }), P)).to.deep.equal([]);
    });
  });

  describe('demand over contract', () => {
    const demand = (maxDemandKw: number, contractDemandKw: number | null) =>
      input({ usage: { totalKwh: 1000, maxDemandKw }, contractDemandKw });
    it('fires above 105% of the contract demand', () => {
      // 1000 kW contract: 1051 kW = 105.1%
      expect(checkDemandOverContract(demand(1051, 1000), P)).to.deep.equal([{
        kind: 'demand-over-contract', rule: 'VER_DEMAND_OVER_CONTRACT', maxDemandKw: 1051, contractDemandKw: 1000, thresholdPercent: 105,
      }]);
    });
    it('does not fire at exactly 105%, without a contract, or without a demand register', () => {
      expect(checkDemandOverContract(demand(1050, 1000), P)).to.deep.equal([]);
      expect(checkDemandOverContract(demand(5000, null), P)).to.deep.equal([]);
      expect(checkDemandOverContract(input({ contractDemandKw: 10 }), P)).to.deep.equal([]);
    });
  });

  describe('estimated reading streak', () => {
    const estimated = [segment('total', 0, 100_000, { estimated: true })];
    it('fires on the third estimated period in a row', () => {
      expect(checkEstimatedStreak(input({ segments: estimated, previousEstimatedPeriodsInRow: 2 }), P)).to.deep.equal([
        { kind: 'estimated-reading-streak', rule: 'VER_ESTIMATED_READING_STREAK', periodsInRow: 3, limitPeriods: 3 },
      ]);
    });
    it('does not fire on the second, nor when this period was actually read', () => {
      expect(checkEstimatedStreak(input({ segments: estimated, previousEstimatedPeriodsInRow: 1 }), P)).to.deep.equal([]);
      expect(checkEstimatedStreak(input({ previousEstimatedPeriodsInRow: 7 }), P)).to.deep.equal([]);
    });
  });

  describe('credit bill', () => {
    it('fires for a bill below zero', () => {
      expect(checkCreditBill(input({ billTotalFen: -1 }), P)).to.deep.equal([{ kind: 'credit-bill', rule: 'VER_CREDIT_BILL', totalFen: -1 }]);
    });
    it('does not fire for a zero bill or one not priced yet', () => {
      expect(checkCreditBill(input({ billTotalFen: 0 }), P)).to.deep.equal([]);
      expect(checkCreditBill(input({ billTotalFen: null }), P)).to.deep.equal([]);
    });
  });

  describe('verifyBill and the catalogue', () => {
    const troubled = input({
      segments: [segment('total', 200, 100), segment('peak', 0, null, { estimated: false })],
      usage: null,
      previousMultiplier: 40,
      tariffCodes: ['RES-ZJ-2024', 'TOU-ZJ-2024'],
      connectedOn: '2024-06-10',
      powerFactorHundredths: 55,
      billTotalFen: -500,
    });

    it('runs every rule and lists the exceptions in rule order', () => {
      expect(verifyBill(troubled).map((e) => e.kind)).to.deep.equal([
        'missing-reading', 'negative-consumption', 'multiplier-changed', 'tariff-changed', 'first-bill', 'low-power-factor', 'credit-bill',
      ]);
    });

    it('has one rule per exception kind and a distinct, stable code for each', () => {
      expect(VERIFICATION_RULES.map((r) => r.name)).to.have.members(Object.keys(RULE_CODES));
      const codes = Object.values(RULE_CODES);
      expect(new Set(codes).size).to.equal(codes.length);
      for (const code of codes) expect(code).to.match(/^VER_[A-Z_]+$/);
    });

    it('describes every exception in Chinese and English with its figures', () => {
      const samples: VerificationException[] = [
        ...verifyBill(troubled),
        ...checkZeroConsumption(input({ usage: { totalKwh: 0 } }), P),
        ...checkRolloverThreshold(input({ segments: [segment('total', 6_000_000, 1_000_001, { digits: 5, rollover: true })] }), P),
        ...checkConsumptionJump(input({ usage: { totalKwh: 1301 }, previousMonthKwh: 0 }), P),
        ...checkTouSum(input({ usage: { totalKwh: 1000, touKwh: { sharp: 0, peak: 0, flat: 1011, valley: 0 } } }), P),
        ...checkFirstBill(input({ meterExchangedOn: '2024-06-15' }), P),
        ...checkDemandOverContract(input({ usage: { totalKwh: 1, maxDemandKw: 1051 }, contractDemandKw: 1000 }), P),
        ...checkEstimatedStreak(input({ segments: [segment('total', 0, 1, { estimated: true })], previousEstimatedPeriodsInRow: 5 }), P),
      ];
      expect(new Set(samples.map((s) => s.kind))).to.have.property('size', Object.keys(RULE_CODES).length);
      for (const e of samples) {
        expect(e.rule).to.equal(RULE_CODES[e.kind]);
        const { zh, en } = describeException(e);
        expect(zh, e.kind).to.match(/[\u4e00-\u9fff]/);
        expect(en, e.kind).to.match(/^[\x20-\x7e→]+$/);
      }
      expect(describeException(samples.find((s) => s.kind === 'low-power-factor')!).en).to.equal('Power factor 0.55 is below 0.70');
      expect(describeException(samples.find((s) => s.kind === 'credit-bill')!).zh).to.equal('账单金额为负：-5.00 元');
      expect(describeException(samples.find((s) => s.kind === 'rollover-above-threshold')!).en).to.contain('50000.01');
    });

    it('refuses malformed parameters', () => {
      expect(() => verifyBill(input(), { ...P, consumptionJumpPercent: -1 })).to.throw(RangeError);
      expect(() => verifyBill(input(), { ...P, estimatedPeriodsLimit: 0 })).to.throw(RangeError);
      expect(() => verifyBill(input(), { ...P, touToleranceBp: 0.5 })).to.throw(RangeError);
    });
  });
});
