// Concurrency over HTTP (issue 4): 50 simultaneous identical Pay requests post one payment and get
// one answer; 50 different payments to one customer leave balances and the ledger exact. Each
// request is its own connection with its own UsernameToken, as 50 bank workers would send them;
// on SQLite they share durable commits (src/store/group-commit.ts).

import { Agent, request } from 'node:http';
import { expect } from 'chai';
import { businessDate } from '../../src/clock.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { queryArrears } from '../../src/usecases/query-arrears.ts';
import { addCustomer, addIssuedBill, countRows, expectLedgerBalanced, outstandingOf } from '../support/payments.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { bodyOf, operation, securityHeader, soapEnvelope, text, type Reply } from './soap-client.ts';

const PASSWORD = 'concurrency password';
const CONNECTIONS = 50;
const ACTION = (op: string) => `"urn:gridbill:channel-payment:v1#${op}"`;

function send(url: string, agent: Agent, body: string, op: string): Promise<Reply> {
  const envelope = soapEnvelope('1.1', body, securityHeader('bank-c', PASSWORD));
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent,
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: ACTION(op), 'Content-Length': String(Buffer.byteLength(envelope)) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(envelope);
  });
}

describe('ChannelPaymentService under concurrent requests', function () {
  this.timeout(60_000);
  let core: TestCore;
  let agent: Agent;
  const today = businessDate();

  before(async () => {
    core = await startTestCore(async (s, box) => {
      for (const customerNo of ['3301000000501', '3301000000502']) {
        const customerId = await addCustomer(s, customerNo);
        await addIssuedBill(s, { customerId, billNo: `A${customerNo}`, period: '2026-08', dueOn: '2099-12-31', amountFen: 30_000 });
        await addIssuedBill(s, { customerId, billNo: `B${customerNo}`, period: '2026-09', dueOn: '2099-12-31', amountFen: 20_000 });
      }
      await addChannel(s, box, { code: 'bank-c', name: 'Bank C', kind: 'bank', password: PASSWORD, operations: ['Pay', 'QueryArrears'] }, 'test', new Date().toISOString());
    });
    // One socket per request: the requests really are concurrent on the server.
    agent = new Agent({ keepAlive: false, maxSockets: CONNECTIONS });
  });

  after(async () => {
    agent?.destroy();
    await core?.stop();
  });

  it(`${CONNECTIONS} identical Pay requests at once: one payment, ${CONNECTIONS} identical answers`, async () => {
    const body = operation('Pay', { channelTxnId: 'SAME-1', customerNo: '3301000000501', amount: '123.45', accountingDate: today });
    const replies = await Promise.all(Array.from({ length: CONNECTIONS }, () => send(core.endpoint('ChannelPaymentService'), agent, body, 'Pay')));
    for (const reply of replies) expect(reply.status, reply.text).to.equal(200);
    const answers = new Set(replies.map((r) => /<soap:Body>(.*)<\/soap:Body>/s.exec(r.text)?.[1]));
    expect(answers.size).to.equal(1);
    expect([...answers][0]).to.include('PayResponse');
    expect(text(bodyOf(replies[0]!, '1.1'), 'amount')).to.equal('123.45');
    expect(await countRows(core.store, 'payments')).to.equal(1);
    // Oldest bill first: 300.00 owed, 123.45 paid once.
    expect(await outstandingOf(core.store, 'A3301000000501')).to.equal(30_000 - 12_345);
    expect(await outstandingOf(core.store, 'B3301000000501')).to.equal(20_000);
    await expectLedgerBalanced(core.store);
  });

  it(`${CONNECTIONS} different payments to one customer at once: every one posted, balances exact`, async () => {
    const paymentsBefore = await countRows(core.store, 'payments');
    // 50 × 12.34 = 617.00 against 500.00 owed: the bills are settled and 117.00 goes to the prepaid balance.
    const replies = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => send(core.endpoint('ChannelPaymentService'), agent,
      operation('Pay', { channelTxnId: `DIFF-${i}`, customerNo: '3301000000502', amount: '12.34', accountingDate: today }), 'Pay')));
    for (const reply of replies) expect(reply.status, reply.text).to.equal(200);
    expect(new Set(replies.map((r) => text(bodyOf(r, '1.1'), 'platformTxnId'))).size).to.equal(CONNECTIONS);
    expect(await countRows(core.store, 'payments')).to.equal(paymentsBefore + CONNECTIONS);
    expect(await outstandingOf(core.store, 'A3301000000502')).to.equal(0);
    expect(await outstandingOf(core.store, 'B3301000000502')).to.equal(0);
    const arrears = await queryArrears(core.store, { customerNo: '3301000000502', asOfDate: today });
    expect(arrears.totalDueFen).to.equal(0);
    expect(arrears.prepaidBalanceFen).to.equal(CONNECTIONS * 1_234 - 50_000);
    // The answers tell each payment's own story: the prepaid balances they report are all different
    // and the last one is the final balance.
    const balances = replies.map((r) => text(bodyOf(r, '1.1'), 'prepaidBalance')!);
    expect(balances).to.include('117.00');
    await expectLedgerBalanced(core.store);
  });
});
