// The attack classes of ../shared/SECURITY.md against the isolation gateway, each with the status,
// the fault code and the stage that must refuse it — and a spy core behind the gateway that must
// receive nothing. Answers carry no stack trace or path, and the gateway stays up throughout.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { LIMITS } from '../../src/limits.ts';
import { PASSWORD, coreFault, startSpyCore, startTestGateway, type SpyCore, type TestGateway } from '../gateway/gateway-harness.ts';
import {
  ENV, call, contentTypeFor, faultOf, get, operation, post, securityHeader, soapEnvelope, type Reply, type Version,
} from '../soap/soap-client.ts';
import { rawRequest } from './raw-http.ts';

const ACTION = (op: string) => `"urn:gridbill:channel-payment:v1#${op}"`;
const CUSTOMER = '3301000000011';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const WSA = 'http://www.w3.org/2005/08/addressing';

interface Expected {
  readonly status: number;
  readonly code: string;
  readonly stage: string;
  readonly reason?: string | RegExp;
  readonly side?: string;
}

function expectNoInternals(text: string): void {
  expect(text).not.to.match(/\bat .+\(|\.ts:\d|\/work\/|\/tmp\/|node_modules|Error:|SELECT/i);
}

describe('isolation gateway: attack classes of SECURITY.md', function () {
  this.timeout(60_000);
  let spy: SpyCore;
  let gw: TestGateway;
  let url: string;

  const header = (options: Parameters<typeof securityHeader>[2] = {}) => securityHeader('bank-a', PASSWORD, options);
  const arrears = (customerNo = CUSTOMER) => operation('QueryArrears', { customerNo });
  const xml = (body: string, version: Version = '1.1', head = header()) => soapEnvelope(version, body, head);
  const send = (text: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<Reply> =>
    post(url, text, { 'Content-Type': contentTypeFor('1.1'), SOAPAction: ACTION('QueryArrears'), ...headers }, method);

  async function expectRefused(reply: { status: number; text: string }, expected: Expected, version: Version = '1.1'): Promise<void> {
    expect(reply.status, reply.text).to.equal(expected.status);
    if ([403, 405, 413, 415].includes(expected.status)) {
      expect(reply.text).to.match(new RegExp(`^${expected.code}: `));
    } else {
      const fault = faultOf(reply as Reply, version);
      expect(fault.detailCode).to.equal(expected.code);
      if (expected.side) expect(fault.code).to.equal(`soap:${expected.side}`);
    }
    const verdict = gw.verdicts().at(-1)!;
    expect(verdict.stage, JSON.stringify(verdict)).to.equal(expected.stage);
    expect(verdict.verdict).to.equal('denied');
    if (typeof expected.reason === 'string') expect(verdict.reason).to.equal(expected.reason);
    else if (expected.reason) expect(String(verdict.reason)).to.match(expected.reason);
    expect(spy.received, 'the core received nothing').to.have.length(0);
    expectNoInternals(reply.text);
  }

  before(async () => {
    spy = await startSpyCore();
    gw = await startTestGateway(spy.url, {
      'bank-a': {},
      'bank-q': { operations: ['QueryArrears'] },
      'bank-signed': { requireSignature: true },
    });
    url = gw.endpoint();
  });
  beforeEach(() => {
    spy.received.length = 0;
  });
  after(async () => {
    const health = await get(`${gw.server.url}/health`);
    expect(health.status, 'the gateway stays up').to.equal(200);
    await gw.stop();
    await spy.stop();
  });

  it('forwards a valid request (the control every refusal is measured against)', async () => {
    const reply = await send(xml(arrears()));
    expect(faultOf(reply, '1.1').detailCode).to.equal('CUSTOMER_NOT_FOUND');
    expect(spy.received).to.have.length(1);
  });

  describe('X01–X07: DTDs, entities, processing instructions', () => {
    const cases: readonly [string, string][] = [
      ['X01 external entity (file://)', '<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'],
      ['X02 external entity (http://)', '<!DOCTYPE e [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'],
      ['X03 parameter entity loading a DTD', '<!DOCTYPE e [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>'],
      ['X04 billion laughs', `<!DOCTYPE e [<!ENTITY a "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i === 0 ? 'a' : 'b'.repeat(i)};`.repeat(10)}">`).join('')}]>`],
      ['X05 quadratic blow-up', `<!DOCTYPE e [<!ENTITY a "${'x'.repeat(50_000)}">]>`],
      ['X06 harmless internal DOCTYPE', '<!DOCTYPE Envelope>'],
    ];
    for (const [name, doctype] of cases) {
      it(`${name}: refused at parse, before any expansion`, async () => {
        const body = xml(operation('QueryArrears', { customerNo: '&x;' })).replace('?>', `?>${doctype}`);
        await expectRefused(await send(body), { status: 400, code: 'VALIDATION_FAILED', stage: 'parse', reason: 'doctype-is-not-allowed' });
      });
    }
    it('X07 processing instruction: refused at parse (R1009)', async () => {
      const body = xml(arrears()).replace('?>', '?><?xml-stylesheet href="http://127.0.0.1:9/x"?>');
      await expectRefused(await send(body), { status: 400, code: 'VALIDATION_FAILED', stage: 'parse', reason: 'processing-instructions-are-not-allowed' });
    });
  });

  describe('X08–X14: size, compression, depth, attributes, names', () => {
    it('X08 a field of tens of MB: 413 from the declared length, before the body is read', async () => {
      const reply = await rawRequest(url, ['Content-Type: text/xml; charset=utf-8', `Content-Length: ${30 * 2 ** 20}`], '<soap:Envelope');
      await expectRefused(reply, { status: 413, code: 'REQUEST_TOO_LARGE', stage: 'transport', reason: 'declared-length' });
    });
    it('X08 a body past the cap without a declared length: 413 once the cap is reached', async () => {
      const big = xml(operation('QueryArrears', { customerNo: 'x'.repeat(LIMITS.httpBodyBytesMax + 10) }));
      const reply = await rawRequest(url, ['Content-Type: text/xml; charset=utf-8', 'Transfer-Encoding: chunked'],
        `${Buffer.byteLength(big).toString(16)}\r\n${big}\r\n0\r\n\r\n`);
      await expectRefused(reply, { status: 413, code: 'REQUEST_TOO_LARGE', stage: 'transport', reason: 'body-length' });
    });
    it('X09 a compressed body expanding 1000×: stopped at the decompressed cap', async () => {
      const bomb = gzipSync(Buffer.alloc(20 * 2 ** 20, 0x20));
      await expectRefused(await send(bomb, { 'Content-Encoding': 'gzip' }), { status: 413, code: 'REQUEST_TOO_LARGE', stage: 'transport', reason: 'inflated-size' });
    });
    it('X09 a compressed body under the size cap but past the ratio: refused', async () => {
      const padded = xml(arrears()).replace('<soap:Body>', `<soap:Body>${' '.repeat(900_000)}`);
      await expectRefused(await send(gzipSync(padded), { 'Content-Encoding': 'gzip' }), { status: 413, code: 'REQUEST_TOO_LARGE', stage: 'transport', reason: 'inflate-ratio' });
    });
    it('X09 a small honest gzip body is expanded and forwarded', async () => {
      const reply = await send(gzipSync(xml(arrears())), { 'Content-Encoding': 'gzip' });
      expect(faultOf(reply, '1.1').detailCode).to.equal('CUSTOMER_NOT_FOUND');
      expect(spy.received).to.have.length(1);
      expect(spy.received[0]!.headers['content-encoding']).to.equal(undefined);
    });
    it('X10 very deep nesting: the depth limit, fail fast', async () => {
      const body = xml(`<cp:QueryArrears>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</cp:QueryArrears>`);
      await expectRefused(await send(body), { status: 400, code: 'VALIDATION_FAILED', stage: 'parse', reason: 'nested-too-deeply' });
    });
    it('X11 endless unclosed tags: not well-formed', async () => {
      await expectRefused(await send(xml(arrears()).slice(0, -40) + '<a><b><c>'.repeat(1000)), { status: 400, code: 'VALIDATION_FAILED', stage: 'parse' });
    });
    it('X12 60,000 attributes (what fits under the size cap): the attribute-count limit', async () => {
      const attrs = Array.from({ length: 60_000 }, (_, i) => `a${i}="1"`).join(' ');
      await expectRefused(await send(xml(`<cp:QueryArrears ${attrs}><cp:customerNo>${CUSTOMER}</cp:customerNo></cp:QueryArrears>`)),
        { status: 400, code: 'VALIDATION_FAILED', stage: 'parse', reason: 'too-many-attributes' });
    });
    it('X13 megabyte names: the name-length limit', async () => {
      const name = `n${'x'.repeat(900_000)}`;
      await expectRefused(await send(xml(`<cp:${name}/>`)), { status: 400, code: 'VALIDATION_FAILED', stage: 'parse', reason: 'element-name-too-long' });
    });
    it('X14 many colliding attribute and namespace names: refused in bounded time', async () => {
      const decls = Array.from({ length: 40 }, (_, i) => `xmlns:p${i}="urn:same" p${i}:a="1"`).join(' ');
      await expectRefused(await send(xml(`<cp:QueryArrears ${decls}><cp:customerNo>${CUSTOMER}</cp:customerNo></cp:QueryArrears>`)),
        { status: 400, code: 'VALIDATION_FAILED', stage: 'parse' });
    });
  });

  describe('X15–X16: SOAPAction', () => {
    it('X15 a SOAPAction naming another operation than the Body: Client fault at route', async () => {
      await expectRefused(await send(xml(arrears()), { SOAPAction: ACTION('Pay') }), { status: 500, code: 'VALIDATION_FAILED', stage: 'route', reason: 'soapaction-mismatch', side: 'Client' });
    });
    it('X16 an unknown SOAPAction: Client fault at route', async () => {
      await expectRefused(await send(xml(arrears()), { SOAPAction: '"urn:evil#Drop"' }), { status: 500, code: 'VALIDATION_FAILED', stage: 'route', reason: 'soapaction-mismatch' });
    });
    it('X16 a missing SOAPAction: dispatch and authorisation both use the Body (a Pay by a QueryArrears-only channel is refused)', async () => {
      const pay = operation('Pay', { channelTxnId: 'T1', customerNo: CUSTOMER, amount: '1.00', accountingDate: '2026-11-28' });
      const reply = await post(url, soapEnvelope('1.1', pay, securityHeader('bank-q', PASSWORD)), { 'Content-Type': contentTypeFor('1.1') });
      await expectRefused(reply, { status: 500, code: 'OPERATION_NOT_ALLOWED', stage: 'authorise', reason: 'operation-not-listed' });
    });
    it('X16 an unquoted SOAPAction naming the Body operation is accepted', async () => {
      const reply = await send(xml(arrears()), { SOAPAction: 'urn:gridbill:channel-payment:v1#QueryArrears' });
      expect(faultOf(reply, '1.1').detailCode).to.equal('CUSTOMER_NOT_FOUND');
      expect(spy.received).to.have.length(1);
    });
  });

  describe('X17–X22: signatures, replay, timestamps', () => {
    const signature = `<ds:Signature xmlns:ds="${DSIG}"><ds:SignedInfo><ds:Reference URI="#Body"/></ds:SignedInfo></ds:Signature>`;
    const signed = (head: string, sig = signature) => head.replace('<wsse:UsernameToken>', `${sig}<wsse:UsernameToken>`);
    it('X17/X19/X22 a signed request while no signature check is installed: refused, never passed on unchecked', async () => {
      await expectRefused(await send(xml(arrears(), '1.1', signed(header()))), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'signature-not-verifiable' });
    });
    it('X18 a signature removed from a channel that must sign: refused', async () => {
      await expectRefused(await send(xml(arrears(), '1.1', securityHeader('bank-signed', PASSWORD))), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'signature-required' });
    });
    it('X19 two signatures in one Security header: refused', async () => {
      await expectRefused(await send(xml(arrears(), '1.1', signed(header(), signature + signature))), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'several-signatures' });
    });
    it('X20 a replayed nonce: the first is forwarded, the replay refused', async () => {
      const head = header();
      await send(xml(arrears(), '1.1', head));
      expect(spy.received).to.have.length(1);
      spy.received.length = 0;
      await expectRefused(await send(xml(arrears(), '1.1', head)), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'replay' });
    });
    it('X21 an expired and a future timestamp: refused', async () => {
      const stale = new Date(Date.now() - LIMITS.wsseCreatedSkewMs - 60_000).toISOString();
      await expectRefused(await send(xml(arrears(), '1.1', header({ created: stale }))), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'stale' });
      const future = new Date(Date.now() + LIMITS.wsseCreatedSkewMs + 60_000).toISOString();
      await expectRefused(await send(xml(arrears(), '1.1', header({ created: future }))), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'future' });
    });
    it('a wrong password, an unknown channel, a plain-text password and no token: AUTH_FAILED', async () => {
      await expectRefused(await send(xml(arrears(), '1.1', securityHeader('bank-a', 'wrong password'))), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'digest-mismatch' });
      await expectRefused(await send(xml(arrears(), '1.1', securityHeader('bank-x', PASSWORD))), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'unknown-user' });
      await expectRefused(await send(xml(arrears(), '1.1', header({ passwordText: true }))), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'password-text-refused' });
      await expectRefused(await send(xml(arrears(), '1.1', '')), { status: 500, code: 'AUTH_FAILED', stage: 'authenticate', reason: 'no-header' });
    });
  });

  describe('X23–X26: encoding and envelope', () => {
    it('X23 malformed UTF-8: 400 Client fault', async () => {
      const bytes = Buffer.from(xml(arrears()).replace(CUSTOMER, 'XX'));
      const at = bytes.indexOf('XX');
      bytes[at] = 0xc3;
      bytes[at + 1] = 0x28;
      await expectRefused(await send(bytes), { status: 400, code: 'VALIDATION_FAILED', stage: 'parse', reason: 'malformed-utf-8' });
    });
    it('X24 an envelope in a foreign namespace: VersionMismatch', async () => {
      await expectRefused(await send(xml(arrears()).replaceAll(ENV['1.1'], 'urn:evil:envelope')), { status: 500, code: 'VALIDATION_FAILED', stage: 'envelope', reason: 'envelope-version', side: 'VersionMismatch' });
    });
    it('X25 a SOAP 1.2 envelope sent as SOAP 1.1: VersionMismatch', async () => {
      await expectRefused(await send(xml(arrears(), '1.2')), { status: 500, code: 'VALIDATION_FAILED', stage: 'envelope', reason: 'envelope-version', side: 'VersionMismatch' });
    });
    it('X25 a SOAP 1.1 envelope sent as SOAP 1.2: VersionMismatch in a 1.2 fault', async () => {
      const reply = await post(url, xml(arrears()), { 'Content-Type': contentTypeFor('1.2') });
      await expectRefused(reply, { status: 500, code: 'VALIDATION_FAILED', stage: 'envelope', side: 'VersionMismatch' }, '1.2');
    });
    it('X26 the operation in the wrong namespace: Client fault', async () => {
      const body = xml('<q:QueryArrears xmlns:q="urn:gridbill:billing-admin:v1"><q:customerNo>3301000000011</q:customerNo></q:QueryArrears>');
      await expectRefused(await send(body), { status: 500, code: 'VALIDATION_FAILED', stage: 'envelope', reason: 'operation-namespace' });
    });
  });

  describe('X27–X34: values', () => {
    it('X27 CDATA holding markup: refused by the schema', async () => {
      await expectRefused(await send(xml(arrears(`<![CDATA[<x>${CUSTOMER}</x>]]>`))), { status: 500, code: 'VALIDATION_FAILED', stage: 'validate' });
    });
    it('X27–X28 CDATA and a comment splitting a value: the core sees the one value the gateway validated', async () => {
      await send(xml(arrears(`<![CDATA[33010]]>0000<!-- split -->0011`)));
      expect(spy.received).to.have.length(1);
      expect(spy.received[0]!.body).to.contain(`<customerNo>${CUSTOMER}</customerNo>`);
      expect(spy.received[0]!.body).not.to.match(/CDATA|<!--/);
    });
    it('X29 duplicate elements: Client fault', async () => {
      await expectRefused(await send(xml(operation('QueryArrears', { customerNo: [CUSTOMER, CUSTOMER] }))), { status: 500, code: 'VALIDATION_FAILED', stage: 'validate' });
    });
    it('X30 two operations in one Body: Client fault', async () => {
      await expectRefused(await send(xml(arrears() + arrears())), { status: 500, code: 'VALIDATION_FAILED', stage: 'envelope', reason: 'body-not-one-element' });
    });
    it('X31 two Bodies: Client fault', async () => {
      const body = xml(arrears()).replace('</soap:Body>', `</soap:Body><soap:Body>${arrears()}</soap:Body>`);
      await expectRefused(await send(body), { status: 500, code: 'VALIDATION_FAILED', stage: 'envelope', reason: 'envelope-structure' });
    });
    for (const amount of ['1e3', 'NaN', '12abc', '1e20', '12.345', '1000000000.00', '-5.00', '0.00']) {
      // outside t:PaymentAmount's range, as the core answers it; not a decimal of two places: VALIDATION_FAILED
      const code = ['1000000000.00', '-5.00', '0.00'].includes(amount) ? 'PAYMENT_AMOUNT_INVALID' : 'VALIDATION_FAILED';
      it(`X32 ${amount} as an amount: ${code} at validate`, async () => {
        const pay = operation('Pay', { channelTxnId: 'T32', customerNo: CUSTOMER, amount, accountingDate: '2026-11-28' });
        await expectRefused(await send(xml(pay), { SOAPAction: ACTION('Pay') }), { status: 500, code, stage: 'validate' });
      });
    }
    for (const injected of ["3301' OR '1'='1", '<script>alert(1)</script>', '3301000000011; DROP TABLE payments']) {
      it(`X33 injection in a string field (${injected.slice(0, 12)}…): refused by the schema pattern`, async () => {
        await expectRefused(await send(xml(arrears(injected.replace(/</g, '&lt;')))), { status: 500, code: 'VALIDATION_FAILED', stage: 'validate' });
      });
    }
    it('X34 __proto__ element names: Client fault, no pollution', async () => {
      await expectRefused(await send(xml(`<cp:QueryArrears><cp:__proto__><cp:polluted>1</cp:polluted></cp:__proto__></cp:QueryArrears>`)), { status: 500, code: 'VALIDATION_FAILED', stage: 'validate' });
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });

  describe('X35–X41: faults, headers, media types', () => {
    it('X35 the core failing with a stack trace: a generic INTERNAL fault, nothing of it passed on', async () => {
      spy.answer = () => ({ status: 500, body: 'Error: boom\n    at handler (/work/main/src/x.ts:1:1)', contentType: 'text/plain' });
      try {
        const reply = await send(xml(arrears()));
        expect(reply.status).to.equal(500);
        expect(faultOf(reply, '1.1').detailCode).to.equal('INTERNAL');
        expectNoInternals(reply.text);
        expect(gw.verdicts().at(-1)).to.include({ stage: 'respond', reason: 'core-answer-not-xml' });
      } finally {
        spy.answer = (_b, h) => ({ status: 500, body: coreFault(String(h['content-type']).startsWith('text/xml') ? '1.1' : '1.2') });
      }
    });
    it('X36 an application fault: passed on with its catalogued code and message only', async () => {
      spy.answer = () => ({ status: 500, body: coreFault('1.1', 'PAYMENT_NOT_FOUND', 'at /work/main/src/secret.ts:12 SELECT * FROM payments') });
      try {
        const reply = await send(xml(arrears()));
        const fault = faultOf(reply, '1.1');
        expect([fault.detailCode, fault.detailMessage]).to.deep.equal(['PAYMENT_NOT_FOUND', 'No payment of this channel has that transaction id']);
        expectNoInternals(reply.text);
        spy.answer = () => ({ status: 500, body: coreFault('1.1', 'NOT_A_CODE', 'x') });
        expect(faultOf(await send(xml(arrears())), '1.1').detailCode).to.equal('INTERNAL');
      } finally {
        spy.answer = (_b, h) => ({ status: 500, body: coreFault(String(h['content-type']).startsWith('text/xml') ? '1.1' : '1.2') });
      }
    });
    it('X37 an unknown header with mustUnderstand="1": MustUnderstand fault', async () => {
      const head = `${header()}<x:Trace xmlns:x="urn:x" soap:mustUnderstand="1">1</x:Trace>`;
      await expectRefused(await send(xml(arrears(), '1.1', head)), { status: 500, code: 'VALIDATION_FAILED', stage: 'envelope', reason: 'must-understand', side: 'MustUnderstand' });
    });
    it('an unknown header the policy does not allow, even optional: refused', async () => {
      const head = `${header()}<x:Trace xmlns:x="urn:x">1</x:Trace>`;
      await expectRefused(await send(xml(arrears(), '1.1', head)), { status: 500, code: 'VALIDATION_FAILED', stage: 'envelope', reason: 'header-not-allowed' });
    });
    it('X38 a JSON content type: 415; PUT: 405', async () => {
      await expectRefused(await send('{"customerNo":"3301000000011"}', { 'Content-Type': 'application/json' }), { status: 415, code: 'MEDIA_TYPE_UNSUPPORTED', stage: 'transport', reason: 'content-type' });
      await expectRefused(await send(xml(arrears()), {}, 'PUT'), { status: 405, code: 'METHOD_NOT_ALLOWED', stage: 'transport', reason: 'method-not-post' });
      await expectRefused(await send(xml(arrears()), { 'Content-Type': 'text/xml; charset=iso-8859-1' }), { status: 415, code: 'MEDIA_TYPE_UNSUPPORTED', stage: 'transport' });
      await expectRefused(await send(xml(arrears()), { 'Content-Encoding': 'br' }), { status: 415, code: 'MEDIA_TYPE_UNSUPPORTED', stage: 'transport', reason: 'content-encoding' });
    });
    it('X39 WS-Addressing ReplyTo/FaultTo to another host: refused, and that host is never called', async () => {
      let called = 0;
      const elsewhere = createServer((_req, res) => {
        called += 1;
        res.end();
      });
      await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
      const to = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/steal`;
      const head = `${header()}<wsa:ReplyTo xmlns:wsa="${WSA}"><wsa:Address>${to}</wsa:Address></wsa:ReplyTo><wsa:FaultTo xmlns:wsa="${WSA}"><wsa:Address>${to}</wsa:Address></wsa:FaultTo>`;
      await expectRefused(await send(xml(arrears(), '1.1', head)), { status: 500, code: 'VALIDATION_FAILED', stage: 'envelope', reason: 'header-not-allowed' });
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
      expect(called).to.equal(0);
    });
    it('X40 a huge soapenc array: refused (no attribute or element the contract does not declare)', async () => {
      const items = '<item>1</item>'.repeat(20_000);
      const body = `<cp:QueryArrears xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" soapenc:arrayType="xsd:string[1000000]"><cp:customerNo>${CUSTOMER}</cp:customerNo>${items}</cp:QueryArrears>`;
      await expectRefused(await send(xml(body)), { status: 500, code: 'VALIDATION_FAILED', stage: 'validate' });
    });
    it('X41 an attachment (multipart/related): 415', async () => {
      await expectRefused(await send(xml(arrears()), { 'Content-Type': 'multipart/related; type="text/xml"; boundary=b' }), { status: 415, code: 'MEDIA_TYPE_UNSUPPORTED', stage: 'transport' });
    });
    it('paths of the core other than the external services are not served', async () => {
      // (/ready and /metrics are the gateway's own, not the core's: see test/ops/process-metrics.test.ts)
      for (const path of ['/soap/BillingAdminService', '/soap/OperationsService', '/console/', '/dev/sms-outbox', '/soap/BillingAdminService?wsdl']) {
        expect((await get(`${gw.server.url}${path}`)).status, path).to.equal(404);
      }
      expect((await call(`${gw.server.url}/soap/BillingAdminService`, arrears(), { header: header() })).status).to.equal(404);
      expect(spy.received).to.have.length(0);
    });
  });
});
