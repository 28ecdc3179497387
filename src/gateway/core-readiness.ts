// The gateway's /ready: whether the core it forwards to answers its own /ready. Load balancers ask
// often (every second or two, from each of them), so the answer is cached for
// LIMITS.gatewayReadyCacheMs and one probe at a time goes to the core, cut at
// LIMITS.gatewayReadyProbeTimeoutMs: a flood of /ready requests never becomes a flood on the core.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { LIMITS } from '../limits.ts';
import type { ReadinessCheck } from '../ops/health.ts';

type Result = { readonly ok: boolean; readonly detail: string };

function probe(url: URL, timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      const ok = res.statusCode === 200;
      resolve({ ok, detail: ok ? 'core ready' : `core answered ${res.statusCode ?? 'nothing'}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ ok: false, detail: `core unreachable: ${error.message}` }));
    req.end();
  });
}

export function coreReadiness(coreUrl: string, options: { readonly cacheMs?: number; readonly timeoutMs?: number; readonly clock?: () => number } = {}): ReadinessCheck {
  const url = new URL('/ready', coreUrl);
  const cacheMs = options.cacheMs ?? LIMITS.gatewayReadyCacheMs;
  const timeoutMs = options.timeoutMs ?? LIMITS.gatewayReadyProbeTimeoutMs;
  const clock = options.clock ?? Date.now;
  let cached: { result: Result; atMs: number } | undefined;
  let inFlight: Promise<Result> | undefined;
  return async () => {
    if (cached !== undefined && clock() - cached.atMs < cacheMs) return cached.result;
    inFlight ??= probe(url, timeoutMs).then((result) => {
      cached = { result, atMs: clock() };
      inFlight = undefined;
      return result;
    });
    return inFlight;
  };
}
