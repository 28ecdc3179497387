// Smart-payment estimation (电费测算): what a period's consumption of a prepaid account costs,
// deducted from its balance before the monthly bill settles the exact amount.
//
// The estimate is priced with a per-kWh schedule taken from the tariff version in force: for a
// ladder tariff one band per tier (the account's ladder-year position decides where the kWh
// fall), otherwise one band. A band's rate is the energy price plus the government funds the
// customer's category pays. What cannot be known at estimation time is left to the settlement:
// the TOU split of a residential TOU customer is the segment's configured peak share (not the
// registers), an industrial customer is priced at the flat period's price (ratio 100 %), there is
// no power-factor adjustment, and a two-part customer's basic charge is added per slot only on
// the capacity basis (demand is known at month end). Each band part is rounded half up once.

import { addDays } from './dates.ts';
import { charge, type Fen, type RateMicros } from './money.ts';
import type { AccountFacts, ComponentTouVersion, Fund, Tariff, TariffVersion } from './tariffs/tariff.ts';

export type EstimationAlgorithm = 'register-delta' | 'interval-sum' | 'average-when-missing';
export const ESTIMATION_ALGORITHMS: readonly EstimationAlgorithm[] = ['register-delta', 'interval-sum', 'average-when-missing'];
/** What to do when the algorithm's data is missing: estimate from average use, or skip the account. */
export type EstimationFallback = 'average-when-missing' | 'none';
export const ESTIMATION_FALLBACKS: readonly EstimationFallback[] = ['average-when-missing', 'none'];

export type NoticeLevel = 'alarm-1' | 'alarm-2' | 'cutoff';
export type ControlCommandKind = 'DISCONNECT' | 'RECONNECT';
export type ControlCommandStatus = 'PENDING_APPROVAL' | 'APPROVED' | 'HELD' | 'SENT' | 'DONE' | 'FAILED' | 'CANCELLED';
export const CONTROL_COMMAND_STATUSES: readonly ControlCommandStatus[] = ['PENDING_APPROVAL', 'APPROVED', 'HELD', 'SENT', 'DONE', 'FAILED', 'CANCELLED'];

/** Runs a day may be split into: the slots must tile the 24 hours. */
export const RUNS_PER_DAY_ALLOWED: readonly number[] = [1, 2, 3, 4, 6, 8, 12, 24];

export interface SegmentSettings {
  readonly segment: string;
  readonly algorithm: EstimationAlgorithm;
  readonly fallback: EstimationFallback;
  readonly runsPerDay: number;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly averageMonths: number;
  readonly peakShareBp: number;
  readonly alarm1Fen: Fen;
  readonly alarm2Fen: Fen;
  readonly graceHours: number;
  readonly cutoffFrom: string;
  readonly cutoffTo: string;
}

const HH_MM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Every problem of a segment's settings, as `field: problem`; empty when they are usable. */
export function settingsProblems(s: SegmentSettings): string[] {
  const problems: string[] = [];
  if (!ESTIMATION_ALGORITHMS.includes(s.algorithm)) problems.push(`algorithm: one of ${ESTIMATION_ALGORITHMS.join(', ')}`);
  if (!ESTIMATION_FALLBACKS.includes(s.fallback)) problems.push(`fallback: one of ${ESTIMATION_FALLBACKS.join(', ')}`);
  if (!RUNS_PER_DAY_ALLOWED.includes(s.runsPerDay)) problems.push(`runsPerDay: one of ${RUNS_PER_DAY_ALLOWED.join(', ')}`);
  if (s.algorithm === 'register-delta' && s.runsPerDay !== 1) problems.push('runsPerDay: register-delta reads one reading a day, so 1');
  for (const [name, value] of [['windowStart', s.windowStart], ['windowEnd', s.windowEnd], ['cutoffFrom', s.cutoffFrom], ['cutoffTo', s.cutoffTo]] as const) {
    if (!HH_MM.test(value)) problems.push(`${name}: HH:MM`);
  }
  if (s.windowStart >= s.windowEnd) problems.push('windowEnd: after windowStart');
  if (s.cutoffFrom >= s.cutoffTo) problems.push('cutoffTo: after cutoffFrom');
  if (!Number.isInteger(s.averageMonths) || s.averageMonths < 1 || s.averageMonths > 12) problems.push('averageMonths: 1 to 12');
  if (!Number.isInteger(s.peakShareBp) || s.peakShareBp < 0 || s.peakShareBp > 10_000) problems.push('peakShareBp: 0 to 10000');
  if (!Number.isSafeInteger(s.alarm1Fen) || !Number.isSafeInteger(s.alarm2Fen) || s.alarm2Fen < 0 || s.alarm1Fen <= s.alarm2Fen) {
    problems.push('alarm1Fen, alarm2Fen: alarm1 above alarm2, both at least 0');
  }
  if (!Number.isInteger(s.graceHours) || s.graceHours < 0 || s.graceHours > 24 * 60) problems.push('graceHours: 0 to 1440');
  return problems;
}

