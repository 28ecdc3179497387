// Who is calling: the WS-Security UsernameToken of the request's Security header, checked with
// verifyUsernameToken against the enabled channels' credentials, then the operation against the
// channel's list. Every failure is one AUTH_FAILED to the caller; the reason goes to the log only.
//
// Accepted forms (../shared/interop/README.md, "Known client behaviours"): Security with
// soap:mustUnderstand="1" or suds' unprefixed mustUnderstand="true" or none (zeep); its children
// in any order (zeep puts Signature, BinarySecurityToken, UsernameToken, Timestamp); Created in the
// `Z` and the `+00:00` form (verifyUsernameToken accepts both). Only the WSS 1.0 namespaces count:
// a Security or UsernameToken element in another namespace is not a token.

import { LIMITS } from '../limits.ts';
import type { ChannelCredential } from '../usecases/manage-channels.ts';
import { NS, childElements, type XmlElement } from './soap-xml.ts';
import { NonceCache, verifyUsernameToken, type AuthReason, type UsernameToken } from './ws-security.ts';

/** How long the enabled channels' credentials are kept before they are read again. */
export const CREDENTIALS_TTL_MS = LIMITS.channelCredentialsTtlMs;

const PASSWORD_DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const USERNAME_CHARS_MAX = 64;
const PASSWORD_CHARS_MAX = 256;

export type TokenReading = { readonly ok: true; readonly token: UsernameToken } | { readonly ok: false; readonly reason: string };

function single(parent: XmlElement, uri: string, local: string): XmlElement | undefined | null {
  const found = childElements(parent, uri, local);
  return found.length > 1 ? null : found[0];
}

/** The UsernameToken of the Header's one wsse:Security element. */
export function readUsernameToken(header: XmlElement | undefined): TokenReading {
  if (header === undefined) return { ok: false, reason: 'no-header' };
  const security = single(header, NS.wsse, 'Security');
  if (security === null) return { ok: false, reason: 'several-security-headers' };
  if (security === undefined) return { ok: false, reason: 'no-security-header' };
  const token = single(security, NS.wsse, 'UsernameToken');
  if (!token) return { ok: false, reason: token === null ? 'several-tokens' : 'no-username-token' };
  const username = single(token, NS.wsse, 'Username');
  const password = single(token, NS.wsse, 'Password');
  const nonce = single(token, NS.wsse, 'Nonce');
  const created = single(token, NS.wsu, 'Created');
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

/** The enabled channels' credentials, read again when older than the TTL (one read at a time). */
export class CredentialCache {
  private value: ReadonlyMap<string, ChannelCredential> | undefined;
  private loadedAtMs = 0;
  private pending: Promise<ReadonlyMap<string, ChannelCredential>> | undefined;

  constructor(
    private readonly load: () => Promise<ReadonlyMap<string, ChannelCredential>>,
    private readonly ttlMs = CREDENTIALS_TTL_MS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async get(): Promise<ReadonlyMap<string, ChannelCredential>> {
    if (this.value !== undefined && this.nowMs() - this.loadedAtMs < this.ttlMs) return this.value;
    this.pending ??= this.load().then((value) => {
      this.value = value;
      this.loadedAtMs = this.nowMs();
      return value;
    }).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget the credentials: the next request reads them again. */
  invalidate(): void {
    this.value = undefined;
  }
}

export type AuthOutcome =
  | { readonly ok: true; readonly channel: string }
  | { readonly ok: false; readonly code: 'AUTH_FAILED' | 'OPERATION_NOT_ALLOWED'; readonly reason: AuthReason | string; readonly channel?: string };

export class ChannelAuthenticator {
  readonly nonces: NonceCache;

  constructor(readonly credentials: CredentialCache, nonces?: NonceCache) {
    this.nonces = nonces ?? new NonceCache(LIMITS.wsseNonceCacheEntriesMax);
  }

  async authenticate(header: XmlElement | undefined, operation: string, nowMs: number): Promise<AuthOutcome> {
    const reading = readUsernameToken(header);
    if (!reading.ok) return { ok: false, code: 'AUTH_FAILED', reason: reading.reason };
    const credentials = await this.credentials.get();
    const result = verifyUsernameToken(reading.token, (user) => credentials.get(user)?.password, this.nonces, nowMs);
    if (!result.ok) return { ok: false, code: 'AUTH_FAILED', reason: result.reason, channel: reading.token.username };
    if (!credentials.get(result.username)!.operations.has(operation)) {
      return { ok: false, code: 'OPERATION_NOT_ALLOWED', reason: 'operation-not-listed', channel: result.username };
    }
    return { ok: true, channel: result.username };
  }
}
