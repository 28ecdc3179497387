// Stages 5 and 6: who is calling, and may it call this.
//
// authenticate — the channel proves itself with its WS-Security UsernameToken (PasswordDigest over
// nonce + created + password, checked with the secret from the policy; nonce replay and clock skew
// checked by src/contract/ws-security.ts, the same code the core runs). When the connection is TLS
// with a client certificate, the certificate must be pinned to the same channel (and, under mutual
// TLS, name it: tls.ts's peerChannel reads the connection); a channel the policy marks
// `requireClientCertificate` is refused without one. An X.509 signature in the Security header is
// checked by the `verifySignature` hook (`verifyX509`, over x509-signature.ts); without a hook a
// signed request is refused rather than passed on unchecked, and a channel marked
// `requireSignature` is refused unsigned. A verified signature is also a replay token: the
// UsernameToken beside it is not signed, so only the signature value ties the signed Body to
// one use, and it goes into the same replay cache as the nonces.
//
// authorise — the operation must belong to a service of the channel's zone and be in the channel's list.
//
// Every authentication failure is AUTH_FAILED to the caller; the reason goes to the audit log only.

import { readUsernameToken, securityHeader, verifyUsernameToken, type NonceCache } from '../contract/ws-security.ts';
import type { XmlElement } from '../contract/xml.ts';
import { LIMITS } from '../limits.ts';
import type { Exchange } from './exchange.ts';
import type { ChannelPolicy, GatewayPolicy } from './policy.ts';
import { PASS, deny, type Verdict } from './verdict.ts';
import { verifyX509Signature } from './x509-signature.ts';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** What the X.509 signature check is given: the parsed message, its bytes, and the channel it claims to be. */
export interface SignatureInput {
  readonly envelope: XmlElement;
  readonly security: XmlElement;
  /** The envelope's bytes as received (expanded): canonicalisation needs prefixes the tree does not keep. */
  readonly body: Buffer;
  readonly channel: ChannelPolicy;
  readonly nowMs: number;
}

export type SignatureCheck =
  | {
    readonly ok: true;
    /** Names this signature (x509-signature.ts: a hash of its value); refused when seen again within its lifetime. */
    readonly replayKey?: string;
    readonly createdMs?: number;
  }
  | { readonly ok: false; readonly reason: string };

/**
 * Verifies the signature of a Security header against the channel's pinned certificates: it must
 * cover exactly the Body and the Timestamp being processed (no wrapping), SHA-256 or stronger, no
 * transforms beyond exclusive canonicalisation. Filled in by src/gateway/x509-signature.ts.
 */
export type VerifySignature = (input: SignatureInput) => SignatureCheck;

/** The gateway's signature hook: x509-signature.ts against the channel's pins, with its replay key. */
export const verifyX509: VerifySignature = (input) => {
  const verdict = verifyX509Signature(input.body, { pins: input.channel.certificateFingerprints, nowMs: input.nowMs });
  return verdict.ok ? { ok: true, replayKey: verdict.replayKey, createdMs: verdict.createdMs } : { ok: false, reason: verdict.reason };
};

export interface AuthenticateOptions {
  readonly policy: GatewayPolicy;
  readonly nonces: NonceCache;
  readonly nowMs: number;
  readonly verifySignature?: VerifySignature;
}

function authFailed(reason: string): Verdict {
  return deny('authenticate', 'AUTH_FAILED', reason);
}

function checkCertificate(x: Exchange, channel: ChannelPolicy, policy: GatewayPolicy): Verdict {
  const certificate = x.request.peerCertificate;
  if (certificate === undefined) return channel.requireClientCertificate ? authFailed('client-certificate-required') : PASS;
  if (!certificate.authorized) return authFailed(`client-certificate-${certificate.refusal ?? 'not-authorized'}`);
  const owner = policy.byFingerprint.get(certificate.fingerprint256.toUpperCase());
  if (owner !== channel.code) return authFailed('client-certificate-other-channel');
  // The CA names the channel in the certificate too: a pin copied to the wrong channel is not enough.
  if (certificate.channel !== undefined && certificate.channel !== channel.code) return authFailed('client-certificate-names-other-channel');
  return PASS;
}

function checkSignature(x: Exchange, security: XmlElement, channel: ChannelPolicy, options: AuthenticateOptions): Verdict {
  const signatures = security.children.filter((c) => c.uri === DSIG_NS && c.local === 'Signature');
  if (signatures.length === 0) return channel.requireSignature ? authFailed('signature-required') : PASS;
  if (signatures.length > 1) return authFailed('several-signatures');
  if (options.verifySignature === undefined) return authFailed('signature-not-verifiable');
  const checked = options.verifySignature({ envelope: x.root!, security, body: x.body!, channel, nowMs: options.nowMs });
  if (!checked.ok) return authFailed(`signature-${checked.reason}`.slice(0, 64));
  if (checked.replayKey === undefined) return PASS;
  // Accepted while Created is within the skew of our clock, so remembered a little longer than that.
  const expiresMs = (checked.createdMs ?? options.nowMs) + 2 * LIMITS.wsseCreatedSkewMs;
  return options.nonces.offer(`signature\u0000${channel.code}\u0000${checked.replayKey}`, expiresMs, options.nowMs)
    ? PASS : authFailed('signature-replay');
}

export function authenticateStage(x: Exchange, options: AuthenticateOptions): Verdict {
  const reading = readUsernameToken(x.header);
  if (!reading.ok) return authFailed(reading.reason);
  const channel = options.policy.channels.get(reading.token.username);
  const result = verifyUsernameToken(reading.token, () => channel?.secret, options.nonces, options.nowMs);
  if (!result.ok || channel === undefined) return authFailed(result.ok ? 'unknown-user' : result.reason);
  x.token = reading.token;
  x.channel = channel;
  const certificate = checkCertificate(x, channel, options.policy);
  if (!certificate.ok) return certificate;
  return checkSignature(x, securityHeader(x.header)!, channel, options);
}

export function authoriseStage(x: Exchange, policy: GatewayPolicy): Verdict {
  const channel = x.channel!;
  const zone = policy.zones.get(channel.zone);
  if (zone === undefined || !zone.has(x.request.service)) return deny('authorise', 'OPERATION_NOT_ALLOWED', 'service-not-in-zone');
  if (!channel.operations.has(x.operation!.name)) return deny('authorise', 'OPERATION_NOT_ALLOWED', 'operation-not-listed');
  return PASS;
}
