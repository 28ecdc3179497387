import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openStore } from '../../src/store/connect.ts';
import { login } from '../../src/usecases/login.ts';
import { requestLoginCode } from '../../src/usecases/request-login-code.ts';
import { DEMO_PASSWORD } from '../../src/usecases/seed-demo.ts';
import { runCli } from '../support/cli.ts';

describe('gridbill sms outbox, and logging in to the demo with the code it shows', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  let customerNo: string;
  let phone: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-sms-'));
    env = { GRIDBILL_DB: `sqlite:${join(dir, 'demo.db')}` };
    expect((await runCli(['seed', '--customers', '5', '--months', '1', '--end-month', '2026-10'], env)).code).to.equal(0);
    const store = await openStore(env.GRIDBILL_DB!);
    try {
      const customer = await store.db.selectFrom('customers').select(['customer_no', 'phone']).orderBy('customer_no').executeTakeFirstOrThrow();
      customerNo = customer.customer_no;
      phone = customer.phone!;
      expect(await store.db.selectFrom('customer_credentials').select('id').execute()).to.have.length(5);
      await requestLoginCode(store, { customerNo, now: new Date().toISOString() });
    } finally {
      await store.close();
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the newest messages with the masked phone and the text; the code in it logs in with the demo password', async () => {
    const result = await runCli(['sms', 'outbox', '--customer', customerNo], env);
    expect(result.code, result.stderr).to.equal(0);
    const [line, summary] = result.stdout.split('\n');
    expect(line).to.match(new RegExp(`^\\d+\\t\\d{4}-\\d\\d-\\d\\dT[0-9:.]+\\+08:00\\t${phone.slice(0, 3)}\\*{4}${phone.slice(-4)}\\tpending\\t【网上营业厅】您的登录验证码为\\d{6}`));
    expect(summary).to.equal('1 message(s)');
    const code = /验证码为(\d{6})/.exec(line!)![1]!;
    const store = await openStore(env.GRIDBILL_DB!);
    try {
      const session = await login(store, { customerNo, password: DEMO_PASSWORD, smsCode: code, channelCode: 'cli-test', now: new Date().toISOString() });
      expect(session.customerNo).to.equal(customerNo);
    } finally {
      await store.close();
    }
  });

  it('filters by phone and limits the count', async () => {
    expect((await runCli(['sms', 'outbox', '--phone', phone], env)).stdout).to.include('1 message(s)');
    expect((await runCli(['sms', 'outbox', '--phone', '13000000000'], env)).stdout).to.equal('0 message(s)');
    expect((await runCli(['sms', 'outbox', '--limit', '1'], env)).stdout.split('\n')).to.have.length(2);
  });

  it('refuses bad options (exit 2) and an unknown customer (exit 1)', async () => {
    for (const args of [['sms', 'outbox', '--phone', '123'], ['sms', 'outbox', '--limit', '0'], ['sms', 'outbox', '--customer', 'x'], ['sms', 'inbox']]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr).to.match(/^gridbill: CLI_USAGE: /);
    }
    const unknown = await runCli(['sms', 'outbox', '--customer', '3300999999999'], env);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/^gridbill: CUSTOMER_NOT_FOUND: /);
  });
});
