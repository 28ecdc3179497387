// QueryBills: the customer's issued bills of fromPeriod..toPeriod, newest first, each with what is
// still due on it today, and (withLines) every line as stored by the bill run — ladder tiers, TOU
// parts, funds, basic charge, power factor — plus the late fee to today as a penalty line, since
// the late fee grows daily and is never stored as a line of the bill itself.
//
// Due and late fee come from the same rules as QueryArrears and Pay (receivables.ts), so the
// business hall shows exactly what a payment would be asked for. totalDue is everything the
// customer owes today, whatever the periods asked for.

import { businessDate } from '../clock.ts';
import { daysBetween, isIsoMonth } from '../domain/dates.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import { issuedBillsBetween, linesOfBills } from '../store/customer-view.repository.ts';
import type { Store } from '../store/database.ts';
import { openSession } from './customer-session.ts';
import { receivablesOf } from './receivables.ts';

export interface BillsQuery {
  readonly sessionToken: string;
  readonly fromPeriod: string;
  readonly toPeriod: string;
  readonly unpaidOnly: boolean;
  readonly withLines: boolean;
  readonly now: string;
}

export interface CustomerBillLine {
  readonly kind: string;
  readonly code: string;
  readonly label: string;
  readonly quantity: string;
  readonly unit: string;
  readonly rateMicros: number | null;
  readonly amountFen: number;
}

export interface CustomerBill {
  readonly billNo: string;
  readonly period: string;
  readonly energyKwh: number;
  readonly amountFen: number;
  readonly lateFeeFen: number;
  readonly amountDueFen: number;
  readonly issuedOn: string;
  readonly dueDate: string;
  readonly paid: boolean;
  readonly lines: readonly CustomerBillLine[];
}

export interface BillsAnswer {
  readonly bills: readonly CustomerBill[];
  readonly totalDueFen: number;
}

function periodCount(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

function penaltyLine(lateFeeFen: number, dueOn: string, today: string): CustomerBillLine {
  return {
    kind: 'penalty', code: 'penalty.late-fee', label: '电费违约金', quantity: String(Math.max(0, daysBetween(dueOn, today))),
    unit: 'day', rateMicros: null, amountFen: lateFeeFen,
  };
}

export async function queryBills(store: Store, query: BillsQuery): Promise<BillsAnswer> {
  if (!isIsoMonth(query.fromPeriod) || !isIsoMonth(query.toPeriod)) throw new GridbillError('VALIDATION_FAILED', 'periods: YYYY-MM');
  if (query.fromPeriod > query.toPeriod) throw new GridbillError('RANGE_INVALID', 'fromPeriod is after toPeriod');
  if (periodCount(query.fromPeriod, query.toPeriod) > LIMITS.consumptionMonthsMax) {
    throw new GridbillError('RANGE_INVALID', `at most ${LIMITS.consumptionMonthsMax} periods`);
  }
  const session = await openSession(store, query.sessionToken, query.now);
  const customer = await findCustomerByNo(store, session.customerNo);
  if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', session.customerNo);
  const today = businessDate(new Date(query.now));
  const receivables = new Map((await receivablesOf(store, customer, today)).map((r) => [r.billNo, r]));
  const rows = (await issuedBillsBetween(store, customer.id, query.fromPeriod, query.toPeriod))
    .filter((b) => !query.unpaidOnly || receivables.has(b.bill_no));
  const lines = query.withLines ? await linesOfBills(store, rows.map((b) => b.id)) : [];
  const bills = rows.map((b): CustomerBill => {
    const due = receivables.get(b.bill_no);
    const lateFeeFen = due?.penaltyFen ?? 0;
    const dueDate = b.due_on ?? `${b.period}-01`;
    const own = lines.filter((l) => l.bill_id === b.id).map((l) => ({
      kind: l.kind, code: l.code, label: l.label, quantity: l.quantity, unit: l.unit,
      rateMicros: l.rate_micros === null ? null : Number(l.rate_micros), amountFen: Number(l.amount_fen),
    }));
    return {
      billNo: b.bill_no, period: b.period, energyKwh: Number(b.energy_kwh), amountFen: Number(b.amount_fen), lateFeeFen,
      amountDueFen: due === undefined ? 0 : due.outstandingFen + due.penaltyFen,
      issuedOn: b.issued_at === null ? dueDate : businessDate(new Date(b.issued_at)), dueDate, paid: due === undefined,
      lines: query.withLines && lateFeeFen > 0 ? [...own, penaltyLine(lateFeeFen, dueDate, today)] : own,
    };
  });
  const totalDueFen = [...receivables.values()].reduce((sum, r) => sum + r.outstandingFen + r.penaltyFen, 0);
  return { bills, totalDueFen };
}
