// WS-Security UsernameToken (OASIS WSS UsernameToken Profile 1.1) with PasswordDigest:
// Base64(SHA-1(nonce + created + password)). A token is accepted when its digest matches the
// channel's password, its Created lies within the skew window of our clock, and its nonce has not
// been seen in that window (replay). Failures carry a reason for the log; the caller answers every
// one with the same AUTH_FAILED fault, so nothing tells an attacker which part was wrong.
//
// The pure parts live in src/contract because two processes check the same token: the gateway
// (which has no database: the secrets come from its policy) and then the core (from its channels).
//
// Accepted forms (../shared/interop/README.md, "Known client behaviours"): Security with
// soap:mustUnderstand="1" or suds' unprefixed mustUnderstand="true" or none (zeep); its children
// in any order (zeep puts Signature, BinarySecurityToken, UsernameToken, Timestamp); Created in the
// `Z` and the `+00:00` form. Only the WSS 1.0 namespaces count: a Security or UsernameToken element
// in another namespace is not a token.

import { createHash, timingSafeEqual } from 'node:crypto';
import { LIMITS } from '../limits.ts';
import type { XmlElement } from './xml.ts';

export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const PASSWORD_DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
export const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const USERNAME_CHARS_MAX = 64;
const PASSWORD_CHARS_MAX = 256;

export interface UsernameToken {
  readonly username: string;
  readonly password: string;
  readonly passwordType: 'digest' | 'text';
  /** Base64 as sent in wsse:Nonce. */
  readonly nonce: string | null;
  readonly created: string | null;
}

export type AuthReason =
  | 'unknown-user' | 'password-text-refused' | 'missing-nonce-or-created' | 'bad-nonce' | 'bad-created'
  | 'stale' | 'future' | 'replay' | 'digest-mismatch';

export type AuthResult = { readonly ok: true; readonly username: string } | { readonly ok: false; readonly reason: AuthReason };

export function passwordDigest(nonceBase64: string, created: string, password: string): string {
  return createHash('sha1').update(Buffer.concat([Buffer.from(nonceBase64, 'base64'), Buffer.from(created + password, 'utf8')])).digest('base64');
}

/** Remembers nonces for the skew window, bounded in entries; the oldest go first when full. */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly entriesMax = LIMITS.wsseNonceCacheEntriesMax) {}

  /** True the first time a key is offered within its lifetime, false for a replay. */
  offer(key: string, expiresAtMs: number, nowMs: number): boolean {
    this.evict(nowMs);
    const expiry = this.seen.get(key);
    if (expiry !== undefined && expiry > nowMs) return false;
    if (this.seen.size >= this.entriesMax) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(key, expiresAtMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(nowMs: number): void {
    // Entries arrive roughly in expiry order: sweep the expired ones at the front; one that expires
    // out of order is dropped when the sweep reaches it or when the cache is full.
    for (const [key, expiry] of this.seen) {
      if (expiry > nowMs) break;
      this.seen.delete(key);
    }
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// xsd:dateTime in UTC or with an offset; zeep and suds write +00:00, PHP and SOAP::Lite write Z.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function verifyUsernameToken(
  token: UsernameToken, passwordOf: (username: string) => string | undefined, nonces: NonceCache, nowMs: number,
): AuthResult {
  const password = passwordOf(token.username);
  if (password === undefined) return { ok: false, reason: 'unknown-user' };
  // A plain-text password on the wire is refused even over TLS: the digest costs a client nothing.
  if (token.passwordType !== 'digest') return { ok: false, reason: 'password-text-refused' };
  if (token.nonce === null || token.created === null) return { ok: false, reason: 'missing-nonce-or-created' };
  const nonceBytes = Buffer.from(token.nonce, 'base64');
  if (!BASE64.test(token.nonce) || nonceBytes.length < 8 || nonceBytes.length > LIMITS.wsseNonceBytesMax) return { ok: false, reason: 'bad-nonce' };
  const createdMs = DATE_TIME.test(token.created) ? Date.parse(token.created) : Number.NaN;
  if (Number.isNaN(createdMs)) return { ok: false, reason: 'bad-created' };
  if (createdMs < nowMs - LIMITS.wsseCreatedSkewMs) return { ok: false, reason: 'stale' };
  if (createdMs > nowMs + LIMITS.wsseCreatedSkewMs) return { ok: false, reason: 'future' };
  if (!sameDigest(passwordDigest(token.nonce, token.created, password), token.password)) return { ok: false, reason: 'digest-mismatch' };
  // Only a token that proved the password may use up a nonce, so a forger cannot burn real ones.
  const key = `${token.username}\u0000${nonceBytes.toString('base64')}`;
  if (!nonces.offer(key, createdMs + 2 * LIMITS.wsseCreatedSkewMs, nowMs)) return { ok: false, reason: 'replay' };
  return { ok: true, username: token.username };
}

// ── Reading the token ──────────────────────────────────────────────────────────────────────────

export type TokenReading = { readonly ok: true; readonly token: UsernameToken } | { readonly ok: false; readonly reason: string };

function single(parent: XmlElement, uri: string, local: string): XmlElement | undefined | null {
  const found = parent.children.filter((c) => c.uri === uri && c.local === local);
  return found.length > 1 ? null : found[0];
}

/** The UsernameToken of the Header's one wsse:Security element. */
export function readUsernameToken(header: XmlElement | undefined): TokenReading {
  if (header === undefined) return { ok: false, reason: 'no-header' };
  const security = single(header, WSSE_NS, 'Security');
  if (security === null) return { ok: false, reason: 'several-security-headers' };
  if (security === undefined) return { ok: false, reason: 'no-security-header' };
  const token = single(security, WSSE_NS, 'UsernameToken');
  if (!token) return { ok: false, reason: token === null ? 'several-tokens' : 'no-username-token' };
  const username = single(token, WSSE_NS, 'Username');
  const password = single(token, WSSE_NS, 'Password');
  const nonce = single(token, WSSE_NS, 'Nonce');
  const created = single(token, WSU_NS, 'Created');
  if (!username || !password || nonce === null || created === null) return { ok: false, reason: 'malformed-token' };
  const user = username.text.trim();
  if (user.length === 0 || user.length > USERNAME_CHARS_MAX || password.text.length > PASSWORD_CHARS_MAX) return { ok: false, reason: 'malformed-token' };
  const type = password.attrs.get('Type') ?? PASSWORD_TEXT;
  if (type !== PASSWORD_DIGEST && type !== PASSWORD_TEXT) return { ok: false, reason: 'unknown-password-type' };
  const encoding = nonce?.attrs.get('EncodingType');
  if (encoding !== undefined && encoding !== BASE64_BINARY) return { ok: false, reason: 'nonce-not-base64' };
  return {
    ok: true,
    token: {
      username: user, password: password.text.trim(), passwordType: type === PASSWORD_DIGEST ? 'digest' : 'text',
      nonce: nonce ? nonce.text.trim() : null, created: created ? created.text.trim() : null,
    },
  };
}

/** The one wsse:Security element of a Header: undefined when there is none, null when there are several. */
export function securityHeader(header: XmlElement | undefined): XmlElement | undefined | null {
  return header === undefined ? undefined : single(header, WSSE_NS, 'Security');
}
