// Every limit of gridbill in one place, each with the reason it exists. A limit is a number with
// its unit last in the name. Code reads `LIMITS.name`; `LIMIT_REASONS` is for the README and
// for operators asking "why was this refused".

type LimitTable = Record<string, readonly [value: number, reason: string]>;

function defineLimits<T extends LimitTable>(table: T): { readonly [K in keyof T]: number } {
  const values: Record<string, number> = {};
  for (const [name, [value]] of Object.entries(table)) values[name] = value;
  return Object.freeze(values) as { readonly [K in keyof T]: number };
}

const TABLE = {
  // HTTP servers (core, gateway, portal)
  httpHeadersTimeoutMs: [10_000, 'a client must finish sending its headers in this time (slow-loris)'],
  httpRequestTimeoutMs: [30_000, 'a whole request must arrive in this time (slow bodies)'],
  httpKeepAliveTimeoutMs: [5_000, 'idle keep-alive connections are closed after this'],
  httpMaxHeadersCount: [100, 'more headers than this is not a SOAP client'],
  httpConnectionsMax: [2_000, 'bounds sockets and memory per process'],
  httpBodyBytesMax: [1_048_576, 'the largest SOAP request a channel legitimately sends is a few KB'],
  shutdownGraceMs: [10_000, 'in-flight requests get this long to finish on SIGTERM before sockets are closed'],

  // Database
  sqliteBusyTimeoutMs: [5_000, 'a writer waits this long for the lock before failing, instead of at once'],
  sqliteStatementCacheMax: [500, 'prepared statements kept per SQLite connection: the request paths use a few dozen; preparing costs more than a short query'],
  groupCommitUnitsMax: [64, 'payments committed together in one SQLite transaction: enough to share one disk wait among 50 connections, few enough that no answer waits long'],
  pgPoolSizeMax: [10, 'connections per core process; PostgreSQL max_connections is shared by all cores'],
  pgConnectTimeoutMs: [5_000, 'fail start-up with a clear message rather than hang on an unreachable server'],
  pgStatementTimeoutMs: [60_000, 'no single statement may hold locks longer than this'],
  dbBatchRowsMax: [500, 'rows per multi-row INSERT: under SQLite 32,766 and PostgreSQL 65,535 bind parameters'],

  // CLI and imports
  seedCustomersMax: [2_000_000, 'the demo generator is sized for the 1,000,000-customer benchmark'],
  seedMonthsMax: [60, 'five years of history is enough for ladder years and same-month comparisons'],
  importFileBytesMax: [512 * 1_048_576, 'a readings or tariff file larger than this is a mistake'],
  importLineCharsMax: [4_096, 'a readings row is under 100 characters; a longer line (an unclosed quote) must not fill memory'],
  importErrorsListedMax: [200, 'a wrong file must not flood the terminal: further errors are counted, not listed'],

  // WS-Security
  wsseCreatedSkewMs: [300_000, 'a UsernameToken is accepted for 5 minutes either side of its Created time'],
  wsseNonceCacheEntriesMax: [200_000, 'nonces remembered for replay detection: 5 minutes of traffic at several hundred requests a second'],
  channelCredentialsTtlMs: [5_000, 'channel credentials are cached this long: a channel disabled or rotated is refused within it'],
  wsseNonceBytesMax: [64, 'a nonce is 16 random bytes in practice; longer ones are refused, not stored'],

  // Bill run
  billRunWorkers: [2, 'worker threads that read and price slices beside the writing thread: one per core of the 2-core machines'],
  billRunSlicesInFlightMax: [2, 'slices a worker may have priced but not yet stored: two keep every thread busy, more only hold rows in memory'],
  billRunWorkerYoungGenMb: [16, 'a worker allocates little that lives; the default young generation takes a million-customer run near 500 MB RSS'],

  // Channel payments
  paymentAmountMaxFen: [1_000_000_000_000, '10 billion yuan: above any real electricity payment, far below 2^53 fen'],
  accountingDaysBehindMax: [1, 'a channel’s accounting date may lie one day before the business date (a bank’s cut-off before midnight)'],
  accountingDaysAheadMax: [7, 'and up to a week after it (banks book weekend and holiday payments on the next working day)'],

  // SOAP request documents (the body size is bounded before parsing by httpBodyBytesMax)
  xmlDepthMax: [32, 'a SOAP request of ours nests fewer than ten levels; deep nesting is an attack on the parser'],
  xmlElementsMax: [50_000, 'the largest request (a reconciliation batch) has about 25,000 elements'],
  xmlAttributesPerElementMax: [50, 'no element of our contracts has more than a handful of attributes'],
  xmlNameCharsMax: [256, 'element and attribute names of our contracts are short; megabyte names are an attack'],
  xmlTextCharsMax: [65_536, 'one text node; no field of our contracts comes near it except the tariff document, which has its own bound'],

  // Logging
  logFieldCharsMax: [2_000, 'long values are cut in logs so a hostile payload cannot flood them'],

  // Billing administration (BillingAdminService, OperationsService)
  tariffDocumentCharsMax: [524_288, 'the PublishTariff document, one text node (the contract says 512 KiB): a whole tariff with years of versions is tens of KB'],
  billRunStaleMs: [600_000, 'a running bill run that has stored nothing for this long died with its process: a new run of the period may take over'],
  channelActivityFlushMs: [5_000, 'channel call counters are written in one batch this often, never on a request; a core that dies loses at most this much'],
  channelActivityKeysMax: [1_000, 'channel-day counters a core holds between two writes: a few hundred channels; calls under other usernames are not counted'],
  // Customer access (CustomerService)
  loginCodeLifetimeMs: [300_000, 'an SMS code is good for 5 minutes: long enough to arrive and be typed, short enough to be useless when leaked later'],
  loginCodeResendIntervalMs: [60_000, 'one code a minute per customer and purpose: a user who missed one can ask again, a script cannot flood a phone'],
  loginCodesPerDayMax: [10, 'SMS codes sent for one customer in 24 hours: a real user needs a few, more is someone bombing the phone'],
  loginCodeAttemptsMax: [5, 'wrong entries of one code before it is void: a 6-digit code guessed 5 times has a 1 in 200,000 chance'],
  loginFailuresMax: [5, 'failed logins in a row before online access is locked'],
  loginLockoutMs: [900_000, 'how long online access stays locked after that: slows password guessing to 5 tries per 15 minutes'],
  customerSessionLifetimeMs: [3_600_000, 'a login session of the online business hall ends an hour after login, used or not'],
  customerPasswordCharsMin: [8, 'the shortest password accepted (the contract’s t:Password minLength)'],
  customerPasswordCharsMax: [128, 'the longest password accepted (t:Password maxLength): scrypt input stays small'],
  consumptionDaysMax: [366, 'daily consumption is answered for at most a year at a time (the contract’s maxOccurs)'],
  consumptionMonthsMax: [60, 'monthly consumption and bills are answered for at most five years at a time (the contract’s maxOccurs)'],
  smsOutboxListedMax: [1000, 'the CLI lists at most this many outbox messages: the newest ones are the ones a tester looks for'],
  // Online payments (BankGatewayService, the bank's interface gridbill calls)
  bankCallTimeoutMs: [10_000, 'a bank call without an answer in this time is UNKNOWN and settled by asking again, never by debiting twice'],
  bankDebitSendsMax: [2, 'a Debit without an answer is sent once more with the same id before PayOnline answers UNKNOWN'],
  bankAnswerBytesMax: [65_536, 'a bank answer is under 2 KB; a larger one is refused unread'],
  bankSocketsMax: [16, 'connections kept open to the bank per core: payments queue rather than open a socket each'],
  onlinePaymentLeaseMs: [60_000, 'an online payment in progress is left to its request this long (more than its bank calls take); then a repeat may take it over'],
  onlinePaymentsSettledPerRunMax: [200, 'unsettled online payments one settling run sends to the bank: each may wait for a bank timeout, so a run stays minutes long at most'],
  // Reconciliation and reversals
  reconcileEntriesPerBatchMax: [5_000, "entries in one Reconcile batch (the contract’s maxOccurs): about 650 KB, under httpBodyBytesMax"],
  reconcileBatchesMax: [1_000, "batches of one accounting date (the contract’s BatchNumber): 5,000,000 payments of one channel in a day"],
  reconcileDiscrepanciesListedMax: [5_000, "discrepancies answered to a Reconcile (the contract’s maxOccurs); all of them are kept for review"],
  reversalDaysMax: [31, "a channel's reversal window in days: later than a month a take-back is a refund, not a reversal"],
  // Contract validation (src/contract)
  contractViolationsMax: [20, 'violations collected for one message: enough to fix a request in one round, few enough that a hostile one cannot grow a large fault'],
} as const satisfies LimitTable;

export const LIMITS = defineLimits(TABLE);
export type LimitName = keyof typeof TABLE;
export const LIMIT_REASONS: Readonly<Record<LimitName, string>> = Object.freeze(
  Object.fromEntries(Object.entries(TABLE).map(([name, [, reason]]) => [name, reason])) as Record<LimitName, string>,
);
