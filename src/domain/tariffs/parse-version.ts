// The versions of a tariff document: the fields every version has (dates, funds) and one body
// reader per tariff kind. Used by parse-tariff.ts, which owns the document and the version order.

import { BILL_LINE_KINDS, type BillLineKind } from '../bill-line.ts';
import type { TouPeriod } from '../usage.ts';
import {
  checkInteger, checkOneOf, Issues, readArray, readBoolean, readDate, readDecimal, readInteger, readObject, readOneOf,
  rawKeys, readRate, readRatioBp, readString, reportDuplicates, type JsonObject,
} from './json-fields.ts';
import {
  CUSTOMER_CATEGORIES, VOLTAGE_LEVELS, type BasicChargeTerms, type ComponentTouVersion, type FlatVersion, type Fund,
  type LadderTier, type LateFeeTerms, type PriceComponent, type ResidentialLadderVersion, type TariffKind, type TwoPartVersion,
  type VoltageRate,
} from './tariff.ts';

/** Limits of a tariff document, each with the reason it exists. */
export const TARIFF_LIMITS = {
  /** Twenty years of monthly purchase-price updates. */
  versionsMax: 240,
  /** Ladders have three tiers; nine leaves room and keeps labels one numeral. */
  tiersMax: 9,
  /** Four components today; a few more for future reforms. */
  componentsMax: 12,
  /** Four funds today. */
  fundsMax: 12,
  /** A tier bound above this is a typo (a household uses a few thousand kWh a year). */
  tierKwhMax: 1_000_000,
  nameCharsMax: 200,
  labelCharsMax: 100,
  /** Room for a paragraph of provenance per tariff. */
  sourceCharsMax: 4_000,
} as const;

export const CODE_PATTERN = /^[a-z0-9][a-z0-9.-]{0,63}$/;
const PF_BASE_KINDS: readonly BillLineKind[] = BILL_LINE_KINDS.filter((k) => k !== 'power-factor' && k !== 'penalty');

const VERSION_COMMON = ['effectiveFrom', 'funds', 'lateFee'] as const;
const VERSION_OPTIONAL = ['effectiveTo', 'note'] as const;

/** Keys of a version, per kind; shared by the body readers in parse-version.ts. */
export const VERSION_KEYS: Readonly<Record<TariffKind, { readonly required: readonly string[]; readonly optional: readonly string[] }>> = {
  'residential-ladder': { required: [...VERSION_COMMON, 'tiers'], optional: VERSION_OPTIONAL },
  flat: { required: [...VERSION_COMMON, 'rates'], optional: VERSION_OPTIONAL },
  'component-tou': {
    required: [...VERSION_COMMON, 'components', 'touRatios', 'sharpMonths', 'powerFactorBase'], optional: VERSION_OPTIONAL,
  },
  'two-part': {
    required: [...VERSION_COMMON, 'components', 'touRatios', 'sharpMonths', 'powerFactorBase', 'basic'],
    optional: VERSION_OPTIONAL,
  },
};

export interface VersionHead {
  readonly effectiveFrom: string;
  readonly effectiveTo?: string;
  readonly funds: readonly Fund[];
  readonly lateFee: LateFeeTerms;
}

/** The fields every version has: dates and funds. */
export function parseVersionHead(obj: JsonObject, path: string, issues: Issues): VersionHead | undefined {
  readString(obj, 'note', path, issues, TARIFF_LIMITS.sourceCharsMax);
  const effectiveFrom = readDate(obj, 'effectiveFrom', path, issues);
  const effectiveTo = readDate(obj, 'effectiveTo', path, issues);
  const funds = parseFunds(obj, path, issues);
  const lateFee = parseLateFee(obj.lateFee, `${path}.lateFee`, issues);
  if (effectiveFrom === undefined || funds === undefined || lateFee === undefined) return undefined;
  return effectiveTo === undefined ? { effectiveFrom, funds, lateFee } : { effectiveFrom, effectiveTo, funds, lateFee };
}

