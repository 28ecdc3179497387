import { expect } from 'chai';
import { DummyDriver, Kysely, MssqlAdapter, MssqlIntrospector, MssqlQueryCompiler } from 'kysely';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { inTransaction, type Database, type Store } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { preparedQuery } from '../../src/store/prepared-query.ts';
import { usePostgres } from '../support/postgres.ts';
import { describeOnEveryStore } from '../support/stores.ts';

const NOW = '2026-11-01T00:00:00.000Z';

const channelRow = (code: string, enabled: number) => ({
  code, name: `channel ${code}`, kind: 'bank' as const, secret_enc: 'x', operations: '[]', enabled, created_at: NOW, updated_at: NOW,
});

// A placeholder used twice, constants bound beside the placeholders, and an ordered result.
const enabledChannelsBetween = preparedQuery<{ from: string; to: string }, { id: number; code: string; name: string }>((db, param) =>
  db.selectFrom('channels').select(['id', 'code', 'name'])
    .where('enabled', '=', 1)
    .where('code', '>=', param('from')).where('code', '<=', param('to'))
    .where('name', '<>', 'never').where('code', '<>', param('to'))
    .orderBy('code'));

function builtChannelsBetween(store: Store, from: string, to: string) {
  return store.db.selectFrom('channels').select(['id', 'code', 'name'])
    .where('enabled', '=', 1)
    .where('code', '>=', from).where('code', '<=', to)
    .where('name', '<>', 'never').where('code', '<>', to)
    .orderBy('code').execute();
}

const setReversalDays = preparedQuery<{ code: string; days: number | null }, never>((db, param) =>
  db.updateTable('channels').set({ reversal_days: param('days') }).where('code', '=', param('code')));

describeOnEveryStore('prepared queries', (h) => {
  before(async () => {
    await h.store.db.insertInto('channels')
      .values([channelRow('a1', 1), channelRow('a2', 0), channelRow('a3', 1), channelRow('a4', 1), channelRow('b1', 1)]).execute();
  });

  it('return the same rows as the query built with the values', async () => {
    for (const [from, to] of [['a1', 'a4'], ['a0', 'z'], ['a3', 'a3'], ['c', 'd'], ['a2', 'b1']] as const) {
      const prepared = await enabledChannelsBetween.execute(h.store, { from, to });
      expect(prepared, `${from}..${to}`).to.deep.equal(await builtChannelsBetween(h.store, from, to));
    }
    expect((await enabledChannelsBetween.execute(h.store, { from: 'a0', to: 'z' })).map((r) => r.code)).to.deep.equal(['a1', 'a3', 'a4', 'b1']);
  });

  it('bind null like any other value, and run in a transaction with the compiled form of its database', async () => {
    await h.store.db.transaction().execute(async (trx) => {
      const tx = { db: trx, dialect: h.store.dialect };
      await setReversalDays.run(tx, { code: 'a1', days: 9 });
      expect(enabledChannelsBetween.compiledFor(tx)).to.equal(enabledChannelsBetween.compiledFor(h.store));
    });
    const days = async () => (await h.store.db.selectFrom('channels').select('reversal_days').where('code', '=', 'a1').executeTakeFirstOrThrow()).reversal_days;
    expect(await days()).to.equal(9);
    const result = await setReversalDays.run(h.store, { code: 'a1', days: null });
    expect(Number(result.numAffectedRows)).to.equal(1);
    expect(await days()).to.equal(null);
  });

  it('refuse a call that leaves a placeholder unbound, and send nothing', async () => {
    const unbound = { from: 'a1' } as unknown as { from: string; to: string };
    expect(() => enabledChannelsBetween.run(h.store, unbound)).to.throw('parameter to is not bound');
  });

  // On SQLite a transaction's prepared queries run on its connection without Kysely: they must
  // answer as Kysely would, see and be seen by the transaction's built queries, and roll back with it.
  it('in a store transaction, answer as Kysely does, share the transaction and roll back with it', async () => {
    const insertChannel = preparedQuery<{ code: string }, never>((db, param) => db.insertInto('channels').values({ ...channelRow('x', 1), code: param('code') }));
    await inTransaction(h.store, async (tx) => {
      expect(await enabledChannelsBetween.execute(tx, { from: 'a0', to: 'z' })).to.deep.equal(await builtChannelsBetween(tx, 'a0', 'z'));
      const updated = await setReversalDays.run(tx, { code: 'a3', days: 4 });
      expect(updated.rows).to.deep.equal([]);
      expect(Number(updated.numAffectedRows)).to.equal(1);
      const built = await tx.db.updateTable('channels').set({ reversal_days: 5 }).where('code', '=', 'a4').executeTakeFirst();
      expect(Number(built.numUpdatedRows)).to.equal(1);
    });
    const days = await h.store.db.selectFrom('channels').select(['code', 'reversal_days']).where('code', 'in', ['a3', 'a4']).orderBy('code').execute();
    expect(days).to.deep.equal([{ code: 'a3', reversal_days: 4 }, { code: 'a4', reversal_days: 5 }]);

    const abandon = new Error('abandon');
    const attempt = inTransaction(h.store, async (tx) => {
      await insertChannel.run(tx, { code: 'a5' });
      await tx.db.insertInto('channels').values(channelRow('a6', 1)).execute();
      expect((await enabledChannelsBetween.execute(tx, { from: 'a5', to: 'a9' })).map((r) => r.code)).to.deep.equal(['a5', 'a6']);
      throw abandon;
    });
    expect(await attempt.catch((error: unknown) => error)).to.equal(abandon);
    expect(await enabledChannelsBetween.execute(h.store, { from: 'a5', to: 'a9' })).to.deep.equal([]);
  });

  it('outside a transaction, read committed state without waiting for a transaction in progress', async function () {
    // On PostgreSQL the pool gives the read its own connection; on SQLite the store's read-only
    // connection does. Either way the read neither waits for the open transaction nor sees its write.
    if (h.store.dialect === 'sqlite') expect(h.store.sqliteReader, 'a SQLite file store has its read-only connection').not.to.equal(undefined);
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let inserted!: () => void;
    const written = new Promise<void>((resolve) => { inserted = resolve; });
    const transaction = inTransaction(h.store, async (tx) => {
      await tx.db.insertInto('channels').values(channelRow('c1', 1)).execute();
      inserted();
      await held; // the transaction stays open, its write uncommitted
    });
    await written;
    expect(await enabledChannelsBetween.execute(h.store, { from: 'c0', to: 'c9' }), 'an uncommitted write is not read').to.deep.equal([]);
    release();
    await transaction;
    expect((await enabledChannelsBetween.execute(h.store, { from: 'c0', to: 'c8' })).map((r) => r.code), 'read once committed').to.deep.equal(['c1']);
    // a write outside a transaction still goes through the writer, never the read-only connection
    expect(Number((await setReversalDays.run(h.store, { code: 'c1', days: 2 })).numAffectedRows)).to.equal(1);
  });
});

