// The isolation gateway's HTTP entry point: /health, the external services' WSDLs (rewritten to
// the gateway's own address), its own /ready (whether the core answers) and /metrics, and
// `POST /soap/<Service>` through the pipeline. Nothing else of the core is reachable here: not its
// internal services, not its /ready or /metrics, not the console.
//
// The request line and headers are checked before the body is read (405, 415, 413, 403), and the
// body is read only up to LIMITS.httpBodyBytesMax; the pipeline does the rest. The policy is read
// from its file at start and again by `reload()` (SIGHUP): a file with problems is refused whole
// and the running policy stays.

import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { loadServiceContract, type ServiceContract } from '../contract/service-contract.ts';
import { currentContext, newCorrelationId } from '../ops/context.ts';
import { healthHandler, type ReadinessCheck } from '../ops/health.ts';
import { metricsHandler } from '../ops/metrics.ts';
import type { Handler } from '../ops/http-server.ts';
import { readBody, sendJson } from '../ops/http-server.ts';
import type { Logger } from '../ops/logger.ts';
import { VERSION } from '../version.ts';
import { Quarantine, type AuditRecord, type QuarantineLimits } from './audit.ts';
import type { VerifySignature } from './authenticate.ts';
import type { GatewayRequest, PeerCertificate } from './exchange.ts';
import type { CoreForwarder } from './forward.ts';
import { GatewayPipeline } from './pipeline.ts';
import { EXTERNAL_SERVICES, isExternalService, parsePolicy, type ExternalService, type GatewayPolicy } from './policy.ts';
import { checkHead } from './transport.ts';
import { requestOrigin, WsdlDocuments } from '../contract/wsdl-documents.ts';

export interface GatewayAppOptions {
  /** Reads the policy (the file, opened with the gateway key); called at start and on every reload. */
  readonly loadPolicy: () => GatewayPolicy;
  readonly forwarder: CoreForwarder;
  readonly logger: Logger;
  readonly plainHttpLoopbackOnly?: boolean;
  /** Reads a TLS connection's client certificate; mutual TLS passes tls.ts's peerChannel (start-gateway.ts). */
  readonly peerCertificate?: (socket: TLSSocket) => PeerCertificate | undefined;
  readonly verifySignature?: VerifySignature;
  /** What /ready reports: whether the core answers (core-readiness.ts); without it /ready checks nothing. */
  readonly coreReady?: ReadinessCheck;
  readonly quarantineDir?: string | null;
  /** Sampling and size caps of the quarantine (src/limits.ts by default; tests pass small ones). */
  readonly quarantineLimits?: QuarantineLimits;
  readonly clock?: () => number;
  /** Where audit lines go (see auditLineWriter); by default the logger. */
  readonly audit?: (record: AuditRecord, correlationId: string) => void;
}

export interface GatewayApp {
  readonly handler: Handler;
  readonly pipeline: GatewayPipeline;
  /** Reads the policy again; false (and the old policy kept) when the new one has problems. */
  reload(): boolean;
  /** Resolves once the quarantine files of the requests answered so far are written. */
  quarantineWritten(): Promise<void>;
  close(): void;
}

