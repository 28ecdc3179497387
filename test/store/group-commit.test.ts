import { expect } from 'chai';
import sinon from 'sinon';
import { sql } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { inGroupCommit } from '../../src/store/group-commit.ts';
import type { Store } from '../../src/store/database.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { describeOnEveryStore } from '../support/stores.ts';

async function createProbe(store: Store): Promise<void> {
  const id = store.dialect === 'sqlite' ? sql`integer primary key` : sql`serial primary key`;
  await sql`create table gc_probe (id ${id}, v varchar(20) not null, parent_id integer references gc_probe(id))`.execute(store.db);
}

async function insert(tx: Store, v: string, parent: number | null = null): Promise<void> {
  await sql`insert into gc_probe (v, parent_id) values (${v}, ${parent})`.execute(tx.db);
}

async function values(store: Store): Promise<string[]> {
  const result = await sql<{ v: string }>`select v from gc_probe order by id`.execute(store.db);
  return result.rows.map((r) => r.v);
}

describeOnEveryStore('group commit', (handle) => {
  let store: Store;
  before(async () => {
    store = handle.store;
    await createProbe(store);
  });
  beforeEach(async () => {
    await sql`delete from gc_probe`.execute(store.db);
  });

  it('commits every unit and answers each its own result', async () => {
    const results = await Promise.all(['a', 'b', 'c'].map((v) => inGroupCommit(store, async (tx) => {
      await insert(tx, v);
      return `done ${v}`;
    })));
    expect(results).to.deep.equal(['done a', 'done b', 'done c']);
    expect(await values(store)).to.have.members(['a', 'b', 'c']);
  });

  it('rolls back a unit that throws, and only that unit', async () => {
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((v) => inGroupCommit(store, async (tx) => {
      await insert(tx, v);
      if (v === 'bad') throw new Error('refused');
      return v;
    })));
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).to.have.property('message', 'refused');
    expect(await values(store)).to.have.members(['a', 'c']);
  });

  it('refuses to run inside a caller’s transaction', async () => {
    await store.db.transaction().execute(async (trx) => {
      expect(() => inGroupCommit({ db: trx, dialect: store.dialect }, async () => 1)).to.throw(/its own transaction/);
    });
  });
});

// On PostgreSQL each unit is its own transaction (the suite above); grouping is SQLite's.
describe('group commit on SQLite', () => {
  let dir: string;
  let store: OpenStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-gc-'));
    store = await openStore(`sqlite:${join(dir, 'gc.db')}`);
    await createProbe(store);
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await sql`delete from gc_probe`.execute(store.db);
  });
  afterEach(() => sinon.restore());

  it('runs units submitted together in one transaction', async () => {
    const transaction = sinon.spy(store.db, 'transaction');
    await Promise.all(Array.from({ length: 20 }, (_, i) => inGroupCommit(store, (tx) => insert(tx, `v${i}`))));
    expect(transaction.callCount).to.equal(1);
    expect(await values(store)).to.have.length(20);
  });

  it('answers a unit only when its write is committed and visible to another connection', async () => {
    const path = (store.sqlite as BetterSqlite3.Database).name;
    const reader = new BetterSqlite3(path, { readonly: true });
    try {
      const seen = await Promise.all(['x', 'y'].map((v) => inGroupCommit(store, (tx) => insert(tx, v)).then(() =>
        reader.prepare('select v from gc_probe where v = ?').all(v).length)));
      expect(seen).to.deep.equal([1, 1]);
    } finally {
      reader.close();
    }
  });

  it('fails every unit of the group when the commit fails, and keeps none of their writes', async () => {
    // A deferred foreign key is checked at COMMIT: the last unit's dangling reference fails the whole group.
    const outcomes = await Promise.allSettled([
      inGroupCommit(store, (tx) => insert(tx, 'ok')),
      inGroupCommit(store, async (tx) => {
        await sql`pragma defer_foreign_keys = on`.execute(tx.db);
        await insert(tx, 'dangling', 999_999);
      }),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).to.match(/FOREIGN KEY/);
    expect(await values(store)).to.deep.equal([]);
    // The next group is not affected.
    await inGroupCommit(store, (tx) => insert(tx, 'after'));
    expect(await values(store)).to.deep.equal(['after']);
  });
});
