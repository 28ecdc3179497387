// Small HTTP pieces of the portal: reading a posted form with a byte bound, answering a page with
// the security headers of src/web/security.ts, redirecting after a post, the client's address.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Html } from '../web/html.ts';
import { setSecurityHeaders } from '../web/security.ts';
import { LIMITS } from '../limits.ts';

export type FormResult =
  | { readonly kind: 'form'; readonly form: URLSearchParams }
  | { readonly kind: 'refused'; readonly status: 413 | 415 };

/** An application/x-www-form-urlencoded body of at most portalFormBytesMax bytes; anything else is refused unread. */
export async function readForm(req: IncomingMessage, bytesMax = LIMITS.portalFormBytesMax): Promise<FormResult> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return { kind: 'refused', status: 415 };
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > bytesMax) return { kind: 'refused', status: 413 };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > bytesMax) return { kind: 'refused', status: 413 };
    chunks.push(chunk);
  }
  return { kind: 'form', form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) };
}

export function sendPage(res: ServerResponse, status: number, page: Html, cookies: readonly string[] = []): void {
  setSecurityHeaders(res);
  if (cookies.length > 0) res.setHeader('Set-Cookie', [...cookies]);
  const body = page.markup;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** 303 See Other: after a post the browser GETs the next page, so a reload never posts again. */
export function redirect(res: ServerResponse, location: string, cookies: readonly string[] = []): void {
  setSecurityHeaders(res);
  if (cookies.length > 0) res.setHeader('Set-Cookie', [...cookies]);
  res.writeHead(303, { Location: location, 'Content-Length': 0 });
  res.end();
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  setSecurityHeaders(res);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The address the rate limit counts. The socket's peer: behind a reverse proxy that would be the
 * proxy, and X-Forwarded-For is not trusted because a client can write anything into it.
 */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** A local path to come back to (never another site: `//host` and `/\host` are refused). */
export function localPath(value: string | null | undefined, fallback: string): string {
  if (value === null || value === undefined || !/^\/(?![/\\])[A-Za-z0-9/_.?=&%-]{0,200}$/.test(value)) return fallback;
  return value;
}
