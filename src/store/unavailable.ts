// Whether a database driver's error means "the database cannot serve this now" rather than "this
// request went wrong": the primary is down or being failed over (PostgreSQL refuses connections,
// terminates them, or a standby refuses a write for the moment HAProxy still points at it), the
// pool timed out waiting for a connection, or SQLite stayed locked past its busy timeout. A caller
// told UNAVAILABLE retries with the same transaction id; one told INTERNAL opens an incident.
// Found by the cluster drill: during a failover every Pay was answered INTERNAL.

/** PostgreSQL SQLSTATEs of a server that cannot take the request now. */
const PG_UNAVAILABLE = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up or shutting down
  '53300', // too_many_connections
  '25006', // read_only_sql_transaction: a write reached a standby (mid-failover)
]);

/** Socket errors of a database connection that could not be made or was cut. */
const SOCKET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/** SQLite result codes of a database locked past the busy timeout. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED)(_|$)/;

/** What node-pg throws (no code) when a connection ends under a query or cannot be had in time. */
const PG_CONNECTION_LOST = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08: connection exception (08000, 08003, 08006, 08001, 08004, …).
    if (/^08[0-9A-Z]{3}$/.test(code) || PG_UNAVAILABLE.has(code) || SOCKET_UNAVAILABLE.has(code)) return true;
    if (SQLITE_UNAVAILABLE.test(code)) return true;
  }
  // SQL Server (tedious): a ConnectionError is the connection, not the statement.
  if (error.name === 'ConnectionError') return true;
  return PG_CONNECTION_LOST.test(error.message);
}
