// Crash safety on SQLite (issue 8): a real core (`gridbill serve core`) is killed with SIGKILL at
// random moments while many connections send Pay requests and retry them with the same
// transaction id, and is restarted on the same database and port each time. Afterwards:
//   - every payment the channel saw acknowledged exists exactly once, and QueryTransaction answers
//     exactly the acknowledged content;
//   - every payment it did not see acknowledged is either absent (QueryTransaction NOT_FOUND, no
//     row) or POSTED once with the content sent, and sending it again gets that same answer;
//   - each payment has one balanced ledger transaction, one audit record and allocations adding up
//     to its amount; receivable and prepaid balances agree with the allocations; the whole ledger
//     sums to zero; `gridbill audit verify` passes.
// The seed of the kill points and the payments is printed; CRASH_SEED=<n> repeats a run.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sql } from 'kysely';
import { businessDate } from '../../src/clock.ts';
import { parseYuan } from '../../src/domain/money.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { ledgerTotal } from '../../src/store/ledger.repository.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { childOf } from '../wsdl/xml-tree.ts';
import { CP } from '../soap/soap-client.ts';
import { runCli } from '../support/cli.ts';
import { PayStorm, describeOutcome, flatten, seededRandom, soapCall, type Channel, type StormPayment } from '../support/pay-storm.ts';
import { addCustomer, addIssuedBill } from '../support/payments.ts';
import { freePort, startServe, type ServeProcess } from '../support/serve-process.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';

const CHANNEL: Channel = { code: 'crash-bank', password: 'crash-bank-secret-1' };
const CONNECTIONS = 24;
const CUSTOMERS = 12;
const KILLS = 3;
const IMPATIENT_SHARE = 0.25;
const STORM_MS_MAX = 75_000;

async function prepareDatabase(path: string, key: Buffer): Promise<string[]> {
  const store = await openStore(`sqlite:${path}`);
  try {
    await migrateToLatest(store.db, store.dialect);
    await importFixtureTariffs(store);
    const customerNos: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const customerNo = `33019000${String(i).padStart(4, '0')}`;
      const customerId = await addCustomer(store, customerNo);
      // Overdue bills (late fees settled first), a current one, and then the prepaid balance.
      await addIssuedBill(store, { customerId, billNo: `K${customerNo}A`, period: '2026-08', dueOn: '2026-09-15', amountFen: 12_345 + i });
      await addIssuedBill(store, { customerId, billNo: `K${customerNo}B`, period: '2026-09', dueOn: '2026-10-15', amountFen: 23_456 });
      await addIssuedBill(store, { customerId, billNo: `K${customerNo}C`, period: '2026-10', dueOn: '2099-12-31', amountFen: 34_567 });
      customerNos.push(customerNo);
    }
    await addChannel(store, secretBox(key), {
      code: CHANNEL.code, name: 'crash bank', kind: 'bank', password: CHANNEL.password, operations: ['Pay', 'QueryTransaction'],
    }, 'test', new Date().toISOString());
    return customerNos;
  } finally {
    await store.close();
  }
}

interface Transaction { readonly status: string; readonly payment?: string }