/** Daily rates are fractions of the overdue amount ("0.002" = 2‰ a day); the minimum is yuan. */
function parseLateFee(value: unknown, path: string, issues: Issues): LateFeeTerms | undefined {
  if (value === undefined) return undefined; // reported as a missing required key with the version
  const obj = readObject(value, path, issues, ['currentYearDailyRate', 'crossYearDailyRate', 'minimum']);
  if (obj === undefined) return undefined;
  const currentYearDailyBp = readRatioBp(obj, 'currentYearDailyRate', path, issues);
  const crossYearDailyBp = readRatioBp(obj, 'crossYearDailyRate', path, issues);
  const minimum = readDecimal(obj, 'minimum', path, issues, 2);
  if (currentYearDailyBp === undefined || crossYearDailyBp === undefined || minimum === undefined) return undefined;
  // A daily rate of 1 % or more would be usury, not a utility penalty: a misplaced decimal point.
  for (const [key, bp] of [['currentYearDailyRate', currentYearDailyBp], ['crossYearDailyRate', crossYearDailyBp]] as const) {
    if (bp >= 100) issues.add(`${path}.${key}`, 'must be below 0.01 a day');
  }
  if (currentYearDailyBp >= 100 || crossYearDailyBp >= 100) return undefined;
  return { currentYearDailyBp, crossYearDailyBp, minimumFen: Number(minimum) };
}

export function parseFunds(obj: JsonObject, path: string, issues: Issues): Fund[] | undefined {
  const raw = readArray(obj, 'funds', path, issues, 0, TARIFF_LIMITS.fundsMax);
  if (raw === undefined) return undefined;
  const funds = raw.map((value, i) => parseFund(value, `${path}.funds[${i}]`, issues));
  reportDuplicates(rawKeys(raw, 'code'), (i) => `${path}.funds[${i}].code`, issues);
  return funds.every((f) => f !== undefined) ? funds : undefined;
}

function parseFund(value: unknown, path: string, issues: Issues): Fund | undefined {
  const obj = readObject(value, path, issues, ['code', 'label', 'rate', 'exemptCategories']);
  if (obj === undefined) return undefined;
  const code = readString(obj, 'code', path, issues, 64, CODE_PATTERN);
  const label = readString(obj, 'label', path, issues, TARIFF_LIMITS.labelCharsMax);
  const rateMicros = readRate(obj, 'rate', path, issues);
  const rawExempt = readArray(obj, 'exemptCategories', path, issues, 0, CUSTOMER_CATEGORIES.length);
  const exempt = rawExempt?.map((c, i) => checkOneOf(c, `${path}.exemptCategories[${i}]`, issues, CUSTOMER_CATEGORIES));
  if (exempt !== undefined) reportDuplicates(exempt, (i) => `${path}.exemptCategories[${i}]`, issues);
  if (code === undefined || label === undefined || rateMicros === undefined || exempt === undefined) return undefined;
  const exemptCategories = exempt.filter((c) => c !== undefined);
  if (exemptCategories.length !== exempt.length) return undefined;
  return { code, label, rateMicros, exemptCategories };
}

/** Months 1–12 without repeats. */
export function parseMonths(obj: JsonObject, key: string, path: string, issues: Issues): number[] | undefined {
  const raw = readArray(obj, key, path, issues, 0, 12);
  if (raw === undefined) return undefined;
  const months = raw.map((m, i) => checkInteger(m, `${path}.${key}[${i}]`, issues, 1, 12));
  reportDuplicates(months, (i) => `${path}.${key}[${i}]`, issues);
  const valid = months.filter((m) => m !== undefined);
  return valid.length === months.length ? valid : undefined;
}

export function parsePowerFactorBase(obj: JsonObject, path: string, issues: Issues): BillLineKind[] | undefined {
  const raw = readArray(obj, 'powerFactorBase', path, issues, 0, PF_BASE_KINDS.length);
  if (raw === undefined) return undefined;
  const kinds = raw.map((k, i) => checkOneOf(k, `${path}.powerFactorBase[${i}]`, issues, PF_BASE_KINDS));
  reportDuplicates(kinds, (i) => `${path}.powerFactorBase[${i}]`, issues);
  const valid = kinds.filter((k) => k !== undefined);
  return valid.length === kinds.length ? valid : undefined;
}

export function parseTouRatios(obj: JsonObject, path: string, issues: Issues): Record<TouPeriod, number> | undefined {
  const at = `${path}.touRatios`;
  const ratios = readObject(obj.touRatios, at, issues, ['sharp', 'peak', 'flat', 'valley']);
  if (ratios === undefined) return undefined;
  const sharp = readRatioBp(ratios, 'sharp', at, issues);
  const peak = readRatioBp(ratios, 'peak', at, issues);
  const flat = readRatioBp(ratios, 'flat', at, issues);
  const valley = readRatioBp(ratios, 'valley', at, issues);
  if (sharp === undefined || peak === undefined || flat === undefined || valley === undefined) return undefined;
  return { sharp, peak, flat, valley };
}


