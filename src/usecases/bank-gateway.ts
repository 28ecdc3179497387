// The bank as the use cases see it (wsdl/BankGatewayService.wsdl): CheckBalance, Debit and
// ReverseDebit, each idempotent on gridbill's requestId. The SOAP client in src/soap implements it;
// use cases never import it, so they stay free of the transport.
//
// Every call comes back as a value, never as an exception: the bank answered (`answer`), refused
// with a SOAP fault (`fault`: nothing was done, as far as the bank says), or did not answer at all
// (`no-answer`: a timeout, a refused connection, an answer we could not read). After a Debit
// without an answer the debit may or may not have happened: only asking again with the same
// requestId tells, which is why the outcome is a value the caller must look at.

export type BankFailure = 'INSUFFICIENT_BALANCE' | 'ACCOUNT_INVALID' | 'ACCOUNT_FROZEN' | 'LIMIT_EXCEEDED' | 'BANK_REJECTED' | 'BANK_TIMEOUT';
export const BANK_FAILURES: readonly BankFailure[] = [
  'INSUFFICIENT_BALANCE', 'ACCOUNT_INVALID', 'ACCOUNT_FROZEN', 'LIMIT_EXCEEDED', 'BANK_REJECTED', 'BANK_TIMEOUT',
];

export type BankOutcome = 'SUCCESS' | 'FAILED' | 'UNKNOWN';

export interface BalanceQuery {
  readonly requestId: string;
  readonly bankAccount: string;
  readonly amountFen: number;
}

export interface BalanceAnswer {
  readonly requestId: string;
  /** The account can be debited the amount now. */
  readonly sufficient: boolean;
  /** Only where the bank discloses it. */
  readonly availableFen?: number;
  readonly failure?: BankFailure;
}

export interface DebitOrder {
  readonly requestId: string;
  readonly bankAccount: string;
  readonly amountFen: number;
  readonly memo?: string;
}

export interface DebitAnswer {
  readonly requestId: string;
  readonly outcome: BankOutcome;
  readonly failure?: BankFailure;
  readonly bankTxnId?: string;
  readonly amountFen: number;
  /** The bank's accounting date of the debit, YYYY-MM-DD. */
  readonly accountingDate?: string;
  readonly processedAt: string;
}

export interface ReverseDebitOrder {
  readonly requestId: string;
  readonly originalRequestId: string;
  readonly amountFen: number;
}

export interface ReverseDebitAnswer {
  readonly requestId: string;
  readonly originalRequestId: string;
  readonly outcome: BankOutcome;
  readonly failure?: BankFailure;
  readonly bankTxnId?: string;
  readonly processedAt: string;
}

export type NoAnswerReason = 'timeout' | 'unreachable' | 'malformed' | 'not-configured';

export type BankResult<T> =
  | { readonly kind: 'answer'; readonly answer: T }
  | { readonly kind: 'fault'; readonly side: 'Client' | 'Server'; readonly code: string; readonly message: string }
  | { readonly kind: 'no-answer'; readonly reason: NoAnswerReason; readonly detail: string };

export interface BankGateway {
  checkBalance(query: BalanceQuery): Promise<BankResult<BalanceAnswer>>;
  debit(order: DebitOrder): Promise<BankResult<DebitAnswer>>;
  reverseDebit(order: ReverseDebitOrder): Promise<BankResult<ReverseDebitAnswer>>;
}

/** A core without a configured bank: every call is answered as if the bank could not be reached. */
export const NO_BANK: BankGateway = {
  checkBalance: () => Promise.resolve(notConfigured()),
  debit: () => Promise.resolve(notConfigured()),
  reverseDebit: () => Promise.resolve(notConfigured()),
};

function notConfigured(): { readonly kind: 'no-answer'; readonly reason: 'not-configured'; readonly detail: string } {
  return { kind: 'no-answer', reason: 'not-configured', detail: 'no bank is configured (GRIDBILL_BANK_URL)' };
}