async function queryTransaction(agent: Agent, url: string, txnId: string): Promise<Transaction> {
  const outcome = await soapCall(agent, url, CHANNEL, 'QueryTransaction', { channelTxnId: txnId });
  if (outcome.kind !== 'answer' || outcome.status !== 200) throw new Error(`QueryTransaction ${txnId}: ${describeOutcome(outcome)}`);
  const payment = childOf(outcome.body, CP, 'payment');
  return { status: childOf(outcome.body, CP, 'status')!.text, ...(payment ? { payment: flatten(payment).replace(/^payment\(/, 'PayResponse(') } : {}) };
}

/** `items` through `work`, `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** What the platform says about each payment after the storm, checked against what the channel saw. */
async function checkAnswers(url: string, payments: readonly StormPayment[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    await inParallel(payments, 8, async (p) => {
      const seen = await queryTransaction(agent, url, p.txnId);
      if (p.answer !== undefined) {
        expect(seen, `acknowledged ${p.txnId}`).to.deep.equal({ status: 'POSTED', payment: p.answer });
        return;
      }
      expect(seen.status, `unacknowledged ${p.txnId}`).to.be.oneOf(['POSTED', 'NOT_FOUND']);
      const fields = { channelTxnId: p.txnId, customerNo: p.customerNo, amount: p.amount, accountingDate: p.accountingDate };
      const again = await soapCall(agent, url, CHANNEL, 'Pay', fields);
      if (again.kind !== 'answer' || again.status !== 200) throw new Error(`Pay ${p.txnId} sent again: ${describeOutcome(again)}`);
      if (process.env.CRASH_VERBOSE) process.stdout.write(`unacknowledged ${p.txnId}: ${seen.status}\n`);
      if (seen.status === 'POSTED') {
        // Posted before the crash, the answer lost on the way: the retry gets exactly that answer.
        expect(flatten(again.body), `retry of posted ${p.txnId}`).to.equal(seen.payment);
        expect(seen.payment).to.include(`channelTxnId=${p.txnId},`).and.include(`customerNo=${p.customerNo},amount=${p.amount},accountingDate=${p.accountingDate},`);
      }
      p.answer = flatten(again.body);
    });
  } finally {
    agent.destroy();
  }
}

async function count(store: OpenStore, query: string): Promise<number> {
  const rows = await sql<{ n: number }>`${sql.raw(query)}`.execute(store.db);
  return Number(rows.rows[0]?.n ?? NaN);
}

/** The stored rows: each payment once, with its ledger, audit and allocations, and balances that agree. */
async function checkStore(store: OpenStore, payments: readonly StormPayment[]): Promise<void> {
  const rows = await store.db.selectFrom('payments').innerJoin('channels', 'channels.id', 'payments.channel_id')
    .innerJoin('customers', 'customers.id', 'payments.customer_id')
    .select(['payments.id', 'payments.channel_txn_id', 'payments.amount_fen', 'payments.response', 'customers.customer_no'])
    .where('channels.code', '=', CHANNEL.code).execute();
  expect(rows.length, 'payments stored: every one the channel sent, after the final retries').to.equal(payments.length);
  const byTxn = new Map(rows.map((r) => [r.channel_txn_id, r]));
  for (const p of payments) {
    const row = byTxn.get(p.txnId);
    expect(row, p.txnId).to.not.equal(undefined);
    expect([row!.customer_no, Number(row!.amount_fen)], p.txnId).to.deep.equal([p.customerNo, parseYuan(p.amount)]);
    expect(p.answer, p.txnId).to.include(`platformTxnId=${row!.id},`);
  }
  const where = `from payments p join channels c on c.id = p.channel_id where c.code = '${CHANNEL.code}'`;
  const checks: Record<string, string> = {
    'payments without exactly one payment posting': `select count(*) as n ${where} and (select count(*) from ledger_transactions t where t.ref_kind = 'payment' and t.ref_id = p.id) <> 1`,
    'payments whose posting does not debit clearing by the amount': `select count(*) as n ${where} and (select coalesce(sum(e.amount_fen), 0) from ledger_entries e join ledger_transactions t on t.id = e.txn_id where t.ref_kind = 'payment' and t.ref_id = p.id and e.account_code = 'clearing:${CHANNEL.code}') <> p.amount_fen`,
    'payments without exactly one audit record': `select count(*) as n ${where} and (select count(*) from audit_log a where a.action = 'pay' and a.subject = 'payment:' || p.id) <> 1`,
    'payments whose allocations do not add up': `select count(*) as n ${where} and (select coalesce(sum(a.amount_fen), 0) from payment_allocations a where a.payment_id = p.id) <> p.amount_fen`,
    'unbalanced ledger transactions': 'select count(*) as n from (select txn_id from ledger_entries group by txn_id having sum(amount_fen) <> 0)',
  };
  for (const [what, query] of Object.entries(checks)) expect(await count(store, query), what).to.equal(0);
  // The receivable and prepaid accounts agree with the allocation rows, customer by customer.
  const disagreeing = await count(store, `select count(*) as n from customers cu where
    (select coalesce(sum(e.amount_fen), 0) from ledger_entries e where e.account_code = 'receivable' and e.customer_id = cu.id)
      <> (select coalesce(sum(b.amount_fen), 0) from bills b where b.customer_id = cu.id and b.status = 'issued')
       - (select coalesce(sum(a.amount_fen), 0) from payment_allocations a join payments p on p.id = a.payment_id where p.customer_id = cu.id and a.kind = 'energy')
    or (select coalesce(sum(e.amount_fen), 0) from ledger_entries e where e.account_code = 'prepaid' and e.customer_id = cu.id)
      <> -(select coalesce(sum(a.amount_fen), 0) from payment_allocations a join payments p on p.id = a.payment_id where p.customer_id = cu.id and a.kind = 'prepaid')`);
  expect(disagreeing, 'customers whose receivable or prepaid balance disagrees with the allocations').to.equal(0);
  expect(await ledgerTotal(store), 'sum of every ledger entry').to.equal(0);
}

describe('crash safety: kill -9 of a SQLite core during a Pay storm', function () {
  this.timeout(120_000);
  const seed = Number(process.env.CRASH_SEED ?? randomBytes(4).readUInt32BE(0));
  let dir: string;
  let core: ServeProcess | undefined;

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-crash-')); });
  afterEach(async () => {
    if (core) await core.kill('SIGKILL');
    core = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it(`every acknowledged payment exists once, the others are absent or answered consistently (seed ${seed})`, async () => {
    const random = seededRandom(seed);
    const key = randomBytes(32);
    const path = join(dir, 'gridbill.db');
    const customerNos = await prepareDatabase(path, key);
    const port = await freePort();
    const env = { GRIDBILL_DB: `sqlite:${path}`, GRIDBILL_SECRET_KEY: key.toString('base64'), GRIDBILL_HOST: '127.0.0.1', GRIDBILL_CORE_PORT: String(port) };
    core = await startServe('core', env);
    const storm = new PayStorm({
      url: core.url, channel: CHANNEL, connections: CONNECTIONS, customerNos, accountingDate: businessDate(), random,
      impatientShare: IMPATIENT_SHARE, deadlineMs: Date.now() + STORM_MS_MAX,
    });
    const killedAfter: number[] = [];
    for (let round = 0; round < KILLS; round++) {
      // A random moment mid-storm: 0–20 ms after 20 to 200 more acknowledgements, every connection busy.
      await storm.acknowledgedAtLeast(storm.acknowledged + 20 + Math.floor(random() * 180));
      await new Promise((resolve) => setTimeout(resolve, random() * 20));
      killedAfter.push(storm.acknowledged);
      expect(await core.kill('SIGKILL')).to.equal('SIGKILL');
      core = await startServe('core', env);
    }
    await storm.acknowledgedAtLeast(storm.acknowledged + 50);
    await storm.finish();

    const { payments } = storm;
    const summary = `seed ${seed}: ${payments.length} payments, killed after ${killedAfter.join('/')} acknowledgements, `
      + `${payments.filter((p) => p.connectionFailures > 0 && p.answer !== undefined).length} acknowledged after a failed attempt, `
      + `${payments.filter((p) => p.gaveUp).length} given up`;
    expect(payments.filter((p) => p.fault !== undefined).map((p) => `${p.txnId}: ${p.fault}`), summary).to.deep.equal([]);
    expect(payments.filter((p) => p.patient && p.answer === undefined).map((p) => p.txnId), `${summary}: patient payments unanswered`).to.deep.equal([]);
    expect(payments.some((p) => p.connectionFailures > 0), `${summary}: no request was cut by a kill`).to.equal(true);

    if (process.env.CRASH_VERBOSE) process.stdout.write(`${summary}\n`);
    await checkAnswers(core.url, payments);
    expect(await core.kill('SIGTERM'), core.stderr()).to.equal(0);
    core = undefined;
    const store = await openStore(`sqlite:${path}`);
    try {
      await checkStore(store, payments);
    } finally {
      await store.close();
    }
    const verified = await runCli(['audit', 'verify'], { GRIDBILL_DB: `sqlite:${path}` });
    expect(verified.code, verified.stderr).to.equal(0);
    expect(verified.stdout).to.match(/^audit log intact: \d+ records$/);
  });
});