function versionObject(kind: TariffKind, value: unknown, path: string, issues: Issues): JsonObject | undefined {
  const keys = VERSION_KEYS[kind];
  return readObject(value, path, issues, keys.required, keys.optional);
}

function parseLadder(value: unknown, path: string, issues: Issues): ResidentialLadderVersion | undefined {
  const obj = versionObject('residential-ladder', value, path, issues);
  if (obj === undefined) return undefined;
  const head = parseVersionHead(obj, path, issues);
  const tiers = parseTiers(obj, path, issues);
  if (head === undefined || tiers === undefined) return undefined;
  return { ...head, tiers };
}

function parseTiers(obj: JsonObject, path: string, issues: Issues): LadderTier[] | undefined {
  const raw = readArray(obj, 'tiers', path, issues, 1, TARIFF_LIMITS.tiersMax);
  if (raw === undefined) return undefined;
  let previousUpTo = 0;
  const tiers = raw.map((value, i) => {
    const at = `${path}.tiers[${i}]`;
    const tier = readObject(value, at, issues, ['flat'], ['upToKwh', 'peak', 'valley']);
    if (tier === undefined) return undefined;
    const upToKwh = checkTierBound(tier.upToKwh, `${at}.upToKwh`, i === raw.length - 1, previousUpTo, issues);
    if (typeof upToKwh === 'number') previousUpTo = upToKwh;
    const flatMicros = readRate(tier, 'flat', at, issues);
    const peakMicros = readRate(tier, 'peak', at, issues);
    const valleyMicros = readRate(tier, 'valley', at, issues);
    if ((tier.peak === undefined) !== (tier.valley === undefined)) issues.add(at, 'must give both peak and valley, or neither');
    if (upToKwh === null || flatMicros === undefined) return undefined;
    const bound = upToKwh === undefined ? {} : { upToKwh };
    if (tier.peak === undefined && tier.valley === undefined) return { ...bound, flatMicros };
    if (peakMicros === undefined || valleyMicros === undefined) return undefined;
    return { ...bound, flatMicros, tou: { peakMicros, valleyMicros } };
  });
  const withTou = raw.map((t) => typeof t === 'object' && t !== null && 'peak' in t);
  withTou.forEach((has, i) => {
    if (has !== withTou[0]) issues.add(`${path}.tiers[${i}]`, 'must have peak and valley prices exactly when the first tier has them');
  });
  return tiers.every((t) => t !== undefined) ? tiers : undefined;
}

/** The bound of a tier: a number, undefined for the open last tier, or null when invalid. */
function checkTierBound(
  value: unknown, at: string, last: boolean, previous: number, issues: Issues,
): number | undefined | null {
  if (last) {
    if (value === undefined || value === null) return undefined;
    issues.add(at, 'must be absent on the last tier, which has no upper bound');
    return null;
  }
  if (value === undefined || value === null) {
    issues.add(at, 'is required on every tier but the last');
    return null;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= previous || value > TARIFF_LIMITS.tierKwhMax) {
    issues.add(at, previous === 0
      ? `must be a positive integer up to ${TARIFF_LIMITS.tierKwhMax}`
      : 'must be an integer greater than the previous tier');
    return null;
  }
  return value;
}

function parseFlat(value: unknown, path: string, issues: Issues): FlatVersion | undefined {
  const obj = versionObject('flat', value, path, issues);
  if (obj === undefined) return undefined;
  const head = parseVersionHead(obj, path, issues);
  const raw = readArray(obj, 'rates', path, issues, 1, VOLTAGE_LEVELS.length);
  const rates = raw?.map((r, i): VoltageRate | undefined => {
    const at = `${path}.rates[${i}]`;
    const rate = readObject(r, at, issues, ['voltage', 'rate']);
    if (rate === undefined) return undefined;
    const voltage = readOneOf(rate, 'voltage', at, issues, VOLTAGE_LEVELS);
    const rateMicros = readRate(rate, 'rate', at, issues);
    return voltage === undefined || rateMicros === undefined ? undefined : { voltage, rateMicros };
  });
  if (raw !== undefined) reportDuplicates(rawKeys(raw, 'voltage'), (i) => `${path}.rates[${i}].voltage`, issues);
  if (head === undefined || rates === undefined) return undefined;
  const valid = rates.filter((r) => r !== undefined);
  return valid.length === rates.length ? { ...head, rates: valid } : undefined;
}

