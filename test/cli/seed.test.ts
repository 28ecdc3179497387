import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openStore } from '../../src/store/connect.ts';
import { tariffFixtureFiles } from '../../fixtures/tariffs/index.ts';
import { verifyAuditChain } from '../../src/store/audit.repository.ts';
import { listAllTariffVersions } from '../../src/store/tariff.repository.ts';
import { loadTariffs } from '../../src/usecases/load-tariffs.ts';
import { runCli } from '../support/cli.ts';

async function fingerprint(url: string): Promise<{ customers: number; categories: string[]; hash: string }> {
  const store = await openStore(url);
  try {
    const customers = await store.db.selectFrom('customers').select(['customer_no', 'name', 'category', 'tariff_code']).orderBy('customer_no').execute();
    const readings = await store.db.selectFrom('readings')
      .innerJoin('registers', 'registers.id', 'readings.register_id')
      .innerJoin('meters', 'meters.id', 'registers.meter_id')
      .select(['meters.meter_no', 'registers.kind', 'readings.read_on', 'readings.value_hundredths'])
      .orderBy('meters.meter_no').orderBy('registers.kind').orderBy('readings.read_on').execute();
    const hash = createHash('sha256').update(JSON.stringify([customers, readings])).digest('hex');
    return { customers: customers.length, categories: [...new Set(customers.map((c) => c.category))].sort(), hash };
  } finally {
    await store.close();
  }
}

describe('gridbill seed', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-seed-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const seed = (name: string, seedValue: string) => runCli(
    ['seed', '--customers', '300', '--months', '4', '--seed', seedValue, '--end-month', '2026-10'],
    { GRIDBILL_DB: `sqlite:${join(dir, name)}` },
  );

  it('writes the same data for the same options, other data for another seed, every category present', async () => {
    expect((await seed('a.db', '7')).code).to.equal(0);
    expect((await seed('b.db', '7')).code).to.equal(0);
    expect((await seed('c.db', '8')).code).to.equal(0);
    const [a, b, c] = await Promise.all(['a.db', 'b.db', 'c.db'].map((n) => fingerprint(`sqlite:${join(dir, n)}`)));
    expect(a!.customers).to.equal(300);
    expect(a!.hash).to.equal(b!.hash);
    expect(c!.hash).to.not.equal(a!.hash);
    expect(a!.categories).to.include.members(['residential', 'industrial-commercial', 'large-industry']);
  });

  it('refuses a database that already has customers, leaving it as it was', async () => {
    await seed('a.db', '7');
    const before = await fingerprint(`sqlite:${join(dir, 'a.db')}`);
    const again = await seed('a.db', '9');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/^gridbill: DB_NOT_EMPTY: .*it has 300 customers/);
    expect((await fingerprint(`sqlite:${join(dir, 'a.db')}`)).hash).to.equal(before.hash);
    const store = await openStore(`sqlite:${join(dir, 'a.db')}`);
    try {
      // One record per fixture tariff published with the demo, then the seed's own.
      expect(await verifyAuditChain(store)).to.deep.equal({ kind: 'intact', records: tariffFixtureFiles().length + 1 });
    } finally {
      await store.close();
    }
  });

  it('publishes the fixture tariffs, one for every demo customer, and keeps tariffs already stored', async () => {
    const result = await seed('a.db', '7');
    expect(result.stdout).to.match(/and 5 tariff versions$/);
    const store = await openStore(`sqlite:${join(dir, 'a.db')}`);
    try {
      const tariffs = await loadTariffs(store);
      expect(tariffs.size).to.equal(tariffFixtureFiles().length);
      const codes = await store.db.selectFrom('customers').select('tariff_code').distinct().execute();
      for (const { tariff_code } of codes) expect(tariffs.has(tariff_code), tariff_code).to.equal(true);
    } finally {
      await store.close();
    }
    // A database that already holds a tariff gets customers only.
    const url = `sqlite:${join(dir, 'b.db')}`;
    expect((await runCli(['migrate'], { GRIDBILL_DB: url })).code).to.equal(0);
    const ladder = tariffFixtureFiles().find((f) => f.endsWith('zj-residential-ladder.json'))!;
    expect((await runCli(['tariff', 'import', ladder], { GRIDBILL_DB: url })).code).to.equal(0);
    expect((await seed('b.db', '7')).stdout).to.match(/and 0 tariff versions$/);
    const other = await openStore(url);
    try {
      expect((await listAllTariffVersions(other)).map((r) => r.code)).to.deep.equal(['zj-residential-ladder']);
    } finally {
      await other.close();
    }
  });

  it('refuses a malformed end month', async () => {
    const result = await runCli(['seed', '--end-month', '2026-13'], { GRIDBILL_DB: `sqlite:${join(dir, 'x.db')}` });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('--end-month 2026-13: expected YYYY-MM');
  });
});
