// What both web applications send and check on every request:
// - security headers: a Content-Security-Policy without inline script or style (scripts and
//   styles come from the app's own /assets), no framing, no sniffing, no referrer leaks;
// - session cookies HttpOnly and SameSite=Strict, Secure when the app is served over TLS;
// - a CSRF token per session for every form: an HMAC of the session id under the app's key,
//   compared in constant time (a form posted from another site cannot know it).

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
].join('; ');

export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
}

export interface CookieOptions {
  /** Served over TLS: the cookie is marked Secure. */
  readonly secure: boolean;
  /** Lifetime in seconds; absent: a browser-session cookie. */
  readonly maxAgeSeconds?: number;
  readonly path?: string;
}

const COOKIE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const COOKIE_VALUE = /^[A-Za-z0-9._~-]{0,512}$/;

/** A Set-Cookie value for a session cookie: HttpOnly, SameSite=Strict, Secure under TLS. */
export function sessionCookie(name: string, value: string, options: CookieOptions): string {
  if (!COOKIE_NAME.test(name) || !COOKIE_VALUE.test(value)) throw new Error('cookie name or value has characters a cookie may not carry');
  const parts = [`${name}=${value}`, `Path=${options.path ?? '/'}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** A Set-Cookie value that removes the cookie. */
export function clearedCookie(name: string, options: CookieOptions): string {
  return sessionCookie(name, '', { ...options, maxAgeSeconds: 0 });
}

/** The cookies of a request's Cookie header; malformed pairs are ignored, the first of a name wins. */
export function readCookies(header: string | undefined): ReadonlyMap<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (COOKIE_NAME.test(name) && COOKIE_VALUE.test(value) && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** The CSRF token of a session: HMAC-SHA256 of its id under the app's key, base64url. */
export function csrfToken(key: Buffer, sessionId: string): string {
  return createHmac('sha256', key).update(`csrf:${sessionId}`).digest('base64url');
}

/** Whether a posted token is the session's; constant time, any malformed token is false. */
export function csrfValid(key: Buffer, sessionId: string, posted: string | undefined): boolean {
  if (posted === undefined) return false;
  const expected = Buffer.from(csrfToken(key, sessionId));
  const given = Buffer.from(posted);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