function parseComponentTouFields(obj: JsonObject, path: string, issues: Issues): ComponentTouVersion | undefined {
  const head = parseVersionHead(obj, path, issues);
  const components = parseComponents(obj, path, issues);
  const touRatiosBp = parseTouRatios(obj, path, issues);
  const sharpMonths = parseMonths(obj, 'sharpMonths', path, issues);
  const powerFactorBase = parsePowerFactorBase(obj, path, issues);
  if (head === undefined || components === undefined || touRatiosBp === undefined
    || sharpMonths === undefined || powerFactorBase === undefined) return undefined;
  return { ...head, components, touRatiosBp, sharpMonths, powerFactorBase };
}

function parseComponentTou(value: unknown, path: string, issues: Issues): ComponentTouVersion | undefined {
  const obj = versionObject('component-tou', value, path, issues);
  return obj === undefined ? undefined : parseComponentTouFields(obj, path, issues);
}

function parseTwoPart(value: unknown, path: string, issues: Issues): TwoPartVersion | undefined {
  const obj = versionObject('two-part', value, path, issues);
  if (obj === undefined) return undefined;
  const energy = parseComponentTouFields(obj, path, issues);
  const basic = parseBasicTerms(obj.basic, `${path}.basic`, issues);
  return energy === undefined || basic === undefined ? undefined : { ...energy, basic };
}

function parseComponents(obj: JsonObject, path: string, issues: Issues): PriceComponent[] | undefined {
  const raw = readArray(obj, 'components', path, issues, 1, TARIFF_LIMITS.componentsMax);
  if (raw === undefined) return undefined;
  const components = raw.map((value, i): PriceComponent | undefined => {
    const at = `${path}.components[${i}]`;
    const c = readObject(value, at, issues, ['code', 'label', 'rate', 'touApplies']);
    if (c === undefined) return undefined;
    const code = readString(c, 'code', at, issues, 64, CODE_PATTERN);
    const label = readString(c, 'label', at, issues, TARIFF_LIMITS.labelCharsMax);
    const rateMicros = readRate(c, 'rate', at, issues);
    const touApplies = readBoolean(c, 'touApplies', at, issues);
    if (code === undefined || label === undefined || rateMicros === undefined || touApplies === undefined) return undefined;
    return { code, label, rateMicros, touApplies };
  });
  reportDuplicates(rawKeys(raw, 'code'), (i) => `${path}.components[${i}].code`, issues);
  const valid = components.filter((c) => c !== undefined);
  return valid.length === components.length ? valid : undefined;
}

const BASIC_KEYS = [
  'capacityRate', 'demandRate', 'prorationDaysPerMonth', 'demandFloor', 'demandExcessThreshold', 'demandExcessMultiplier',
];

function parseBasicTerms(value: unknown, at: string, issues: Issues): BasicChargeTerms | undefined {
  if (value === undefined) return undefined; // reported as required by the version object
  const obj = readObject(value, at, issues, BASIC_KEYS);
  if (obj === undefined) return undefined;
  const capacityRateMicros = readRate(obj, 'capacityRate', at, issues);
  const demandRateMicros = readRate(obj, 'demandRate', at, issues);
  const prorationDaysPerMonth = readInteger(obj, 'prorationDaysPerMonth', at, issues, 28, 31);
  const demandFloorBp = readRatioBp(obj, 'demandFloor', at, issues);
  const demandExcessThresholdBp = readRatioBp(obj, 'demandExcessThreshold', at, issues);
  const demandExcessMultiplier = readInteger(obj, 'demandExcessMultiplier', at, issues, 1, 10);
  if (demandFloorBp !== undefined && demandFloorBp > 10_000) issues.add(`${at}.demandFloor`, 'must be at most 1');
  if (demandExcessThresholdBp !== undefined && demandExcessThresholdBp < 10_000) {
    issues.add(`${at}.demandExcessThreshold`, 'must be at least 1');
  }
  if (capacityRateMicros === undefined || demandRateMicros === undefined || prorationDaysPerMonth === undefined
    || demandFloorBp === undefined || demandExcessThresholdBp === undefined || demandExcessMultiplier === undefined) {
    return undefined;
  }
  return {
    capacityRateMicros, demandRateMicros, prorationDaysPerMonth, demandFloorBp, demandExcessThresholdBp,
    demandExcessMultiplier,
  };
}

/** One body reader per tariff kind, chosen by parse-tariff's switch. */
export const parseVersionBody = {
  ladder: parseLadder,
  flat: parseFlat,
  componentTou: parseComponentTou,
  twoPart: parseTwoPart,
};
