// /metrics and /ready of the gateway and the portal: gateway verdicts by stage and reason with a
// latency histogram, portal requests by route and status class, and the gateway's /ready asking
// the core (cached, one probe at a time).

import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { coreReadiness } from '../../src/gateway/core-readiness.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { startHttpServer, type RunningServer } from '../../src/ops/http-server.ts';
import { portalApp } from '../../src/portal/portal-app.ts';
import { call, get, operation, securityHeader } from '../soap/soap-client.ts';
import { PASSWORD, startSpyCore, startTestGateway, type SpyCore, type TestGateway } from '../gateway/gateway-harness.ts';

/** The sum of every series of `name` that carries the given labels (others may differ). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((w) => inside.split(',').includes(w))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('gateway /metrics and /ready', function () {
  this.timeout(30_000);
  let spy: SpyCore;
  let gateway: TestGateway;

  before(async () => {
    spy = await startSpyCore();
    gateway = await startTestGateway(spy.url, { 'bank-g': { zone: 'banks', operations: ['QueryArrears'] } });
  });
  after(async () => {
    await gateway?.stop();
    await spy?.stop();
  });

  it('counts every verdict by stage and reason code, and times it; no claimed name becomes a label', async () => {
    const metrics = () => get(`${gateway.server.url}/metrics`).then((r) => r.text);
    const before = await metrics();
    await call(gateway.endpoint(), operation('QueryArrears', { customerNo: '3300000000011' }), { header: securityHeader('bank-g', PASSWORD) });
    await call(gateway.endpoint(), operation('QueryArrears', { customerNo: '3300000000011' }), { header: securityHeader('made-up-name', PASSWORD) });
    await get(gateway.endpoint()); // GET without ?wsdl: the transport stage refuses it
    // A verdict is counted once its answer is written, which may be just after the client has read it.
    let after = await metrics();
    for (let i = 0; i < 40 && sample(after, 'gridbill_gateway_verdicts_total', { verdict: 'denied', stage: 'transport', code: 'METHOD_NOT_ALLOWED' })
      - sample(before, 'gridbill_gateway_verdicts_total', { verdict: 'denied', stage: 'transport', code: 'METHOD_NOT_ALLOWED' }) < 1; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await metrics();
    }
    const delta = (labels: Record<string, string>) => sample(after, 'gridbill_gateway_verdicts_total', labels) - sample(before, 'gridbill_gateway_verdicts_total', labels);
    expect(delta({ verdict: 'forwarded', stage: 'respond', reason: 'core-fault', code: 'CUSTOMER_NOT_FOUND' })).to.equal(1);
    expect(delta({ verdict: 'denied', stage: 'authenticate', code: 'AUTH_FAILED' })).to.equal(1);
    expect(delta({ verdict: 'denied', stage: 'transport', code: 'METHOD_NOT_ALLOWED' })).to.equal(1);
    expect(after).to.not.include('made-up-name');
    expect(after).to.match(/gridbill_gateway_request_seconds_count\{verdict="denied",stage="authenticate"\} [1-9]/);
  });

  it('answers /ready 200 without a readiness check, and /health', async () => {
    expect((await get(`${gateway.server.url}/ready`)).status).to.equal(200);
    expect((await get(`${gateway.server.url}/health`)).status).to.equal(200);
  });
});

describe('the gateway\'s probe of the core', () => {
  let server: Server;
  let url = '';
  let probes = 0;
  let status = 200;
  before(async () => {
    server = createServer((req, res) => {
      probes += 1;
      res.writeHead(req.url === '/ready' ? status : 404);
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is ready when the core\'s /ready answers 200, asks once per cache period and once for many callers', async () => {
    let nowMs = 0;
    const check = coreReadiness(url, { cacheMs: 3000, clock: () => nowMs });
    probes = 0;
    const answers = await Promise.all([check(), check(), check()]);
    expect(answers.every((a) => a.ok)).to.equal(true);
    expect(probes).to.equal(1);
    status = 503;
    nowMs = 2999;
    expect((await check()).ok).to.equal(true); // cached
    nowMs = 3000;
    expect(await check()).to.deep.equal({ ok: false, detail: 'core answered 503' });
    expect(probes).to.equal(2);
    status = 200;
  });

  it('is not ready when the core cannot be reached or does not answer in time', async () => {
    const down = coreReadiness('http://127.0.0.1:1', { cacheMs: 0 });
    const answer = await down();
    expect(answer.ok).to.equal(false);
    expect(answer.detail).to.match(/^core unreachable/);
    const silent = createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const slow = coreReadiness(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { cacheMs: 0, timeoutMs: 50 });
      expect((await slow()).detail).to.match(/no answer in 50 ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('portal /metrics', function () {
  this.timeout(30_000);
  let portal: RunningServer;
  before(async () => {
    const logger = createLogger({ level: 'error', role: 'portal', stream: new PassThrough() });
    const app = portalApp({ upstreamUrl: 'http://127.0.0.1:1/soap/CustomerService', channel: 'portal', channelPassword: 'portal password 1', secureCookies: false, logger });
    portal = await startHttpServer({ name: 'portal', host: '127.0.0.1', port: 0, handler: app.handler, logger });
  });
  after(async () => portal?.stop());

  it('counts requests by route and status class; a made-up path is `other`', async () => {
    const metrics = () => get(`${portal.url}/metrics`).then((r) => r.text);
    const before = await metrics();
    await get(`${portal.url}/login`);
    await get(`${portal.url}/wp-admin/setup.php`);
    const after = await metrics();
    const delta = (labels: Record<string, string>) => sample(after, 'gridbill_portal_requests_total', labels) - sample(before, 'gridbill_portal_requests_total', labels);
    expect(delta({ method: 'GET', route: '/login', status: '2xx' })).to.equal(1);
    expect(delta({ method: 'GET', route: 'other' })).to.equal(1);
    expect(after).to.not.include('wp-admin');
    expect((await get(`${portal.url}/ready`)).status).to.equal(200);
  });
});
