// QueryArrears: what a customer owes, as a channel shows it before taking a payment
// (ChannelPaymentService.QueryArrears). Name and address are masked: a channel learns enough to
// let the payer recognise the account, not who lives where.
//
// Receivables are the issued bills with an energy charge outstanding, oldest first, each with its
// late fee to the as-of date (rules in receivables.ts); the amount due is the two together. The
// prepaid balance is the credit balance of the customer's prepaid account, shown positive; it is
// not set against the bills (Pay never draws on it), so the total due is the receivables' sum.
// Reading only: nothing is settled into the bills by a query.

import { isIsoDate } from '../domain/dates.ts';
import { GridbillError } from '../errors.ts';
import { maskAddress, maskName } from '../ops/mask.ts';
import { findPayerByNo } from '../store/customer.repository.ts';
import type { Store } from '../store/database.ts';
import { prepaidBalanceOf } from './pay.ts';
import { receivablesOf } from './receivables.ts';

export interface ArrearsQuery {
  readonly customerNo: string;
  /** The date the late fee is computed to: the business date of the query, as a rule. */
  readonly asOfDate: string;
}

export interface ArrearsItem {
  readonly billNo: string;
  /** The bill month, YYYY-MM. */
  readonly period: string;
  readonly dueOn: string | null;
  /** Energy charge outstanding. */
  readonly energyFen: number;
  /** Late fee to the as-of date. */
  readonly penaltyFen: number;
  readonly amountDueFen: number;
}

export interface ArrearsAnswer {
  readonly customerNo: string;
  readonly customerName: string;
  readonly address: string;
  readonly asOfDate: string;
  readonly receivables: readonly ArrearsItem[];
  readonly prepaidBalanceFen: number;
  readonly totalDueFen: number;
}

export async function queryArrears(store: Store, query: ArrearsQuery): Promise<ArrearsAnswer> {
  if (!/^\d{10,13}$/.test(query.customerNo)) throw new GridbillError('VALIDATION_FAILED', 'customer no: 10 to 13 digits');
  if (!isIsoDate(query.asOfDate)) throw new GridbillError('VALIDATION_FAILED', 'as-of date: expected YYYY-MM-DD');
  const customer = await findPayerByNo(store, query.customerNo);
  if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', query.customerNo);
  const receivables = (await receivablesOf(store, customer, query.asOfDate)).map((r) => ({
    billNo: r.billNo, period: r.period, dueOn: r.dueOn, energyFen: r.outstandingFen, penaltyFen: r.penaltyFen,
    amountDueFen: r.outstandingFen + r.penaltyFen,
  }));
  return {
    customerNo: customer.customer_no,
    customerName: maskName(customer.name),
    address: maskAddress(customer.address),
    asOfDate: query.asOfDate,
    receivables,
    prepaidBalanceFen: await prepaidBalanceOf(store, customer.id),
    totalDueFen: receivables.reduce((total, r) => total + r.amountDueFen, 0),
  };
}
