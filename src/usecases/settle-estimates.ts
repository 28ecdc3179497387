// The monthly settlement of smart-payment accounts (结算): once a month's bill is issued, the
// estimates of that month are cleared against it, so that bill = sum of estimates + settlement.
//
// Per bill, in one transaction: an estimate_settlements row (unique per bill: settling twice
// changes nothing), a payment of the platform channel SETTLEMENT_CHANNEL that pays the bill in
// full (so QueryArrears and Pay see nothing left to pay), and one balanced ledger posting:
//   receivable            credit  the bill
//   unbilled:estimates    debit   the month's estimates (what the estimation runs credited)
//   prepaid               debit   the settlement, bill − estimates (negative: money back)
// The prepaid balance therefore ends the month lower by exactly the bill. A credit bill (zero or
// negative) is not paid: its estimates are given back to the prepaid balance.
//
// The channel is disabled and may call nothing: it is a ledger and idempotency identity only, and
// its secret is never opened (enabling it would fail at the next authentication).

import { randomUUID } from 'node:crypto';
import { businessDate } from '../clock.ts';
import { isIsoMonth } from '../domain/dates.ts';
import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findChannelByCode, insertChannel } from '../store/channel.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { estimatesOfMonth, insertSettlement, unsettledSmartBills } from '../store/estimation.repository.ts';
import { postLedgerTransaction, type LedgerLeg } from '../store/ledger.repository.ts';
import { insertAllocations, insertPayment, isUniqueViolation, lockCustomerForPayment, setPaymentResponse } from '../store/payment.repository.ts';
import { ACCOUNTS } from './issue-bills.ts';
import { ESTIMATE_ACCOUNTS } from './run-estimation.ts';

export const SETTLEMENT_CHANNEL = 'smart-settlement';
const BATCH = 200;

export interface SettlementSummary {
  readonly period: string;
  readonly bills: number;
  readonly billsFen: number;
  readonly estimatesFen: number;
  readonly settlementFen: number;
}

async function settlementChannelId(store: Store, now: string): Promise<number> {
  const existing = await findChannelByCode(store, SETTLEMENT_CHANNEL);
  if (existing) return existing.id;
  try {
    await insertChannel(store, {
      code: SETTLEMENT_CHANNEL, name: '智能交费月度结算', kind: 'internal', secret_enc: `unused:${randomUUID()}`,
      operations: '[]', enabled: 0, created_at: now, updated_at: now,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  return (await findChannelByCode(store, SETTLEMENT_CHANNEL))!.id;
}

type SmartBill = Awaited<ReturnType<typeof unsettledSmartBills>>[number];

async function settleBill(store: Store, channelId: number, bill: SmartBill, now: string): Promise<{ estimatesFen: number; settlementFen: number } | undefined> {
  return inTransaction(store, async (tx) => {
    await lockCustomerForPayment(tx, bill.customer_id);
    const { amountFen: estimatesFen, count } = await estimatesOfMonth(tx, bill.customer_id, bill.period);
    // A month that was never estimated (before the account went smart) stays an ordinary bill.
    if (count === 0) return undefined;
    const billFen = Number(bill.amount_fen);
    const paidFen = Math.max(billFen, 0);
    const settlementFen = paidFen - estimatesFen;
    try {
      await insertSettlement(tx, { bill_id: bill.id, customer_id: bill.customer_id, period: bill.period, estimates_fen: estimatesFen, bill_fen: billFen, settlement_fen: settlementFen, settled_at: now });
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
    if (paidFen > 0) {
      const paymentId = await insertPayment(tx, {
        channel_id: channelId, channel_txn_id: `S${bill.bill_no}`, customer_id: bill.customer_id, amount_fen: paidFen,
        accounting_date: businessDate(new Date(now)), status: 'posted', request_hash: '-', response: '', created_at: now,
      });
      await insertAllocations(tx, [{
        payment_id: paymentId, bill_id: bill.id, kind: 'energy', amount_fen: paidFen,
        penalty_through_before: bill.penalty_through, penalty_accrued_before_fen: Number(bill.penalty_accrued_fen), penalty_carried_before_fen: Number(bill.penalty_carried_fen),
      }]);
      await setPaymentResponse(tx, paymentId, JSON.stringify({ settlement: bill.bill_no, estimatesFen, settlementFen }));
    }
    const legs: LedgerLeg[] = [
      { accountCode: ACCOUNTS.receivable, customerId: bill.customer_id, amountFen: -paidFen },
      { accountCode: ESTIMATE_ACCOUNTS.unbilled, customerId: null, amountFen: estimatesFen },
      { accountCode: ESTIMATE_ACCOUNTS.prepaid, customerId: bill.customer_id, amountFen: settlementFen },
    ].filter((leg) => leg.amountFen !== 0);
    if (legs.length > 0) {
      await postLedgerTransaction(tx, {
        kind: 'smart-settlement', refKind: 'bill', refId: bill.id, accountingDate: businessDate(new Date(now)), createdAt: now, legs,
      });
    }
    return { estimatesFen, settlementFen };
  });
}

/** Settles every issued, unsettled bill of smart-payment accounts of the period; safe to repeat. */
export async function settleEstimates(store: Store, options: { readonly period: string; readonly now: string; readonly actor: string }): Promise<SettlementSummary> {
  if (!isIsoMonth(options.period)) throw new GridbillError('VALIDATION_FAILED', `period ${options.period}: expected YYYY-MM`);
  const channelId = await settlementChannelId(store, options.now);
  const totals = { bills: 0, billsFen: 0, estimatesFen: 0, settlementFen: 0 };
  let after = 0;
  for (;;) {
    const bills = await unsettledSmartBills(store, options.period, after, BATCH);
    if (bills.length === 0) break;
    for (const bill of bills) {
      const settled = await settleBill(store, channelId, bill, options.now);
      if (settled === undefined) continue;
      totals.bills += 1;
      totals.billsFen += Number(bill.amount_fen);
      totals.estimatesFen += settled.estimatesFen;
      totals.settlementFen += settled.settlementFen;
    }
    after = bills[bills.length - 1]!.id;
  }
  await appendAudit(store, { at: options.now, actor: options.actor, action: 'settle-estimates', subject: options.period, detail: totals });
  return { period: options.period, ...totals };
}
