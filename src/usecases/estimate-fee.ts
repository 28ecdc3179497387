// EstimateFee: what a month's electricity would cost the customer — for a kWh figure the customer
// gives, or (without one) for the consumption projected from their history — priced by the same
// domain code as a bill (price-bill.ts), with the customer's ladder position this year.
//
// Projection: the same month last year if it was billed (electricity use is seasonal), otherwise
// the mean of the latest up to three billed months of the past year; no history at all is
// ESTIMATE_UNAVAILABLE. Ladder position: the kWh of the issued bills of this ladder year before the
// period. Time-of-use customers' kWh are split in the proportions of their latest bill's TOU
// lines (peak/valley in halves, or all flat, when there is none). Left out, because they cannot be
// known in advance: the power-factor adjustment (no reactive energy) and a demand above contract.
//
// tier / kwhLeftInTier (ladder tariffs only): the tier the next kWh after the estimated month
// falls in, and the kWh left before the next threshold (absent in the open last tier). With kwh 0
// this is where the customer stands now, which is what the business hall shows.

import { addMonths, daysBetween, isIsoMonth, monthStart, nextMonthStart } from '../domain/dates.ts';
import type { BillLine } from '../domain/bill-line.ts';
import { apportion } from '../domain/tariffs/apportion.ts';
import { priceBill } from '../domain/tariffs/price-bill.ts';
import { ladderYearStart } from '../domain/tariffs/residential-ladder.ts';
import type { AccountFacts, Tariff } from '../domain/tariffs/tariff.ts';
import { TOU_PERIODS, type PeriodUsage, type TouPeriod } from '../domain/usage.ts';
import { GridbillError } from '../errors.ts';
import { findAccountByCustomer, findCustomerByNo } from '../store/customer.repository.ts';
import type { CustomerRow } from '../store/customer.table.ts';
import { issuedBillsBetween, issuedKwhBetween, linesOfBills, type CustomerBillRow } from '../store/customer-view.repository.ts';
import type { Store } from '../store/database.ts';
import { listTariffVersions } from '../store/tariff.repository.ts';
import { openSession } from './customer-session.ts';
import { tariffOfRows } from './load-tariffs.ts';

export interface FeeEstimateRequest {
  readonly sessionToken: string;
  readonly period: string;
  readonly kwh?: number;
  readonly now: string;
}

export interface FeeEstimate {
  readonly period: string;
  readonly basis: 'GIVEN' | 'PROJECTED';
  readonly kwh: number;
  readonly amountFen: number;
  readonly tier: number | undefined;
  readonly kwhLeftInTier: number | undefined;
  readonly lines: readonly BillLine[];
}

const PROJECTION_MONTHS = 3;
const KWH_MAX = 999_999_999_999;

function projectedKwh(history: readonly CustomerBillRow[], period: string): number {
  const sameMonth = history.find((b) => b.period === addMonths(period, -12));
  if (sameMonth !== undefined) return Number(sameMonth.energy_kwh);
  const latest = history.slice(0, PROJECTION_MONTHS);
  if (latest.length === 0) throw new GridbillError('ESTIMATE_UNAVAILABLE');
  const total = latest.reduce((sum, b) => sum + Number(b.energy_kwh), 0);
  return Math.floor((2 * total + latest.length) / (2 * latest.length)); // half up
}

async function touSplit(store: Store, tariff: Tariff, latest: CustomerBillRow | undefined, kwh: number): Promise<Record<TouPeriod, number>> {
  const weights: Record<TouPeriod, number> = { sharp: 0, peak: 0, flat: 0, valley: 0 };
  for (const line of latest === undefined ? [] : await linesOfBills(store, [latest.id])) {
    const period = /\.(sharp|peak|flat|valley)$/.exec(line.code)?.[1] as TouPeriod | undefined;
    if (line.kind === 'energy' && period !== undefined && /^\d+$/.test(line.quantity)) weights[period] += Number(line.quantity);
  }
  if (TOU_PERIODS.every((p) => weights[p] === 0)) {
    if (tariff.kind === 'residential-ladder') Object.assign(weights, { peak: 1, valley: 1 });
    else weights.flat = 1;
  }
  const parts = apportion(kwh, TOU_PERIODS.map((p) => weights[p]));
  return Object.fromEntries(TOU_PERIODS.map((p, i) => [p, parts[i] ?? 0])) as Record<TouPeriod, number>;
}

