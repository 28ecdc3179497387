// The portal's static files, read once at start-up and served from memory under /assets: its own
// stylesheet and script (src/portal/assets/) and chart.js's UMD build from node_modules — never a
// CDN: the machines have no internet, and the CSP allows scripts from this origin only.

import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setSecurityHeaders } from '../web/security.ts';

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const OWN = fileURLToPath(new URL('./assets/', import.meta.url));

function chartJsPath(): string {
  // chart.js exports only its module entry points; its UMD build sits beside them in dist/.
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
}

export function loadAssets(): ReadonlyMap<string, Asset> {
  const js = 'text/javascript; charset=utf-8';
  return new Map<string, Asset>([
    ['/assets/portal.css', { body: readFileSync(join(OWN, 'portal.css')), type: 'text/css; charset=utf-8' }],
    ['/assets/portal.js', { body: readFileSync(join(OWN, 'portal.js')), type: js }],
    ['/assets/chart.umd.js', { body: readFileSync(chartJsPath()), type: js }],
  ]);
}

/** Answers GET/HEAD of a known asset; false for any other path. */
export function serveAsset(assets: ReadonlyMap<string, Asset>, path: string, method: string, res: ServerResponse): boolean {
  const asset = assets.get(path);
  if (asset === undefined || (method !== 'GET' && method !== 'HEAD')) return false;
  setSecurityHeaders(res);
  res.setHeader('Cache-Control', 'public, max-age=3600');
  res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length });
  res.end(method === 'HEAD' ? undefined : asset.body);
  return true;
}
