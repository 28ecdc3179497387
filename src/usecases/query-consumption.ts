// QueryConsumption: the customer's energy by month or by day, for the online business hall's
// chart and the daily view of smart-payment customers.
//
// MONTHLY: the issued bills of the months from..to touch (their kWh and amount): a month that has
// not been billed yet has no figure. DAILY: from the total registers' daily readings (smart
// meters read every day) — the kWh of day D is the measured difference between the readings of D
// and D−1, by the same rules as a bill (multiplier, rollover; see domain/consumption.ts), summed
// over the customer's meters. A day without both readings has no figure. Days are China
// Standard Time dates, as the readings are.

import { addDays, daysBetween, isIsoDate, monthOf } from '../domain/dates.ts';
import { DEFAULT_CONSUMPTION_PARAMS, measureSegment } from '../domain/consumption.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { issuedBillsBetween, totalReadingsBetween, type TotalReadingRow } from '../store/customer-view.repository.ts';
import type { Store } from '../store/database.ts';
import { openSession } from './customer-session.ts';

export type Granularity = 'MONTHLY' | 'DAILY';

export interface ConsumptionQuery {
  readonly sessionToken: string;
  readonly granularity: Granularity;
  readonly from: string;
  readonly to: string;
  readonly now: string;
}

export interface MonthUsage {
  readonly period: string;
  readonly kwh: number;
  readonly amountFen: number;
}

export interface DayUsage {
  readonly date: string;
  readonly kwh: number;
}

export interface ConsumptionAnswer {
  readonly months: readonly MonthUsage[];
  readonly days: readonly DayUsage[];
  readonly totalKwh: number;
}

function monthsBetween(fromMonth: string, toMonth: string): number {
  const [fy, fm] = fromMonth.split('-').map(Number) as [number, number];
  const [ty, tm] = toMonth.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

function checkRange(query: ConsumptionQuery): void {
  if (!isIsoDate(query.from) || !isIsoDate(query.to)) throw new GridbillError('VALIDATION_FAILED', 'from and to: YYYY-MM-DD');
  if (query.from > query.to) throw new GridbillError('RANGE_INVALID', 'from is after to');
  if (query.granularity === 'DAILY' && daysBetween(query.from, query.to) + 1 > LIMITS.consumptionDaysMax) {
    throw new GridbillError('RANGE_INVALID', `at most ${LIMITS.consumptionDaysMax} days`);
  }
  if (query.granularity === 'MONTHLY' && monthsBetween(monthOf(query.from), monthOf(query.to)) > LIMITS.consumptionMonthsMax) {
    throw new GridbillError('RANGE_INVALID', `at most ${LIMITS.consumptionMonthsMax} months`);
  }
}

/** kWh per date from consecutive-day readings of each meter's total register. */
export function dailyKwh(readings: readonly TotalReadingRow[], from: string): Map<string, number> {
  const byDate = new Map<string, number>();
  for (let i = 1; i < readings.length; i++) {
    const start = readings[i - 1]!;
    const end = readings[i]!;
    if (end.meter_id !== start.meter_id || addDays(start.read_on, 1) !== end.read_on || end.read_on < from) continue;
    const measured = measureSegment({
      meterNo: String(end.meter_id), register: { kind: 'total', digits: end.digits, rolloverAllowed: end.rollover_allowed === 1 },
      ctRatio: end.ct_ratio, ptRatio: end.pt_ratio,
      start: { valueHundredths: start.value_hundredths, estimated: false }, end: { valueHundredths: end.value_hundredths, estimated: false },
    }, DEFAULT_CONSUMPTION_PARAMS);
    if (measured.kind !== 'measured') continue;
    byDate.set(end.read_on, (byDate.get(end.read_on) ?? 0) + measured.quantity);
  }
  return byDate;
}

export async function queryConsumption(store: Store, query: ConsumptionQuery): Promise<ConsumptionAnswer> {
  checkRange(query);
  const session = await openSession(store, query.sessionToken, query.now);
  if (query.granularity === 'MONTHLY') {
    const bills = await issuedBillsBetween(store, session.customerId, monthOf(query.from), monthOf(query.to));
    const months = bills.map((b) => ({ period: b.period, kwh: Number(b.energy_kwh), amountFen: Number(b.amount_fen) }))
      .sort((a, b) => (a.period < b.period ? -1 : 1));
    return { months, days: [], totalKwh: months.reduce((sum, m) => sum + m.kwh, 0) };
  }
  const readings = await totalReadingsBetween(store, session.customerId, addDays(query.from, -1), query.to);
  const days = [...dailyKwh(readings.map((r) => ({ ...r, value_hundredths: Number(r.value_hundredths) })), query.from)]
    .map(([date, kwh]) => ({ date, kwh })).sort((a, b) => (a.date < b.date ? -1 : 1));
  return { months: [], days, totalKwh: days.reduce((sum, d) => sum + d.kwh, 0) };
}
