// ChannelPaymentService (wsdl/ChannelPaymentService.wsdl): parse → use case → map. Amounts arrive
// and leave as decimal strings (`parseYuan` / `formatYuan`); response elements are written in the
// order the schema declares them. The channel is the authenticated username, never the body.
// Reconcile's states and discrepancy kinds go out in their wire spelling (RECEIVED, CHANNEL_ONLY
// …). The withholding operations answer the bank account masked; the full number never leaves
// the use case.

import { formatYuan, parseYuan } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import type { Store } from '../store/database.ts';
import { pay, type PayReceipt } from '../usecases/pay.ts';
import { queryArrears, type ArrearsAnswer } from '../usecases/query-arrears.ts';
import { queryTransaction } from '../usecases/query-transaction.ts';
import { reversePayment, type ReverseReceipt } from '../usecases/reverse-payment.ts';
import { reconcile, type ReconcileAnswer, type ReconcileEntry } from '../usecases/reconcile.ts';
import { cancelWithholding } from '../usecases/cancel-withholding.ts';
import { signWithholding, type WithholdingAnswer } from '../usecases/sign-withholding.ts';
import type { OperationContext, ServicePort } from './soap-endpoint.ts';
import type { Args, ServiceContract } from './service-contract.ts';
import type { XmlFields } from './soap-xml.ts';

/** A wire amount ("19.50") → fen; anything that is not a plain decimal of at most 2 places is a Client fault. */
export function amountFen(value: string, what: string): number {
  if (!/^\d{1,13}(\.\d{1,2})?$/.test(value)) throw new GridbillError('VALIDATION_FAILED', `${what}: a decimal with at most 2 fraction digits`);
  return parseYuan(value);
}

function businessDateOf(now: string): string {
  return now.slice(0, 10); // `now` carries the business offset (+08:00): its date is the business date
}

function arrearsFields(answer: ArrearsAnswer): XmlFields {
  return [
    ['customerNo', answer.customerNo],
    ['customerName', answer.customerName],
    ['address', answer.address],
    ['asOf', answer.asOfDate],
    ...answer.receivables.map((r) => ['receivable', [
      ['billNo', r.billNo],
      ['period', r.period],
      ['energyCharge', formatYuan(r.energyFen)],
      ['lateFee', formatYuan(r.penaltyFen)],
      ['amountDue', formatYuan(r.amountDueFen)],
      // An issued bill always has its due date; the schema requires one.
      ['dueDate', r.dueOn ?? `${r.period}-01`],
    ]] as const),
    ['prepaidBalance', formatYuan(answer.prepaidBalanceFen)],
    ['totalDue', formatYuan(answer.totalDueFen)],
  ];
}

/** The allocation lines of a receipt: per bill its late fee then its energy charge, then the prepaid part. */
function receiptFields(receipt: PayReceipt): XmlFields {
  const allocations: [string, XmlFields][] = [];
  for (const bill of receipt.settled) {
    if (bill.penaltyFen > 0) allocations.push(['allocation', [['kind', 'penalty'], ['billNo', bill.billNo], ['amount', formatYuan(bill.penaltyFen)]]]);
    if (bill.energyFen > 0) allocations.push(['allocation', [['kind', 'energy'], ['billNo', bill.billNo], ['amount', formatYuan(bill.energyFen)]]]);
  }
  if (receipt.prepaidFen > 0) allocations.push(['allocation', [['kind', 'prepaid'], ['amount', formatYuan(receipt.prepaidFen)]]]);
  return [
    ['channelTxnId', receipt.channelTxnId],
    ['platformTxnId', receipt.receiptNo],
    ['customerNo', receipt.customerNo],
    ['amount', formatYuan(receipt.amountFen)],
    ['accountingDate', receipt.accountingDate],
    ['postedAt', receipt.postedAt],
    ...allocations,
    ['prepaidBalance', formatYuan(receipt.prepaidBalanceFen)],
    ['totalDue', formatYuan(receipt.remainingDueFen)],
  ];
}

function reversalFields(receipt: ReverseReceipt): XmlFields {
  return [
    ['reversalTxnId', receipt.reversalTxnId],
    ['originalTxnId', receipt.originalTxnId],
    ['platformTxnId', receipt.receiptNo],
    ['customerNo', receipt.customerNo],
    ['amount', formatYuan(receipt.amountFen)],
    ['accountingDate', receipt.accountingDate],
    ['reversedAt', receipt.reversedAt],
    ['prepaidBalance', formatYuan(receipt.prepaidBalanceFen)],
    ['totalDue', formatYuan(receipt.remainingDueFen)],
  ];
}

/** An xsd:int of the request: the schema's digits only (no sign, exponent or fraction). */
function countOf(value: string, what: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new GridbillError('VALIDATION_FAILED', `${what}: a whole number`);
  return Number(value);
}

function reconcileEntries(args: Args): ReconcileEntry[] {
  return args.groups('entry').map((e) => ({
    channelTxnId: e.one('channelTxnId'), customerNo: e.one('customerNo'), amountFen: amountFen(e.one('amount'), 'entry amount'),
  }));
}

