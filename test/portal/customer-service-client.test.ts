// The portal's CustomerService client against a stand-in server that answers what each test
// needs: every outcome ends in a value (answer, fault, invalid, unavailable), never an exception.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { LIMITS } from '../../src/limits.ts';
import { passwordDigest } from '../../src/contract/ws-security.ts';
import { CustomerServiceClient } from '../../src/portal/customer-service-client.ts';
import { portalApp } from '../../src/portal/portal-app.ts';
import { startHttpServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { WebClient, csrfIn } from './web-client.ts';

const CS = 'urn:gridbill:customer:v1';
const envelope = (body: string) => `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;
const FAULT = envelope('<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring><detail><t:GridbillFault xmlns:t="urn:gridbill:types:v1">'
  + '<t:code>LOGIN_FAILED</t:code><t:message>Customer number, password or SMS code is wrong</t:message><t:correlationId>c0ffee00-1</t:correlationId></t:GridbillFault></detail></s:Fault>');
const CODE_SENT = envelope(`<RequestLoginCodeResponse xmlns="${CS}"><sentTo>138****5678</sentTo><expiresAt>2026-11-28T10:05:00+08:00</expiresAt><resendAfterSeconds>60</resendAfterSeconds></RequestLoginCodeResponse>`);

describe('portal CustomerService client', () => {
  let server: Server;
  let url: string;
  let answer: (body: string) => { status: number; text: string } | 'hang' = () => ({ status: 200, text: CODE_SENT });
  const received: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push(body);
        const reply = answer(body);
        if (reply === 'hang') return;
        res.writeHead(reply.status, { 'Content-Type': 'text/xml; charset=utf-8' }).end(reply.text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/soap/CustomerService`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = (timeoutMs = 2_000) => new CustomerServiceClient({ url, channel: 'portal', password: 'portal-secret-123', timeoutMs });

  it('writes the canonical request with a UsernameToken digest and reads a valid answer', async () => {
    answer = () => ({ status: 200, text: CODE_SENT });
    const result = await client().call('RequestLoginCode', { customerNo: '330000000019' });
    expect(result.kind).to.equal('answer');
    if (result.kind === 'answer') expect(result.answer.text('sentTo')).to.equal('138****5678');
    const sent = received.at(-1)!;
    expect(sent).to.include(`<RequestLoginCode xmlns="${CS}"><customerNo>330000000019</customerNo></RequestLoginCode>`);
    const nonce = /<wsse:Nonce[^>]*>([^<]+)</.exec(sent)![1]!;
    const created = /<wsu:Created>([^<]+)</.exec(sent)![1]!;
    expect(sent).to.include(`<wsse:Username>portal</wsse:Username>`).and.include(passwordDigest(nonce, created, 'portal-secret-123'));
    expect(sent).to.not.include('portal-secret-123');
  });

  it('refuses a value the contract does not allow without sending anything', async () => {
    const before = received.length;
    const result = await client().call('Login', { customerNo: '33000000001X', password: 'demo2026', smsCode: '123456' });
    expect(result).to.deep.include({ kind: 'invalid', field: 'customerNo' });
    expect(received.length).to.equal(before);
  });

  it('answers a fault with its catalogue code', async () => {
    answer = () => ({ status: 500, text: FAULT });
    expect(await client().call('Login', { customerNo: '330000000019', password: 'demo2026', smsCode: '123456' }))
      .to.deep.equal({ kind: 'fault', code: 'LOGIN_FAILED', message: 'Customer number, password or SMS code is wrong' });
  });

  it('calls an answer outside the contract, a non-SOAP body or an oversized one unavailable (malformed)', async () => {
    const bodies = [
      envelope(`<RequestLoginCodeResponse xmlns="${CS}"><expiresAt>not a time</expiresAt><resendAfterSeconds>60</resendAfterSeconds></RequestLoginCodeResponse>`),
      envelope(`<LoginResponse xmlns="${CS}"/>`),
      '<html>bad gateway</html>',
      envelope('<s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring></s:Fault>'),
      'x'.repeat(LIMITS.portalUpstreamAnswerBytesMax + 1),
    ];
    for (const text of bodies) {
      answer = () => ({ status: 200, text });
      const result = await client().call('RequestLoginCode', { customerNo: '330000000019' });
      expect(result.kind === 'unavailable' && result.reason, text.slice(0, 80)).to.equal('malformed');
    }
  });

  it('gives up on a silent upstream at the timeout, and on an unreachable one', async () => {
    answer = () => 'hang';
    expect(await client(200).call('RequestLoginCode', { customerNo: '330000000019' })).to.deep.include({ kind: 'unavailable', reason: 'timeout' });
    const nowhere = new CustomerServiceClient({ url: 'http://127.0.0.1:1/soap/CustomerService', channel: 'portal', password: 'portal-secret-123' });
    expect(await nowhere.call('RequestLoginCode', { customerNo: '330000000019' })).to.deep.include({ kind: 'unavailable', reason: 'unreachable' });
  });

  it('shows the unavailable page when the core cannot be reached', async () => {
    const app = portalApp({ upstreamUrl: 'http://127.0.0.1:1/soap/CustomerService', channel: 'portal', channelPassword: 'portal-secret-123', secureCookies: true });
    const portal = await startHttpServer({ name: 'portal', host: '127.0.0.1', port: 0, handler: app.handler, logger: createLogger({ level: 'error', role: 'test', silent: true }) });
    try {
      const browser = new WebClient(portal.url);
      const login = await browser.get('/login');
      expect(login.setCookies.join('\n'), 'Secure under TLS').to.match(/gb_pre=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Secure/);
      const refused = await browser.post('/login', [['_csrf', csrfIn(login.text)], ['customerNo', '330000000019'], ['password', 'demo2026'], ['smsCode', '123456']]);
      expect(refused.status).to.equal(503);
      expect(refused.text).to.include('服务暂时不可用');
    } finally {
      await portal.stop();
      app.close();
    }
  });
});
