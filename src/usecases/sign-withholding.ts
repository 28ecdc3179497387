// SignWithholding: registers a direct-debit (代扣) agreement the calling bank has signed with its
// customer (ChannelPaymentService.SignWithholding; the SOAP port maps to it).
//
// Checks, in this order, so that a repeated request gets its first answer whatever happened since:
//   1. the request's form (agreement id, customer no, bank account, holder name) → VALIDATION_FAILED;
//   2. the channel is registered and enabled → CHANNEL_NOT_FOUND;
//   3. (channel, agreement id) already signed: the same content returns the first answer (ACTIVE at
//      the signing time, even if the agreement was cancelled since — as a repeated Pay returns its
//      receipt after a reversal); other content → AGREEMENT_ID_CONFLICT;
//   4. the customer exists → CUSTOMER_NOT_FOUND;
//   5. the customer has no other active agreement with this channel → AGREEMENT_ALREADY_ACTIVE.
// A refused request is not remembered: it is judged afresh when sent again.
//
// The agreement row and an audit record are written in one transaction. The bank account is kept
// as given (the bank needs it for each debit) and leaves this module only masked. Concurrent
// signings are settled by the unique indexes (channel + agreement id; one active agreement per
// customer and channel): the loser's unique violation is answered by judging the request again.

import { GridbillError } from '../errors.ts';
import { maskAccount } from '../ops/mask.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { isUniqueViolation, lockCustomerForPayment } from '../store/payment.repository.ts';
import type { ChannelRow } from '../store/payment.table.ts';
import { findActiveAgreementOfCustomer, findAgreement, insertAgreement } from '../store/withholding.repository.ts';
import type { WithholdingAgreementRow } from '../store/withholding.table.ts';
import { assertNotInTransaction, requestHash, requireChannel } from './pay.ts';

const AGREEMENT_ID = /^[0-9A-Za-z][0-9A-Za-z-]{0,39}$/;
const CUSTOMER_NO = /^\d{10,13}$/;
const BANK_ACCOUNT = /^\d{10,30}$/;
const HOLDER_NAME = /^[^\p{Cc}<>]{1,100}$/u;

export interface SignWithholdingRequest {
  readonly channelCode: string;
  readonly agreementId: string;
  readonly customerNo: string;
  readonly bankAccount: string;
  readonly accountHolderName: string;
  /** When the request arrived (ISO 8601 instant). */
  readonly now: string;
}

/** The answer to SignWithholding and CancelWithholding (tns:WithholdingAgreement). */
export interface WithholdingAnswer {
  readonly agreementId: string;
  readonly customerNo: string;
  /** Masked: first four and last four digits. */
  readonly bankAccount: string;
  readonly status: 'ACTIVE' | 'CANCELLED';
  /** When the agreement was signed (ACTIVE) or cancelled (CANCELLED). */
  readonly changedAt: string;
}

// ── Shared with CancelWithholding ───────────────────────────────────────────────────────────────

export function checkAgreementId(value: string): void {
  if (!AGREEMENT_ID.test(value)) throw new GridbillError('VALIDATION_FAILED', 'agreement id: 1 to 40 letters, digits and hyphens');
}

export function checkCustomerNo(value: string): void {
  if (!CUSTOMER_NO.test(value)) throw new GridbillError('VALIDATION_FAILED', 'customer no: 10 to 13 digits');
}

export function checkNow(now: string): void {
  if (Number.isNaN(Date.parse(now))) throw new RangeError(`now is not an instant: ${now}`);
}

/** The answer for an agreement row: as signed, or as cancelled. */
export function agreementAnswer(row: WithholdingAgreementRow, customerNo: string, as: 'signed' | 'cancelled'): WithholdingAnswer {
  return {
    agreementId: row.agreement_id, customerNo, bankAccount: maskAccount(row.bank_account),
    status: as === 'signed' ? 'ACTIVE' : 'CANCELLED',
    changedAt: as === 'signed' ? row.signed_at : row.cancelled_at!,
  };
}

// ── SignWithholding ─────────────────────────────────────────────────────────────────────────────

function validate(request: SignWithholdingRequest): void {
  checkNow(request.now);
  checkAgreementId(request.agreementId);
  checkCustomerNo(request.customerNo);
  if (!BANK_ACCOUNT.test(request.bankAccount)) throw new GridbillError('VALIDATION_FAILED', 'bank account: 10 to 30 digits');
  if (!HOLDER_NAME.test(request.accountHolderName)) throw new GridbillError('VALIDATION_FAILED', 'account holder name: 1 to 100 characters, one line');
}

function signHash(request: SignWithholdingRequest): string {
  return requestHash(['sign-withholding/1', request.channelCode, request.agreementId, request.customerNo, request.bankAccount,
    request.accountHolderName]);
}

async function priorAnswer(store: Store, channel: ChannelRow, request: SignWithholdingRequest, hash: string): Promise<WithholdingAnswer | undefined> {
  const prior = await findAgreement(store, channel.id, request.agreementId);
  if (prior === undefined) return undefined;
  if (prior.sign_request_hash !== hash) throw new GridbillError('AGREEMENT_ID_CONFLICT', request.agreementId);
  return agreementAnswer(prior, request.customerNo, 'signed');
}

export async function signWithholding(store: Store, request: SignWithholdingRequest): Promise<WithholdingAnswer> {
  assertNotInTransaction(store);
  validate(request);
  const channel = await requireChannel(store, request.channelCode);
  const hash = signHash(request);
  const replay = await priorAnswer(store, channel, request, hash);
  if (replay !== undefined) return replay;
  const customer = await findCustomerByNo(store, request.customerNo);
  if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', request.customerNo);
  try {
    return await inTransaction(store, async (tx) => {
      await lockCustomerForPayment(tx, customer.id);
      const again = await priorAnswer(tx, channel, request, hash);
      if (again !== undefined) return again;
      const active = await findActiveAgreementOfCustomer(tx, channel.id, customer.id);
      if (active !== undefined) throw new GridbillError('AGREEMENT_ALREADY_ACTIVE', `${request.customerNo} has ${active.agreement_id}`);
      const id = await insertAgreement(tx, {
        channel_id: channel.id, agreement_id: request.agreementId, customer_id: customer.id, bank_account: request.bankAccount,
        account_holder_name: request.accountHolderName, status: 'active', signed_at: request.now, cancelled_at: null,
        sign_request_hash: hash, cancel_request_hash: null,
      });
      await appendAudit(tx, {
        at: request.now, actor: `channel:${channel.code}`, action: 'sign-withholding', subject: `withholding:${id}`,
        detail: { agreementId: request.agreementId, customerNo: customer.customer_no, bankAccount: maskAccount(request.bankAccount) },
      });
      return {
        agreementId: request.agreementId, customerNo: customer.customer_no, bankAccount: maskAccount(request.bankAccount),
        status: 'ACTIVE', changedAt: request.now,
      };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A concurrent signing won: the same agreement is answered as first signed; otherwise judge again.
    const winner = await priorAnswer(store, channel, request, hash);
    if (winner !== undefined) return winner;
    const active = await findActiveAgreementOfCustomer(store, channel.id, customer.id);
    if (active !== undefined) throw new GridbillError('AGREEMENT_ALREADY_ACTIVE', `${request.customerNo} has ${active.agreement_id}`);
    throw error;
  }
}
