// A gateway on loopback for tests: its policy written to a temp file (so a test can rewrite it and
// reload), sealed with a throwaway gateway key, forwarding to a given core URL — a spy core that
// counts what reaches it, or a real core from test/support/test-core.ts — with its log captured.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createGatewayApp, readPolicyFile, type GatewayApp } from '../../src/gateway/gateway-app.ts';
import { httpForwarder, type CircuitBreaker, type CoreRequest } from '../../src/gateway/forward.ts';
import type { QuarantineLimits } from '../../src/gateway/audit.ts';
import type { GatewayRequest } from '../../src/gateway/exchange.ts';
import type { VerifySignature } from '../../src/gateway/authenticate.ts';
import { POLICY_FORMAT } from '../../src/gateway/policy.ts';
import { startHttpServer, type RunningServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox, type SecretBox } from '../../src/ops/secret-box.ts';

export const CP_OPS = ['QueryArrears', 'Pay', 'Reverse', 'QueryTransaction', 'Reconcile', 'SignWithholding', 'CancelWithholding'];
export const PASSWORD = 'correct horse battery';

export interface ChannelSpec {
  readonly zone?: string;
  readonly password?: string;
  readonly operations?: readonly string[];
  readonly [key: string]: unknown;
}

/** A policy document: zones `banks` (ChannelPaymentService) and `web` (CustomerService). */
export function policyText(box: SecretBox, channels: Readonly<Record<string, ChannelSpec>>, extra: Record<string, unknown> = {}): string {
  const out: Record<string, unknown> = {};
  for (const [code, spec] of Object.entries(channels)) {
    const { password, ...rest } = spec;
    out[code] = { zone: 'banks', operations: CP_OPS, ...rest, secret: box.seal(password ?? PASSWORD) };
  }
  return JSON.stringify({
    format: POLICY_FORMAT, zones: { banks: ['ChannelPaymentService'], web: ['CustomerService'] }, channels: out, ...extra,
  }, null, 2);
}

export interface SpyCore {
  readonly url: string;
  /** Every request that reached the core: path, headers and body. */
  readonly received: { path: string; headers: IncomingMessage['headers']; body: string }[];
  /** What the core answers; the default is a CUSTOMER_NOT_FOUND fault in the request's version. */
  answer: (body: string, headers: IncomingMessage['headers']) => { status: number; body: string; contentType?: string };
  stop(): Promise<void>;
}

export function coreFault(version: '1.1' | '1.2', code = 'CUSTOMER_NOT_FOUND', message = 'Customer not found'): string {
  const env = version === '1.1' ? 'http://schemas.xmlsoap.org/soap/envelope/' : 'http://www.w3.org/2003/05/soap-envelope';
  const detail = `<t:GridbillFault xmlns:t="urn:gridbill:types:v1"><t:code>${code}</t:code><t:message>${message}</t:message><t:correlationId>c-1</t:correlationId></t:GridbillFault>`;
  const fault = version === '1.1'
    ? `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>${message}</faultstring><detail>${detail}</detail></soap:Fault>`
    : `<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">${message}</soap:Text></soap:Reason><soap:Detail>${detail}</soap:Detail></soap:Fault>`;
  return `<?xml version="1.0"?><soap:Envelope xmlns:soap="${env}"><soap:Body>${fault}</soap:Body></soap:Envelope>`;
}

export async function startSpyCore(): Promise<SpyCore> {
  const received: SpyCore['received'] = [];
  const spy: { answer: SpyCore['answer'] } = {
    answer: (_body, headers) => ({ status: 500, body: coreFault(String(headers['content-type']).startsWith('text/xml') ? '1.1' : '1.2') }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const answer = spy.answer(body, req.headers);
      res.writeHead(answer.status, { 'Content-Type': answer.contentType ?? String(req.headers['content-type']) });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(spy, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}

export interface TestGateway {
  readonly app: GatewayApp;
  readonly server: RunningServer;
  readonly box: SecretBox;
  readonly policyFile: string;
  readonly logLines: string[];
  readonly dir: string;
  endpoint(service?: string): string;
  /** The audit records logged so far. */
  verdicts(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export interface GatewayOptions {
  readonly clock?: () => number;
  readonly verifySignature?: VerifySignature;
  readonly quarantine?: boolean;
  readonly breaker?: CircuitBreaker;
  readonly timeoutMs?: number;
  readonly extra?: Record<string, unknown>;
}

export async function startTestGateway(coreUrl: string, channels: Readonly<Record<string, ChannelSpec>>, options: GatewayOptions = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gridbill-gateway-'));
  const box = secretBox(randomBytes(32));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, policyText(box, channels, options.extra));
  const logLines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'info', role: 'gateway', stream });
  const app = await createGatewayApp({
    loadPolicy: () => readPolicyFile(policyFile, (sealed) => box.open(sealed)),
    forwarder: httpForwarder({
      coreUrl, ...(options.breaker ? { breaker: options.breaker } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    logger, plainHttpLoopbackOnly: true,
    quarantineDir: options.quarantine ? join(dir, 'quarantine') : null,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.verifySignature ? { verifySignature: options.verifySignature } : {}),
  });
  const server = await startHttpServer({ name: 'gateway', host: '127.0.0.1', port: 0, handler: app.handler, logger });
  return {
    app, server, box, policyFile, logLines, dir,
    endpoint: (service = 'ChannelPaymentService') => `${server.url}/soap/${service}`,
    verdicts: () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'gateway verdict'),
    async stop() {
      await server.stop();
      app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface InProcessGateway {
  readonly app: GatewayApp;
  /** Requests the stub core received. */
  readonly forwarded: CoreRequest[];
  readonly dir: string;
  /** A request as the HTTP adapter builds it, from loopback over plain HTTP unless told otherwise. */
  request(body: string | Buffer, overrides?: Partial<GatewayRequest>): GatewayRequest;
  stop(): void;
}

/** The gateway's pipeline without HTTP, in front of a stub core answering CUSTOMER_NOT_FOUND. */
export async function inProcessGateway(
  channels: Readonly<Record<string, ChannelSpec>>, options: { readonly verifySignature?: VerifySignature; readonly quarantine?: QuarantineLimits } = {},
): Promise<InProcessGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gridbill-gateway-'));
  const box = secretBox(randomBytes(32));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, policyText(box, channels));
  const forwarded: CoreRequest[] = [];
  const app = await createGatewayApp({
    loadPolicy: () => readPolicyFile(policyFile, (sealed) => box.open(sealed)),
    forwarder: {
      async send(request) {
        forwarded.push(request);
        return { ok: true, status: 500, body: Buffer.from(coreFault(request.contentType.startsWith('text/xml') ? '1.1' : '1.2')) };
      },
      close() {},
    },
    logger: createLogger({ level: 'error', role: 'gateway', silent: true }),
    plainHttpLoopbackOnly: true,
    ...(options.quarantine ? { quarantineDir: join(dir, 'quarantine'), quarantineLimits: options.quarantine } : {}),
    ...(options.verifySignature ? { verifySignature: options.verifySignature } : {}),
  });
  return {
    app, forwarded, dir,
    request: (body, overrides = {}) => ({
      method: 'POST', tls: false, remoteAddress: '127.0.0.1', service: 'ChannelPaymentService', correlationId: 'test-correlation-1',
      headers: { 'content-type': 'text/xml; charset=utf-8' }, rawBody: Buffer.from(body), ...overrides,
    }),
    stop() {
      app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
