// The core's HTTP entry point. It answers health and readiness now; the SOAP services and the
// admin console are mounted here as they are built.

import type { Handler } from '../ops/http-server.ts';
import { sendJson } from '../ops/http-server.ts';
import { healthHandler, type ReadinessCheck } from '../ops/health.ts';
import { VERSION } from '../version.ts';

export interface CoreAppOptions {
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

export function coreApp(options: CoreAppOptions): Handler {
  const health = healthHandler({ role: 'core', version: VERSION, checks: options.checks });
  return async (req, res) => {
    if (await health(req, res)) return;
    sendJson(res, 404, { code: 'NOT_FOUND', message: 'Not found' });
  };
}
