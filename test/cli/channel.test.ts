import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../support/cli.ts';

describe('gridbill channel', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-channel-'));
    env = { GRIDBILL_DB: `sqlite:${join(dir, 'g.db')}`, GRIDBILL_SECRET_KEY_FILE: join(dir, 'secret.key') };
    await runCli(['migrate'], env);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds, lists, disables and rotates without ever printing or storing the password', async () => {
    const add = await runCli(['channel', 'add', '--code', 'alipay', '--name', '支付宝', '--kind', 'third-party',
      '--operations', 'QueryArrears,Pay', '--password', 'Alipay-Secret-2026'], env);
    expect(add.code, add.stderr).to.equal(0);
    expect(add.stdout).to.equal('alipay\tthird-party\tenabled\t支付宝\tQueryArrears,Pay');
    expect((await runCli(['channel', 'disable', '--code', 'alipay'], env)).stdout).to.include('disabled');
    expect((await runCli(['channel', 'rotate', '--code', 'alipay', '--password', 'Alipay-Secret-2027'], env)).code).to.equal(0);
    const list = await runCli(['channel', 'list'], env);
    expect(list.stdout).to.equal('alipay\tthird-party\tdisabled\t支付宝\tQueryArrears,Pay');
    const everything = add.stdout + list.stdout + readFileSync(join(dir, 'g.db')).toString('latin1');
    expect(everything).to.not.include('Alipay-Secret');
  });

  it('explains what is missing or wrong', async () => {
    expect((await runCli(['channel', 'add', '--code', 'x1', '--name', 'n', '--operations', 'Pay'], env)).stderr)
      .to.include('--password or --password-stdin is required');
    const bad = await runCli(['channel', 'add', '--code', 'x1', '--name', 'n', '--operations', 'Pay,Nope', '--password', 'long-enough-pass'], env);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^gridbill: CHANNEL_INVALID: .*unknown Nope/);
    expect((await runCli(['channel', 'frob'], env)).code).to.equal(2);
  });
});
