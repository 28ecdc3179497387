// The bill run (电费计算): every active customer of a period (and optional segment) is billed into
// a draft with its lines and the tariff used, and every finding is stored as an exception for
// review. Re-running a period replaces its drafts; issued bills are never touched. Customers are
// read and written in slices, one transaction each, so memory does not grow with their number.

import { addDays, addMonths, isIsoMonth, monthStart, nextMonthStart } from '../domain/dates.ts';
import { DEFAULT_CONSUMPTION_PARAMS } from '../domain/consumption.ts';
import { DEFAULT_VERIFICATION_PARAMS } from '../domain/verification/input.ts';
import { GridbillError } from '../errors.ts';
import { inTransaction, type Store } from '../store/database.ts';
import type { CustomerCategory } from '../store/customer.table.ts';
import type { NewBillException, NewBillLine } from '../store/bill.table.ts';
import { loadBillingBatch, tariffVersionsInForce, type BillingBatch } from '../store/billing-batch.repository.ts';
import {
  deleteDrafts, finishBillRun, insertBillExceptions, insertBillLines, insertBillRun, insertBills,
} from '../store/bill.repository.ts';
import { billCustomer, type BillingRules, type CustomerOutcome, type DraftBill, type Finding } from './bill-customer.ts';
import { loadTariffs } from './load-tariffs.ts';

export const SEGMENTS = {
  'residential': ['residential', 'residential-shared'],
  'industrial-commercial': ['industrial-commercial'],
  'large-industry': ['large-industry'],
  'agricultural': ['agricultural'],
} as const satisfies Record<string, readonly CustomerCategory[]>;
export type Segment = keyof typeof SEGMENTS;

export function isSegment(value: string): value is Segment {
  return Object.hasOwn(SEGMENTS, value);
}

/** How far before the period a start reading may lie (a month-end reading plus slack). */
const START_READING_LOOKBACK_DAYS = 45;
/** Same month last year is 12 months back; the history window reaches one further. */
const HISTORY_MONTHS = 13;

export interface RunBillingOptions {
  readonly period: string;
  readonly segment?: Segment;
  readonly now: string;
  readonly batchSize?: number;
  readonly onProgress?: (progress: { readonly done: number }) => void;
}

export interface RunSummary {
  readonly runId: number;
  readonly period: string;
  readonly segment: Segment | null;
  readonly customers: number;
  readonly bills: number;
  readonly held: number;
  readonly alreadyIssued: number;
  /** Customers with no meter connected during the period. */
  readonly notConnected: number;
  readonly energyKwh: number;
  readonly amountFen: number;
  readonly exceptionsByRule: Readonly<Record<string, number>>;
}

interface Totals {
  customers: number; bills: number; held: number; alreadyIssued: number; notConnected: number; energyKwh: number; amountFen: number;
  exceptionsByRule: Record<string, number>;
}

function tally(totals: Totals, outcome: CustomerOutcome): void {
  totals.customers += 1;
  if (outcome.kind === 'already-issued') { totals.alreadyIssued += 1; return; }
  if (outcome.kind === 'not-connected') { totals.notConnected += 1; return; }
  if (outcome.kind === 'held') totals.held += 1;
  else { totals.bills += 1; totals.energyKwh += outcome.bill.energyKwh; totals.amountFen += outcome.bill.amountFen; }
  for (const f of outcome.findings) totals.exceptionsByRule[f.rule] = (totals.exceptionsByRule[f.rule] ?? 0) + 1;
}

function outcomesOf(batch: BillingBatch, rules: BillingRules): Array<{ customerId: number; outcome: CustomerOutcome }> {
  return batch.customers.map((customer) => {
    const meters = batch.meters.get(customer.id) ?? [];
    return {
      customerId: customer.id,
      outcome: billCustomer({
        customer, account: batch.accounts.get(customer.id), meters,
        registers: batch.registers, readings: batch.readings, bills: batch.bills.get(customer.id) ?? [],
      }, rules),
    };
  });
}

function lineRows(billId: number, bill: DraftBill): NewBillLine[] {
  return bill.lines.map((line, i) => ({
    bill_id: billId, seq: i + 1, kind: line.kind, code: line.code, label: line.label, quantity: line.quantity,
    unit: line.unit, rate_micros: line.rateMicros ?? null, amount_fen: line.amountFen,
  }));
}

