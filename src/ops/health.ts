// /health says the process is alive; /ready says it can do its work (for the core: the database
// answers and its schema is the one this code expects). Load balancers route on /ready.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-server.ts';

export type ReadinessCheck = () => Promise<{ readonly ok: boolean; readonly detail: string }>;

export interface HealthOptions {
  readonly role: string;
  readonly version: string;
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

/** Answers /health and /ready; returns false for any other path so the caller can route it. */
export function healthHandler(options: HealthOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      sendJson(res, 200, { status: 'ok', role: options.role, version: options.version });
      return true;
    }
    if (path !== '/ready') return false;
    const results: Record<string, { ok: boolean; detail: string }> = {};
    for (const [name, check] of Object.entries(options.checks)) {
      results[name] = await check().catch((error: unknown) => ({ ok: false, detail: (error as Error).message }));
    }
    const ok = Object.values(results).every((r) => r.ok);
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not-ready', role: options.role, checks: results });
    return true;
  };
}
