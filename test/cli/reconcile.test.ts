import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openStore } from '../../src/store/connect.ts';
import { pay } from '../../src/usecases/pay.ts';
import { addChannel, addCustomer, nowOn } from '../support/payments.ts';
import { runCli } from '../support/cli.ts';

const DAY = '2026-01-10';
const CUSTOMER = '3300000000011';

describe('gridbill reconcile', function () {
  this.timeout(30_000);
  let dir: string;
  let env: Record<string, string>;
  const file = (name: string, ...lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  const run = (path: string, date = DAY) => runCli(['reconcile', '--channel', 'bank-a', '--date', date, '--file', path], env);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-reconcile-cli-'));
    env = { GRIDBILL_DB: `sqlite:${join(dir, 'g.db')}`, GRIDBILL_SECRET_KEY_FILE: join(dir, 'secret.key') };
    expect((await runCli(['migrate'], env)).code).to.equal(0);
    const store = await openStore(env.GRIDBILL_DB!);
    try {
      await addChannel(store, 'bank-a');
      await addCustomer(store, CUSTOMER);
      for (const [txn, amountFen] of [['A1', 30_000], ['A2', 5_000]] as const) {
        await pay(store, { channelCode: 'bank-a', channelTxnId: txn, customerNo: CUSTOMER, amountFen, accountingDate: DAY, now: nowOn(DAY) });
      }
    } finally {
      await store.close();
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reconciles the day, prints the summary and the discrepancies, and prints the same again for the same file', async () => {
    const path = file('day.txt', 'TOTAL|2|350.50', `A1|${CUSTOMER}|300.00`, `X9|${CUSTOMER}|50.50`);
    const result = await run(path);
    const expected = [
      `bank-a ${DAY}: reconciled, 2 entries in 1 batches: 1 matched (300.00), 1 channel-only, 1 platform-only, 0 amount mismatches`,
      `CHANNEL_ONLY\tX9\t${CUSTOMER}\tchannel 50.50\tplatform -`,
      `PLATFORM_ONLY\tA2\t${CUSTOMER}\tchannel -\tplatform 50.00`,
    ].join('\n');
    expect(result).to.deep.equal({ code: 0, stdout: expected, stderr: '' });
    expect(await run(path)).to.deep.equal(result);
    const other = await run(file('other.txt', 'TOTAL|1|300.00', `A1|${CUSTOMER}|300.00`));
    expect(other.code).to.equal(1);
    expect(other.stderr).to.match(/^gridbill: RECONCILE_DAY_RECONCILED: /);
  });

  it('sends a large day in batches of 5,000', async () => {
    const lines = Array.from({ length: 5_001 }, (_, i) => `Z${i}|${CUSTOMER}|0.01`);
    const result = await run(file('big.txt', 'TOTAL|5001|50.01', ...lines), '2026-01-11');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.split('\n')[0]).to.equal('bank-a 2026-01-11: reconciled, 5001 entries in 2 batches: 0 matched (0.00), 5001 channel-only, 0 platform-only, 0 amount mismatches');
    expect(result.stdout.split('\n').at(-1)).to.equal('… more discrepancies not listed; all are kept for review');
  });

  it('reports every bad line with its number and field, and sends nothing', async () => {
    const path = file('bad.txt',
      'TOTAL|3|abc',
      `A1|${CUSTOMER}|300.001`,
      '',
      `A 2|123|50.00`,
      `A1|${CUSTOMER}|1.00`,
      'just one field',
      `A3|${CUSTOMER}|0.00`);
    const result = await run(path);
    expect(result.code).to.equal(1);
    expect(result.stderr.split('\n')).to.deep.equal([
      'line 1, amount: "abc" is not an amount in yuan with at most 2 fraction digits',
      'line 2, amount: "300.001" is not an amount in yuan with at most 2 fraction digits',
      'line 4, channelTxnId: "A 2": 1 to 64 letters, digits, "_" or "-"',
      'line 4, customerNo: "123": 10 to 13 digits',
      'line 6: has 1 fields separated by "|"; expected 3',
      'line 7, amount: 0.00: from 0.01 to 10000000000.00',
      `gridbill: INPUT_INVALID: Input file is invalid: ${path}: 6 problems; nothing was sent — fix: correct the lines listed above and run the command again`,
    ]);
    const dup = await run(file('dup.txt', 'TOTAL|2|2.00', `D1|${CUSTOMER}|1.00`, `D1|${CUSTOMER}|1.00`));
    expect(dup.stderr.split('\n')[0]).to.equal('line 3, channelTxnId: D1 is listed on line 2 already');
    const header = await run(file('header.txt', `A1|${CUSTOMER}|300.00`));
    expect(header.stderr.split('\n')[0]).to.equal('line 1: the first line must be the header TOTAL|<count>|<amount>');
    const totals = await run(file('totals.txt', 'TOTAL|2|300.00', `A1|${CUSTOMER}|300.00`));
    expect(totals.stderr.split('\n')[0]).to.equal('line 2: the header says 2 entries of 300.00; the file holds 1 of 300.00');
    const empty = await run(file('empty.txt', ''));
    expect(empty.stderr.split('\n')[0]).to.equal('line 1: the file is empty; expected the header TOTAL|<count>|<amount>');
    // Nothing reached the day: the right file is still taken.
    expect((await run(file('good.txt', 'TOTAL|2|350.00', `A1|${CUSTOMER}|300.00`, `A2|${CUSTOMER}|50.00`))).code).to.equal(0);
  });

  it('refuses today, a missing file and a wrong command line', async () => {
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const notPast = await run(file('t.txt', 'TOTAL|0|0.00'), today);
    expect(notPast.stderr).to.match(/^gridbill: RECONCILE_DATE_NOT_PAST: /);
    const missing = await run(join(dir, 'nope.txt'));
    expect([missing.code, missing.stderr]).to.deep.equal([1, `gridbill: INPUT_INVALID: Input file is invalid: ${join(dir, 'nope.txt')}: no such file — fix: check the file name and path`]);
    const usage = await runCli(['reconcile', '--channel', 'bank-a'], env);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.include('--date is required');
  });

  it('registers a channel with its own reversal window', async () => {
    const add = await runCli(['channel', 'add', '--code', 'bank-w', '--name', 'W', '--operations', 'Reverse', '--password', 'Wide-Window-Secret', '--reversal-days', '3'], env);
    expect([add.code, add.stdout]).to.deep.equal([0, 'bank-w\tbank\tenabled\tW\tReverse\treversal 3 days']);
    const wrong = await runCli(['channel', 'add', '--code', 'bank-v', '--name', 'V', '--operations', 'Reverse', '--password', 'Wide-Window-Secret', '--reversal-days', '32'], env);
    expect([wrong.code, wrong.stderr]).to.deep.equal([2, 'gridbill: CLI_USAGE: Invalid command line: --reversal-days 32: expected an integer from 0 to 31']);
  });
});
