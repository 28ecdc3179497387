// CancelWithholding: ends a direct-debit agreement of the calling channel
// (ChannelPaymentService.CancelWithholding; the SOAP port maps to it).
//
//   1. the request's form → VALIDATION_FAILED; the channel is registered and enabled → CHANNEL_NOT_FOUND;
//   2. the agreement is one of this channel's, signed for this customer → AGREEMENT_NOT_FOUND (an
//      agreement of another channel, or of another customer, is not found: nothing is revealed);
//   3. already cancelled: the answer of the cancellation, again (CANCELLED at the time it was
//      cancelled) — a cancel is idempotent;
//   4. otherwise the agreement is cancelled and an audit record written, in one transaction.

import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { findAgreement, markAgreementCancelled } from '../store/withholding.repository.ts';
import { assertNotInTransaction, requestHash, requireChannel } from './pay.ts';
import { agreementAnswer, checkAgreementId, checkCustomerNo, checkNow, type WithholdingAnswer } from './sign-withholding.ts';

export interface CancelWithholdingRequest {
  readonly channelCode: string;
  readonly agreementId: string;
  readonly customerNo: string;
  /** When the request arrived (ISO 8601 instant). */
  readonly now: string;
}

export async function cancelWithholding(store: Store, request: CancelWithholdingRequest): Promise<WithholdingAnswer> {
  assertNotInTransaction(store);
  checkNow(request.now);
  checkAgreementId(request.agreementId);
  checkCustomerNo(request.customerNo);
  const channel = await requireChannel(store, request.channelCode);
  const notFound = () => new GridbillError('AGREEMENT_NOT_FOUND', request.agreementId);
  const customer = await findCustomerByNo(store, request.customerNo);
  if (customer === undefined) throw notFound();
  const hash = requestHash(['cancel-withholding/1', request.channelCode, request.agreementId, request.customerNo]);
  return inTransaction(store, async (tx) => {
    const agreement = await findAgreement(tx, channel.id, request.agreementId);
    if (agreement === undefined || Number(agreement.customer_id) !== customer.id) throw notFound();
    if (agreement.status === 'cancelled') return agreementAnswer(agreement, customer.customer_no, 'cancelled');
    if (!(await markAgreementCancelled(tx, agreement.id, { cancelledAt: request.now, requestHash: hash }))) {
      // Cancelled concurrently (PostgreSQL read committed): answer as that cancellation did.
      const now = await findAgreement(tx, channel.id, request.agreementId);
      return agreementAnswer(now!, customer.customer_no, 'cancelled');
    }
    await appendAudit(tx, {
      at: request.now, actor: `channel:${channel.code}`, action: 'cancel-withholding', subject: `withholding:${agreement.id}`,
      detail: { agreementId: request.agreementId, customerNo: customer.customer_no },
    });
    return agreementAnswer({ ...agreement, status: 'cancelled', cancelled_at: request.now }, customer.customer_no, 'cancelled');
  });
}
