// Human descriptions of verification exceptions, in Chinese and English, built from the figures
// the exception carries. The wording may change; the rule code may not.

import { formatScaled, formatYuan } from '../money.ts';
import type {
  ConsumptionJump, MissingReading, NegativeConsumption, RolloverAboveThreshold, VerificationException,
} from './exceptions.ts';

export interface Description {
  readonly zh: string;
  readonly en: string;
}

const REGISTER_ZH = {
  total: '总', sharp: '尖', peak: '峰', flat: '平', valley: '谷', reactive: '无功', demand: '需量',
} as const;

const dial = (hundredths: number): string => formatScaled(BigInt(hundredths), 2);
const pf = (hundredths: number): string => formatScaled(BigInt(hundredths), 2);
const percentFromBp = (bp: number): string => `${formatScaled(BigInt(bp), 2)}%`;

export function describeException(e: VerificationException): Description {
  switch (e.kind) {
    case 'missing-reading':
      return describeMissingReading(e);
    case 'zero-consumption':
      return { zh: '运行中的电表本期电量为零', en: 'An active meter recorded 0 kWh this period' };
    case 'negative-consumption':
      return describeNegative(e);
    case 'rollover-above-threshold':
      return describeRollover(e);
    case 'consumption-jump':
      return describeJump(e);
    case 'tou-mismatch':
      return {
        zh: `分时电量之和 ${e.touSumKwh} kWh 与总电量 ${e.totalKwh} kWh 相差 ${e.differenceKwh} kWh，超过允许误差`,
        en: `TOU registers sum to ${e.touSumKwh} kWh against a total of ${e.totalKwh} kWh (difference ${e.differenceKwh} kWh), beyond the tolerance`,
      };
    case 'multiplier-changed':
      return {
        zh: `本期综合倍率有变化：${e.multipliers.join(' → ')}`,
        en: `The multiplier changed in the period: ${e.multipliers.join(' → ')}`,
      };
    case 'tariff-changed':
      return {
        zh: `本期电价有变化：${e.tariffCodes.join(' → ')}`,
        en: `The tariff changed in the period: ${e.tariffCodes.join(' → ')}`,
      };
    case 'first-bill':
      return e.reason === 'connection'
        ? { zh: `新装（${e.date}）后首次出账`, en: `First bill after connection on ${e.date}` }
        : { zh: `换表（${e.date}）后首次出账`, en: `First bill after the meter exchange on ${e.date}` };
    case 'low-power-factor':
      return {
        zh: `功率因数 ${pf(e.powerFactorHundredths)} 低于 ${pf(e.minimumHundredths)}`,
        en: `Power factor ${pf(e.powerFactorHundredths)} is below ${pf(e.minimumHundredths)}`,
      };
    case 'demand-over-contract':
      return {
        zh: `最大需量 ${e.maxDemandKw} kW 超过合同需量 ${e.contractDemandKw} kW 的 ${e.thresholdPercent}%`,
        en: `Maximum demand ${e.maxDemandKw} kW exceeds ${e.thresholdPercent}% of the contract demand ${e.contractDemandKw} kW`,
      };
    case 'estimated-reading-streak':
      return {
        zh: `已连续 ${e.periodsInRow} 期估抄（上限 ${e.limitPeriods} 期）`,
        en: `Readings estimated for ${e.periodsInRow} periods in a row (limit ${e.limitPeriods})`,
      };
    case 'credit-bill':
      return {
        zh: `账单金额为负：${formatYuan(e.totalFen)} 元`,
        en: `Negative (credit) bill: ${formatYuan(e.totalFen)} yuan`,
      };
  }
}

function describeMissingReading(e: MissingReading): Description {
  const which = e.reading === 'start' ? { zh: '起码', en: 'start' } : { zh: '止码', en: 'end' };
  return {
    zh: `电表 ${e.meterNo} ${REGISTER_ZH[e.register]}示数缺少${which.zh}`,
    en: `Meter ${e.meterNo}, ${e.register} register: the ${which.en} reading is missing`,
  };
}

function describeNegative(e: NegativeConsumption): Description {
  const readings = `${dial(e.startHundredths)} → ${dial(e.endHundredths)}`;
  return {
    zh: `电表 ${e.meterNo} ${REGISTER_ZH[e.register]}示数倒走（${readings}），且未登记翻转或换表`,
    en: `Meter ${e.meterNo}, ${e.register} register ran backwards (${readings}) with no declared rollover or exchange`,
  };
}

function describeRollover(e: RolloverAboveThreshold): Description {
  const readings = `${dial(e.startHundredths)} → ${dial(e.endHundredths)}`;
  return {
    zh: `电表 ${e.meterNo} ${REGISTER_ZH[e.register]}示数翻转（${e.digits} 位，${readings}）差值 ${dial(e.deltaHundredths)} 超过阈值 ${dial(e.thresholdHundredths)}`,
    en: `Meter ${e.meterNo}, ${e.register} register: rollover on ${e.digits} digits (${readings}) gives ${dial(e.deltaHundredths)}, above the threshold ${dial(e.thresholdHundredths)}`,
  };
}

function describeJump(e: ConsumptionJump): Description {
  const ref = e.basis === 'previous-month' ? { zh: '上月', en: 'last month' } : { zh: '去年同期', en: 'the same month last year' };
  const change = e.changeBp === null
    ? { zh: '由零增加', en: 'up from zero' }
    : { zh: `变化 ${percentFromBp(e.changeBp)}`, en: `a change of ${percentFromBp(e.changeBp)}` };
  return {
    zh: `本期电量 ${e.currentKwh} kWh，较${ref.zh} ${e.previousKwh} kWh ${change.zh}，超过 ${e.thresholdPercent}%`,
    en: `${e.currentKwh} kWh against ${e.previousKwh} kWh ${ref.en}: ${change.en}, beyond ${e.thresholdPercent}%`,
  };
}
