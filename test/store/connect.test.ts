// The PostgreSQL pool when the server cuts a connection (a primary that dies, a failover that
// routes elsewhere): the process lives on and the next transaction gets a new connection.

import { expect } from 'chai';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { usePostgres } from '../support/postgres.ts';

describe('openStore on postgres: a connection cut by the server', function () {
  const postgres = usePostgres('connect');
  let store: OpenStore | undefined;

  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  async function terminate(pid: number): Promise<void> {
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
  }

  it('does not end the process when a checked-out connection is cut between two statements, and reconnects', async () => {
    store = await openStore(postgres.url);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => { uncaught.push(error); };
    // Mocha's own handler would turn the event into a failure; this one records it instead.
    const mochaHandlers = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      const failed = await store.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await terminate(rows[0]!.pid);
        // the server's FATAL arrives while no statement runs on this connection
        await new Promise((done) => setTimeout(done, 200));
        return sql`select 1`.execute(trx).then(() => null, (error: unknown) => error);
      }).catch((error: unknown) => error);
      expect(failed).to.be.instanceOf(Error);
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const handler of mochaHandlers) process.on('uncaughtException', handler);
    }
    expect(uncaught).to.deep.equal([]);
    const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(store.db);
    expect(rows[0]!.ok).to.equal(1);
  });

  it('reconnects after every idle connection was cut', async () => {
    store = await openStore(postgres.url);
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db);
    await terminate(rows[0]!.pid);
    await new Promise((done) => setTimeout(done, 200));
    const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db);
    expect(again.rows[0]!.pid).to.not.equal(rows[0]!.pid);
  });
});