/** The policy file, every problem reported at once (CONFIG_INVALID), secrets opened with `open`. */
export function readPolicyFile(path: string, open: (sealed: string) => string): GatewayPolicy {
  let text: string;
  try {
    if (statSync(path).size > LIMITS.gatewayPolicyBytesMax) throw new Error(`larger than ${LIMITS.gatewayPolicyBytesMax} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GridbillError('CONFIG_INVALID', `gateway policy ${path}: ${(error as Error).message}`, { hint: 'see "Isolation gateway" in README.md' });
  }
  const reading = parsePolicy(text, open);
  if (!reading.ok) {
    throw new GridbillError('CONFIG_INVALID', `gateway policy ${path}: ${reading.problems.join('; ')}`, { hint: 'see "Isolation gateway" in README.md' });
  }
  return reading.policy;
}

const SOAP_PATH = /^\/soap\/([A-Za-z]{1,64})$/;
const XML = 'text/xml; charset=utf-8';

function peerCertificate(req: IncomingMessage, read?: GatewayAppOptions['peerCertificate']): PeerCertificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.encrypted || typeof socket.getPeerCertificate !== 'function') return undefined;
  if (read) return read(req.socket as TLSSocket);
  const certificate = socket.getPeerCertificate();
  if (!certificate || typeof certificate.fingerprint256 !== 'string' || certificate.fingerprint256 === '') return undefined;
  return { fingerprint256: certificate.fingerprint256.toUpperCase(), authorized: socket.authorized === true };
}

function sendText(res: ServerResponse, status: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function soapRequest(
  pipeline: GatewayPipeline, service: ExternalService, req: IncomingMessage, res: ServerResponse, plainOnly: boolean,
  readPeer?: GatewayAppOptions['peerCertificate'],
): Promise<void> {
  const head = {
    method: req.method ?? 'GET', headers: req.headers, tls: (req.socket as Partial<TLSSocket>).encrypted === true,
    remoteAddress: req.socket.remoteAddress,
  };
  const early = checkHead(head, plainOnly);
  const read = early.ok ? await readBody(req, LIMITS.httpBodyBytesMax) : { ok: false as const };
  const certificate = peerCertificate(req, readPeer);
  const request: GatewayRequest = {
    ...head, service, rawBody: read.ok ? read.body : Buffer.alloc(0), bodyTooLarge: early.ok && !read.ok,
    correlationId: currentContext()?.correlationId ?? newCorrelationId(), ...(certificate ? { peerCertificate: certificate } : {}),
  };
  // Past the cap the rest is drained unread, so the client can read its 413 instead of a reset.
  if (early.ok && !read.ok) req.resume();
  const answer = await pipeline.handle(request);
  // A body left unread (refused before reading, or past the cap) ends the connection: reading it
  // to find the next request would be reading what was refused.
  const extra: Record<string, string> = read.ok ? {} : { Connection: 'close' };
  if (answer.status === 405) extra.Allow = 'POST, GET';
  sendText(res, answer.status, answer.contentType, answer.body, extra);
}

export async function createGatewayApp(options: GatewayAppOptions): Promise<GatewayApp> {
  const contracts = new Map<ExternalService, ServiceContract>(EXTERNAL_SERVICES.map((s) => [s, loadServiceContract(s)]));
  // The external services' contracts only, rewritten to the gateway's own address: nothing of the core's internal services.
  const documents = new WsdlDocuments(EXTERNAL_SERVICES);
  const quarantine = options.quarantineDir ? new Quarantine(options.quarantineDir, options.logger, options.quarantineLimits) : undefined;
  const pipeline = new GatewayPipeline({
    policy: options.loadPolicy(), contracts, forwarder: options.forwarder, logger: options.logger,
    ...(options.clock ? { clock: options.clock } : {}), ...(quarantine ? { quarantine } : {}), ...(options.audit ? { audit: options.audit } : {}),
    ...(options.verifySignature ? { verifySignature: options.verifySignature } : {}),
    plainHttpLoopbackOnly: options.plainHttpLoopbackOnly ?? false,
  });
  const health = healthHandler({ role: 'gateway', version: VERSION, checks: options.coreReady ? { core: options.coreReady } : {} });
  const handler: Handler = async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health' || path === '/ready') return void (await health(req, res));
    if (await metricsHandler(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const method = req.method ?? 'GET';
    const service = SOAP_PATH.exec(url.pathname)?.[1];
    const isGet = method === 'GET' || method === 'HEAD';
    if (url.pathname === '/soap/common.xsd' && isGet) return sendText(res, 200, XML, documents.commonXsd);
    if (service === undefined || !isExternalService(service)) return sendJson(res, 404, { code: 'NOT_FOUND', message: 'Not found' });
    if (isGet && url.search.toLowerCase() === '?wsdl') {
      const origin = requestOrigin(req);
      if (origin === null) return sendText(res, 400, 'text/plain; charset=utf-8', 'invalid Host header\n');
      return sendText(res, 200, XML, documents.wsdl(service, origin)!);
    }
    await soapRequest(pipeline, service, req, res, options.plainHttpLoopbackOnly ?? false, options.peerCertificate);
  };
  return {
    handler, pipeline,
    reload() {
      try {
        pipeline.setPolicy(options.loadPolicy());
        options.logger.info('gateway policy reloaded', { channels: pipeline.policy.channels.size });
        return true;
      } catch (error) {
        options.logger.error('gateway policy not reloaded: the running policy stays', { error });
        return false;
      }
    },
    quarantineWritten: async () => quarantine?.written(),
    close: () => options.forwarder.close(),
  };
}
