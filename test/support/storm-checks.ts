// What the platform must say after a Pay storm with crashes (issue 8), shared by the SQLite kill
// test and the cluster drill:
//   - every payment the channel saw acknowledged exists exactly once, and QueryTransaction answers
//     exactly the acknowledged content;
//   - every payment it did not see acknowledged is either absent (QueryTransaction NOT_FOUND) or
//     POSTED once with the content sent, and sending it again gets that same answer;
//   - each payment has one balanced ledger transaction, one audit record and allocations adding up
//     to its amount; the whole ledger sums to zero; `gridbill audit verify` passes.
// The SQL is plain enough for SQLite and PostgreSQL alike.

import { Agent } from 'node:http';
import { expect } from 'chai';
import { sql } from 'kysely';
import { parseYuan } from '../../src/domain/money.ts';
import type { OpenStore } from '../../src/store/connect.ts';
import { ledgerTotal } from '../../src/store/ledger.repository.ts';
import { childOf } from '../wsdl/xml-tree.ts';
import { CP } from '../soap/soap-client.ts';
import { runCli } from './cli.ts';
import { describeOutcome, flatten, soapCall, type Channel, type StormPayment } from './pay-storm.ts';

const QUERY_WIDTH = 8;

interface Transaction { readonly status: string; readonly payment?: string }

export async function queryTransaction(agent: Agent, url: string, channel: Channel, txnId: string): Promise<Transaction> {
  const outcome = await soapCall(agent, url, channel, 'QueryTransaction', { channelTxnId: txnId });
  if (outcome.kind !== 'answer' || outcome.status !== 200) throw new Error(`QueryTransaction ${txnId}: ${describeOutcome(outcome)}`);
  const payment = childOf(outcome.body, CP, 'payment');
  return { status: childOf(outcome.body, CP, 'status')!.text, ...(payment ? { payment: flatten(payment).replace(/^payment\(/, 'PayResponse(') } : {}) };
}

/** `items` through `work`, `width` at a time. */
export async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/**
 * QueryTransaction for every payment sent, checked against what the channel saw; each unacknowledged
 * one is then sent again (its answer becomes the payment's `answer`), so afterwards every payment
 * exists and checkStore can require all of them.
 */
export async function checkAnswers(url: string, channel: Channel, payments: readonly StormPayment[], verbose = false): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: QUERY_WIDTH });
  try {
    await inParallel(payments, QUERY_WIDTH, async (p) => {
      const seen = await queryTransaction(agent, url, channel, p.txnId);
      if (p.answer !== undefined) {
        expect(seen, `acknowledged ${p.txnId}`).to.deep.equal({ status: 'POSTED', payment: p.answer });
        return;
      }
      expect(seen.status, `unacknowledged ${p.txnId}`).to.be.oneOf(['POSTED', 'NOT_FOUND']);
      const fields = { channelTxnId: p.txnId, customerNo: p.customerNo, amount: p.amount, accountingDate: p.accountingDate };
      const again = await soapCall(agent, url, channel, 'Pay', fields);
      if (again.kind !== 'answer' || again.status !== 200) throw new Error(`Pay ${p.txnId} sent again: ${describeOutcome(again)}`);
      if (verbose) process.stdout.write(`unacknowledged ${p.txnId}: ${seen.status}\n`);
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
  const rows = await sql<{ n: number | string }>`${sql.raw(query)}`.execute(store.db);
  return Number(rows.rows[0]?.n ?? NaN);
}

/**
 * The stored rows, after checkAnswers: each payment once with the content sent, its ledger, audit
 * and allocations, and a ledger that sums to zero. `balances`: the receivable and prepaid
 * accounts agree with the allocation rows customer by customer (only where the test made every
 * bill itself: a seeded database also has late fees and adjustments on those accounts).
 */
export async function checkStore(store: OpenStore, channelCode: string, payments: readonly StormPayment[], balances: boolean): Promise<void> {
  const rows = await store.db.selectFrom('payments').innerJoin('channels', 'channels.id', 'payments.channel_id')
    .innerJoin('customers', 'customers.id', 'payments.customer_id')
    .select(['payments.id', 'payments.channel_txn_id', 'payments.amount_fen', 'payments.response', 'customers.customer_no'])
    .where('channels.code', '=', channelCode).execute();
  expect(rows.length, 'payments stored: every one the channel sent, after the final retries').to.equal(payments.length);
  const byTxn = new Map(rows.map((r) => [r.channel_txn_id, r]));
  for (const p of payments) {
    const row = byTxn.get(p.txnId);
    expect(row, p.txnId).to.not.equal(undefined);
    expect([row!.customer_no, Number(row!.amount_fen)], p.txnId).to.deep.equal([p.customerNo, parseYuan(p.amount)]);
    expect(p.answer, p.txnId).to.include(`platformTxnId=${row!.id},`);
  }
  const where = `from payments p join channels c on c.id = p.channel_id where c.code = '${channelCode}'`;
  const checks: Record<string, string> = {
    'payments without exactly one payment posting': `select count(*) as n ${where} and (select count(*) from ledger_transactions t where t.ref_kind = 'payment' and t.ref_id = p.id) <> 1`,
    'payments whose posting does not debit clearing by the amount': `select count(*) as n ${where} and (select coalesce(sum(e.amount_fen), 0) from ledger_entries e join ledger_transactions t on t.id = e.txn_id where t.ref_kind = 'payment' and t.ref_id = p.id and e.account_code = 'clearing:${channelCode}') <> p.amount_fen`,
    'payments without exactly one audit record': `select count(*) as n ${where} and (select count(*) from audit_log a where a.action = 'pay' and a.subject = 'payment:' || p.id) <> 1`,
    'payments whose allocations do not add up': `select count(*) as n ${where} and (select coalesce(sum(a.amount_fen), 0) from payment_allocations a where a.payment_id = p.id) <> p.amount_fen`,
    'unbalanced ledger transactions': 'select count(*) as n from (select txn_id from ledger_entries group by txn_id having sum(amount_fen) <> 0) unbalanced',
  };
  for (const [what, query] of Object.entries(checks)) expect(await count(store, query), what).to.equal(0);
  if (balances) {
    const disagreeing = await count(store, `select count(*) as n from customers cu where
      (select coalesce(sum(e.amount_fen), 0) from ledger_entries e where e.account_code = 'receivable' and e.customer_id = cu.id)
        <> (select coalesce(sum(b.amount_fen), 0) from bills b where b.customer_id = cu.id and b.status = 'issued')
         - (select coalesce(sum(a.amount_fen), 0) from payment_allocations a join payments p on p.id = a.payment_id where p.customer_id = cu.id and a.kind = 'energy')
      or (select coalesce(sum(e.amount_fen), 0) from ledger_entries e where e.account_code = 'prepaid' and e.customer_id = cu.id)
        <> -(select coalesce(sum(a.amount_fen), 0) from payment_allocations a join payments p on p.id = a.payment_id where p.customer_id = cu.id and a.kind = 'prepaid')`);
    expect(disagreeing, 'customers whose receivable or prepaid balance disagrees with the allocations').to.equal(0);
  }
  expect(await ledgerTotal(store), 'sum of every ledger entry').to.equal(0);
}

/** `gridbill audit verify` on the database: the hash chain of the audit log is intact. */
export async function checkAuditChain(dbUrl: string): Promise<void> {
  const verified = await runCli(['audit', 'verify'], { GRIDBILL_DB: dbUrl });
  expect(verified.code, verified.stderr).to.equal(0);
  expect(verified.stdout).to.match(/^audit log intact: \d+ records$/);
}
