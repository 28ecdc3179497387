// Prometheus metrics of a gridbill process (prom-client), served at GET /metrics by every role.
// One registry per process: metrics are process-wide facts (a test that starts several apps in one
// process sees their sum, as a scraper would of one process).
//
// Label values are bounded, so a hostile caller cannot grow the registry: services and operations
// come from the contracts; the channel label is the authenticated channel (a username that failed
// authentication is counted as `unauthenticated`, never by the name it claimed); outcomes are `ok`,
// a catalogued error code or `http-<status>`.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'gridbill_' });

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const soapRequests = new Counter({
  name: 'gridbill_soap_requests_total',
  help: 'SOAP requests answered, by service, operation, channel and outcome',
  labelNames: ['service', 'operation', 'channel', 'outcome'] as const,
  registers: [registry],
});

const soapSeconds = new Histogram({
  name: 'gridbill_soap_request_seconds',
  help: 'Time from a SOAP request arriving to its answer being written, by service, operation and outcome',
  labelNames: ['service', 'operation', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const commitSeconds = new Histogram({
  name: 'gridbill_db_group_commit_seconds',
  help: 'Duration of one group of payments committed together on SQLite (work and durable commit)',
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const commitUnits = new Histogram({
  name: 'gridbill_db_group_commit_units',
  help: 'Units of work committed together in one SQLite transaction',
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [registry],
});

/** Outcomes that mean the caller was not authenticated: its claimed name is not a label. */
const UNAUTHENTICATED = new Set(['AUTH_FAILED', 'CHANNEL_NOT_FOUND']);

export interface SoapCallMetric {
  readonly service: string;
  readonly operation: string | null;
  readonly channel: string | null;
  readonly outcome: string;
  readonly seconds: number;
}

export function recordSoapCall(call: SoapCallMetric): void {
  const channel = call.channel === null || UNAUTHENTICATED.has(call.outcome) || call.outcome.startsWith('http-') ? 'unauthenticated' : call.channel;
  const operation = call.operation ?? 'none';
  soapRequests.inc({ service: call.service, operation, channel, outcome: call.outcome });
  soapSeconds.observe({ service: call.service, operation, outcome: call.outcome }, call.seconds);
}

export function recordGroupCommit(units: number, seconds: number): void {
  commitUnits.observe(units);
  commitSeconds.observe(seconds);
}

const gatewayVerdicts = new Counter({
  name: 'gridbill_gateway_verdicts_total',
  help: 'Requests the gateway answered, by verdict (forwarded/denied), the stage that decided, its reason and the catalogued code answered',
  labelNames: ['verdict', 'stage', 'reason', 'code'] as const,
  registers: [registry],
});

const gatewaySeconds = new Histogram({
  name: 'gridbill_gateway_request_seconds',
  help: 'Time from a request reaching the gateway to its answer, by verdict and deciding stage',
  labelNames: ['verdict', 'stage'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const portalRequests = new Counter({
  name: 'gridbill_portal_requests_total',
  help: 'Requests the online business hall answered, by method, route and status class',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

/** A reason code is a short kebab-case word or a catalogued code; anything else is not a label. */
const REASON = /^[A-Za-z0-9_-]{1,48}$/;

export interface GatewayVerdictMetric {
  readonly verdict: 'forwarded' | 'denied';
  readonly stage: string;
  readonly reason: string;
  /** The catalogued code answered (a denial's, or the core's fault), or null for a plain answer. */
  readonly code: string | null;
  readonly ms: number;
}

export function recordGatewayVerdict(record: GatewayVerdictMetric): void {
  const reason = REASON.test(record.reason) ? record.reason : 'other';
  const code = record.code === null ? 'none' : REASON.test(record.code) ? record.code : 'other';
  gatewayVerdicts.inc({ verdict: record.verdict, stage: record.stage, reason, code });
  gatewaySeconds.observe({ verdict: record.verdict, stage: record.stage }, record.ms / 1000);
}

const METHODS = new Set(['GET', 'HEAD', 'POST']);

/**
 * One answered portal request. The route is the path's first segment among the portal's own
 * (`known`), else `other`: a scanner requesting made-up paths cannot grow the registry.
 */
export function recordPortalRequest(method: string, path: string, status: number, known: ReadonlySet<string>): void {
  const first = `/${path.split('/')[1] ?? ''}`;
  portalRequests.inc({
    method: METHODS.has(method) ? method : 'other', route: known.has(first) ? first : 'other', status: `${Math.floor(status / 100)}xx`,
  });
}

/** Answers GET /metrics in the Prometheus text format; false for any other path. */
export async function metricsHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if ((req.url ?? '/').split('?')[0] !== '/metrics') return false;
  const body = await registry.metrics();
  res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
  return true;
}
