// One customer's bill for one period, from the rows the bill run loaded: register segments →
// consumption → pricing → verification. No I/O here: the run loads and saves in batches.

import { addMonths, daysBetween, compareDates } from '../domain/dates.ts';
import type { BillLine } from '../domain/bill-line.ts';
import {
  computePeriodUsage, multiplierOf, type ConsumptionParams, type MeterReading, type RegisterSegment,
} from '../domain/consumption.ts';
import { parseScaled } from '../domain/money.ts';
import { ladderYearStart } from '../domain/tariffs/residential-ladder.ts';
import { priceBill } from '../domain/tariffs/price-bill.ts';
import type { AccountFacts, Tariff } from '../domain/tariffs/tariff.ts';
import type { BillingPeriod, PeriodUsage } from '../domain/usage.ts';
import { verifyBill } from '../domain/verification/verify-bill.ts';
import type { VerificationParams } from '../domain/verification/input.ts';
import type { RegisterRow } from '../store/meter.table.ts';
import type {
  BillingAccount, BillingCustomer, BillingMeter, BillingReading, HistoryBill,
} from '../store/billing-batch.repository.ts';

export interface BillingRules {
  readonly period: BillingPeriod;
  readonly tariffs: ReadonlyMap<string, Tariff>;
  readonly consumption: ConsumptionParams;
  readonly verification: VerificationParams;
}

export interface CustomerData {
  readonly customer: BillingCustomer;
  readonly account: BillingAccount | undefined;
  readonly meters: readonly BillingMeter[];
  readonly registers: ReadonlyMap<number, readonly RegisterRow[]>;
  readonly readings: ReadonlyMap<number, readonly BillingReading[]>;
  readonly bills: readonly HistoryBill[];
}

