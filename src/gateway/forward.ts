// Stage 9, forward — the protocol break. The request the core receives is written here from the
// validated values with the contract's canonical writer, never from the bytes that arrived: one
// form per value, elements in schema order, no prefixes, comments, processing instructions,
// attributes or headers of the caller's. The Security header is written again from the token the
// gateway verified (the same Username, digest, Nonce and Created), so the core verifies the same
// proof against its own database: neither side has to trust the other's word.
//
// The core is reached over a keep-alive pool with a timeout per request and an answer size cap;
// a circuit breaker stops sending after LIMITS.gatewayBreakerFailuresMax consecutive failures (no
// answer, not an application fault) and lets one trial through every LIMITS.gatewayBreakerOpenMs.

import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { LIMITS } from '../limits.ts';
import { escapeXml } from '../contract/xml.ts';
import { BASE64_BINARY, PASSWORD_DIGEST, WSSE_NS, WSU_NS, type UsernameToken } from '../contract/ws-security.ts';
import type { Exchange } from './exchange.ts';
import { ENVELOPE_NS } from './message-stages.ts';
import { PASS, deny, type Verdict } from './verdict.ts';

export function canonicalSecurity(token: UsernameToken): string {
  return `<wsse:Security xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}"><wsse:UsernameToken>`
    + `<wsse:Username>${escapeXml(token.username)}</wsse:Username>`
    + `<wsse:Password Type="${PASSWORD_DIGEST}">${escapeXml(token.password)}</wsse:Password>`
    + `<wsse:Nonce EncodingType="${BASE64_BINARY}">${escapeXml(token.nonce ?? '')}</wsse:Nonce>`
    + `<wsu:Created>${escapeXml(token.created ?? '')}</wsu:Created></wsse:UsernameToken></wsse:Security>`;
}

/** The envelope the core receives: written from the validated value and the verified token only. */
export function canonicalRequest(x: Exchange): string {
  const ns = ENVELOPE_NS[x.version!];
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${ns}"><soap:Header>${canonicalSecurity(x.token!)}</soap:Header>`
    + `<soap:Body>${x.operation!.request.write(x.value!)}</soap:Body></soap:Envelope>`;
}

export type CoreReply =
  | { readonly ok: true; readonly status: number; readonly body: Buffer }
  | { readonly ok: false; readonly reason: 'breaker-open' | 'core-timeout' | 'core-unreachable' | 'core-answer-too-large' };

export interface CoreRequest {
  readonly service: string;
  readonly contentType: string;
  readonly soapAction: string;
  readonly body: string;
  readonly correlationId: string;
}

/** Where forwarded requests go: the core over HTTP(S), or a test's stand-in. */
export interface CoreForwarder {
  send(request: CoreRequest): Promise<CoreReply>;
  close(): void;
}

export class CircuitBreaker {
  private failures = 0;
  private openUntilMs = 0;
  private trialInFlight = false;

  constructor(private readonly failuresMax = LIMITS.gatewayBreakerFailuresMax, private readonly openMs = LIMITS.gatewayBreakerOpenMs) {}

  /** May a request go to the core now? While open, one trial per interval; the rest are refused at once. */
  allow(nowMs: number): boolean {
    if (this.failures < this.failuresMax) return true;
    if (nowMs < this.openUntilMs || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.trialInFlight = false;
  }

  failed(nowMs: number): void {
    this.failures += 1;
    this.trialInFlight = false;
    if (this.failures >= this.failuresMax) this.openUntilMs = nowMs + this.openMs;
  }

  get open(): boolean {
    return this.failures >= this.failuresMax;
  }
}

export interface HttpForwarderOptions {
  /** The core's base URL, `http://host:port` (GRIDBILL_CORE_URL). */
  readonly coreUrl: string;
  readonly timeoutMs?: number;
  readonly breaker?: CircuitBreaker;
  readonly clock?: () => number;
}

export function httpForwarder(options: HttpForwarderOptions): CoreForwarder {
  const base = new URL(options.coreUrl);
  const secure = base.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: LIMITS.gatewayCoreSocketsMax, maxFreeSockets: LIMITS.gatewayCoreSocketsMax };
  const agent = secure ? new HttpsAgent(agentOptions) : new Agent(agentOptions);
  const send = secure ? httpsRequest : request;
  const breaker = options.breaker ?? new CircuitBreaker();
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.timeoutMs ?? LIMITS.gatewayCoreTimeoutMs;
  const prefix = base.pathname.replace(/\/+$/, '');

  const once = (req: CoreRequest): Promise<CoreReply> => new Promise((resolve) => {
    let settled = false;
    const done = (reply: CoreReply) => {
      if (settled) return;
      settled = true;
      if (reply.ok) breaker.succeeded();
      else breaker.failed(clock());
      resolve(reply);
    };
    const outgoing = send({
      protocol: base.protocol, hostname: base.hostname, port: base.port, path: `${prefix}/soap/${req.service}`, method: 'POST', agent,
      headers: {
        'Content-Type': req.contentType, SOAPAction: `"${req.soapAction}"`, 'Content-Length': Buffer.byteLength(req.body),
        'X-Correlation-Id': req.correlationId,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > LIMITS.gatewayCoreAnswerBytesMax) {
          res.destroy();
          done({ ok: false, reason: 'core-answer-too-large' });
        } else {
          chunks.push(chunk);
        }
      });
      res.on('end', () => done({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks, size) }));
      res.on('error', () => done({ ok: false, reason: 'core-unreachable' }));
    });
    outgoing.setTimeout(timeoutMs, () => {
      outgoing.destroy();
      done({ ok: false, reason: 'core-timeout' });
    });
    outgoing.on('error', () => done({ ok: false, reason: 'core-unreachable' }));
    outgoing.end(req.body);
  });

  return {
    send: (req) => (breaker.allow(clock()) ? once(req) : Promise.resolve({ ok: false, reason: 'breaker-open' })),
    close: () => agent.destroy(),
  };
}

export async function forwardStage(x: Exchange, forwarder: CoreForwarder): Promise<Verdict> {
  const version = x.version!;
  const reply = await forwarder.send({
    service: x.request.service,
    contentType: version === '1.1' ? 'text/xml; charset=utf-8' : `application/soap+xml; charset=utf-8; action="${x.operation!.soapAction}"`,
    soapAction: x.operation!.soapAction,
    body: canonicalRequest(x),
    correlationId: x.request.correlationId,
  });
  if (!reply.ok) return deny('forward', 'UNAVAILABLE', reply.reason);
  x.coreAnswer = { status: reply.status, body: reply.body };
  return PASS;
}
