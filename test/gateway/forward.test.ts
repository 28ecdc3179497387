// The forward path end to end: channels call a real core (test/support/test-core.ts) through the
// gateway and get the same answers as directly — the gateway re-writes every message both ways,
// and the core verifies the re-written UsernameToken against its own database. Then what happens
// when the core cannot answer, or answers something the contract does not allow.

import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { businessDate } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { CircuitBreaker } from '../../src/gateway/forward.ts';
import { startGateway } from '../../src/gateway/start-gateway.ts';
import { startHttpServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { addCustomer, addIssuedBill } from '../support/payments.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { bodyOf, call, faultOf, fieldsOf, get, operation, securityHeader, type Reply, type Version } from '../soap/soap-client.ts';
import { CP_OPS, PASSWORD, policyText, startSpyCore, startTestGateway, type TestGateway } from './gateway-harness.ts';

const CUSTOMER = '3301000000011';
const ACTION = (op: string) => `urn:gridbill:channel-payment:v1#${op}`;

/** Every field of an answer, with the values that differ by instant or request (correlation ids) left out. */
function answerOf(reply: Reply, version: Version): unknown {
  const node = bodyOf(reply, version);
  if (node.local === 'Fault') {
    const fault = faultOf(reply, version);
    return { status: reply.status, code: fault.code, detail: fault.detailCode, message: fault.detailMessage };
  }
  return { status: reply.status, element: node.local, uri: node.uri, fields: fieldsOf(node) };
}

describe('gateway forward path against a real core', function () {
  this.timeout(60_000);
  let core: TestCore;
  let gw: TestGateway;
  const today = businessDate();

  const via = (url: string, user: string, body: string, op: string, version: Version = '1.1') =>
    call(url, body, { version, header: securityHeader(user, PASSWORD), action: version === '1.1' ? `"${ACTION(op)}"` : ACTION(op) });
  const direct = (user: string, body: string, op: string, version?: Version) => via(core.endpoint('ChannelPaymentService'), user, body, op, version);
  const gateway = (user: string, body: string, op: string, version?: Version) => via(gw.endpoint(), user, body, op, version);

  before(async () => {
    core = await startTestCore(async (store, box) => {
      const customerId = await addCustomer(store, CUSTOMER);
      await addIssuedBill(store, { customerId, billNo: `202609${CUSTOMER}`, period: '2026-09', dueOn: '2099-12-31', amountFen: 10_000 });
      const now = new Date().toISOString();
      for (const code of ['bank-a', 'bank-b']) await addChannel(store, box, { code, name: code, kind: 'bank', password: PASSWORD, operations: CP_OPS }, 'test', now);
    });
    gw = await startTestGateway(core.server.url, { 'bank-a': {}, 'bank-b': {} });
  });
  after(async () => {
    await gw.stop();
    await core.stop();
  });

  for (const version of ['1.1', '1.2'] as const) {
    it(`answers QueryArrears and an unknown customer as the core does directly (SOAP ${version})`, async () => {
      const arrears = operation('QueryArrears', { customerNo: CUSTOMER });
      expect(answerOf(await gateway('bank-a', arrears, 'QueryArrears', version), version))
        .to.deep.equal(answerOf(await direct('bank-a', arrears, 'QueryArrears', version), version));
      const unknown = operation('QueryArrears', { customerNo: '3309999999999' });
      const answer = answerOf(await gateway('bank-a', unknown, 'QueryArrears', version), version);
      expect(answer).to.deep.include({ detail: 'CUSTOMER_NOT_FOUND' });
      expect(answer).to.deep.equal(answerOf(await direct('bank-a', unknown, 'QueryArrears', version), version));
    });
  }

  it('pays through the gateway, and the core answers the same Pay sent directly with that first answer', async () => {
    const pay = operation('Pay', { channelTxnId: 'GW-PAY-1', customerNo: CUSTOMER, amount: '30.00', accountingDate: today });
    const through = await gateway('bank-a', pay, 'Pay');
    expect(through.status, through.text).to.equal(200);
    expect(answerOf(through, '1.1')).to.deep.equal(answerOf(await direct('bank-a', pay, 'Pay'), '1.1'));
    const query = operation('QueryTransaction', { channelTxnId: 'GW-PAY-1' });
    expect(answerOf(await gateway('bank-a', query, 'QueryTransaction'), '1.1')).to.deep.equal(answerOf(await direct('bank-a', query, 'QueryTransaction'), '1.1'));
    expect(core.logLines.some((l) => l.includes('"channel":"bank-a"') && l.includes('"operation":"Pay"'))).to.equal(true);
  });

  it("refuses a reversal of another channel's payment: the core looks it up under the authenticated channel only", async () => {
    const pay = operation('Pay', { channelTxnId: 'GW-PAY-2', customerNo: CUSTOMER, amount: '10.00', accountingDate: today });
    expect((await gateway('bank-a', pay, 'Pay')).status).to.equal(200);
    const reverse = operation('Reverse', { reversalTxnId: 'GW-REV-1', originalTxnId: 'GW-PAY-2', accountingDate: today });
    expect(faultOf(await gateway('bank-b', reverse, 'Reverse'), '1.1').detailCode).to.equal('PAYMENT_NOT_FOUND');
    expect((await gateway('bank-a', reverse, 'Reverse')).status).to.equal(200);
  });

  it('serves the external WSDLs at its own address, and common.xsd beside them', async () => {
    const wsdl = await get(`${gw.server.url}/soap/ChannelPaymentService?wsdl`);
    expect(wsdl.status).to.equal(200);
    expect(wsdl.text).to.contain(`location="${gw.server.url}/soap/ChannelPaymentService"`);
    expect(wsdl.text).not.to.contain(core.server.url);
    const fromCore = await get(`${core.server.url}/soap/ChannelPaymentService?wsdl`);
    expect(wsdl.text.replaceAll(gw.server.url, 'X')).to.equal(fromCore.text.replaceAll(core.server.url, 'X'));
    expect((await get(`${gw.server.url}/soap/CustomerService?WSDL`)).status).to.equal(200);
    expect((await get(`${gw.server.url}/soap/common.xsd`)).text).to.contain('GridbillFault');
  });
});

describe('gateway when the core fails', function () {
  this.timeout(30_000);

  it('answers UNAVAILABLE when the core cannot be reached, then stops trying while the breaker is open', async () => {
    const spy = await startSpyCore();
    const url = spy.url;
    await spy.stop();
    const breaker = new CircuitBreaker(2, 60_000);
    const gw = await startTestGateway(url, { 'bank-a': {} }, { breaker });
    try {
      const send = () => call(gw.endpoint(), operation('QueryArrears', { customerNo: CUSTOMER }), { header: securityHeader('bank-a', PASSWORD) });
      for (const reason of ['core-unreachable', 'core-unreachable', 'breaker-open']) {
        const reply = await send();
        expect(faultOf(reply, '1.1')).to.deep.include({ detailCode: 'UNAVAILABLE', code: 'soap:Server' });
        expect(gw.verdicts().at(-1)).to.include({ stage: 'forward', reason });
      }
    } finally {
      await gw.stop();
    }
  });

  it('answers UNAVAILABLE when the core does not answer in time', async () => {
    const spy = await startSpyCore();
    const server = await startHttpServer({
      name: 'hang', host: '127.0.0.1', port: 0, handler: () => new Promise(() => {}), logger: createLogger({ level: 'error', role: 't', silent: true }),
    });
    const gw = await startTestGateway(server.url, { 'bank-a': {} }, { timeoutMs: 100 });
    try {
      const reply = await call(gw.endpoint(), operation('QueryArrears', { customerNo: CUSTOMER }), { header: securityHeader('bank-a', PASSWORD) });
      expect(faultOf(reply, '1.1').detailCode).to.equal('UNAVAILABLE');
      expect(gw.verdicts().at(-1)).to.include({ stage: 'forward', reason: 'core-timeout' });
    } finally {
      await gw.stop();
      server.server.closeAllConnections();
      await server.stop();
      await spy.stop();
    }
  });

  it('refuses an answer the contract does not allow (INTERNAL), and re-writes one it allows canonically', async () => {
    const spy = await startSpyCore();
    const gw = await startTestGateway(spy.url, { 'bank-a': {} });
    const answer = (extra: string) => '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
      + '<r:QueryArrearsResponse xmlns:r="urn:gridbill:channel-payment:v1"><!-- c --><r:customerNo>3301000000011</r:customerNo>'
      + `<r:customerName>张*</r:customerName><r:address>杭州市西湖区***</r:address><r:asOf>2026-11-28</r:asOf>${extra}`
      + '<r:prepaidBalance>0.00</r:prepaidBalance><r:totalDue>0.00</r:totalDue></r:QueryArrearsResponse></s:Body></s:Envelope>';
    try {
      const send = () => call(gw.endpoint(), operation('QueryArrears', { customerNo: CUSTOMER }), { header: securityHeader('bank-a', PASSWORD) });
      spy.answer = () => ({ status: 200, body: answer('<r:internalNote>db host 10.0.0.5</r:internalNote>') });
      const refused = await send();
      expect(faultOf(refused, '1.1').detailCode).to.equal('INTERNAL');
      expect(refused.text).not.to.contain('10.0.0.5');
      expect(gw.verdicts().at(-1)).to.include({ stage: 'respond', reason: 'core-answer-invalid' });
      spy.answer = () => ({ status: 200, body: answer('') });
      const ok = await send();
      expect(ok.status).to.equal(200);
      expect(ok.text).to.contain('<QueryArrearsResponse xmlns="urn:gridbill:channel-payment:v1"><customerNo>3301000000011</customerNo>');
      expect(ok.text).not.to.contain('<!--');
    } finally {
      await gw.stop();
      await spy.stop();
    }
  });
});

describe('gateway policy reload (SIGHUP)', function () {
  this.timeout(30_000);

  it('applies a new policy on SIGHUP without dropping a keep-alive connection, and keeps the old one when the new has problems', async () => {
    const spy = await startSpyCore();
    const dir = mkdtempSync(join(tmpdir(), 'gridbill-reload-'));
    const key = randomBytes(32);
    const box = secretBox(key);
    const file = join(dir, 'policy.json');
    writeFileSync(file, policyText(box, { 'bank-a': {} }));
    const config = loadConfig({
      GRIDBILL_GATEWAY_POLICY: file, GRIDBILL_GATEWAY_KEY: key.toString('base64'), GRIDBILL_GATEWAY_QUARANTINE: 'off', GRIDBILL_CORE_URL: spy.url,
    });
    const logger = createLogger({ level: 'error', role: 'gateway', silent: true });
    const gateway = await startGateway(config, 'gateway', logger);
    const server = await startHttpServer({ name: 'gateway', host: '127.0.0.1', port: 0, handler: gateway.handler, logger });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (): Promise<{ code: string; reused: boolean }> => new Promise((resolve, reject) => {
      const xml = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>${securityHeader('bank-a', PASSWORD)}</soap:Header>`
        + `<soap:Body>${operation('QueryArrears', { customerNo: CUSTOMER }).replaceAll('cp:', 'q:').replace('<q:QueryArrears>', '<q:QueryArrears xmlns:q="urn:gridbill:channel-payment:v1">')}</soap:Body></soap:Envelope>`;
      const req = request(`${server.url}/soap/ChannelPaymentService`, { method: 'POST', agent, headers: { 'Content-Type': 'text/xml; charset=utf-8' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ code: /<t:code>([A-Z_]+)</.exec(text)?.[1] ?? '', reused: req.reusedSocket }));
      });
      req.on('error', reject);
      req.end(xml);
    });
    try {
      expect(await send()).to.deep.equal({ code: 'CUSTOMER_NOT_FOUND', reused: false });
      writeFileSync(file, policyText(box, { 'bank-a': { operations: ['Pay'] } }));
      process.emit('SIGHUP', 'SIGHUP');
      expect(await send()).to.deep.equal({ code: 'OPERATION_NOT_ALLOWED', reused: true });
      writeFileSync(file, '{"format": "gridbill.gateway-policy/1", "channels": 3}');
      process.emit('SIGHUP', 'SIGHUP');
      expect(await send()).to.deep.equal({ code: 'OPERATION_NOT_ALLOWED', reused: true });
      expect(gateway.reload()).to.equal(false);
    } finally {
      agent.destroy();
      await server.stop();
      gateway.close();
      await spy.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
