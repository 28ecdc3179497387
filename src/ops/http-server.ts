// One way to run an HTTP server: with the limits of src/limits.ts set explicitly (never Node's
// defaults), a correlation id per request, and a graceful stop that lets in-flight requests
// finish before the sockets are closed. Plain HTTP unless TLS options are given (the gateway's
// mutual TLS): the same limits apply to both.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { LIMITS } from '../limits.ts';
import { CORRELATION_HEADER, correlationIdFrom, runWithContext } from './context.ts';
import type { Logger } from './logger.ts';

const SHUTDOWN_SWEEP_MS = 50;

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RunningServer {
  readonly name: string;
  readonly url: string;
  readonly server: Server;
  stop(): Promise<void>;
}

export interface ServeOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly handler: Handler;
  readonly logger: Logger;
  /** Serve HTTPS with these options (key, certificate, client certificate checks) instead of HTTP. */
  readonly tls?: TlsOptions;
}

function withContext(handler: Handler, logger: Logger): Handler {
  return (req, res) => {
    const correlationId = correlationIdFrom(req.headers[CORRELATION_HEADER]);
    res.setHeader('X-Correlation-Id', correlationId);
    return runWithContext({ correlationId }, async () => {
      try {
        await handler(req, res);
      } catch (error) {
        logger.error('request failed', { error, path: req.url });
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('internal error\n');
        } else {
          res.destroy();
        }
      }
    });
  };
}

export async function startHttpServer(options: ServeOptions): Promise<RunningServer> {
  const limits = {
    headersTimeout: LIMITS.httpHeadersTimeoutMs,
    requestTimeout: LIMITS.httpRequestTimeoutMs,
    keepAliveTimeout: LIMITS.httpKeepAliveTimeoutMs,
    // Node checks the two timeouts above only this often (30 s by default): a slow client
    // would otherwise live up to 30 s past its timeout.
    connectionsCheckingInterval: LIMITS.httpTimeoutCheckMs,
    maxHeaderSize: 16_384,
  };
  const handler = withContext(options.handler, options.logger);
  // A TLS handshake gets no longer than the headers would (Node's default is two minutes).
  const server: Server = options.tls
    ? createHttpsServer({ handshakeTimeout: LIMITS.httpHeadersTimeoutMs, ...options.tls, ...limits }, handler)
    : createServer(limits, handler);
  server.maxHeadersCount = LIMITS.httpMaxHeadersCount;
  server.maxConnections = LIMITS.httpConnectionsMax;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = options.tls ? 'https' : 'http';
  return { name: options.name, url: `${scheme}://${host}:${address.port}`, server, stop: () => stopGracefully(server) };
}

/** Stops accepting, lets running requests finish, then closes whatever is left after the grace time. */
function stopGracefully(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // A keep-alive connection whose request finishes after close() was called would otherwise
    // stay open until its idle timeout: sweep idle connections until the server is closed.
    const sweep = setInterval(() => server.closeIdleConnections(), SHUTDOWN_SWEEP_MS);
    const force = setTimeout(() => server.closeAllConnections(), LIMITS.shutdownGraceMs);
    force.unref();
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export type BodyRead = { readonly ok: true; readonly body: Buffer } | { readonly ok: false };

/** A request's body, or { ok: false } as soon as it passes `limit` bytes (the rest is not kept). */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve({ ok: true, body: Buffer.concat(chunks, size) });
    });
    req.on('error', reject);
  });
}