// ── Periods ────────────────────────────────────────────────────────────────────────────────────

export interface EstimationPeriod {
  readonly date: string;
  /** 1-based slot of the day. */
  readonly slot: number;
  readonly runsPerDay: number;
  readonly startHour: number;
  readonly endHour: number;
  /** The idempotency key: one estimate per account and key. */
  readonly key: string;
}

export function estimationPeriod(date: string, runsPerDay: number, slot: number): EstimationPeriod {
  if (!RUNS_PER_DAY_ALLOWED.includes(runsPerDay)) throw new RangeError(`runs per day ${runsPerDay}`);
  if (!Number.isInteger(slot) || slot < 1 || slot > runsPerDay) throw new RangeError(`slot ${slot} of ${runsPerDay}`);
  const hours = 24 / runsPerDay;
  const startHour = (slot - 1) * hours;
  const key = runsPerDay === 1 ? date : `${date}T${String(startHour).padStart(2, '0')}`;
  return { date, slot, runsPerDay, startHour, endHour: startHour + hours, key };
}

/** The UTC instants [from, to) of a period, for a business offset in minutes. */
export function periodInstants(period: EstimationPeriod, offsetMinutes: number): { readonly from: string; readonly to: string } {
  const at = (hour: number): string => {
    const day = hour >= 24 ? addDays(period.date, 1) : period.date;
    const base = Date.parse(`${day}T00:00:00.000Z`) + ((hour % 24) * 60 - offsetMinutes) * 60_000;
    return new Date(base).toISOString();
  };
  return { from: at(period.startHour), to: at(period.endHour) };
}

// ── Choosing the kWh ───────────────────────────────────────────────────────────────────────────

export interface EstimatedUsage {
  readonly kwh: number;
  readonly algorithm: EstimationAlgorithm;
  /** True when the figure is an average, not a measurement. */
  readonly estimated: boolean;
}

/**
 * The switch between algorithms: the configured one when its data is there; otherwise the
 * average daily use (shared over the day's slots, half up) when the fallback allows it; otherwise
 * nothing, and the account is skipped for this period.
 */
export function chooseUsage(
  settings: Pick<SegmentSettings, 'algorithm' | 'fallback' | 'runsPerDay'>, measuredKwh: number | undefined, averageDailyKwh: number | undefined,
): EstimatedUsage | undefined {
  if (settings.algorithm !== 'average-when-missing' && measuredKwh !== undefined) {
    return { kwh: measuredKwh, algorithm: settings.algorithm, estimated: false };
  }
  if (settings.algorithm !== 'average-when-missing' && settings.fallback === 'none') return undefined;
  if (averageDailyKwh === undefined) return undefined;
  const kwh = Math.floor((2 * averageDailyKwh + settings.runsPerDay) / (2 * settings.runsPerDay));
  return { kwh, algorithm: 'average-when-missing', estimated: true };
}

/** Average daily kWh of billed months (half up), or undefined without any. */
export function averageDailyKwh(months: ReadonlyArray<{ readonly kwh: number; readonly days: number }>): number | undefined {
  const days = months.reduce((n, m) => n + m.days, 0);
  if (days === 0) return undefined;
  const kwh = months.reduce((n, m) => n + m.kwh, 0);
  return Math.floor((2 * kwh + days) / (2 * days));
}

// ── Pricing ────────────────────────────────────────────────────────────────────────────────────

export interface PriceBand {
  /** Inclusive upper bound of the ladder-year kWh, households applied; undefined: open. */
  readonly upToKwh: number | undefined;
  readonly rateMicros: RateMicros;
}

export interface EstimationSchedule {
  readonly bands: readonly PriceBand[];
  /** Fixed charge per day (two-part capacity basis), before the split over the day's slots. */
  readonly dailyFixedFen: Fen;
}

export type ScheduleResult = { readonly ok: true; readonly value: EstimationSchedule } | { readonly ok: false; readonly reason: string };

function versionOn<V extends TariffVersion>(versions: readonly V[], date: string): V | undefined {
  let found: V | undefined;
  for (const v of versions) {
    if (v.effectiveFrom <= date && (v.effectiveTo === undefined || date < v.effectiveTo)) found = v;
  }
  return found;
}

