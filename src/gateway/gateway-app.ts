// The isolation gateway's entry point. Until its inspection pipeline exists it forwards nothing:
// every request other than /health is refused, which is the safe default for a boundary device.

import type { Handler } from '../ops/http-server.ts';
import { sendJson } from '../ops/http-server.ts';
import { healthHandler } from '../ops/health.ts';
import { VERSION } from '../version.ts';

export function gatewayApp(): Handler {
  const health = healthHandler({ role: 'gateway', version: VERSION, checks: {} });
  return async (req, res) => {
    if (await health(req, res)) return;
    sendJson(res, 503, { code: 'UNAVAILABLE', message: 'Service temporarily unavailable' });
  };
}
