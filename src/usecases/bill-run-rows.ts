// One slice of the bill run, from loaded rows to the rows to store: every customer billed, and the
// outcomes turned into flat values per table (see bill.repository.ts) with the slice's totals.
// The same code runs on the writing thread or in the bill run's worker: flat arrays of values are
// what crosses between threads cheaply, where a graph of objects per customer would not.

import type { BillingBatch } from '../store/billing-batch.repository.ts';
import { BILL_COLUMNS } from '../store/bill.repository.ts';
import { billCustomer, type BillingRules, type CustomerOutcome, type DraftBill } from './bill-customer.ts';

/** What every row of a run shares, fixed when the run starts. */
export interface RunContext {
  readonly runId: number;
  readonly period: string;
  readonly now: string;
  /** Stored tariff version (row id) per code, as in force on the period's last day. */
  readonly tariffIds: ReadonlyMap<string, number>;
}

export interface Totals {
  customers: number; bills: number; held: number; alreadyIssued: number; notConnected: number; energyKwh: number; amountFen: number;
  exceptionsByRule: Record<string, number>;
}

export function emptyTotals(): Totals {
  return { customers: 0, bills: 0, held: 0, alreadyIssued: 0, notConnected: 0, energyKwh: 0, amountFen: 0, exceptionsByRule: {} };
}

/** Adds a slice's totals to the run's; rules keep the order they were first seen in. */
export function addTotals(into: Totals, add: Totals): void {
  into.customers += add.customers;
  into.bills += add.bills;
  into.held += add.held;
  into.alreadyIssued += add.alreadyIssued;
  into.notConnected += add.notConnected;
  into.energyKwh += add.energyKwh;
  into.amountFen += add.amountFen;
  for (const [rule, n] of Object.entries(add.exceptionsByRule)) into.exceptionsByRule[rule] = (into.exceptionsByRule[rule] ?? 0) + n;
}

/**
 * A slice's rows. `bill_id` in `lines` and `exceptions` holds the index of the bill in `bills`
 * (null for an exception without a bill) until the bills are stored and have their ids.
 */
export interface BatchRows {
  /** Values in BILL_COLUMNS order. */
  readonly bills: unknown[];
  /** Values in LINE_COLUMNS order. */
  readonly lines: unknown[];
  /** Values in EXCEPTION_COLUMNS order. */
  readonly exceptions: unknown[];
  readonly totals: Totals;
  readonly lastCustomerId: number;
}

function tally(totals: Totals, outcome: CustomerOutcome): void {
  totals.customers += 1;
  if (outcome.kind === 'already-issued') { totals.alreadyIssued += 1; return; }
  if (outcome.kind === 'not-connected') { totals.notConnected += 1; return; }
  if (outcome.kind === 'held') totals.held += 1;
  else { totals.bills += 1; totals.energyKwh += outcome.bill.energyKwh; totals.amountFen += outcome.bill.amountFen; }
  for (const f of outcome.findings) totals.exceptionsByRule[f.rule] = (totals.exceptionsByRule[f.rule] ?? 0) + 1;
}

function pushBill(rows: BatchRows, ctx: RunContext, customerId: number, bill: DraftBill): number {
  const index = rows.bills.length / BILL_COLUMNS.length;
  rows.bills.push(
    bill.billNo, customerId, ctx.runId, ctx.period, 'draft', bill.energyKwh, bill.amountFen, ctx.tariffIds.get(bill.tariffCode) ?? null,
    bill.tariffCode, bill.multiplier, bill.estimated ? 1 : 0, bill.estimatedStreak, null, null, ctx.now,
  );
  bill.lines.forEach((line, i) => {
    rows.lines.push(index, i + 1, line.kind, line.code, line.label, line.quantity, line.unit, line.rateMicros ?? null, line.amountFen);
  });
  return index;
}

/** Bills every customer of the slice and returns the rows to store, in the order the run stores them. */
export function batchRows(batch: BillingBatch, rules: BillingRules, ctx: RunContext): BatchRows {
  const rows: BatchRows = {
    bills: [], lines: [], exceptions: [], totals: emptyTotals(), lastCustomerId: batch.customers[batch.customers.length - 1]?.id ?? 0,
  };
  for (const customer of batch.customers) {
    const outcome = billCustomer({
      customer, account: batch.accounts.get(customer.id), meters: batch.meters.get(customer.id) ?? [],
      registers: batch.registers, readings: batch.readings, bills: batch.bills.get(customer.id) ?? [],
    }, rules);
    tally(rows.totals, outcome);
    if (outcome.kind === 'already-issued' || outcome.kind === 'not-connected') continue;
    const billIndex = outcome.kind === 'billed' ? pushBill(rows, ctx, customer.id, outcome.bill) : null;
    for (const f of outcome.findings) {
      rows.exceptions.push(ctx.runId, billIndex, customer.id, ctx.period, f.rule, JSON.stringify(f.detail), 'open', null, null, null);
    }
  }
  return rows;
}