function fundsMicros(funds: readonly Fund[], facts: AccountFacts): number {
  return funds.filter((f) => !f.exemptCategories.includes(facts.category)).reduce((n, f) => n + f.rateMicros, 0);
}

function blend(peakMicros: number, valleyMicros: number, peakShareBp: number): number {
  return Math.floor(((peakMicros * peakShareBp) + valleyMicros * (10_000 - peakShareBp) + 5_000) / 10_000);
}

/** The per-kWh price schedule of an account on a date; see the header for what it leaves out. */
export function estimationSchedule(tariff: Tariff, facts: AccountFacts, date: string, peakShareBp: number): ScheduleResult {
  switch (tariff.kind) {
    case 'residential-ladder': {
      const v = versionOn(tariff.versions, date);
      if (v === undefined) return { ok: false, reason: `no version of ${tariff.code} on ${date}` };
      const households = facts.ladder?.households ?? 1;
      const funds = fundsMicros(v.funds, facts);
      const bands = v.tiers.map((tier) => ({
        upToKwh: tier.upToKwh === undefined ? undefined : tier.upToKwh * households,
        rateMicros: funds + (facts.timeOfUse === true && tier.tou ? blend(tier.tou.peakMicros, tier.tou.valleyMicros, peakShareBp) : tier.flatMicros),
      }));
      return { ok: true, value: { bands, dailyFixedFen: 0 } };
    }
    case 'flat': {
      const v = versionOn(tariff.versions, date);
      const rate = v?.rates.find((r) => r.voltage === facts.voltage);
      if (v === undefined || rate === undefined) return { ok: false, reason: `no ${facts.voltage ?? 'voltage'} price of ${tariff.code} on ${date}` };
      return { ok: true, value: { bands: [{ upToKwh: undefined, rateMicros: rate.rateMicros + fundsMicros(v.funds, facts) }], dailyFixedFen: 0 } };
    }
    case 'component-tou':
      return componentSchedule(versionOn(tariff.versions, date), facts, 0, `${tariff.code} on ${date}`);
    case 'two-part': {
      const v = versionOn(tariff.versions, date);
      // A day of the monthly capacity charge, half up; the demand bases are known at month end only.
      const days = v?.basic.prorationDaysPerMonth ?? 1;
      const basic = v !== undefined && facts.basic?.basis === 'capacity'
        ? Math.floor((2 * charge(facts.basic.capacityKva, v.basic.capacityRateMicros) + days) / (2 * days)) : 0;
      return componentSchedule(v, facts, basic, `${tariff.code} on ${date}`);
    }
  }
}

function componentSchedule(v: ComponentTouVersion | undefined, facts: AccountFacts, dailyFixedFen: Fen, what: string): ScheduleResult {
  if (v === undefined) return { ok: false, reason: `no version of ${what}` };
  const energy = v.components.reduce((n, c) => n + c.rateMicros, 0);
  return { ok: true, value: { bands: [{ upToKwh: undefined, rateMicros: energy + fundsMicros(v.funds, facts) }], dailyFixedFen } };
}

/**
 * The charge of `kwh` following `positionKwh` ladder-year kWh, plus the slot's share of the
 * daily fixed charge (half up). Each band's part is rounded once.
 */
export function priceEstimate(schedule: EstimationSchedule, positionKwh: number, kwh: number, runsPerDay: number): Fen {
  let total = 0;
  let lower = 0;
  const end = positionKwh + kwh;
  for (const band of schedule.bands) {
    const upper = band.upToKwh ?? Number.POSITIVE_INFINITY;
    const part = Math.max(0, Math.min(end, upper) - Math.max(positionKwh, lower));
    if (part > 0) total += charge(part, band.rateMicros);
    lower = upper;
  }
  const fixed = schedule.dailyFixedFen === 0 ? 0 : Math.floor((2 * schedule.dailyFixedFen + runsPerDay) / (2 * runsPerDay));
  return total + fixed;
}

/**
 * The ladder-year kWh before a period: per month of the ladder year before the period's month,
 * the issued bill's kWh when there is one, else that month's estimates; then this month's
 * estimates so far.
 */
export function ladderPosition(
  months: readonly string[], billedKwh: ReadonlyMap<string, number>, estimatedKwh: ReadonlyMap<string, number>, currentMonth: string,
): number {
  let position = 0;
  for (const month of months) {
    if (month >= currentMonth) continue;
    position += billedKwh.get(month) ?? estimatedKwh.get(month) ?? 0;
  }
  return position + (estimatedKwh.get(currentMonth) ?? 0);
}
