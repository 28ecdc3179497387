// Who is calling: the WS-Security UsernameToken of the request's Security header (read and checked
// by src/contract/ws-security.ts, shared with the gateway) against the enabled channels'
// credentials, then the operation against the channel's list. Every failure is one AUTH_FAILED to
// the caller; the reason goes to the log only.

import { LIMITS } from '../limits.ts';
import type { ChannelCredential } from '../usecases/manage-channels.ts';
import { NonceCache, readUsernameToken, verifyUsernameToken, type AuthReason } from '../contract/ws-security.ts';
import type { XmlElement } from './soap-xml.ts';

/** How long the enabled channels' credentials are kept before they are read again. */
export const CREDENTIALS_TTL_MS = LIMITS.channelCredentialsTtlMs;

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
