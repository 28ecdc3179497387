import { expect } from 'chai';
import { sql } from 'kysely';
import { describeOnEveryStore } from '../support/stores.ts';
import { LATEST_MIGRATION, assertSchemaCurrent, migrateToLatest, schemaState } from '../../src/store/migrate.ts';
import { GridbillError } from '../../src/errors.ts';

async function tableNames(db: Parameters<typeof schemaState>[0]): Promise<string[]> {
  return (await db.introspection.getTables()).map((t) => t.name).sort();
}

describeOnEveryStore('migrations', (h) => {
  it('create every table of the schema, and running them again changes nothing', async () => {
    const state = await schemaState(h.store.db);
    expect(state.applied).to.include(LATEST_MIGRATION);
    expect(state.pending).to.deep.equal([]);
    const tables = await tableNames(h.store.db);
    for (const t of ['customers', 'accounts', 'meters', 'registers', 'readings', 'tariffs', 'bills', 'bill_lines',
      'payments', 'payment_allocations', 'ledger_transactions', 'ledger_entries', 'channels', 'audit_log']) {
      expect(tables, t).to.include(t);
    }
    expect(await migrateToLatest(h.store.db, h.store.dialect)).to.deep.equal([]);
    expect(await tableNames(h.store.db)).to.deep.equal(tables);
    await assertSchemaCurrent(h.store.db);
  });

  it('refuse a database written by a newer gridbill', async () => {
    await sql`insert into kysely_migration (name, timestamp) values (${'9999-from-the-future'}, ${new Date().toISOString()})`.execute(h.store.db);
    try {
      const error = await migrateToLatest(h.store.db, h.store.dialect).then(() => null, (e: unknown) => e);
      expect(error).to.be.instanceOf(GridbillError);
      expect((error as GridbillError).code).to.equal('DB_SCHEMA_NEWER');
      const current = await assertSchemaCurrent(h.store.db).then(() => null, (e: unknown) => e);
      expect((current as GridbillError).code).to.equal('DB_SCHEMA_NEWER');
    } finally {
      await sql`delete from kysely_migration where name = ${'9999-from-the-future'}`.execute(h.store.db);
    }
  });
});

describeOnEveryStore('a failed migration', (h) => {
  it('leaves the database as it was', async () => {
    // The last table the first migration creates already exists, so it fails after creating all
    // the others: every one of them must be rolled back with it.
    await sql`create table audit_log (id integer)`.execute(h.store.db);
    const before = await tableNames(h.store.db);
    const error = await migrateToLatest(h.store.db, h.store.dialect).then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(GridbillError);
    expect((error as GridbillError).code).to.equal('MIGRATION_FAILED');
    expect((error as GridbillError).message).to.include('0001-initial');
    const after = (await tableNames(h.store.db)).filter((t) => !t.startsWith('kysely_'));
    expect(after).to.deep.equal(before.filter((t) => !t.startsWith('kysely_')));
    expect((await schemaState(h.store.db)).applied).to.deep.equal([]);
    const outdated = await assertSchemaCurrent(h.store.db).then(() => null, (e: unknown) => e);
    expect((outdated as GridbillError).code).to.equal('DB_SCHEMA_OUTDATED');
  });
}, { migrate: false });
