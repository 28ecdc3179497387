// Opens the database named by a URL (GRIDBILL_DB): sqlite:PATH (default), postgres://…, mssql://….
// Every failure becomes one catalogued error naming the problem and the fix.

import { mkdirSync, accessSync, constants as fsConstants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, MssqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import * as tarn from 'tarn';
import * as tedious from 'tedious';
import { cachingStatements } from './sqlite-statements.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import type { Database, DialectName, Store } from './database.ts';

export interface OpenStore extends Store {
  readonly db: Kysely<Database>;
  /** The URL with any password replaced, for messages and logs. */
  readonly displayUrl: string;
  close(): Promise<void>;
}

export function dialectOf(url: string): DialectName {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('mssql://')) return 'mssql';
  throw new GridbillError('DB_URL_UNSUPPORTED', `GRIDBILL_DB=${redactUrl(url)}`, {
    hint: 'use sqlite:./data/gridbill.db, postgres://user:pass@host:5432/db or mssql://user:pass@host:1433/db',
  });
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export async function openStore(url: string): Promise<OpenStore> {
  const dialect = dialectOf(url);
  const handle = dialect === 'sqlite' ? openSqliteHandle(url) : undefined;
  const db = handle ? new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(handle) }) })
    : dialect === 'postgres' ? openPostgres(url) : openMssql(url);
  const displayUrl = redactUrl(url);
  try {
    await sql`select 1 as ok`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new GridbillError('DB_UNREACHABLE', `${displayUrl}: ${(error as Error).message || String(error)}`, {
      hint: 'check that the database server is running and that GRIDBILL_DB has the right host, port, user and password',
      cause: error,
    });
  }
  // A second connection to the same file reads committed state beside the writer (Store.sqliteReader);
  // an in-memory database is private to its connection, so it has none.
  const reader = handle && sqlitePath(url) !== ':memory:' ? openSqliteReader(sqlitePath(url)) : undefined;
  return {
    db, dialect, sqlite: handle, ...(reader ? { sqliteReader: reader } : {}), displayUrl,
    close: async () => {
      reader?.close();
      await db.destroy();
    },
  };
}

function sqlitePath(url: string): string {
  const path = url.slice('sqlite:'.length);
  if (path === '') throw new GridbillError('DB_URL_UNSUPPORTED', 'sqlite: needs a path', { hint: 'use sqlite:./data/gridbill.db' });
  return path;
}

function openSqliteHandle(url: string): BetterSqlite3.Database {
  const path = sqlitePath(url);
  if (path !== ':memory:') ensureWritableFolder(dirname(resolve(path)));
  let handle: BetterSqlite3.Database;
  try {
    handle = new BetterSqlite3(path, { timeout: LIMITS.sqliteBusyTimeoutMs });
    // WAL lets readers run beside the writer; synchronous=FULL makes an acknowledged commit
    // survive a power cut, which a payment platform owes its channels.
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = FULL');
    handle.pragma('foreign_keys = ON');
    // Statement and savepoint journals in memory: every write in a transaction journals the pages
    // it touches for its own rollback, and each payment runs in a savepoint of its group commit
    // (group-commit.ts); kept in temporary files, they tripled the cost of a payment's inserts.
    // The price: sorts too big for the page cache grow in memory instead of a temporary file.
    handle.pragma('temp_store = MEMORY');
  } catch (error) {
    throw new GridbillError('DB_DIR_UNWRITABLE', `${path}: ${(error as Error).message}`, {
      hint: 'give gridbill a writable file, or set GRIDBILL_DB to another path',
      cause: error,
    });
  }
  return handle;
}

function openSqliteReader(path: string): BetterSqlite3.Database {
  // Read-only: nothing written through it by mistake; the writer set WAL mode in the file itself.
  return new BetterSqlite3(path, { readonly: true, timeout: LIMITS.sqliteBusyTimeoutMs });
}

function ensureWritableFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, fsConstants.W_OK);
  } catch (error) {
    throw new GridbillError('DB_DIR_UNWRITABLE', `${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: 'create the folder and make it writable for this user, or set GRIDBILL_DB=sqlite:/another/path.db',
      cause: error,
    });
  }
}

/** PostgreSQL bigint (int8) arrives as text; amounts are within 2^53, so they become numbers, checked. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} exceeds the safe integer range`);
  return value;
}

const INT8_OID = 20;

function openPostgres(url: string): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: LIMITS.pgPoolSizeMax,
    connectionTimeoutMillis: LIMITS.pgConnectTimeoutMs,
    statement_timeout: LIMITS.pgStatementTimeoutMs,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor may a checked-out one (a transaction between two statements) when the primary dies or a
  // failover cuts its connection: pg-pool listens only while a client is idle, and an 'error'
  // event without a listener ends the process. The statement in flight still fails, and the pool
  // drops the broken client when it is released, so the next transaction opens a new connection.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function openMssql(url: string): Kysely<Database> {
  const u = new URL(url);
  const database = u.pathname.replace(/^\//, '') || 'gridbill';
  return new Kysely<Database>({
    dialect: new MssqlDialect({
      tarn: { ...tarn, options: { min: 0, max: LIMITS.pgPoolSizeMax } },
      tedious: {
        ...tedious,
        connectionFactory: () => new tedious.Connection({
          server: u.hostname,
          authentication: {
            type: 'default',
            options: { userName: decodeURIComponent(u.username), password: decodeURIComponent(u.password) },
          },
          options: {
            port: u.port ? Number(u.port) : 1433,
            database,
            trustServerCertificate: u.searchParams.get('trustServerCertificate') === 'true',
            connectTimeout: LIMITS.pgConnectTimeoutMs,
          },
        }),
      },
    }),
  });
}
