import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { runCli } from '../support/cli.ts';

describe('gridbill audit verify', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-audit-'));
    env = { GRIDBILL_DB: `sqlite:${join(dir, 'audit.db')}`, GRIDBILL_SECRET_KEY: Buffer.alloc(32, 3).toString('base64') };
    expect((await runCli(['migrate'], env)).code).to.equal(0);
    for (const code of ['bank-a', 'bank-b', 'bank-c']) {
      const added = await runCli(['channel', 'add', '--code', code, '--name', code, '--operations', 'Pay', '--password', 'long enough secret'], env);
      expect(added.code, added.stderr).to.equal(0);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function tamper(change: (store: OpenStore, ids: number[]) => Promise<void>): Promise<number[]> {
    const store = await openStore(env.GRIDBILL_DB!);
    try {
      const ids = (await store.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => r.id);
      await change(store, ids);
      return ids;
    } finally {
      await store.close();
    }
  }

  it('says the chain is intact and how many records it holds', async () => {
    const result = await runCli(['audit', 'verify'], env);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal('audit log intact: 3 records');
  });

  it('names the first record whose content was edited, and exits 1', async () => {
    const ids = await tamper((store, rows) => store.db.updateTable('audit_log').set({ actor: 'someone else' }).where('id', '=', rows[1]!).execute().then(() => undefined));
    const result = await runCli(['audit', 'verify'], env);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(`AUDIT_CHAIN_BROKEN: The audit log’s hash chain is broken: record ${ids[1]}: content does not match its hash (1 records before it hold)`);
  });

  it('names the record after one that was removed', async () => {
    const ids = await tamper((store, rows) => store.db.deleteFrom('audit_log').where('id', '=', rows[1]!).execute().then(() => undefined));
    const result = await runCli(['audit', 'verify'], env);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(`record ${ids[2]}: previous hash does not match the record before it`);
  });

  it('refuses options it does not know', async () => {
    expect((await runCli(['audit', 'verify', '--fast'], env)).code).to.equal(2);
    expect((await runCli(['audit', 'check'], env)).code).to.equal(2);
  });
});
