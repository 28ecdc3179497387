// Shared by the tariff tests: load a fixture tariff, build a calendar-month period, price or fail.

import { readFileSync } from 'node:fs';
import { daysBetween, monthStart, nextMonthStart, type IsoMonth } from '../../../src/domain/dates.ts';
import { formatTariffIssues, parseTariff } from '../../../src/domain/tariffs/parse-tariff.ts';
import { priceBill, type PriceBillInput, type PricedBill } from '../../../src/domain/tariffs/price-bill.ts';
import type { PricingError, Tariff } from '../../../src/domain/tariffs/tariff.ts';
import type { BillingPeriod } from '../../../src/domain/usage.ts';

const FIXTURES = new URL('../../../fixtures/tariffs/', import.meta.url);

export function readFixture(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as unknown;
}

export function loadTariff(file: string): Tariff {
  const parsed = parseTariff(readFixture(file));
  if (!parsed.ok) throw new Error(`${file}:\n${formatTariffIssues(parsed.error)}`);
  return parsed.value;
}

export function monthPeriod(month: IsoMonth): BillingPeriod {
  return { month, from: monthStart(month), to: nextMonthStart(month) };
}

export function mustPrice(input: PriceBillInput): PricedBill {
  const result = priceBill(input);
  if (!result.ok) throw new Error(`expected a bill, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export function mustFail(input: PriceBillInput): PricingError {
  const result = priceBill(input);
  if (result.ok) throw new Error(`expected an error, got a bill of ${result.value.totalFen} fen`);
  return result.error;
}

/** code → amountFen, for compact assertions (codes are unique within an unsplit bill). */
export function amountsByCode(bill: PricedBill): Record<string, number> {
  return Object.fromEntries(bill.lines.map((l) => [l.code, l.amountFen]));
}

/** code → quantity. */
export function quantitiesByCode(bill: PricedBill): Record<string, string> {
  return Object.fromEntries(bill.lines.map((l) => [l.code, l.quantity]));
}

export function tou(sharp: number, peak: number, flat: number, valley: number) {
  return { sharp, peak, flat, valley } as const;
}

/** Days of a calendar month, for a customer connected the whole month. */
export function daysOf(period: BillingPeriod): number {
  return daysBetween(period.from, period.to);
}
