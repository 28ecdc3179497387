// The online business hall's entry point (external zone). It has no database: everything it
// shows comes from CustomerService through the gateway.

import type { Handler } from '../ops/http-server.ts';
import { sendJson } from '../ops/http-server.ts';
import { healthHandler } from '../ops/health.ts';
import { VERSION } from '../version.ts';

const HOME = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>网上营业厅</title></head>
<body><h1>网上营业厅</h1><p>电费查询与缴费服务即将开通。</p></body></html>
`;

export function portalApp(): Handler {
  const health = healthHandler({ role: 'portal', version: VERSION, checks: {} });
  return async (req, res) => {
    if (await health(req, res)) return;
    if ((req.url ?? '/').split('?')[0] === '/') {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': "default-src 'self'",
        'X-Content-Type-Options': 'nosniff',
      }).end(HOME);
      return;
    }
    sendJson(res, 404, { code: 'NOT_FOUND', message: 'Not found' });
  };
}
