// The gateway as `serve gateway` starts it with mutual TLS: HTTPS with the CA's files, the channel
// of each connection from tls.ts's peerChannel feeding the authenticate stage, revocation taking
// effect on open connections after a reload, and X.509 signatures verified once (replay refused).

import { createHash, createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { loadConfig } from '../../src/config.ts';
import { isGridbillError } from '../../src/errors.ts';
import { caPaths, initCa, issueChannelCertificate, issueServerCertificate, revokeCertificates } from '../../src/gateway/ca-store.ts';
import { gatewayTlsWanted, startGateway, type RunningGateway } from '../../src/gateway/start-gateway.ts';
import { canonicalize, parseForSignature, type Element } from '../../src/gateway/x509-signature.ts';
import type { RunningServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { operation, securityHeader } from '../soap/soap-client.ts';
import { PASSWORD, policyText, startSpyCore, type SpyCore } from './gateway-harness.ts';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const B64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const CUSTOMER = '3301000000011';

interface Identity {
  readonly key: string;
  readonly cert: string;
}

interface Answer {
  readonly status: number;
  readonly code: string;
  readonly reused: boolean;
}

function body(): string {
  return operation('QueryArrears', { customerNo: CUSTOMER }).replaceAll('cp:', 'q:')
    .replace('<q:QueryArrears>', '<q:QueryArrears xmlns:q="urn:gridbill:channel-payment:v1">');
}

function unsigned(channel: string): string {
  return `<?xml version="1.0"?><soap:Envelope xmlns:soap="${SOAP}"><soap:Header>${securityHeader(channel, PASSWORD)}</soap:Header>`
    + `<soap:Body>${body()}</soap:Body></soap:Envelope>`;
}

function find(e: Element, local: string): Element {
  if (e.local === local) return e;
  for (const c of e.children) {
    if (typeof c === 'string') continue;
    try {
      return find(c, local);
    } catch {
      // not below this child
    }
  }
  throw new Error(`no ${local}`);
}

/** An envelope signed as zeep --sign-sha256 signs it: Body and Timestamp, RSA-SHA256, the certificate in a BinarySecurityToken. */
function signed(channel: string, identity: Identity): string {
  const token = securityHeader(channel, PASSWORD).replace(/^<wsse:Security[^>]*>|<\/wsse:Security>$/g, '');
  const created = new Date().toISOString();
  const certBase64 = identity.cert.replace(/-----[A-Z ]+-----|\s/g, '');
  const reference = (uri: string, digest: string): string => `<ds:Reference URI="${uri}"><ds:Transforms><ds:Transform Algorithm="${EXC}"/></ds:Transforms>`
    + `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
  const build = (digests: readonly [string, string], value: string): string => `<?xml version="1.0"?><soap:Envelope xmlns:soap="${SOAP}" xmlns:wsu="${WSU}">`
    + `<soap:Header><wsse:Security xmlns:wsse="${WSSE}" soap:mustUnderstand="1">`
    + `<wsse:BinarySecurityToken wsu:Id="X509-1" ValueType="${X509V3}" EncodingType="${B64}">${certBase64}</wsse:BinarySecurityToken>`
    + `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC}"/>`
    + '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    + `${reference('#body-1', digests[0])}${reference('#ts-1', digests[1])}</ds:SignedInfo><ds:SignatureValue>${value}</ds:SignatureValue>`
    + `<ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#X509-1" ValueType="${X509V3}"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>`
    + `<wsu:Timestamp wsu:Id="ts-1"><wsu:Created>${created}</wsu:Created></wsu:Timestamp>${token}</wsse:Security></soap:Header>`
    + `<soap:Body wsu:Id="body-1">${body()}</soap:Body></soap:Envelope>`;
  const digest = (root: Element, local: string) => createHash('sha256').update(canonicalize(find(root, local))).digest('base64');
  const template = parseForSignature(build(['', ''], ''));
  const digests = [digest(template, 'Body'), digest(template, 'Timestamp')] as const;
  const signedInfo = canonicalize(find(parseForSignature(build(digests, '')), 'SignedInfo'));
  return build(digests, sign('sha256', Buffer.from(signedInfo), createPrivateKey(identity.key)).toString('base64'));
}

describe('gateway with mutual TLS (serve gateway with the CA folder)', function () {
  this.timeout(60_000);
  let dir: string;
  let spy: SpyCore;
  let gateway: RunningGateway;
  let server: RunningServer;
  let caPem: string;
  let audit: Record<string, unknown>[];
  const identity = (code: string): Identity => ({
    key: readFileSync(caPaths(dir).channelKey(code), 'utf8'), cert: readFileSync(caPaths(dir).channelCert(code), 'utf8'),
  });
  const pin = (code: string): string => new X509Certificate(identity(code).cert).fingerprint256;

  function send(who: Identity, xml: string, agent?: Agent): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(`${server.url}/soap/ChannelPaymentService`, {
        method: 'POST', ca: caPem, ...who, ...(agent ? { agent } : { agent: false }), headers: { 'Content-Type': 'text/xml; charset=utf-8' },
      }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, code: /<t:code>([A-Z_]+)</.exec(text)?.[1] ?? text.slice(0, 80), reused: req.reusedSocket }));
      });
      req.on('error', reject);
      req.end(xml);
    });
  }

  const lastReason = (): unknown => audit.at(-1)?.reason;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-mtls-'));
    const now = new Date();
    initCa(dir, { now });
    issueServerCertificate(dir, { hosts: ['127.0.0.1'], now });
    for (const code of ['bank-a', 'bank-b', 'bank-x', 'bank-r']) issueChannelCertificate(dir, { channel: code, now });
    caPem = readFileSync(caPaths(dir).caCert, 'utf8');
    spy = await startSpyCore();
    const key = randomBytes(32);
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, policyText(secretBox(key), {
      // bank-x's certificate is pinned under bank-a by mistake: its CN still names bank-x
      'bank-a': { certificateFingerprints: [pin('bank-a'), pin('bank-x')], requireClientCertificate: true },
      'bank-b': { certificateFingerprints: [pin('bank-b')] },
      'bank-r': { certificateFingerprints: [pin('bank-r')] },
    }));
    // The audit lines go to stdout as under serve: kept here, everything else passed on.
    audit = [];
    const write = process.stdout.write.bind(process.stdout);
    sinon.stub(process.stdout, 'write').callsFake(((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = String(chunk);
      if (!text.includes('"gateway verdict"')) return write(chunk, ...rest);
      audit.push(JSON.parse(text) as Record<string, unknown>);
      return true;
    }) as typeof process.stdout.write);
    const config = loadConfig({
      GRIDBILL_GATEWAY_POLICY: policy, GRIDBILL_GATEWAY_KEY: key.toString('base64'), GRIDBILL_GATEWAY_QUARANTINE: 'off',
      GRIDBILL_CORE_URL: spy.url, GRIDBILL_CA_DIR: dir,
    });
    const logger = createLogger({ level: 'info', role: 'gateway', silent: true });
    gateway = await startGateway(config, 'gateway', logger);
    server = await gateway.serve('127.0.0.1', 0);
  });
  after(async () => {
    sinon.restore();
    await server?.stop();
    gateway?.close();
    await spy?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('switches on with the server certificate in the CA folder (auto), and on or off when told', () => {
    expect(gateway.mode).to.equal('tls');
    expect(server.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(gatewayTlsWanted({ gatewayTls: 'auto', caDir: dir })).to.equal(true);
    expect(gatewayTlsWanted({ gatewayTls: 'off', caDir: dir })).to.equal(false);
    const empty = mkdtempSync(join(tmpdir(), 'gridbill-no-ca-'));
    try {
      expect(gatewayTlsWanted({ gatewayTls: 'auto', caDir: empty })).to.equal(false);
      expect(gatewayTlsWanted({ gatewayTls: 'on', caDir: empty })).to.equal(true);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('forwards a channel calling with its own pinned client certificate', async () => {
    const before = spy.received.length;
    expect(await send(identity('bank-a'), unsigned('bank-a'))).to.include({ status: 500, code: 'CUSTOMER_NOT_FOUND' });
    expect(spy.received.length).to.equal(before + 1);
    expect(audit.at(-1)).to.include({ verdict: 'forwarded', channel: 'bank-a' });
  });

  it('refuses a UsernameToken of one channel over another channel\'s certificate, and a pin the certificate\'s name contradicts', async () => {
    const before = spy.received.length;
    expect(await send(identity('bank-b'), unsigned('bank-a'))).to.include({ status: 500, code: 'AUTH_FAILED' });
    expect(lastReason()).to.equal('client-certificate-other-channel');
    expect(await send(identity('bank-x'), unsigned('bank-a'))).to.include({ status: 500, code: 'AUTH_FAILED' });
    expect(lastReason()).to.equal('client-certificate-names-other-channel');
    expect(spy.received.length).to.equal(before);
  });

  it('ends a connection without a client certificate in the handshake', async () => {
    const error = await send({ key: '', cert: '' }, unsigned('bank-b')).then(() => null, (e: Error) => e);
    expect(error).to.be.instanceOf(Error);
  });

  it('verifies an X.509 signature once: the same signed message again is a replay', async () => {
    const message = signed('bank-b', identity('bank-b'));
    const before = spy.received.length;
    expect(await send(identity('bank-b'), message)).to.include({ code: 'CUSTOMER_NOT_FOUND' });
    expect(spy.received.length).to.equal(before + 1);
    // the UsernameToken's nonce is new each time: only the signature value gives the replay away
    const replay = message.replace(/<wsse:UsernameToken>[\s\S]*<\/wsse:UsernameToken>/, securityHeader('bank-b', PASSWORD).replace(/^<wsse:Security[^>]*>|<\/wsse:Security>$/g, ''));
    expect(await send(identity('bank-b'), replay)).to.include({ code: 'AUTH_FAILED' });
    expect(lastReason()).to.equal('signature-replay');
    expect(await send(identity('bank-b'), signed('bank-b', identity('bank-a')))).to.include({ code: 'AUTH_FAILED' });
    expect(lastReason()).to.equal('signature-certificate-not-pinned');
    expect(spy.received.length).to.equal(before + 1);
  });

  it('refuses a revoked certificate on a connection opened before the revocation, once the CRL is reloaded', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: caPem, ...identity('bank-r') });
    try {
      expect(await send(identity('bank-r'), unsigned('bank-r'), agent)).to.include({ code: 'CUSTOMER_NOT_FOUND', reused: false });
      revokeCertificates(dir, { channel: 'bank-r', reason: 'keyCompromise', now: new Date() });
      process.emit('SIGHUP', 'SIGHUP');
      const before = spy.received.length;
      expect(await send(identity('bank-r'), unsigned('bank-r'), agent)).to.include({ code: 'AUTH_FAILED', reused: true });
      expect(lastReason()).to.equal('client-certificate-revoked');
      expect(spy.received.length).to.equal(before);
      // a new connection does not get past the handshake
      expect(await send(identity('bank-r'), unsigned('bank-r')).then(() => null, (e: Error) => e)).to.be.instanceOf(Error);
    } finally {
      agent.destroy();
    }
  });

  it('serve all: the business hall beside it comes in by the plain loopback door, other channels still need a certificate', async () => {
    const key = randomBytes(32);
    const config = loadConfig({
      GRIDBILL_GATEWAY_POLICY: join(dir, 'absent.json'), GRIDBILL_GATEWAY_KEY: key.toString('base64'), GRIDBILL_GATEWAY_QUARANTINE: 'off',
      GRIDBILL_CORE_URL: spy.url, GRIDBILL_CA_DIR: dir,
    });
    const hall = { code: 'portal', password: PASSWORD, zone: 'banks', services: ['ChannelPaymentService'] as const, operations: ['QueryArrears'] };
    const all = await startGateway(config, 'all', createLogger({ level: 'error', role: 'gateway', silent: true }), spy.url, [hall]);
    const door = await all.serveLoopback();
    try {
      expect(all.mode).to.equal('tls');
      expect(door.url).to.match(/^http:\/\/127\.0\.0\.1:/);
      const reply = await fetch(`${door.url}/soap/ChannelPaymentService`, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: unsigned('portal') });
      expect(/<t:code>([A-Z_]+)</.exec(await reply.text())?.[1]).to.equal('CUSTOMER_NOT_FOUND');
    } finally {
      await door.stop();
      all.close();
    }
  });

  it('does not start when TLS is on and the CA folder has no usable files (TLS_CONFIG_INVALID)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gridbill-no-ca-'));
    const key = randomBytes(32);
    const policy = join(empty, 'policy.json');
    writeFileSync(policy, policyText(secretBox(key), { 'bank-a': {} }));
    try {
      const config = loadConfig({
        GRIDBILL_GATEWAY_POLICY: policy, GRIDBILL_GATEWAY_KEY: key.toString('base64'), GRIDBILL_GATEWAY_QUARANTINE: 'off',
        GRIDBILL_CA_DIR: empty, GRIDBILL_GATEWAY_TLS: 'on',
      });
      const error = await startGateway(config, 'gateway', createLogger({ level: 'error', role: 'gateway', silent: true })).then(() => null, (e: unknown) => e);
      expect(isGridbillError(error) && error.code).to.equal('TLS_CONFIG_INVALID');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
