import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isDatabaseUnavailable } from '../../src/store/unavailable.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('a database that cannot serve now: PostgreSQL shutdown, connection classes, a standby refusing a write, sockets, node-pg lost connections', () => {
    for (const error of [
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      withCode('sorry, too many clients already', '53300'),
      withCode('cannot execute INSERT in a read-only transaction', '25006'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      withCode('database is locked', 'SQLITE_BUSY'),
      withCode('database table is locked', 'SQLITE_LOCKED_SHAREDCACHE'),
      Object.assign(new Error('Failed to connect to db:1433'), { name: 'ConnectionError' }),
    ]) {
      expect(isDatabaseUnavailable(error), error.message).to.equal(true);
    }
  });

  it('a request that went wrong is not: constraint violations, syntax, bad values, programming errors, non-errors', () => {
    for (const error of [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('syntax error at or near "SELEC"', '42601'),
      withCode('invalid input syntax for type integer', '22P02'),
      withCode('UNIQUE constraint failed: payments.channel_txn_id', 'SQLITE_CONSTRAINT_UNIQUE'),
      withCode('disk I/O error', 'SQLITE_IOERR'),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new Error('connection to the bank terminated'),
    ]) {
      expect(isDatabaseUnavailable(error), error.message).to.equal(false);
    }
    for (const value of [undefined, null, 'Connection terminated', { code: '57P01' }]) expect(isDatabaseUnavailable(value)).to.equal(false);
  });

  it('recognises a real SQLite lock held past the busy timeout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridbill-unavailable-'));
    const path = join(dir, 'locked.db');
    const holder = new Database(path);
    const waiter = new Database(path, { timeout: 1 });
    try {
      holder.exec('create table if not exists t (x integer)');
      holder.exec('begin immediate');
      let thrown: unknown;
      try {
        waiter.exec('begin immediate');
      } catch (error) {
        thrown = error;
      }
      expect(thrown, 'the second writer must be refused').to.be.instanceOf(Error);
      expect(isDatabaseUnavailable(thrown)).to.equal(true);
    } finally {
      holder.exec('rollback');
      waiter.close();
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