const DISCREPANCY_KIND = { 'channel-only': 'CHANNEL_ONLY', 'platform-only': 'PLATFORM_ONLY', 'amount-mismatch': 'AMOUNT_MISMATCH' } as const;

/** tns:ReconcileResponse, in schema order; an amount is left out where that side has none. */
function reconcileFields(answer: ReconcileAnswer): XmlFields {
  const result = answer.result;
  const optionalYuan = (fen: number | null) => (fen === null ? undefined : formatYuan(fen));
  return [
    ['accountingDate', answer.accountingDate],
    ['status', answer.status === 'reconciled' ? 'RECONCILED' : 'RECEIVED'],
    ['batchesReceived', String(answer.batchesReceived)],
    ['result', result === undefined ? undefined : [
      ['matchedCount', String(result.matchedCount)],
      ['matchedAmount', formatYuan(result.matchedAmountFen)],
      ['channelOnlyCount', String(result.channelOnlyCount)],
      ['platformOnlyCount', String(result.platformOnlyCount)],
      ['amountMismatchCount', String(result.amountMismatchCount)],
      ...result.discrepancies.map((d) => ['discrepancy', [
        ['kind', DISCREPANCY_KIND[d.kind]],
        ['channelTxnId', d.channelTxnId],
        ['customerNo', d.customerNo],
        ['channelAmount', optionalYuan(d.channelAmountFen)],
        ['platformAmount', optionalYuan(d.platformAmountFen)],
      ]] as const),
      ['discrepanciesTruncated', result.discrepanciesTruncated ? 'true' : 'false'],
    ]],
  ];
}

/** tns:WithholdingAgreement, in schema order. */
function agreementFields(answer: WithholdingAnswer): XmlFields {
  return [
    ['agreementId', answer.agreementId],
    ['customerNo', answer.customerNo],
    ['bankAccount', answer.bankAccount],
    ['status', answer.status],
    ['changedAt', answer.changedAt],
  ];
}

/**
 * Told of every posted Pay (a repeat too) with its customer, after the answer is made: a
 * disconnected smart-payment customer is reconnected from there (core-app.ts). It must return at
 * once and never throw; the payment's answer does not wait for what it starts.
 */
export type PaymentObserver = (customerNo: string) => void;

export function channelPaymentPort(contract: ServiceContract, store: Store, onPaid: PaymentObserver = () => undefined): ServicePort {
  return {
    contract,
    operations: {
      async QueryArrears(args: Args, context: OperationContext) {
        return arrearsFields(await queryArrears(store, { customerNo: args.one('customerNo'), asOfDate: businessDateOf(context.now) }));
      },

      async Pay(args: Args, context: OperationContext) {
        const receipt = await pay(store, {
          channelCode: context.channel,
          channelTxnId: args.one('channelTxnId'),
          customerNo: args.one('customerNo'),
          amountFen: amountFen(args.one('amount'), 'amount'),
          accountingDate: args.one('accountingDate'),
          billNos: args.many('billNo'),
          now: context.now,
        });
        onPaid(receipt.customerNo);
        return receiptFields(receipt);
      },

      async Reverse(args: Args, context: OperationContext) {
        const receipt = await reversePayment(store, {
          channelCode: context.channel,
          reversalTxnId: args.one('reversalTxnId'),
          originalTxnId: args.one('originalTxnId'),
          accountingDate: args.one('accountingDate'),
          now: context.now,
        });
        return reversalFields(receipt);
      },

      async QueryTransaction(args: Args, context: OperationContext) {
        const channelTxnId = args.one('channelTxnId');
        const answer = await queryTransaction(store, { channelCode: context.channel, channelTxnId });
        return [
          ['channelTxnId', channelTxnId],
          ['status', answer.status],
          ['payment', answer.receipt ? receiptFields(answer.receipt) : undefined],
          ['reversal', answer.reversal ? reversalFields(answer.reversal) : undefined],
        ];
      },

      async Reconcile(args: Args, context: OperationContext) {
        return reconcileFields(await reconcile(store, {
          channelCode: context.channel,
          accountingDate: args.one('accountingDate'),
          totalCount: countOf(args.one('totalCount'), 'totalCount'),
          totalAmountFen: amountFen(args.one('totalAmount'), 'totalAmount'),
          batchNo: countOf(args.one('batchNo'), 'batchNo'),
          batchCount: countOf(args.one('batchCount'), 'batchCount'),
          entries: reconcileEntries(args),
          now: context.now,
        }));
      },

      async SignWithholding(args: Args, context: OperationContext) {
        return agreementFields(await signWithholding(store, {
          channelCode: context.channel,
          agreementId: args.one('agreementId'),
          customerNo: args.one('customerNo'),
          bankAccount: args.one('bankAccount'),
          accountHolderName: args.one('accountHolderName'),
          now: context.now,
        }));
      },

      async CancelWithholding(args: Args, context: OperationContext) {
        return agreementFields(await cancelWithholding(store, {
          channelCode: context.channel,
          agreementId: args.one('agreementId'),
          customerNo: args.one('customerNo'),
          now: context.now,
        }));
      },
    },
  };
}
