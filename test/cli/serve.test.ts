import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openStore } from '../../src/store/connect.ts';
import { countCustomers } from '../../src/store/customer.repository.ts';
import { runCli, spawnCli } from '../support/cli.ts';

const PORTS_ANY = { GRIDBILL_CORE_PORT: '0', GRIDBILL_GATEWAY_PORT: '0', GRIDBILL_PORTAL_PORT: '0' };

/** Collects stdout until the banner's last line, and returns the server URLs it printed. */
function waitForBanner(child: ReturnType<typeof spawnCli>): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (!out.includes('Press Ctrl+C to stop.')) return;
      const urls: Record<string, string> = {};
      for (const m of out.matchAll(/^ {2}(\w+)\s+(http:\/\/\S+?)\/ /gm)) urls[m[1]!] = m[2]!;
      resolve(urls);
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before serving: ${err}`)));
  });
}

/**
 * The business hall asks the core for a login code, and the request goes through the gateway: the
 * portal's page says the code was sent, and the gateway's audit line shows it forwarded.
 */
async function expectLoginCodeThroughGateway(portalUrl: string, db: string, output: readonly string[]): Promise<void> {
  const store = await openStore(`sqlite:${db}`);
  let customerNo: string;
  try {
    customerNo = (await store.db.selectFrom('customers').select('customer_no').where('phone', 'is not', null).orderBy('id').executeTakeFirstOrThrow()).customer_no;
  } finally {
    await store.close();
  }
  const login = await fetch(`${portalUrl}/login`);
  const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())?.[1];
  expect(csrf, 'the login form carries a CSRF token').to.be.a('string');
  const asked = await fetch(`${portalUrl}/login/code`, {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookies },
    body: new URLSearchParams({ _csrf: csrf!, customerNo }).toString(),
  });
  expect(asked.status, await asked.clone().text()).to.equal(200);
  const verdicts = output.join('').split('\n').filter((l) => l.includes('"gateway verdict"')).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(verdicts.some((v) => v.operation === 'RequestLoginCode' && v.channel === 'portal' && v.verdict === 'forwarded'), JSON.stringify(verdicts)).to.equal(true);
}

describe('gridbill serve', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-serve-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('all: migrates, seeds demo data, prints every URL, serves health, and stops cleanly on SIGTERM', async () => {
    const db = join(dir, 'data', 'gridbill.db');
    const child = spawnCli(['serve', 'all'], { ...PORTS_ANY, GRIDBILL_DB: `sqlite:${db}`, GRIDBILL_DEMO_CUSTOMERS: '15', GRIDBILL_DEMO_MONTHS: '3' });
    const output: string[] = [];
    child.stdout.on('data', (c: Buffer) => output.push(c.toString('utf8')));
    const urls = await waitForBanner(child);
    expect(Object.keys(urls).sort()).to.deep.equal(['core', 'gateway', 'portal']);
    for (const [role, url] of Object.entries(urls)) {
      const health = await fetch(`${url}/health`);
      expect(health.status, role).to.equal(200);
      expect(await health.json(), role).to.include({ status: 'ok', role });
    }
    const ready = await fetch(`${urls.core}/ready`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.include({ status: 'ready' });
    const portal = await fetch(`${urls.portal}/`);
    expect(await portal.text()).to.include('网上营业厅');
    await expectLoginCodeThroughGateway(urls.portal!, db, output);

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
    // The database was closed: SQLite folds its write-ahead log back in on the last close.
    expect(existsSync(`${db}-wal`)).to.equal(false);
    const store = await openStore(`sqlite:${db}`);
    try {
      expect(await countCustomers(store)).to.equal(15);
    } finally {
      await store.close();
    }
  });

  it('core: refuses to start on a database that has not been migrated', async () => {
    const result = await runCli(['serve', 'core'], { ...PORTS_ANY, GRIDBILL_DB: `sqlite:${join(dir, 'g.db')}` });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^gridbill: DB_SCHEMA_OUTDATED: .*pending: 0001-initial.* — fix: run "gridbill migrate"/);
  });

  it('refuses an unknown role', async () => {
    const result = await runCli(['serve', 'everything']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('expected one of all, core, gateway, portal');
  });
});
