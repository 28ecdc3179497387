// ChannelPaymentService over real HTTP on loopback: the core handler on port 0, a migrated SQLite
// store with issued bills and registered channels, requests written by hand in SOAP 1.1 and 1.2.

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { businessDate } from '../../src/clock.ts';
import { LIMITS } from '../../src/limits.ts';
import type { OpenStore } from '../../src/store/connect.ts';
import { addChannel, setChannelEnabled } from '../../src/usecases/manage-channels.ts';
import { addCustomer, addIssuedBill, expectLedgerBalanced } from '../support/payments.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { childOf } from '../wsdl/xml-tree.ts';
import {
  CP, bodyOf, call, faultOf, fieldsOf, get, operation, post, securityHeader, soapEnvelope, text, type Reply, type TokenOptions, type Version,
} from './soap-client.ts';

const PASSWORD = 'correct horse battery';
const ALL_OPS = ['QueryArrears', 'Pay', 'Reverse', 'QueryTransaction', 'Reconcile', 'SignWithholding', 'CancelWithholding'];
const CREDENTIALS_TTL_MS = 100;
const ACTION = (op: string) => `urn:gridbill:channel-payment:v1#${op}`;

/** A customer per SOAP version, each with one bill of 100.00 due far in the future (no late fee). */
const CUSTOMER: Record<Version, string> = { '1.1': '3301000000011', '1.2': '3301000000012' };
const BIG_CUSTOMER = '3301000000099';