export interface Finding {
  /** Stable code: VER_* (verification), PRICE_* (pricing). */
  readonly rule: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface DraftBill {
  readonly billNo: string;
  readonly energyKwh: number;
  readonly amountFen: number;
  readonly tariffCode: string;
  readonly multiplier: number | null;
  readonly estimated: boolean;
  readonly estimatedStreak: number;
  readonly lines: readonly BillLine[];
}

export type CustomerOutcome =
  | { readonly kind: 'already-issued' }
  /** No meter was connected during the period: nothing to bill, nothing to review. */
  | { readonly kind: 'not-connected' }
  | { readonly kind: 'billed'; readonly bill: DraftBill; readonly findings: readonly Finding[] }
  | { readonly kind: 'held'; readonly findings: readonly Finding[] };

export function billNumber(period: string, customerNo: string): string {
  return `${period.replace('-', '')}${customerNo}`;
}

/** Meters connected at some time during [from, to). */
function activeMeters(meters: readonly BillingMeter[], period: BillingPeriod): BillingMeter[] {
  return meters.filter((m) => compareDates(m.installed_on, period.to) < 0
    && (m.removed_on === null || compareDates(m.removed_on, period.from) >= 0));
}

function toReading(row: BillingReading | undefined): MeterReading | null {
  return row ? { valueHundredths: row[2], estimated: row[3] === 'estimated' } : null;
}

/** Start: the installation reading when installed in the period, else the last reading before it. */
function startReading(readings: readonly BillingReading[], meter: BillingMeter, period: BillingPeriod): BillingReading | undefined {
  if (compareDates(meter.installed_on, period.from) >= 0) return readings.find((r) => r[1] === meter.installed_on);
  return readings.findLast((r) => compareDates(r[1], period.from) < 0);
}

/** End: the removal reading when removed in the period, else the last reading inside it. */
function endReading(readings: readonly BillingReading[], meter: BillingMeter, period: BillingPeriod): BillingReading | undefined {
  if (meter.removed_on !== null && compareDates(meter.removed_on, period.to) < 0) return readings.find((r) => r[1] === meter.removed_on);
  return readings.findLast((r) => compareDates(r[1], period.from) >= 0 && compareDates(r[1], period.to) < 0);
}

interface Segments {
  readonly segments: RegisterSegment[];
  readonly estimated: boolean;
}

function buildSegments(data: CustomerData, meters: readonly BillingMeter[], period: BillingPeriod): Segments {
  const segments: RegisterSegment[] = [];
  let estimated = false;
  for (const meter of meters) {
    for (const register of data.registers.get(meter.id) ?? []) {
      const readings = data.readings.get(register.id) ?? [];
      const start = toReading(startReading(readings, meter, period));
      const end = toReading(endReading(readings, meter, period));
      estimated ||= Boolean(start?.estimated || end?.estimated);
      segments.push({
        meterNo: meter.meter_no,
        register: { kind: register.kind, digits: register.digits, rolloverAllowed: register.rollover_allowed === 1 },
        ctRatio: meter.ct_ratio, ptRatio: meter.pt_ratio, start, end,
      });
    }
  }
  return { segments, estimated };
}

function accountFacts(customer: BillingCustomer, account: BillingAccount | undefined, kwhBeforePeriod: number): AccountFacts {
  const basic = customer.basic_basis === null || customer.capacity_kva === null ? undefined
    : customer.basic_basis === 'contract-demand' && customer.contract_demand_kw !== null
      ? { basis: 'contract-demand' as const, capacityKva: customer.capacity_kva, contractDemandKw: customer.contract_demand_kw }
      : { basis: customer.basic_basis === 'actual-demand' ? 'actual-demand' as const : 'capacity' as const, capacityKva: customer.capacity_kva };
  return {
    category: customer.category,
    voltage: customer.voltage,
    ladder: { households: customer.households, yearStartMonth: account?.ladder_year_start_month ?? 1, kwhBeforePeriod },
    timeOfUse: customer.time_of_use === 1,
    basic,
    powerFactorStandard: customer.pf_standard ?? undefined,
  };
}

/** kWh of issued bills in this ladder year before the period. */
function ladderKwhBefore(bills: readonly HistoryBill[], period: string, yearStartMonth: number): number {
  const yearStart = ladderYearStart(period, yearStartMonth);
  return bills.filter((b) => b.status === 'issued' && b.period >= yearStart && b.period < period)
    .reduce((sum, b) => sum + b.energy_kwh, 0);
}

function runningDays(meters: readonly BillingMeter[], period: BillingPeriod): number {
  const from = meters.map((m) => m.installed_on).reduce((a, b) => (a < b ? a : b), period.to);
  const start = compareDates(from, period.from) > 0 ? from : period.from;
  const removed = meters.every((m) => m.removed_on !== null && compareDates(m.removed_on, period.to) < 0);
  const end = removed ? meters.map((m) => m.removed_on!).reduce((a, b) => (a > b ? a : b)) : period.to;
  return Math.max(0, Math.min(daysBetween(start, end) + (removed ? 1 : 0), daysBetween(period.from, period.to)));
}

function pricingFinding(code: string, message: string): Finding {
  return { rule: `PRICE_${code.toUpperCase().replace(/-/g, '_')}`, detail: { message } };
}

function findingOf(exception: { readonly kind: string; readonly rule: string }): Finding {
  const { kind: _kind, rule, ...detail } = exception;
  return { rule, detail };
}

export function billCustomer(data: CustomerData, rules: BillingRules): CustomerOutcome {
  const { customer, bills } = data;
  const { period } = rules;
  if (bills.some((b) => b.period === period.month && b.status === 'issued')) return { kind: 'already-issued' };
  const meters = activeMeters(data.meters, period);
  if (meters.length === 0) return { kind: 'not-connected' };
  const { segments, estimated } = buildSegments(data, meters, period);
  const consumption = computePeriodUsage(segments, [], rules.consumption);
  const usage: PeriodUsage | null = consumption.ok ? consumption.usage : null;
  const previous = bills.find((b) => b.period === addMonths(period.month, -1) && b.status === 'issued');
  const lastYear = bills.find((b) => b.period === addMonths(period.month, -12) && b.status === 'issued');
  const lastMeter = meters[meters.length - 1];
  const multiplier = lastMeter ? multiplierOf(lastMeter.ct_ratio, lastMeter.pt_ratio) : null;
  const tariff = rules.tariffs.get(customer.tariff_code);
  const findings: Finding[] = [];
  let priced: { lines: readonly BillLine[]; totalFen: number } | null = null;
  if (usage && !tariff) findings.push(pricingFinding('tariff-not-found', `no tariff ${customer.tariff_code} is loaded`));
  if (usage && tariff) {
    const facts = accountFacts(customer, data.account, ladderKwhBefore(bills, period.month, data.account?.ladder_year_start_month ?? 1));
    const result = priceBill({ tariff, account: facts, period, runningDays: runningDays(meters, period), usage });
    if (result.ok) priced = result.value;
    else findings.push(pricingFinding(result.error.code, result.error.message));
  }
  const pfLine = priced?.lines.find((l) => l.kind === 'power-factor');
  const exchanged = meters.find((m) => compareDates(m.installed_on, period.from) >= 0 && meters.length > 1);
  // The first installation of any of the customer's meters is the connection date.
  const connectedOn = data.meters.map((m) => m.installed_on).reduce((a, b) => (a < b ? a : b));
  const exceptions = verifyBill({
    period, meterActive: true, segments, usage,
    previousMonthKwh: previous?.energy_kwh ?? null, sameMonthLastYearKwh: lastYear?.energy_kwh ?? null,
    previousMultiplier: previous?.multiplier ?? null, previousTariffCode: previous?.tariff_code ?? null,
    tariffCodes: [customer.tariff_code], connectedOn, meterExchangedOn: exchanged?.installed_on ?? null,
    powerFactorHundredths: pfLine && pfLine.kind === 'power-factor' ? Number(parseScaled(pfLine.powerFactor, 2)) : null,
    contractDemandKw: customer.contract_demand_kw, previousEstimatedPeriodsInRow: previous?.estimated_streak ?? 0,
    billTotalFen: priced?.totalFen ?? null,
  }, rules.verification);
  findings.push(...exceptions.map(findingOf));
  if (!priced || !usage) return { kind: 'held', findings };
  return {
    kind: 'billed',
    findings,
    bill: {
      billNo: billNumber(period.month, customer.customer_no), energyKwh: usage.totalKwh, amountFen: priced.totalFen,
      tariffCode: customer.tariff_code, multiplier, estimated,
      estimatedStreak: estimated ? (previous?.estimated_streak ?? 0) + 1 : 0, lines: priced.lines,
    },
  };
}
