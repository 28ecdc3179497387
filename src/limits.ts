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
  httpTimeoutCheckMs: [1_000, 'expired header and request timeouts are enforced this often; Node’s default of 30 s lets a slow client live 30 s past its timeout'],
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
  // Admin console (src/console)
  consoleSessionLifetimeMs: [28_800_000, 'a console session ends 8 hours (a working shift) after login, used or not'],
  staffLoginFailuresMax: [5, 'failed console logins in a row before the staff account is locked'],
  staffLockoutMs: [900_000, 'how long a staff account stays locked after that: slows password guessing to 5 tries per 15 minutes'],
  consoleFormBytesMax: [65_536, 'a console form (not an upload) is a few hundred bytes; a tariff document has its own bound'],
  consoleUploadBytesMax: [16_777_216, 'a readings file uploaded through the browser: about 300,000 rows; larger files go through gridbill readings import'],
  consoleRowsListedMax: [200, 'rows a console page lists at once: more is not read by a person, and narrows with a search'],
  // Isolation gateway (src/gateway)
  gatewayInflatedBytesMax: [1_048_576, 'a compressed request may expand to at most this (the body limit applies to the decompressed request too)'],
  gatewayInflateRatioMax: [20, 'XML compresses about 5–10×; a request expanding more than this is a compression bomb'],
  gatewayCoreTimeoutMs: [15_000, 'a forwarded request without an answer from the core in this time is UNAVAILABLE to the channel (a durable Pay takes milliseconds)'],
  gatewayCoreSocketsMax: [64, 'keep-alive connections from one gateway to the core: more than the 50 concurrent channel connections of the benchmark, few enough for the core'],
  gatewayCoreAnswerBytesMax: [8_388_608, 'the largest answer (a reconciliation with 5,000 discrepancies) is about 2 MB; a larger one is refused unread'],
  gatewayBreakerFailuresMax: [5, 'consecutive core failures (no answer, not an application fault) that open the circuit breaker'],
  gatewayBreakerOpenMs: [5_000, 'how long an open breaker refuses at once before one trial request is let through to the core'],
  gatewayChannelRatePerSecond: [200, 'default sustained requests per second of one channel (token bucket); the policy may set its own'],
  gatewayChannelBurstMax: [400, 'default burst of one channel: two seconds of its rate'],
  gatewayCustomerRatePerMinute: [60, 'default sustained requests per minute about one customer number: a person or a bank desk needs a few'],
  gatewayCustomerBurstMax: [20, 'default burst about one customer number'],
  gatewayRateBucketsMax: [100_000, 'token buckets kept for customers; the least recently used go first, so a flood of numbers cannot fill memory'],
  gatewayTxnAmountMaxFen: [100_000_000, 'default ceiling of one Pay or PayOnline: 1,000,000 yuan, above a large industrial bill'],
  gatewayDailyAmountMaxFen: [100_000_000_000, "default ceiling of a channel's payments in one business day: 1,000,000,000 yuan"],
  gatewayDailyTxnIdsMax: [1_000_000, "transaction ids remembered per gateway so a repeated Pay (the same id) is counted once against the day's ceiling"],
  gatewayQuarantineSampleEvery: [10, 'one denied request in this many is kept for review: enough to see an attack, little disk during one'],
  gatewayQuarantineFileBytesMax: [65_536, 'the first bytes of a denied request kept in its quarantine file'],
  gatewayQuarantineBytesMax: [67_108_864, 'the quarantine folder stops growing at this size (64 MiB) until an operator empties it'],
  gatewayPolicyBytesMax: [4_194_304, 'a policy file of a few hundred channels is tens of KB; a larger one is a mistake'],
  // Online business hall (src/portal)
  portalSessionsMax: [20_000, 'signed-in portal sessions held in memory per portal process; when full the least recently used one ends'],
  portalSessionIdleMs: [900_000, 'a portal session unused for 15 minutes ends (the core’s own session ends an hour after login whatever happens)'],
  portalFormBytesMax: [16_384, 'a form posted to the portal is under 2 KB; a larger body is refused unread'],
  portalLoginWindowMs: [600_000, 'login attempts are counted over 10 minutes, per client address and per customer number'],
  portalLoginAttemptsPerIpMax: [100, 'login and code requests from one address in the window: mobile carriers put many customers behind one address, a script needs far more'],
  portalLoginAttemptsPerCustomerMax: [10, 'login and code requests for one customer number in the window, before the core’s own lockout is even reached'],
  portalRateLimitKeysMax: [100_000, 'addresses and customer numbers counted at once; when full the oldest are forgotten'],
  portalUpstreamTimeoutMs: [45_000, 'a CustomerService call without an answer in this time is given up; PayOnline waits on the bank up to 3 × bankCallTimeoutMs'],
  portalUpstreamAnswerBytesMax: [4_194_304, 'the largest CustomerService answer (60 bills of 100 lines) is about 2 MB'],
  portalUpstreamSocketsMax: [64, 'connections kept open to the CustomerService endpoint per portal process'],
  portalPaymentFormsMax: [20, 'payment forms (request ids) a portal session remembers, so a form sent again is recognised'],
  // Certificate authority and the gateway's TLS (src/gateway/ca-store.ts, tls.ts)
  caCertificateDays: [3_650, 'the platform CA is valid ten years: replacing a trust anchor means touching every channel'],
  channelCertificateDaysDefault: [365, 'a channel certificate is renewed yearly, alongside its other credentials'],
  channelCertificateDaysMax: [825, 'the longest channel certificate issued: about two years, so a forgotten key stops working on its own'],
  serverCertificateDaysMax: [398, "the gateway's server certificate: the longest TLS clients accept (CA/Browser Forum)"],
  crlValidityDays: [365, 'a CRL past its nextUpdate makes the gateway refuse every channel; it is re-signed on every revocation and by gridbill ca crl'],
  tlsReloadPollMs: [2_000, 'how often the gateway looks at its certificate and CRL files for a change (a revocation takes effect within this)'],
  // Smart payment (estimation, reminders, remote control)
  controlAttemptsMax: [5, 'sends and confirmations of one remote switch command before it is FAILED and an alert raised: a head-end down longer needs a person'],
  estimationSliceAccounts: [5_000, 'accounts an estimation run reads, prices and writes per transaction: the fsync of each commit is amortised, and the SQLite writer lock is held well under a second'],
  estimationSlicesInFlightMax: [2, 'slices the estimation worker has priced and the writing thread has not yet stored: two keep both threads busy; more only hold more rows in memory'],
  estimationWorkerYoungGenMb: [16, 'the estimation worker allocates little that lives; a smaller young generation keeps the peak RSS of a million-account run bounded'],
  // Smart payment integrations (head-end, scheduler, direct debit)
  headEndCallTimeoutMs: [10_000, 'a head-end call without an answer in this time counts as a failed attempt; the same commandId is sent again on the next dispatch'],
  headEndAnswerBytesMax: [65_536, 'a head-end answer is under 1 KB; a larger one is refused unread'],
  headEndSocketsMax: [8, 'connections kept open to the head-end per core: commands are few and sent one after another'],
  schedulerTickMs: [30_000, 'how often a core looks for a scheduled job that is due: a job starts at most this late'],
  schedulerLeaseMs: [300_000, "a job's database lease; its holder renews it every third of this while the job runs, so a core that died frees its jobs within this"],
  controlDispatchMs: [60_000, 'approved switch commands are sent, and paid-up disconnected customers reconnected, at least this often (a payment’s reconnect is sent at once)'],
  onlinePaymentsSettleMs: [120_000, 'online payments whose request gave up are settled with the bank this often (each after its onlinePaymentLeaseMs)'],
  estimateSettlementMs: [3_600_000, 'issued bills of smart-payment accounts are settled against their estimates this often: within an hour of the issue'],
  directDebitMs: [3_600_000, 'direct debits of newly issued bills are sent, and failed ones retried when due, this often'],
  directDebitAttemptsMax: [3, 'debits of one bill before it is left to the customer: an account that failed three times over several days needs a reminder, not a fourth try'],
  directDebitRetryMs: [172_800_000, 'a failed debit is tried again two days later: an account short today is often topped up by then'],
  directDebitsPerRunMax: [500, 'debits one run sends: each may wait for a bank timeout, so a run stays minutes long at most'],
  assessmentDaysMax: [366, 'a channel assessment covers at most a year of days (the contract says so): a year is one grouped read of each table'],
  terminalReadingLateDays: [2, 'a collection terminal delivers each day’s frozen reading the next day: older than this, a day is missing (DEGRADED)'],
  terminalOfflineDays: [35, 'a meter without even a monthly reading for this long is not being read at all (OFFLINE)'],
  gatewayReadyCacheMs: [3000, 'the gateway answers /ready from its last probe of the core this long: balancers asking every second cost the core one probe'],
  gatewayReadyProbeTimeoutMs: [2000, 'a core that does not answer its /ready in this time is not ready for payments either'],
} as const satisfies LimitTable;

export const LIMITS = defineLimits(TABLE);
export type LimitName = keyof typeof TABLE;
export const LIMIT_REASONS: Readonly<Record<LimitName, string>> = Object.freeze(
  Object.fromEntries(Object.entries(TABLE).map(([name, [, reason]]) => [name, reason])) as Record<LimitName, string>,
);
