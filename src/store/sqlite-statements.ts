// Kysely's SQLite driver prepares every query it runs; preparing costs more than running a short
// indexed query, and the request path (Pay, QueryArrears) runs the same few dozen statements over
// and over. This hands Kysely a database whose `prepare` answers from a bounded cache of prepared
// statements by SQL text. A statement still iterating (a stream in progress) is busy and cannot be
// run again, so a busy one is never handed out: the caller gets a fresh, uncached statement.

import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { LIMITS } from '../limits.ts';

export function cachingStatements(handle: BetterSqlite3.Database, max: number = LIMITS.sqliteStatementCacheMax): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      handle.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached !== undefined) {
        if (cached.busy) return handle.prepare(sql);
        // Map order is insertion order: re-inserting marks it most recently used.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = handle.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
      return statement;
    },
  };
}