function accountFacts(customer: CustomerRow, yearStartMonth: number, kwhBeforePeriod: number): AccountFacts {
  const capacityKva = customer.capacity_kva;
  const basic = customer.basic_basis === null || capacityKva === null ? undefined
    : customer.basic_basis === 'contract-demand' && customer.contract_demand_kw !== null
      ? { basis: 'contract-demand' as const, capacityKva, contractDemandKw: customer.contract_demand_kw }
      : { basis: customer.basic_basis === 'actual-demand' ? 'actual-demand' as const : 'capacity' as const, capacityKva };
  return {
    category: customer.category, voltage: customer.voltage, basic, timeOfUse: customer.time_of_use === 1,
    ladder: { households: customer.households, yearStartMonth, kwhBeforePeriod },
  };
}

/** The tier the next kWh falls in and the kWh left in it, for a ladder tariff. */
function ladderPosition(tariff: Tariff, period: string, households: number, position: number): { tier?: number; left?: number } {
  if (tariff.kind !== 'residential-ladder') return {};
  const lastDay = nextMonthStart(period);
  const version = tariff.versions.filter((v) => v.effectiveFrom < lastDay).at(-1);
  if (version === undefined) return {};
  const index = version.tiers.findIndex((t) => t.upToKwh === undefined || t.upToKwh * households > position);
  const tier = version.tiers[index];
  if (tier === undefined) return {};
  return { tier: index + 1, left: tier.upToKwh === undefined ? undefined : tier.upToKwh * households - position };
}

async function customerTariff(store: Store, code: string): Promise<Tariff> {
  const rows = await listTariffVersions(store, code);
  if (rows.length === 0) throw new GridbillError('TARIFF_NOT_FOUND', code);
  return tariffOfRows(code, rows);
}

export async function estimateFee(store: Store, request: FeeEstimateRequest): Promise<FeeEstimate> {
  if (!isIsoMonth(request.period)) throw new GridbillError('VALIDATION_FAILED', 'period: YYYY-MM');
  if (request.kwh !== undefined && (!Number.isSafeInteger(request.kwh) || request.kwh < 0 || request.kwh > KWH_MAX)) {
    throw new GridbillError('VALIDATION_FAILED', 'kwh: a whole number of kWh');
  }
  const session = await openSession(store, request.sessionToken, request.now);
  const customer = await findCustomerByNo(store, session.customerNo);
  if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', session.customerNo);
  const yearStartMonth = (await findAccountByCustomer(store, customer.id))?.ladder_year_start_month ?? 1;
  const tariff = await customerTariff(store, customer.tariff_code);
  const history = await issuedBillsBetween(store, customer.id, addMonths(request.period, -12), addMonths(request.period, -1));
  const kwh = request.kwh ?? projectedKwh(history, request.period);
  const kwhBefore = await issuedKwhBetween(store, customer.id, ladderYearStart(request.period, yearStartMonth), request.period);
  const usage: PeriodUsage = customer.time_of_use === 1 ? { totalKwh: kwh, touKwh: await touSplit(store, tariff, history[0], kwh) } : { totalKwh: kwh };
  const from = monthStart(request.period);
  const to = nextMonthStart(request.period);
  const priced = priceBill({
    tariff, account: accountFacts(customer, yearStartMonth, kwhBefore), period: { month: request.period, from, to },
    runningDays: daysBetween(from, to), usage: customer.contract_demand_kw === null ? usage : { ...usage, maxDemandKw: customer.contract_demand_kw },
  });
  if (!priced.ok) {
    throw new GridbillError(priced.error.code === 'tariff-not-in-force' ? 'TARIFF_NOT_FOUND' : 'ESTIMATE_UNAVAILABLE', priced.error.message);
  }
  const position = ladderPosition(tariff, request.period, customer.households, kwhBefore + kwh);
  return {
    period: request.period, basis: request.kwh === undefined ? 'PROJECTED' : 'GIVEN', kwh, amountFen: priced.value.totalFen,
    tier: position.tier, kwhLeftInTier: position.left, lines: priced.value.lines,
  };
}