function expectNoInternals(reply: Reply): void {
  expect(reply.text).not.to.match(/\bat .+\(|\.ts:\d|\/work\/|node_modules|SELECT|INSERT|sqlite|Error:/i);
}

describe('ChannelPaymentService over HTTP', function () {
  this.timeout(30_000);
  let core: TestCore;
  let store: OpenStore;
  let endpoint: string;
  let logLines: string[];
  const today = businessDate();

  before(async () => {
    core = await startTestCore(async (s, box) => {
      for (const [i, customerNo] of [CUSTOMER['1.1'], CUSTOMER['1.2'], BIG_CUSTOMER].entries()) {
        const customerId = await addCustomer(s, customerNo);
        await addIssuedBill(s, {
          customerId, billNo: `202609${customerNo}`, period: '2026-09', dueOn: '2099-12-31', amountFen: i === 2 ? 1_234_567_890_123 : 10_000,
        });
      }
      const now = new Date().toISOString();
      await addChannel(s, box, { code: 'bank-a', name: 'Bank A', kind: 'bank', password: PASSWORD, operations: ALL_OPS }, 'test', now);
      await addChannel(s, box, { code: 'bank-q', name: 'Bank Q', kind: 'bank', password: PASSWORD, operations: ['QueryArrears'] }, 'test', now);
      await addChannel(s, box, { code: 'bank-off', name: 'Bank Off', kind: 'bank', password: PASSWORD, operations: ALL_OPS }, 'test', now);
    }, { credentialsTtlMs: CREDENTIALS_TTL_MS });
    ({ store, logLines } = core);
    endpoint = core.endpoint('ChannelPaymentService');
  });

  after(async () => core?.stop());

  const auth = (user = 'bank-a', options: TokenOptions = {}) => securityHeader(user, PASSWORD, options);

  async function expectFault(reply: Reply, version: Version, side: 'Client' | 'Server', code: string, status = 500): Promise<void> {
    expect(reply.status, reply.text).to.equal(status);
    const fault = faultOf(reply, version);
    const wire = version === '1.1' ? side : side === 'Client' ? 'Sender' : 'Receiver';
    expect(fault.code).to.equal(`soap:${wire}`);
    expect(fault.detailCode).to.equal(code);
    expect(fault.string).to.equal(fault.detailMessage);
    expect(fault.correlationId).to.equal(reply.headers['x-correlation-id']);
    expect(reply.headers['content-type']).to.equal(version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8');
    expectNoInternals(reply);
  }

  describe('contracts', () => {
    it('serves the WSDL with both port addresses rewritten to the address the client used, and nothing else changed', async () => {
      const original = readFileSync(new URL('../../wsdl/ChannelPaymentService.wsdl', import.meta.url), 'utf8');
      for (const query of ['?wsdl', '?WSDL']) {
        const reply = await get(`${endpoint}${query}`);
        expect(reply.status).to.equal(200);
        expect(reply.headers['content-type']).to.match(/^text\/xml/);
        expect(reply.text).to.equal(original.replaceAll('http://localhost:8100/soap/ChannelPaymentService', endpoint));
      }
      const viaName = await get(`${endpoint}?wsdl`, { Host: 'Gridbill.Example:8443' });
      expect([...viaName.text.matchAll(/<soap(?:12)?:address location="([^"]*)"/g)].map((m) => m[1]))
        .to.deep.equal(['http://gridbill.example:8443/soap/ChannelPaymentService', 'http://gridbill.example:8443/soap/ChannelPaymentService']);
    });

    it('refuses a Host header that is not a plain host[:port] instead of writing it into the WSDL', async () => {
      for (const host of ['evil.example"><x y="', 'a b', 'host:99999', 'x'.repeat(300)]) {
        const reply = await get(`${endpoint}?wsdl`, { Host: host });
        expect(reply.status, host).to.equal(400);
        expect(reply.text).not.to.include('<');
      }
    });

    it('serves common.xsd where the relative schemaLocation resolves', async () => {
      const location = /schemaLocation="([^"]+)"/.exec((await get(`${endpoint}?wsdl`)).text)![1]!;
      const reply = await get(new URL(location, `${endpoint}?wsdl`).href);
      expect(reply.status).to.equal(200);
      expect(reply.text).to.include('targetNamespace="urn:gridbill:types:v1"');
    });
  });

  for (const version of ['1.1', '1.2'] as const) {
    describe(`the four operations on SOAP ${version}`, () => {
      const customerNo = CUSTOMER[version];
      const billNo = `202609${customerNo}`;
      const txn = (name: string) => `V${version.replace('.', '')}-${name}`;
      const send = (body: string, op: string) => call(endpoint, body, { version, header: auth(), action: version === '1.1' ? `"${ACTION(op)}"` : ACTION(op) });

      it('QueryArrears: masked customer, receivables and totals in schema order, amounts as written decimals', async () => {
        const reply = await send(operation('QueryArrears', { customerNo }), 'QueryArrears');
        expect(reply.status, reply.text).to.equal(200);
        const answer = bodyOf(reply, version);
        expect([answer.uri, answer.local]).to.deep.equal([CP, 'QueryArrearsResponse']);
        expect(fieldsOf(answer)).to.deep.equal([
          ['customerNo', customerNo], ['customerName', '张*丰'], ['address', text(answer, 'address')!], ['asOf', today],
          ['receivable', '…'], ['prepaidBalance', '0.00'], ['totalDue', '100.00'],
        ]);
        expect(text(answer, 'address')).to.include('*');
        expect(fieldsOf(childOf(answer, CP, 'receivable')!)).to.deep.equal([
          ['billNo', billNo], ['period', '2026-09'], ['energyCharge', '100.00'], ['lateFee', '0.00'], ['amountDue', '100.00'], ['dueDate', '2099-12-31'],
        ]);
      });

      it('Pay: 19.50 and 0.10 are posted and answered exactly, allocation per bill', async () => {
        for (const [name, amount, due] of [['P1', '19.50', '80.50'], ['P2', '0.10', '80.40']] as const) {
          const reply = await send(operation('Pay', { channelTxnId: txn(name), customerNo, amount, accountingDate: today, billNo: [billNo] }), 'Pay');
          expect(reply.status, reply.text).to.equal(200);
          const receipt = bodyOf(reply, version);
          expect(receipt.local).to.equal('PayResponse');
          const fields = fieldsOf(receipt);
          expect(fields.map(([k]) => k)).to.deep.equal([
            'channelTxnId', 'platformTxnId', 'customerNo', 'amount', 'accountingDate', 'postedAt', 'allocation', 'prepaidBalance', 'totalDue',
          ]);
          expect(text(receipt, 'amount')).to.equal(amount);
          expect(text(receipt, 'postedAt')).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/);
          expect(fieldsOf(childOf(receipt, CP, 'allocation')!)).to.deep.equal([['kind', 'energy'], ['billNo', billNo], ['amount', amount]]);
          expect(text(receipt, 'totalDue')).to.equal(due);
        }
        await expectLedgerBalanced(store);
      });

      it('Pay again with the same content: the first answer', async () => {
        const body = operation('Pay', { channelTxnId: txn('P2'), customerNo, amount: '0.10', accountingDate: today, billNo: [billNo] });
        const reply = await send(body, 'Pay');
        expect(reply.status).to.equal(200);
        expect(text(bodyOf(reply, version), 'totalDue')).to.equal('80.40');
      });

      it('Reverse: the last payment is taken back, balances after it', async () => {
        const reply = await send(operation('Reverse', { reversalTxnId: txn('R2'), originalTxnId: txn('P2'), accountingDate: today }), 'Reverse');
        expect(reply.status, reply.text).to.equal(200);
        const receipt = bodyOf(reply, version);
        expect(fieldsOf(receipt).map(([k]) => k)).to.deep.equal([
          'reversalTxnId', 'originalTxnId', 'platformTxnId', 'customerNo', 'amount', 'accountingDate', 'reversedAt', 'prepaidBalance', 'totalDue',
        ]);
        expect(text(receipt, 'amount')).to.equal('0.10');
        expect(text(receipt, 'totalDue')).to.equal('80.50');
        await expectLedgerBalanced(store);
      });

      it('QueryTransaction: POSTED, REVERSED with both receipts, NOT_FOUND', async () => {
        const posted = bodyOf(await send(operation('QueryTransaction', { channelTxnId: txn('P1') }), 'QueryTransaction'), version);
        expect(fieldsOf(posted).map(([k]) => k)).to.deep.equal(['channelTxnId', 'status', 'payment']);
        expect(text(posted, 'status')).to.equal('POSTED');
        expect(text(childOf(posted, CP, 'payment')!, 'amount')).to.equal('19.50');
        const reversed = bodyOf(await send(operation('QueryTransaction', { channelTxnId: txn('P2') }), 'QueryTransaction'), version);
        expect(fieldsOf(reversed).map(([k]) => k)).to.deep.equal(['channelTxnId', 'status', 'payment', 'reversal']);
        expect(text(reversed, 'status')).to.equal('REVERSED');
        expect(text(childOf(reversed, CP, 'reversal')!, 'reversalTxnId')).to.equal(txn('R2'));
        const none = bodyOf(await send(operation('QueryTransaction', { channelTxnId: txn('nothing') }), 'QueryTransaction'), version);
        expect(fieldsOf(none)).to.deep.equal([['channelTxnId', txn('nothing')], ['status', 'NOT_FOUND']]);
      });

      it('Pay of a txn id used with other content: TXN_ID_CONFLICT', async () => {
        const reply = await send(operation('Pay', { channelTxnId: txn('P1'), customerNo, amount: '19.51', accountingDate: today }), 'Pay');
        await expectFault(reply, version, 'Client', 'TXN_ID_CONFLICT');
      });

      it('an unknown customer: CUSTOMER_NOT_FOUND', async () => {
        await expectFault(await send(operation('QueryArrears', { customerNo: '9999999999' }), 'QueryArrears'), version, 'Client', 'CUSTOMER_NOT_FOUND');
      });

      it('Reconcile of today: RECONCILE_DATE_NOT_PAST (the rest is in reconcile.test.ts)', async () => {
        const reconcile = operation('Reconcile', { accountingDate: today, totalCount: '0', totalAmount: '0.00', batchNo: '1', batchCount: '1' });
        await expectFault(await send(reconcile, 'Reconcile'), version, 'Client', 'RECONCILE_DATE_NOT_PAST');
      });
    });
  }

  describe('decimals', () => {
    it('answers 12345678901.23 exactly (never through a JavaScript float)', async () => {
      const reply = await call(endpoint, operation('QueryArrears', { customerNo: BIG_CUSTOMER }), { header: auth() });
      const answer = bodyOf(reply, '1.1');
      expect(text(childOf(answer, CP, 'receivable')!, 'energyCharge')).to.equal('12345678901.23');
      expect(text(answer, 'totalDue')).to.equal('12345678901.23');
    });

    for (const amount of ['1e3', '12.345', 'NaN', '12abc', '-1.00', '0x10', '']) {
      it(`refuses the amount ${JSON.stringify(amount)} as a Client fault`, async () => {
        const body = operation('Pay', { channelTxnId: 'BAD-AMOUNT', customerNo: CUSTOMER['1.1'], amount, accountingDate: today });
        await expectFault(await call(endpoint, body, { header: auth() }), '1.1', 'Client', 'VALIDATION_FAILED');
      });
    }
  });

  describe('authentication and authorisation', () => {
    const query = operation('QueryArrears', { customerNo: CUSTOMER['1.1'] });

    it('a wrong digest, a wrong password, a text password, no Security header: AUTH_FAILED', async () => {
      await expectFault(await call(endpoint, query, { header: auth('bank-a', { digest: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }) }), '1.1', 'Client', 'AUTH_FAILED');
      await expectFault(await call(endpoint, query, { header: securityHeader('bank-a', 'not the password') }), '1.1', 'Client', 'AUTH_FAILED');
      await expectFault(await call(endpoint, query, { header: auth('bank-a', { passwordText: true }) }), '1.1', 'Client', 'AUTH_FAILED');
      await expectFault(await call(endpoint, query, {}), '1.1', 'Client', 'AUTH_FAILED');
      await expectFault(await call(endpoint, query, { version: '1.2' }), '1.2', 'Client', 'AUTH_FAILED');
    });

    it('a replayed nonce: AUTH_FAILED the second time', async () => {
      const header = auth();
      expect((await call(endpoint, query, { header })).status).to.equal(200);
      await expectFault(await call(endpoint, query, { header }), '1.1', 'Client', 'AUTH_FAILED');
    });

    it('a stale or future Created: AUTH_FAILED', async () => {
      const stale = new Date(Date.now() - LIMITS.wsseCreatedSkewMs - 60_000).toISOString();
      const future = new Date(Date.now() + LIMITS.wsseCreatedSkewMs + 60_000).toISOString();
      await expectFault(await call(endpoint, query, { header: auth('bank-a', { created: stale }) }), '1.1', 'Client', 'AUTH_FAILED');
      await expectFault(await call(endpoint, query, { header: auth('bank-a', { created: future }) }), '1.1', 'Client', 'AUTH_FAILED');
    });

    it('an unknown channel: AUTH_FAILED', async () => {
      await expectFault(await call(endpoint, query, { header: auth('bank-nobody') }), '1.1', 'Client', 'AUTH_FAILED');
    });

    it('an operation the channel may not call: OPERATION_NOT_ALLOWED', async () => {
      expect((await call(endpoint, query, { header: auth('bank-q') })).status).to.equal(200);
      const body = operation('Pay', { channelTxnId: 'Q-1', customerNo: CUSTOMER['1.1'], amount: '1.00', accountingDate: today });
      await expectFault(await call(endpoint, body, { header: auth('bank-q'), version: '1.2' }), '1.2', 'Client', 'OPERATION_NOT_ALLOWED');
    });

    it('a disabled channel is refused once the credentials are read again (TTL)', async () => {
      expect((await call(endpoint, query, { header: auth('bank-off') })).status).to.equal(200);
      await setChannelEnabled(store, 'bank-off', false, 'test', new Date().toISOString());
      await new Promise((resolve) => setTimeout(resolve, CREDENTIALS_TTL_MS + 50));
      await expectFault(await call(endpoint, query, { header: auth('bank-off') }), '1.1', 'Client', 'AUTH_FAILED');
    });

    it('accepts suds (mustUnderstand="true", +00:00), zeep (no mustUnderstand) and any order of the token', async () => {
      const plus = new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
      for (const options of [
        { mustUnderstand: 'suds', created: plus }, { mustUnderstand: 'none' }, { reversed: true }, { created: new Date().toISOString().replace(/\.\d{3}/, '') },
      ] satisfies TokenOptions[]) {
        const reply = await call(endpoint, query, { header: auth('bank-a', options) });
        expect(reply.status, JSON.stringify(options) + reply.text).to.equal(200);
      }
    });

    it('a Security header in a foreign namespace is no token (and not understood when it must be)', async () => {
      const foreign = (options: TokenOptions) => auth('bank-a', options)
        .replaceAll('oasis-200401-wss-wssecurity-secext-1.0.xsd', 'oasis-200401-wss-wssecurity-secext-9.9.xsd');
      await expectFault(await call(endpoint, query, { header: foreign({ mustUnderstand: 'none' }) }), '1.1', 'Client', 'AUTH_FAILED');
      const reply = await call(endpoint, query, { header: foreign({}) });
      expect(faultOf(reply, '1.1').code).to.equal('soap:MustUnderstand');
    });
  });

  describe('dispatch', () => {
    const query = operation('QueryArrears', { customerNo: CUSTOMER['1.1'] });

    it('dispatches on the body with the soapAction quoted or not, gSOAP\'s derived form, or none', async () => {
      for (const action of [`"${ACTION('QueryArrears')}"`, ACTION('QueryArrears'), '""', '',
        '"urn:gridbill:channel-payment:v1/ChannelPaymentServicePortType/QueryArrears"', undefined]) {
        const reply = await call(endpoint, query, { header: auth(), ...(action === undefined ? {} : { action }) });
        expect(reply.status, String(action)).to.equal(200);
        expect(bodyOf(reply, '1.1').local).to.equal('QueryArrearsResponse');
      }
      for (const action of [ACTION('QueryArrears'), undefined]) {
        const reply = await call(endpoint, query, { header: auth(), version: '1.2', ...(action === undefined ? {} : { action }) });
        expect(reply.status).to.equal(200);
      }
    });

    it('a SOAPAction naming another operation or nothing known: Client fault, nothing run', async () => {
      const pay = operation('Pay', { channelTxnId: 'ACTION-1', customerNo: CUSTOMER['1.1'], amount: '1.00', accountingDate: today });
      await expectFault(await call(endpoint, query, { header: auth(), action: `"${ACTION('Pay')}"` }), '1.1', 'Client', 'VALIDATION_FAILED');
      await expectFault(await call(endpoint, pay, { header: auth(), action: `"${ACTION('QueryArrears')}"` }), '1.1', 'Client', 'VALIDATION_FAILED');
      await expectFault(await call(endpoint, query, { header: auth(), version: '1.2', action: 'urn:other#QueryArrears' }), '1.2', 'Client', 'VALIDATION_FAILED');
      const tx = await call(endpoint, operation('QueryTransaction', { channelTxnId: 'ACTION-1' }), { header: auth() });
      expect(text(bodyOf(tx, '1.1'), 'status')).to.equal('NOT_FOUND');
    });

    it('an unknown operation, an operation in another namespace, two operations: Client fault', async () => {
      await expectFault(await call(endpoint, '<cp:Transfer><cp:x>1</cp:x></cp:Transfer>', { header: auth() }), '1.1', 'Client', 'VALIDATION_FAILED');
      const foreign = `<QueryArrears xmlns="urn:other"><customerNo>${CUSTOMER['1.1']}</customerNo></QueryArrears>`;
      await expectFault(await call(endpoint, foreign, { header: auth(), version: '1.2' }), '1.2', 'Client', 'VALIDATION_FAILED');
      await expectFault(await call(endpoint, query + query, { header: auth() }), '1.1', 'Client', 'VALIDATION_FAILED');
    });

    it('unknown, repeated or misplaced request elements: Client fault', async () => {
      const c = CUSTOMER['1.1'];
      for (const body of [
        `<cp:QueryArrears><cp:customerNo>${c}</cp:customerNo><cp:__proto__>x</cp:__proto__></cp:QueryArrears>`,
        `<cp:QueryArrears><cp:customerNo>${c}</cp:customerNo><cp:customerNo>${c}</cp:customerNo></cp:QueryArrears>`,
        `<cp:Pay><cp:customerNo>${c}</cp:customerNo><cp:channelTxnId>X-1</cp:channelTxnId><cp:amount>1.00</cp:amount><cp:accountingDate>${today}</cp:accountingDate></cp:Pay>`,
        '<cp:QueryArrears/>',
      ]) {
        await expectFault(await call(endpoint, body, { header: auth() }), '1.1', 'Client', 'VALIDATION_FAILED');
      }
    });

    it('a SOAP 1.2 envelope sent as text/xml: VersionMismatch', async () => {
      const reply = await post(endpoint, soapEnvelope('1.2', query, auth()), { 'Content-Type': 'text/xml; charset=utf-8' });
      expect(reply.status).to.equal(500);
      expect(faultOf(reply, '1.1').code).to.equal('soap:VersionMismatch');
    });

    it('an unknown header with mustUnderstand="1": MustUnderstand', async () => {
      const header = `${auth()}<x:Routing xmlns:x="urn:other" soap:mustUnderstand="1">r</x:Routing>`;
      const reply = await call(endpoint, query, { header, version: '1.2' });
      expect(reply.status).to.equal(500);
      expect(faultOf(reply, '1.2').code).to.equal('soap:MustUnderstand');
    });
  });

  describe('HTTP', () => {
    it('GET without ?wsdl and PUT: 405', async () => {
      expect((await get(endpoint)).status).to.equal(405);
      const put = await post(endpoint, soapEnvelope('1.1', ''), { 'Content-Type': 'text/xml' }, 'PUT');
      expect(put.status).to.equal(405);
      expect(put.headers.allow).to.include('POST');
    });

    it('the endpoint by its path: with a query string it is still reached; another service or path is 404', async () => {
      const body = () => soapEnvelope('1.1', operation('QueryArrears', { customerNo: CUSTOMER['1.1'] }), auth()); // a nonce is accepted once
      const headers = { 'Content-Type': 'text/xml; charset=utf-8' };
      for (const url of [`${endpoint}?trace=1`, endpoint]) {
        const reply = await post(url, body(), headers);
        expect(reply.status, url).to.equal(200);
        expect(reply.text, url).to.include('QueryArrearsResponse');
      }
      for (const url of [endpoint.replace('ChannelPaymentService', 'NoSuchService'), `${endpoint}/x`, endpoint.replace('/soap/', '/SOAP/')]) {
        expect((await post(url, body(), headers)).status, url).to.equal(404);
      }
    });

    it('another content type or charset, or a compressed body: 415', async () => {
      const body = soapEnvelope('1.1', operation('QueryArrears', { customerNo: CUSTOMER['1.1'] }), auth());
      for (const headers of [
        { 'Content-Type': 'application/json' } as Record<string, string>, { 'Content-Type': 'text/xml; charset=iso-8859-1' }, {},
        { 'Content-Type': 'text/xml', 'Content-Encoding': 'gzip' },
      ]) {
        expect((await post(endpoint, body, headers)).status, JSON.stringify(headers)).to.equal(415);
      }
    });

    it('a body over the limit: 413 before parsing', async () => {
      const big = soapEnvelope('1.1', `<cp:QueryArrears><cp:customerNo>${'1'.repeat(LIMITS.httpBodyBytesMax)}</cp:customerNo></cp:QueryArrears>`);
      const reply = await post(endpoint, big, { 'Content-Type': 'text/xml' });
      expect(reply.status).to.equal(413);
    });

    it('XML that is not well-formed, a DOCTYPE, a processing instruction, malformed UTF-8: 400 with a Client fault', async () => {
      const query = operation('QueryArrears', { customerNo: CUSTOMER['1.1'] });
      for (const body of [
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><unclosed></soap:Body>',
        `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${soapEnvelope('1.1', query).replace(/^<\?xml[^>]*\?>/, '')}`,
        soapEnvelope('1.1', `<?evil x?>${query}`),
        Buffer.concat([Buffer.from(soapEnvelope('1.1', '').slice(0, 60)), Buffer.from([0xc3, 0x28]), Buffer.from('</x>')]),
      ]) {
        const reply = await post(endpoint, body, { 'Content-Type': 'text/xml; charset=utf-8' });
        await expectFault(reply, '1.1', 'Client', 'VALIDATION_FAILED', 400);
      }
    });

    it('a fault carries the X-Correlation-Id the client sent', async () => {
      const reply = await post(endpoint, soapEnvelope('1.2', '<cp:Nope/>', auth()), {
        'Content-Type': 'application/soap+xml; charset=utf-8', 'X-Correlation-Id': 'corr-12345678',
      });
      expect(faultOf(reply, '1.2').correlationId).to.equal('corr-12345678');
    });
  });

  describe('logging', () => {
    it('one line per request with service, operation, channel, outcome and time; no secrets', async () => {
      logLines.length = 0;
      const header = auth('bank-a', { nonce: 'c2VjcmV0LW5vbmNlLTEyMzQ=' });
      await call(endpoint, operation('QueryArrears', { customerNo: CUSTOMER['1.1'] }), { header });
      await call(endpoint, operation('QueryArrears', { customerNo: CUSTOMER['1.1'] }), { header });
      const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'soap request');
      expect(lines).to.have.length(2);
      expect(lines[0]).to.include({ service: 'ChannelPaymentService', operation: 'QueryArrears', channel: 'bank-a', outcome: 'ok' });
      expect(lines[0]!.ms).to.be.a('number');
      expect(lines[1]).to.include({ outcome: 'AUTH_FAILED', reason: 'replay' });
      const all = logLines.join('\n');
      expect(all).not.to.include(PASSWORD);
      expect(all).not.to.include('c2VjcmV0LW5vbmNlLTEyMzQ=');
      expect(all).not.to.include('<soap:');
    });
  });
});
