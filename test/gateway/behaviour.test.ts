// Policy refusals over HTTP, each with its catalogued code and stage and nothing reaching the
// (spy) core: an operation or a service the channel may not call, an amount over the transaction
// or the day's ceiling, a rate over the channel's or the customer's bucket, a call outside
// business hours, a reversal naming another channel's transaction. And the counters themselves.

import { expect } from 'chai';
import { CircuitBreaker } from '../../src/gateway/forward.ts';
import { DailyAmounts, TokenBuckets } from '../../src/gateway/behaviour.ts';
import { PASSWORD, startSpyCore, startTestGateway, type SpyCore, type TestGateway } from './gateway-harness.ts';
import { call, faultOf, operation, securityHeader, type Reply } from '../soap/soap-client.ts';

const CP_ACTION = (op: string) => `"urn:gridbill:channel-payment:v1#${op}"`;
const DAY = '2026-11-28';

function pay(txn: string, amount: string, customerNo = '3301000000011'): string {
  return operation('Pay', { channelTxnId: txn, customerNo, amount, accountingDate: DAY });
}

describe('gateway behaviour rules', function () {
  this.timeout(30_000);
  let spy: SpyCore;
  let gw: TestGateway;
  // 2026-11-28 10:00 +08:00: inside 08:00-18:00
  let nowMs = Date.parse('2026-11-28T02:00:00Z');

  const send = (user: string, body: string, op: string, service = 'ChannelPaymentService'): Promise<Reply> =>
    call(gw.endpoint(service), body, {
      header: securityHeader(user, PASSWORD, { created: new Date(nowMs).toISOString() }),
      action: service === 'ChannelPaymentService' ? CP_ACTION(op) : `"urn:gridbill:customer:v1#${op}"`,
    });

  function expectDenied(reply: Reply, code: string, stage: string, reason: string): void {
    expect(faultOf(reply, '1.1').detailCode, reply.text).to.equal(code);
    expect(gw.verdicts().at(-1)).to.include({ stage, reason, verdict: 'denied' });
    expect(spy.received).to.have.length(0);
  }

  function expectForwarded(reply: Reply): void {
    expect(faultOf(reply, '1.1').detailCode, reply.text).to.equal('CUSTOMER_NOT_FOUND');
    expect(spy.received).to.have.length(1);
    spy.received.length = 0;
  }

  before(async () => {
    spy = await startSpyCore();
    gw = await startTestGateway(spy.url, {
      'bank-q': { operations: ['QueryArrears'] },
      'bank-limits': { txnAmountMax: '500.00', dailyAmountMax: '1000.00' },
      'bank-slow': { ratePerSecond: 1, burst: 2 },
      'bank-hours': { businessHours: '08:00-18:00' },
      'bank-own': { txnIdPrefix: 'OWN' },
      'bank-a': { customerRatePerMinute: 1, customerBurst: 3 },
    }, { clock: () => nowMs });
  });
  beforeEach(() => {
    spy.received.length = 0;
  });
  after(async () => {
    await gw.stop();
    await spy.stop();
  });

  it('refuses an operation the channel may not call, and a service outside its zone (OPERATION_NOT_ALLOWED)', async () => {
    expectForwarded(await send('bank-q', operation('QueryArrears', { customerNo: '3301000000011' }), 'QueryArrears'));
    expectDenied(await send('bank-q', pay('Q1', '1.00'), 'Pay'), 'OPERATION_NOT_ALLOWED', 'authorise', 'operation-not-listed');
    const login = `<c:RequestLoginCode xmlns:c="urn:gridbill:customer:v1"><c:customerNo>3301000000011</c:customerNo></c:RequestLoginCode>`;
    expectDenied(await send('bank-q', login, 'RequestLoginCode', 'CustomerService'), 'OPERATION_NOT_ALLOWED', 'authorise', 'service-not-in-zone');
  });

  it('refuses an amount over the transaction ceiling, and over the day once the day adds up (AMOUNT_LIMIT_EXCEEDED)', async () => {
    expectDenied(await send('bank-limits', pay('L0', '500.01'), 'Pay'), 'AMOUNT_LIMIT_EXCEEDED', 'behaviour', 'transaction-amount');
    expectForwarded(await send('bank-limits', pay('L1', '500.00'), 'Pay'));
    // the spy core answers every Pay with a fault: the core took no money, so the day keeps nothing
    expectForwarded(await send('bank-limits', pay('L2', '500.00'), 'Pay'));
    spy.answer = (body) => ({ status: 200, body: payReceipt(body) });
    try {
      for (const txn of ['L3', 'L4']) {
        const reply = await send('bank-limits', pay(txn, '500.00'), 'Pay');
        expect(reply.status, reply.text).to.equal(200);
        spy.received.length = 0;
      }
      // the same id again is the same payment (the core answers it with the first answer): not counted twice
      expect((await send('bank-limits', pay('L4', '500.00'), 'Pay')).status).to.equal(200);
      spy.received.length = 0;
      expectDenied(await send('bank-limits', pay('L5', '0.01'), 'Pay'), 'AMOUNT_LIMIT_EXCEEDED', 'behaviour', 'daily-amount');
      // the next business day starts from nothing
      nowMs += 24 * 3_600_000;
      expect((await send('bank-limits', pay('L6', '500.00'), 'Pay')).status).to.equal(200);
    } finally {
      spy.answer = () => ({ status: 500, body: '' });
      nowMs -= 24 * 3_600_000;
    }
  });

  it("refuses a channel over its rate, and anyone over a customer's rate (RATE_LIMITED)", async () => {
    spy.answer = () => ({ status: 500, body: '' });
    const arrears = (no: string) => operation('QueryArrears', { customerNo: no });
    await send('bank-slow', arrears('3301000000021'), 'QueryArrears');
    await send('bank-slow', arrears('3301000000022'), 'QueryArrears');
    spy.received.length = 0;
    expectDenied(await send('bank-slow', arrears('3301000000023'), 'QueryArrears'), 'RATE_LIMITED', 'behaviour', 'channel-rate');
    nowMs += 1_000;
    await send('bank-slow', arrears('3301000000024'), 'QueryArrears');
    expect(spy.received).to.have.length(1);
    spy.received.length = 0;
    for (let i = 0; i < 3; i += 1) await send('bank-a', arrears('3301000000031'), 'QueryArrears');
    spy.received.length = 0;
    expectDenied(await send('bank-a', arrears('3301000000031'), 'QueryArrears'), 'RATE_LIMITED', 'behaviour', 'customer-rate');
    await send('bank-a', arrears('3301000000032'), 'QueryArrears');
    expect(spy.received).to.have.length(1);
  });

  it('refuses a channel outside its business hours, UTC+8 (OUTSIDE_BUSINESS_HOURS)', async () => {
    const saved = nowMs;
    try {
      nowMs = Date.parse('2026-11-28T10:30:00Z'); // 18:30 +08:00
      expectDenied(await send('bank-hours', operation('QueryArrears', { customerNo: '3301000000041' }), 'QueryArrears'),
        'OUTSIDE_BUSINESS_HOURS', 'behaviour', 'business-hours');
      nowMs = Date.parse('2026-11-28T00:00:00Z'); // 08:00 +08:00
      await send('bank-hours', operation('QueryArrears', { customerNo: '3301000000042' }), 'QueryArrears');
      expect(spy.received).to.have.length(1);
    } finally {
      nowMs = saved;
    }
  });

  it("refuses a reversal naming another channel's transaction, by the channel's id prefix (REVERSAL_NOT_OWN)", async () => {
    const reverse = (original: string) => operation('Reverse', { reversalTxnId: 'OWN-R1', originalTxnId: original, accountingDate: DAY });
    expectDenied(await send('bank-own', reverse('ICBC0001'), 'Reverse'), 'REVERSAL_NOT_OWN', 'behaviour', 'txn-id-prefix');
    expectDenied(await send('bank-own', pay('ICBC0002', '1.00', '3301000000051'), 'Pay'), 'VALIDATION_FAILED', 'behaviour', 'txn-id-prefix');
    await send('bank-own', reverse('OWN-0001'), 'Reverse');
    expect(spy.received).to.have.length(1);
  });
});

