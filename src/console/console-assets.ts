// The console's static files: its own stylesheet and script (src/console/assets) and chart.js
// (the UMD build from node_modules: no CDN, the internal zone has no internet). A fixed list of
// names, read once and kept in memory; nothing else under /console/assets is served.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';

const OWN = dirname(fileURLToPath(new URL('./assets/console.css', import.meta.url)));

function chartPath(): string {
  // chart.js's package entry is dist/chart.cjs; the browser build sits beside it.
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
}

const FILES: Readonly<Record<string, readonly [path: () => string, type: string]>> = {
  'console.css': [() => join(OWN, 'console.css'), 'text/css; charset=utf-8'],
  'console.js': [() => join(OWN, 'console.js'), 'text/javascript; charset=utf-8'],
  'chart.umd.js': [chartPath, 'text/javascript; charset=utf-8'],
};

const cache = new Map<string, Promise<Buffer>>();

export async function serveAsset(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (file === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end('not found\n');
    return;
  }
  let body = cache.get(name);
  if (body === undefined) cache.set(name, body = readFile(file[0]()));
  const data = await body;
  res.writeHead(200, {
    'Content-Type': file[1], 'Content-Length': data.length, 'X-Content-Type-Options': 'nosniff',
    // Static for the life of the process: an hour's caching spares every page load a round trip.
    'Cache-Control': 'private, max-age=3600',
  });
  res.end(req.method === 'HEAD' ? undefined : data);
}