describe('prepared queries across databases', () => {
  const postgres = usePostgres('prepared');
  let sqlite: OpenStore | undefined;
  let pg: OpenStore | undefined;
  before(async () => {
    sqlite = await openStore('sqlite::memory:');
    pg = await openStore(postgres.url);
    for (const store of [sqlite, pg]) {
      await migrateToLatest(store.db, store.dialect);
      await store.db.insertInto('channels').values([channelRow('a1', 1), channelRow('a2', 1)]).execute();
    }
  });
  after(async () => {
    await sqlite?.close();
    await pg?.close();
  });

  it('compile a query once per Kysely instance: SQLite and PostgreSQL each get their own SQL', async () => {
    const query = preparedQuery<{ from: string; to: string }, { code: string }>((db, param) =>
      db.selectFrom('channels').select('code').where('code', '>=', param('from')).where('code', '<=', param('to')).orderBy('code'));
    expect(await query.execute(sqlite!, { from: 'a1', to: 'a2' })).to.deep.equal([{ code: 'a1' }, { code: 'a2' }]);
    expect(await query.execute(pg!, { from: 'a2', to: 'a9' })).to.deep.equal([{ code: 'a2' }]);
    expect(query.compiledFor(sqlite!).sql).to.include('>= ?');
    expect(query.compiledFor(pg!).sql).to.include('>= $1');
  });
});

describe('prepared queries that cannot bind a placeholder', () => {
  const mssql: Store = {
    dialect: 'mssql',
    db: new Kysely<Database>({
      dialect: {
        createAdapter: () => new MssqlAdapter(), createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new MssqlIntrospector(db), createQueryCompiler: () => new MssqlQueryCompiler(),
      },
    }),
  };

  it('refuse a placeholder the compiler would write into the SQL text (SQL Server top)', () => {
    const firstChannels = preparedQuery<{ n: number }, { code: string }>((db, param) =>
      db.selectFrom('channels').select('code').orderBy('code').top(param('n')));
    expect(() => firstChannels.compiledFor(mssql)).to.throw();
  });

  it('refuse a placeholder that does not end up among the bound parameters', () => {
    const leftOut = preparedQuery<{ code: string; n: number }, { code: string }>((db, param) => {
      param('n');
      return db.selectFrom('channels').select('code').where('code', '=', param('code'));
    });
    expect(() => leftOut.compiledFor(mssql)).to.throw('parameter n is not bound in the compiled query');
  });

  it('refuse a placeholder as a literal', () => {
    const literal = preparedQuery<{ v: number }, { v: number }>((db, param) => db.selectFrom('channels').select((eb) => eb.lit(param('v')).as('v')));
    expect(() => literal.compiledFor(mssql)).to.throw();
  });

  it('compile on SQL Server with @ parameters, constants kept in place', () => {
    const query = preparedQuery<{ code: string }, { id: number }>((db, param) =>
      db.selectFrom('channels').select('id').where('enabled', '=', 1).where('code', '=', param('code')));
    const compiled = query.compiledFor(mssql);
    expect(compiled.sql).to.equal('select "id" from "channels" where "enabled" = @1 and "code" = @2');
    expect(compiled.parameters[0]).to.equal(1);
  });
});
