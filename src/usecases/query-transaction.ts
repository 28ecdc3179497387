// QueryTransaction: what became of a channel's transaction (ChannelPaymentService.QueryTransaction),
// the question a channel asks after a timeout. The id may name a payment or a reversal of the
// channel (they share the channel's id space): the answer is the payment's status with its stored
// receipt, and the reversal's stored receipt when it was reversed. Another channel's id is
// NOT_FOUND, as for an id never seen.

import { GridbillError } from '../errors.ts';
import type { Store } from '../store/database.ts';
import { findPaymentByReversalTxn, findPaymentByTxn } from '../store/payment.repository.ts';
import { checkTxnId, requireChannel, type PayReceipt } from './pay.ts';
import type { ReverseReceipt } from './reverse-payment.ts';

export type TransactionStatus = 'POSTED' | 'REVERSED' | 'NOT_FOUND';

export interface TransactionQuery {
  readonly channelCode: string;
  readonly channelTxnId: string;
}

export interface TransactionAnswer {
  readonly status: TransactionStatus;
  /** The Pay answer as first given; null when NOT_FOUND. */
  readonly receipt: PayReceipt | null;
  /** The Reverse answer as first given; null unless REVERSED. */
  readonly reversal: ReverseReceipt | null;
}

export async function queryTransaction(store: Store, query: TransactionQuery): Promise<TransactionAnswer> {
  checkTxnId(query.channelTxnId, 'channel transaction id');
  const channel = await requireChannel(store, query.channelCode);
  const payment = await findPaymentByTxn(store, channel.id, query.channelTxnId)
    ?? await findPaymentByReversalTxn(store, channel.id, query.channelTxnId);
  if (payment === undefined) return { status: 'NOT_FOUND', receipt: null, reversal: null };
  const receipt = JSON.parse(payment.response) as PayReceipt;
  switch (payment.status) {
    case 'posted': return { status: 'POSTED', receipt, reversal: null };
    case 'reversed': {
      if (payment.reversal_response === null) throw new GridbillError('INTERNAL', `payment ${payment.id} is reversed without a reversal`);
      return { status: 'REVERSED', receipt, reversal: JSON.parse(payment.reversal_response) as ReverseReceipt };
    }
  }
}
