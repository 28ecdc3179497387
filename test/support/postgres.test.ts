import { expect } from 'chai';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { locatePostgres, startPostgres, usePostgres, type PgCluster } from './postgres.ts';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('test support: throwaway PostgreSQL', () => {
  describe('a suite database on the shared cluster', () => {
    const db = usePostgres('support');

    it('is a real PostgreSQL server reached over loopback TCP', async () => {
      expect(db.url).to.match(/^postgres:\/\/gridbill@127\.0\.0\.1:\d+\/support_\d+$/);
      const version = await withClient(db.url, (c) => c.query<{ version: string }>('select version()'));
      expect(version.rows[0]?.version).to.match(/^PostgreSQL \d+/);
    });

    it('stores and reads back rows, Chinese text included', async () => {
      const rows = await withClient(db.url, async (c) => {
        await c.query('create table customer (customer_no text primary key, name text not null)');
        await c.query('insert into customer values ($1, $2), ($3, $4)', ['330000000019', '王小明', '330000000027', '杭州恒达纺织有限公司']);
        return (await c.query<{ name: string }>('select name from customer order by customer_no')).rows;
      });
      expect(rows.map((r) => r.name)).to.deep.equal(['王小明', '杭州恒达纺织有限公司']);
    });
  });

  describe('separate suites', () => {
    const first = usePostgres('isolation');
    const second = usePostgres('isolation');

    it('get separate empty databases', async () => {
      expect(first.url).to.not.equal(second.url);
      await withClient(first.url, (c) => c.query('create table only_in_first (id int)'));
      const tables = await withClient(second.url, (c) =>
        c.query("select count(*)::int as n from pg_tables where schemaname = 'public'"));
      expect(tables.rows[0]).to.deep.equal({ n: 0 });
    });
  });

  describe('a cluster of its own', () => {
    let cluster: PgCluster | null = null;

    before(async function () {
      this.timeout(180_000);
      cluster = await startPostgres();
      if (cluster === null) this.skip();
    });
    after(async () => cluster?.stop());

    it('stops the server and removes its folder, and a second stop is harmless', async function () {
      if (cluster === null) this.skip();
      const { dir, url } = cluster;
      expect(existsSync(dir)).to.equal(true);
      await cluster.stop();
      expect(existsSync(dir)).to.equal(false);
      await cluster.stop();
      const refused = await withClient(url, (c) => c.query('select 1')).then(() => null, (e: unknown) => e);
      expect(refused).to.be.instanceOf(Error);
    });
  });

  describe('when the server binaries are missing', () => {
    const nowhere = { debianRoot: '/nonexistent/postgresql', path: '/nonexistent/bin' };
    const ciBefore = process.env.CI;
    afterEach(() => {
      if (ciBefore === undefined) delete process.env.CI;
      else process.env.CI = ciBefore;
    });

    it('names the Debian package to install', () => {
      const location = locatePostgres(nowhere);
      expect(location.kind).to.equal('missing');
      if (location.kind === 'missing') expect(location.reason).to.include('`postgresql` package');
    });

    it('returns null, for the caller to skip, outside CI', async () => {
      delete process.env.CI;
      expect(await startPostgres({ searchPlaces: nowhere })).to.equal(null);
    });

    it('fails loudly under CI instead of skipping', async () => {
      process.env.CI = 'true';
      const failure = await startPostgres({ searchPlaces: nowhere }).then(() => null, (e: unknown) => e);
      expect(failure).to.be.instanceOf(Error).with.property('message').that.matches(/required when CI is set.*postgresql/);
    });
  });

  it('finds the server binaries or says which Debian package to install', () => {
    const location = locatePostgres();
    if (location.kind === 'missing') expect(location.reason).to.include('postgresql');
    else expect(location.binDir).to.match(/bin$/);
  });
});
