import { expect } from 'chai';
import BetterSqlite3 from 'better-sqlite3';
import { cachingStatements } from '../../src/store/sqlite-statements.ts';

describe('SQLite statement cache', () => {
  let handle: BetterSqlite3.Database;
  beforeEach(() => {
    handle = new BetterSqlite3(':memory:');
    handle.exec('create table t (n integer); insert into t values (1), (2), (3)');
  });
  afterEach(() => {
    if (handle.open) handle.close();
  });

  it('prepares an SQL text once and hands out the same statement again', () => {
    const db = cachingStatements(handle, 10);
    const first = db.prepare('select n from t where n = ?');
    expect(db.prepare('select n from t where n = ?')).to.equal(first);
    expect(db.prepare('select n from t where n > ?')).to.not.equal(first);
  });

  it('never hands out a statement that is still iterating', () => {
    const db = cachingStatements(handle, 10);
    const text = 'select n from t order by n';
    const iterating = db.prepare(text) as unknown as BetterSqlite3.Statement;
    const rows = iterating.iterate();
    rows.next();
    const other = db.prepare(text) as unknown as BetterSqlite3.Statement;
    expect(other).to.not.equal(iterating);
    expect(other.all()).to.have.length(3); // usable while the first one is mid-iteration
    rows.return?.();
    expect(db.prepare(text)).to.equal(iterating);
  });

  it('keeps at most the given number, dropping the least recently used', () => {
    const db = cachingStatements(handle, 2);
    const a = db.prepare('select 1');
    const b = db.prepare('select 2');
    expect(db.prepare('select 1')).to.equal(a); // a is now the most recent
    db.prepare('select 3'); // evicts b
    expect(db.prepare('select 1')).to.equal(a);
    expect(db.prepare('select 2')).to.not.equal(b);
  });

  it('closes the connection', () => {
    cachingStatements(handle, 2).close();
    expect(handle.open).to.equal(false);
  });
});
