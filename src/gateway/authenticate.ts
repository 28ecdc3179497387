// Stages 5 and 6: who is calling, and may it call this.
//
// authenticate — the channel proves itself with its WS-Security UsernameToken (PasswordDigest over
// nonce + created + password, checked with the secret from the policy; nonce replay and clock skew
// checked by src/contract/ws-security.ts, the same code the core runs). When the connection is TLS
// with a client certificate, the certificate must be pinned to the same channel; a channel the
// policy marks `requireClientCertificate` is refused without one. An X.509 signature in the
// Security header is checked by the `verifySignature` hook (mutual TLS and XML signatures are
// src/gateway/tls.ts and x509-signature.ts); without a hook a signed request is refused rather
// than passed on unchecked, and a channel marked `requireSignature` is refused unsigned.
//
// authorise — the operation must belong to a service of the channel's zone and be in the channel's list.
//
// Every authentication failure is AUTH_FAILED to the caller; the reason goes to the audit log only.

import { readUsernameToken, securityHeader, verifyUsernameToken, type NonceCache } from '../contract/ws-security.ts';
import type { XmlElement } from '../contract/xml.ts';
import type { Exchange } from './exchange.ts';
import type { ChannelPolicy, GatewayPolicy } from './policy.ts';
import { PASS, deny, type Verdict } from './verdict.ts';

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

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Verifies the signature of a Security header against the channel's pinned certificates: it must
 * cover exactly the Body and the Timestamp being processed (no wrapping), SHA-256 or stronger, no
 * transforms beyond exclusive canonicalisation. Filled in by src/gateway/x509-signature.ts.
 */
export type VerifySignature = (input: SignatureInput) => SignatureCheck;

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
  if (!certificate.authorized) return authFailed('client-certificate-not-authorized');
  const owner = policy.byFingerprint.get(certificate.fingerprint256.toUpperCase());
  if (owner !== channel.code) return authFailed('client-certificate-other-channel');
  return PASS;
}

function checkSignature(x: Exchange, security: XmlElement, channel: ChannelPolicy, options: AuthenticateOptions): Verdict {
  const signatures = security.children.filter((c) => c.uri === DSIG_NS && c.local === 'Signature');
  if (signatures.length === 0) return channel.requireSignature ? authFailed('signature-required') : PASS;
  if (signatures.length > 1) return authFailed('several-signatures');
  if (options.verifySignature === undefined) return authFailed('signature-not-verifiable');
  const checked = options.verifySignature({ envelope: x.root!, security, body: x.body!, channel, nowMs: options.nowMs });
  return checked.ok ? PASS : authFailed(`signature-${checked.reason}`.slice(0, 64));
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
