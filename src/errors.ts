// The one error catalogue. Every error that leaves a process — a SOAP fault, a CLI message, an
// HTTP status — carries one of these codes. Codes are stable strings (they cross process
// boundaries, where `instanceof` does not); messages may be reworded, codes never change.
// The README's error table is kept in step with this file by test/errors.test.ts.

export type FaultCode = 'Client' | 'Server';

export interface ErrorSpec {
  readonly message: string;
  readonly fault: FaultCode;
  readonly httpStatus: number;
}

function client(message: string, httpStatus = 500): ErrorSpec {
  // SOAP faults go out with HTTP 500 whatever their side (SOAP 1.1 §6.2); plain HTTP errors
  // before parsing use their own status.
  return { message, fault: 'Client', httpStatus };
}
function server(message: string, httpStatus = 500): ErrorSpec {
  return { message, fault: 'Server', httpStatus };
}

export const ERRORS = {
  // Configuration and start-up (CLI exit codes, never seen on the wire)
  CONFIG_INVALID: server('Configuration is invalid'),
  DB_URL_UNSUPPORTED: server('Unsupported database URL scheme'),
  DB_UNREACHABLE: server('The database cannot be reached'),
  DB_DIR_UNWRITABLE: server('The data folder cannot be written'),
  DB_SCHEMA_NEWER: server('The database schema is newer than this version of gridbill'),
  DB_SCHEMA_OUTDATED: server('The database schema is older than this version of gridbill'),
  MIGRATION_FAILED: server('A migration failed; the database was left as it was'),
  DB_NOT_EMPTY: client('The database already holds data'),
  CLI_USAGE: client('Invalid command line'),
  INPUT_INVALID: client('Input file is invalid'),

  // Generic request handling
  INTERNAL: server('Internal error'),
  UNAVAILABLE: server('Service temporarily unavailable', 503),
  NOT_FOUND: client('Not found', 404),
  VALIDATION_FAILED: client('The request does not match the contract'),

  // Domain
  CUSTOMER_NOT_FOUND: client('Customer not found'),
  METER_NOT_FOUND: client('Meter not found'),
  TARIFF_INVALID: client('Tariff document is invalid'),
  TARIFF_NOT_FOUND: client('No tariff in force for the date'),
  READING_INVALID: client('Reading is invalid'),
  LEDGER_UNBALANCED: server('Ledger transaction does not balance'),

  // Channel payments (ChannelPaymentService)
  CHANNEL_NOT_FOUND: client('Channel not registered or disabled'),
  PAYMENT_AMOUNT_INVALID: client('Payment amount must be a positive amount within the limit'),
  ACCOUNTING_DATE_INVALID: client('Accounting date is invalid or outside the accepted window'),
  BILL_NOT_PAYABLE: client('A listed bill is not an outstanding bill of this customer'),
  TXN_ID_CONFLICT: client('The transaction id was already used with other content'),
  PAYMENT_NOT_FOUND: client('No payment of this channel has that transaction id'),
  PAYMENT_ALREADY_REVERSED: client('The payment was already reversed by another reversal'),
  REVERSAL_NOT_ALLOWED: client('The payment can no longer be reversed'),
  AGREEMENT_ID_CONFLICT: client('The agreement id was already used with other content'),
  AGREEMENT_ALREADY_ACTIVE: client('The customer already has an active direct-debit agreement with this channel'),
  AGREEMENT_NOT_FOUND: client('No direct-debit agreement of this channel and customer has that id'),

  // Channels and authentication
  AUTH_FAILED: client('Authentication failed'),
  OPERATION_NOT_ALLOWED: client('The channel may not call this operation'),
  CHANNEL_EXISTS: client('A channel with this code exists'),
  CHANNEL_INVALID: client('Channel registration is invalid'),

  // Reconciliation (ChannelPaymentService.Reconcile, gridbill reconcile)
  RECONCILE_DATE_NOT_PAST: client('Only an accounting date before the business date can be reconciled'),
  RECONCILE_DAY_RECONCILED: client('The accounting day is already reconciled'),
  RECONCILE_BATCH_CONFLICT: client('The batch conflicts with what was already received for the accounting day'),
  RECONCILE_TOTALS_MISMATCH: client("The day's totals do not match the entries received; the day's batches were discarded"),

  // Customer access (CustomerService: login codes, sessions, profile)
  LOGIN_FAILED: client('Customer number, password or SMS code is wrong'),
  SMS_CODE_EXPIRED: client('The SMS code has expired or was entered wrongly too often: ask for a new one'),
  ACCOUNT_LOCKED: client('Online access is locked after repeated failed logins: try again later'),
  SESSION_INVALID: client('The session has expired or ended: log in again'),
  PHONE_CODE_INVALID: client('The confirmation code for the new phone is wrong or has expired'),
  SMS_TOO_SOON: client('A code was sent moments ago: wait before asking for another'),
  PASSWORD_WRONG: client('The current password is wrong'),
  PASSWORD_POLICY: client('The password must be 8 to 128 characters with letters and digits'),
  RANGE_INVALID: client('The date or period range is invalid or too long'),
  ESTIMATE_UNAVAILABLE: client('No fee estimate can be made without consumption history'),

  // Online payment (CustomerService.PayOnline, BankGatewayService)
  PAYMENT_AMOUNT_MISMATCH: client('The amount differs from what the listed bills are due now'),
  ONLINE_PAYMENT_PENDING: client('An earlier online payment of this customer is not settled yet; send its requestId again'),
  BANK_UNAVAILABLE: server('The bank cannot be reached; nothing was debited'),

  // Billing administration (BillingAdminService, OperationsService)
  CUSTOMER_EXISTS: client('A customer with this number exists'),
  METER_EXISTS: client('A meter with this number exists'),
  METER_INVALID: client('Meter data is invalid'),
  METER_EXCHANGE_INVALID: client('The meter exchange does not match the meter as stored'),
  BILL_RUN_IN_PROGRESS: client('A bill run of this period is in progress'),
  EXCEPTION_CLOSED: client('The exception was already closed with another decision'),
  DUE_DATE_INVALID: client('The due date must not lie before the issue date'),

  // Gateway (isolation gateway, certificate authority)
  CA_EXISTS: client('A certificate authority already exists in this folder'),
  CA_NOT_FOUND: client('No certificate authority in this folder'),
  CA_BUSY: client('Another gridbill ca command is working on this certificate authority'),
  CERTIFICATE_NOT_FOUND: client('No certificate of this certificate authority matches'),
  TLS_CONFIG_INVALID: server("The gateway's TLS certificate, key, CA or revocation list is missing or invalid"),
  METHOD_NOT_ALLOWED: client('Only POST is accepted for a SOAP request', 405),
  MEDIA_TYPE_UNSUPPORTED: client('Expected text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2) in UTF-8', 415),
  REQUEST_TOO_LARGE: client('The request is larger than the gateway accepts', 413),
  TLS_REQUIRED: client('Plain HTTP is accepted from loopback only: connect with TLS', 403),
  AMOUNT_LIMIT_EXCEEDED: client("The amount exceeds the channel's limit per transaction or per day"),
  RATE_LIMITED: client('Too many requests: slow down and retry later'),
  OUTSIDE_BUSINESS_HOURS: client("The channel may not call this operation outside its business hours"),
  REVERSAL_NOT_OWN: client("A reversal may only name the channel's own transactions"),

  // Smart payment (estimation, reminders, remote control, direct debit)
  ESTIMATION_DATE_INVALID: client('The estimation date is invalid or its period has not ended yet'),
  ESTIMATION_SETTINGS_INVALID: client('Estimation settings are invalid'),
  CONTROL_COMMAND_NOT_FOUND: client('No control command has that id'),
  CONTROL_COMMAND_NOT_PENDING: client('The control command is not waiting for approval'),

  // Web (online business hall, admin console)
  PORTAL_CSRF_INVALID: client('The form has expired or did not come from the online business hall: reload the page', 403),
  PORTAL_RATE_LIMITED: client('Too many login attempts: wait a few minutes and try again', 429),
  STAFF_LOGIN_FAILED: client('User name or password is wrong', 401),
  STAFF_LOCKED: client('The staff account is locked after repeated failed logins: try again later', 401),
  STAFF_SESSION_INVALID: client('The console session has expired or ended: log in again', 401),
  STAFF_FORBIDDEN: client('Your role may not do this', 403),
  CONSOLE_CSRF_INVALID: client('The form is out of date or did not come from the console: reload the page', 403),
  STAFF_EXISTS: client('A staff user with this name exists'),
  STAFF_INVALID: client('Staff user data is invalid'),
  STAFF_NOT_FOUND: client('Staff user not found'),

  // Operations (audit, monitoring)
  AUDIT_CHAIN_BROKEN: server('The audit log’s hash chain is broken'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERRORS, value);
}

/**
 * An operating error with a catalogued code. `detail` is for the message shown to the caller
 * (one line, no internals); `hint` says how to fix it, for CLI users.
 */
export class GridbillError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { hint?: string; cause?: unknown }) {
    super(detail ? `${ERRORS[code].message}: ${detail}` : ERRORS[code].message, { cause: options?.cause });
    this.name = 'GridbillError';
    this.code = code;
    this.detail = detail;
    this.hint = options?.hint;
  }

  get spec(): ErrorSpec {
    return ERRORS[this.code];
  }
}

export function isGridbillError(value: unknown): value is GridbillError {
  return value instanceof GridbillError;
}
