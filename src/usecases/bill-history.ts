// Bills and issues a run of past months in order, so that each month's ladder position and
// comparisons see the months before it issued — what a platform that has been running for a
// while looks like. Used to give demo data a history; each month is an ordinary bill run and an
// ordinary issue, so only drafts without open exceptions are issued.

import { addDays, addMonths, nextMonthStart } from '../domain/dates.ts';
import type { Store } from '../store/database.ts';
import { issueBills } from './issue-bills.ts';
import { runBilling } from './run-billing.ts';

export interface MonthResult {
  readonly period: string;
  readonly bills: number;
  readonly issued: number;
  readonly exceptions: number;
}

export interface HistoryOptions {
  readonly fromMonth: string;
  readonly toMonth: string;
  readonly now: string;
  readonly actor: string;
  /** Bills are issued on this day of the following month. */
  readonly issueDayOfMonth?: number;
  readonly dueDays?: number;
}

export async function billHistory(store: Store, options: HistoryOptions): Promise<MonthResult[]> {
  const results: MonthResult[] = [];
  for (let period = options.fromMonth; period <= options.toMonth; period = addMonths(period, 1)) {
    const run = await runBilling(store, { period, now: options.now });
    const issueDate = addDays(nextMonthStart(period), (options.issueDayOfMonth ?? 3) - 1);
    const issued = await issueBills(store, {
      period, issueDate, dueDays: options.dueDays ?? 15, now: options.now, actor: options.actor,
    });
    const exceptions = Object.values(run.exceptionsByRule).reduce((n, c) => n + c, 0);
    results.push({ period, bills: run.bills, issued: issued.issued, exceptions });
  }
  return results;
}
