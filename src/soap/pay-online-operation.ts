// CustomerService.PayOnline (wsdl/CustomerService.wsdl): parse → use case → map, for the customer
// port to plug in. The customer is the session's, never the body's; the amount arrives and leaves
// as a decimal string; the bank account leaves masked; response elements are written in the order
// the schema declares them. The bank's outcome is the answer (SUCCESS / FAILED / UNKNOWN), faults
// are for requests that are wrong or cannot be processed (usecases/pay-online.ts).

import { formatYuan } from '../domain/money.ts';
import type { Store } from '../store/database.ts';
import type { BankGateway } from '../usecases/bank-gateway.ts';
import { payOnline, type PayOnlineAnswer, type PayOnlineOptions } from '../usecases/pay-online.ts';
import { amountFen, type PaymentObserver } from './channel-payment-port.ts';
import type { OperationHandler } from './soap-endpoint.ts';
import type { XmlFields } from './soap-xml.ts';

/** The customer a session token belongs to (usecases/customer-session.ts `sessionCustomer`); faults when it is not valid. */
export type ResolveSession = (token: string, now: string) => Promise<{ readonly customerId: number; readonly customerNo: string }>;

/** tns:PayOnlineResponse, in schema order. */
export function payOnlineFields(answer: PayOnlineAnswer): XmlFields {
  return [
    ['requestId', answer.requestId],
    ['outcome', answer.outcome],
    ['failure', answer.failure],
    ['platformTxnId', answer.platformTxnId],
    ['amount', formatYuan(answer.amountFen)],
    ['bankAccount', answer.bankAccount],
    ['totalDue', formatYuan(answer.totalDueFen)],
  ];
}

/** `onPaid` is told of a SUCCESS (see channel-payment-port.ts PaymentObserver): it returns at once and never throws. */
export function payOnlineOperation(
  store: Store, bank: BankGateway, resolveSession: ResolveSession, options: PayOnlineOptions = {}, onPaid: PaymentObserver = () => undefined,
): OperationHandler {
  return async (args, context) => {
    const session = await resolveSession(args.one('sessionToken'), context.now);
    const answer = await payOnline(store, bank, {
      customerNo: session.customerNo,
      requestId: args.one('requestId'),
      billNos: args.many('billNo'),
      bankAccount: args.one('bankAccount'),
      amountFen: amountFen(args.one('amount'), 'amount'),
      now: context.now,
    }, options);
    if (answer.outcome === 'SUCCESS') onPaid(session.customerNo);
    return payOnlineFields(answer);
  };
}
