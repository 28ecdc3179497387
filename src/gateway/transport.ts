// Stage 1, transport: what can be decided from the request line and headers, before one byte of
// the body is read — POST only (405), a SOAP content type in UTF-8 (415), a declared length
// within the cap (413), plain HTTP from loopback only (403) — and then the body itself: a
// compressed body is expanded only up to a size and a ratio, never whole into memory first.
// Header, body and idle timeouts and the connection cap are the HTTP server's (src/ops/http-server.ts,
// set from src/limits.ts).

import { gunzipSync, inflateSync } from 'node:zlib';
import { LIMITS } from '../limits.ts';
import { parseContentType } from '../contract/soap-content-type.ts';
import { PASS, deny, denyHttp, type Verdict } from './verdict.ts';

export interface RequestHead {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The connection is TLS (the gateway's own or a client certificate was presented on it). */
  readonly tls: boolean;
  readonly remoteAddress: string | undefined;
}

const ENCODINGS = new Set(['identity', 'gzip', 'x-gzip', 'deflate']);

function encodingOf(head: RequestHead): string | null {
  const value = head.headers['content-encoding'];
  if (value === undefined) return 'identity';
  if (typeof value !== 'string') return null;
  const encoding = value.trim().toLowerCase();
  return ENCODINGS.has(encoding) ? encoding : null;
}

const LOOPBACK = /^(127\.[0-9.]+|::1|::ffff:127\.[0-9.]+)$/;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

/** The checks made before the body is read; `plainHttpLoopbackOnly` is the dev mode without TLS. */
export function checkHead(head: RequestHead, plainHttpLoopbackOnly: boolean): Verdict {
  if (!head.tls && plainHttpLoopbackOnly && !isLoopback(head.remoteAddress)) return denyHttp('transport', 'TLS_REQUIRED', 'plain-http-not-loopback');
  if (head.method !== 'POST') return denyHttp('transport', 'METHOD_NOT_ALLOWED', 'method-not-post');
  if (parseContentType(head.headers['content-type']) === null) return denyHttp('transport', 'MEDIA_TYPE_UNSUPPORTED', 'content-type');
  if (encodingOf(head) === null) return denyHttp('transport', 'MEDIA_TYPE_UNSUPPORTED', 'content-encoding');
  const declared = head.headers['content-length'];
  if (typeof declared === 'string' && Number(declared) > LIMITS.httpBodyBytesMax) return denyHttp('transport', 'REQUEST_TOO_LARGE', 'declared-length');
  return PASS;
}

export type Expanded = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly verdict: Verdict };

/**
 * The body as the envelope's bytes: as received, or expanded with zlib's output cap (it stops
 * inflating at the cap instead of producing the whole bomb) and the ratio checked on the result.
 */
export function expandBody(head: RequestHead, raw: Buffer): Expanded {
  const encoding = encodingOf(head);
  if (encoding === 'identity') return { ok: true, body: raw };
  const cap = LIMITS.gatewayInflatedBytesMax;
  let body: Buffer;
  try {
    body = encoding === 'deflate' ? inflateSync(raw, { maxOutputLength: cap }) : gunzipSync(raw, { maxOutputLength: cap });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
    return { ok: false, verdict: tooLarge ? denyHttp('transport', 'REQUEST_TOO_LARGE', 'inflated-size') : deny('transport', 'VALIDATION_FAILED', 'compressed-body-corrupt', { httpStatus: 400 }) };
  }
  if (body.length > raw.length * LIMITS.gatewayInflateRatioMax) return { ok: false, verdict: denyHttp('transport', 'REQUEST_TOO_LARGE', 'inflate-ratio') };
  return { ok: true, body };
}