interface SaveContext {
  readonly runId: number;
  readonly period: string;
  readonly now: string;
  /** Stored tariff version (row id) per code, as in force on the period's last day. */
  readonly tariffIds: ReadonlyMap<string, number>;
}

async function saveBatch(store: Store, ctx: SaveContext, results: ReturnType<typeof outcomesOf>): Promise<void> {
  const { runId, period, now } = ctx;
  const billed = results.flatMap((r) => (r.outcome.kind === 'billed' ? [{ customerId: r.customerId, bill: r.outcome.bill }] : []));
  await inTransaction(store, async (tx) => {
    const ids = await insertBills(tx, billed.map(({ customerId, bill }) => ({
      bill_no: bill.billNo, customer_id: customerId, run_id: runId, period, status: 'draft' as const,
      energy_kwh: bill.energyKwh, amount_fen: bill.amountFen, tariff_id: ctx.tariffIds.get(bill.tariffCode) ?? null, tariff_code: bill.tariffCode,
      multiplier: bill.multiplier, estimated: bill.estimated ? 1 : 0, estimated_streak: bill.estimatedStreak,
      issued_at: null, due_on: null, created_at: now,
    })));
    await insertBillLines(tx, billed.flatMap(({ bill }) => lineRows(ids.get(bill.billNo)!, bill)));
    const exceptions: NewBillException[] = [];
    for (const { customerId, outcome } of results) {
      if (outcome.kind === 'already-issued' || outcome.kind === 'not-connected') continue;
      const billId = outcome.kind === 'billed' ? ids.get(outcome.bill.billNo)! : null;
      exceptions.push(...outcome.findings.map((f: Finding) => ({
        run_id: runId, bill_id: billId, customer_id: customerId, period, rule: f.rule, detail: JSON.stringify(f.detail),
        status: 'open' as const, resolved_by: null, resolved_at: null, resolution: null,
      })));
    }
    await insertBillExceptions(tx, exceptions);
  });
}

export async function runBilling(store: Store, options: RunBillingOptions): Promise<RunSummary> {
  const { period, now } = options;
  if (!isIsoMonth(period)) throw new GridbillError('CLI_USAGE', `period ${period}: expected YYYY-MM`);
  const categories = options.segment ? SEGMENTS[options.segment] : null;
  const rules: BillingRules = {
    period: { month: period, from: monthStart(period), to: nextMonthStart(period) },
    tariffs: await loadTariffs(store),
    consumption: DEFAULT_CONSUMPTION_PARAMS,
    verification: DEFAULT_VERIFICATION_PARAMS,
  };
  const tariffIds = await tariffVersionsInForce(store, addDays(rules.period.to, -1));
  const runId = await insertBillRun(store, { period, segment: options.segment ?? null, startedAt: now });
  const totals: Totals = { customers: 0, bills: 0, held: 0, alreadyIssued: 0, notConnected: 0, energyKwh: 0, amountFen: 0, exceptionsByRule: {} };
  try {
    await inTransaction(store, (tx) => deleteDrafts(tx, period, categories));
    let after = 0;
    for (;;) {
      const batch = await loadBillingBatch(store, {
        afterCustomerId: after, size: options.batchSize ?? 1_000, categories,
        readingsFrom: addDays(rules.period.from, -START_READING_LOOKBACK_DAYS), readingsTo: addDays(rules.period.to, -1),
        billsFromPeriod: addMonths(period, -HISTORY_MONTHS), billsToPeriod: period,
      });
      if (batch.customers.length === 0) break;
      const results = outcomesOf(batch, rules);
      await saveBatch(store, { runId, period, now, tariffIds }, results);
      for (const r of results) tally(totals, r.outcome);
      after = batch.customers[batch.customers.length - 1]!.id;
      options.onProgress?.({ done: totals.customers });
    }
  } catch (error) {
    await finishBillRun(store, runId, 'failed', now, { error: (error as Error).message, ...totals });
    throw error;
  }
  const summary: RunSummary = { runId, period, segment: options.segment ?? null, ...totals };
  await finishBillRun(store, runId, 'finished', now, summary);
  return summary;
}