function payReceipt(request: string): string {
  const txn = /<channelTxnId>([^<]+)</.exec(request)![1];
  return '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    + `<PayResponse xmlns="urn:gridbill:channel-payment:v1"><channelTxnId>${txn}</channelTxnId><platformTxnId>P${txn}</platformTxnId>`
    + '<customerNo>3301000000011</customerNo><amount>500.00</amount><accountingDate>2026-11-28</accountingDate>'
    + '<postedAt>2026-11-28T10:00:00.000+08:00</postedAt><allocation><kind>prepaid</kind><amount>500.00</amount></allocation><prepaidBalance>0.00</prepaidBalance><totalDue>0.00</totalDue></PayResponse></s:Body></s:Envelope>';
}

describe('gateway counters', () => {
  it('token buckets refill at their rate, up to their burst, and forget the least recently used key first', () => {
    const buckets = new TokenBuckets(2);
    const limit = { perSecond: 2, burst: 2 };
    expect([buckets.take('a', limit, 0), buckets.take('a', limit, 0), buckets.take('a', limit, 0)]).to.deep.equal([true, true, false]);
    expect(buckets.take('a', limit, 500)).to.equal(true);
    expect(buckets.take('a', limit, 500)).to.equal(false);
    expect(buckets.take('a', limit, 60_000) && buckets.take('a', limit, 60_000) && !buckets.take('a', limit, 60_000)).to.equal(true);
    buckets.take('b', limit, 60_000);
    buckets.take('c', limit, 60_000); // drops a
    expect(buckets.take('a', limit, 60_000)).to.equal(true);
  });

  it('day totals count an id once, undo on release, and start again the next business day (UTC+8)', () => {
    const daily = new DailyAmounts();
    const at = Date.parse('2026-11-28T15:59:00Z'); // 23:59 +08:00
    expect(daily.reserve('c', 'T1', 600, 1000, at)).to.be.a('function');
    expect(daily.reserve('c', 'T1', 600, 1000, at)).to.be.a('function');
    expect(daily.reserve('c', 'T2', 500, 1000, at)).to.equal(null);
    expect(daily.reserve('d', 'T2', 500, 1000, at)).to.be.a('function');
    const undo = daily.reserve('c', 'T3', 400, 1000, at)!;
    undo();
    expect(daily.reserve('c', 'T4', 400, 1000, at)).to.be.a('function');
    expect(daily.reserve('c', 'T5', 1000, 1000, at + 60_000)).to.be.a('function');
  });

  it('the circuit breaker opens after consecutive failures, lets one trial through per interval, and closes on success', () => {
    const breaker = new CircuitBreaker(3, 1000);
    for (let i = 0; i < 3; i += 1) {
      expect(breaker.allow(0)).to.equal(true);
      breaker.failed(0);
    }
    expect([breaker.open, breaker.allow(500)]).to.deep.equal([true, false]);
    expect(breaker.allow(1000)).to.equal(true);
    expect(breaker.allow(1000)).to.equal(false);
    breaker.failed(1000);
    expect(breaker.allow(1500)).to.equal(false);
    expect(breaker.allow(2000)).to.equal(true);
    breaker.succeeded();
    expect([breaker.open, breaker.allow(2000), breaker.allow(2000)]).to.deep.equal([false, true, true]);
  });
});
