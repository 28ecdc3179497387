// The gateway's TLS: its server certificate, the platform CA as the only trust anchor for
// channels' client certificates (mutual TLS), TLS 1.2 or later with forward-secret AEAD suites
// only, and the CA's revocation list enforced by OpenSSL during the handshake.
//
// The files are checked together before they are used (key matches certificate, certificate and
// CRL signed by the CA, CRL not out of date), so a mistake is TLS_CONFIG_INVALID at start rather
// than every channel silently refused. They are read again when one changes on disk (polled
// every tlsReloadPollMs) or on SIGHUP, and swapped in with setSecureContext: open connections
// are not dropped; new handshakes see the new CRL. A reload that fails keeps what was in force.

import { createPrivateKey, randomBytes, verify as verifySignature, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SecureContextOptions, Server as TlsServer, TlsOptions, TLSSocket } from 'node:tls';
import forge from 'node-forge';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { CA_ORGANISATION, CHANNEL_CODE, CHANNEL_UNIT, fingerprintOf } from './ca-store.ts';

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly crl: string;
}

/** The files `gridbill ca` writes for the gateway, inside the CA folder (GRIDBILL_CA_DIR). */
export function gatewayTlsFiles(caDir: string): TlsFiles {
  return {
    cert: join(caDir, 'server', 'server.cert.pem'),
    key: join(caDir, 'server', 'server.key.pem'),
    ca: join(caDir, 'ca.cert.pem'),
    crl: join(caDir, 'crl.pem'),
  };
}

// ECDHE key exchange and AEAD ciphers only (Mozilla "intermediate" minus DHE): forward secrecy,
// no CBC, no RSA key transport. The TLS 1.3 suites are named too, since naming any suite replaces
// Node's whole default list.
export const GATEWAY_CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

interface Material {
  readonly options: SecureContextOptions;
  readonly revokedSerials: ReadonlySet<string>;
  readonly crlNextUpdate: Date | null;
  readonly serverFingerprint256: string;
}

function invalid(detail: string, cause?: unknown): GridbillError {
  return new GridbillError('TLS_CONFIG_INVALID', detail, {
    hint: 'make them with gridbill ca init and gridbill ca issue --server --host H, and point GRIDBILL_CA_DIR at that folder', cause,
  });
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(`${what} ${path} cannot be read`, error);
  }
}

/** Serial numbers as compared here: lower-case hex without leading zeros. */
export function normalizeSerial(hex: string): string {
  return hex.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');
}

interface CrlContents {
  readonly revokedSerials: ReadonlySet<string>;
  readonly nextUpdate: Date | null;
}

/** Reads a PEM CRL, checking that the CA signed it with SHA-256 RSA; answers its revoked serials. */
export function readCrl(pem: string, ca: X509Certificate): CrlContents {
  const match = /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----/.exec(pem);
  if (!match) throw invalid('the revocation list is not a PEM X509 CRL');
  let list: forge.asn1.Asn1;
  try {
    // Options as an object (the typings know only the boolean form): BIT STRINGs kept as bytes.
    const fromDer = forge.asn1.fromDer as unknown as (bytes: string, options: object) => forge.asn1.Asn1;
    list = fromDer(Buffer.from(match[1]!, 'base64').toString('binary'), { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (error) {
    throw invalid('the revocation list is not DER', error);
  }
  const [tbs, algorithm, signature] = list.value as forge.asn1.Asn1[];
  const algorithmOid = ((algorithm?.value as forge.asn1.Asn1[] | undefined)?.[0]?.value ?? '') as string;
  if (!tbs || !signature || forge.asn1.derToOid(algorithmOid) !== SHA256_WITH_RSA) throw invalid('the revocation list is not signed with SHA-256 RSA');
  const signed = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  const signatureBytes = Buffer.from((signature.value as string).slice(1), 'binary'); // after the unused-bits octet
  if (!verifySignature('sha256', signed, ca.publicKey, signatureBytes)) throw invalid('the revocation list is not signed by the CA');
  const fields = (tbs.value as forge.asn1.Asn1[]).filter((f) => f.tagClass === forge.asn1.Class.UNIVERSAL);
  // version, signature, issuer, thisUpdate, then nextUpdate (a time) and revokedCertificates (a sequence), both optional
  const rest = fields.slice(4);
  const next = rest[0] && (rest[0].type === forge.asn1.Type.UTCTIME || rest[0].type === forge.asn1.Type.GENERALIZEDTIME) ? rest.shift() : undefined;
  const nextUpdate = next === undefined ? null
    : next.type === forge.asn1.Type.UTCTIME ? forge.asn1.utcTimeToDate(next.value as string) : forge.asn1.generalizedTimeToDate(next.value as string);
  const entries = (rest[0]?.value ?? []) as forge.asn1.Asn1[];
  const revokedSerials = new Set(entries.map((entry) => {
    const serial = (entry.value as forge.asn1.Asn1[])[0]?.value as string;
    return normalizeSerial(forge.util.bytesToHex(serial));
  }));
  return { revokedSerials, nextUpdate };
}

function loadMaterial(files: TlsFiles, nowMs: number): Material {
  const caPem = readText(files.ca, 'the CA certificate');
  const certPem = readText(files.cert, 'the server certificate');
  const keyPem = readText(files.key, 'the server key');
  const crlPem = readText(files.crl, 'the revocation list');
  let ca: X509Certificate;
  let cert: X509Certificate;
  try {
    ca = new X509Certificate(caPem);
    cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw invalid('the server key does not belong to the server certificate');
  } catch (error) {
    if (error instanceof GridbillError) throw error;
    throw invalid('a certificate or the key cannot be read', error);
  }
  if (!ca.ca) throw invalid(`${files.ca} is not a CA certificate`);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw invalid('the server certificate is not issued by the CA');
  const crl = readCrl(crlPem, ca);
  if (crl.nextUpdate !== null && crl.nextUpdate.getTime() <= nowMs) {
    throw invalid(`the revocation list is out of date since ${crl.nextUpdate.toISOString()}: run gridbill ca crl`);
  }
  return {
    options: {
      key: keyPem, cert: certPem, ca: [caPem], crl: crlPem,
      minVersion: 'TLSv1.2', ciphers: GATEWAY_CIPHERS, honorCipherOrder: true, ecdhCurve: 'X25519:P-256:P-384',
    },
    revokedSerials: crl.revokedSerials,
    crlNextUpdate: crl.nextUpdate,
    serverFingerprint256: fingerprintOf(cert),
  };
}

export type PeerRefusal =
  | 'no-certificate' | 'untrusted' | 'revoked' | 'expired' | 'not-a-channel-certificate' | 'revocation-list-unusable';

export type PeerVerdict =
  | { readonly ok: true; readonly channel: string; readonly fingerprint256: string; readonly serial: string }
  | { readonly ok: false; readonly reason: PeerRefusal; readonly detail: string };

// OpenSSL verify results (Node's authorizationError) by what they mean for a channel.
const REFUSALS: Readonly<Record<string, PeerRefusal>> = {
  CERT_REVOKED: 'revoked',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'expired',
  INVALID_PURPOSE: 'not-a-channel-certificate',
  UNABLE_TO_GET_CRL: 'revocation-list-unusable',
  CRL_HAS_EXPIRED: 'revocation-list-unusable',
  CRL_NOT_YET_VALID: 'revocation-list-unusable',
  UNABLE_TO_DECRYPT_CRL_SIGNATURE: 'revocation-list-unusable',
  CRL_SIGNATURE_FAILURE: 'revocation-list-unusable',
};

function refuse(reason: PeerRefusal, detail: string): PeerVerdict {
  return { ok: false, reason, detail };
}

/** Subject fields of a Node X509Certificate, one `NAME=value` per line; every name with its values. */
function subjectFields(subject: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const line of subject.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields.set(line.slice(0, at), [...(fields.get(line.slice(0, at)) ?? []), line.slice(at + 1)]);
  }
  return fields;
}

export interface PeerCheck {
  /** Serials revoked by the CRL in force: checked again here because a resumed session skips the handshake's check. */
  readonly revokedSerials?: ReadonlySet<string>;
  readonly nowMs?: number;
}

/**
 * The channel a TLS connection belongs to, from a client certificate the handshake verified
 * (issued by the platform CA, not revoked, in date, clientAuth, OU=channel, one CN that is a
 * channel code), with its SHA-256 fingerprint; or why the connection is refused.
 */
export function peerChannel(socket: TLSSocket, check: PeerCheck = {}): PeerVerdict {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return refuse('no-certificate', 'no client certificate');
  if (!socket.authorized) {
    const code = String(socket.authorizationError ?? 'UNKNOWN');
    return refuse(REFUSALS[code] ?? 'untrusted', code);
  }
  const serial = normalizeSerial(cert.serialNumber);
  if (check.revokedSerials?.has(serial)) return refuse('revoked', `serial ${serial}`);
  const nowMs = check.nowMs ?? Date.now();
  if (Date.parse(cert.validTo) <= nowMs || Date.parse(cert.validFrom) > nowMs) return refuse('expired', `valid ${cert.validFrom} to ${cert.validTo}`);
  if (cert.ca || !(cert.keyUsage ?? []).includes(CLIENT_AUTH)) return refuse('not-a-channel-certificate', 'not a clientAuth end-entity certificate');
  const fields = subjectFields(cert.subject);
  const [cn, ...moreCn] = fields.get('CN') ?? [];
  const units = fields.get('OU') ?? [];
  const organisations = fields.get('O') ?? [];
  if (cn === undefined || moreCn.length > 0 || !CHANNEL_CODE.test(cn)
    || units.length !== 1 || units[0] !== CHANNEL_UNIT || organisations.length !== 1 || organisations[0] !== CA_ORGANISATION) {
    return refuse('not-a-channel-certificate', 'the subject is not O=gridbill, OU=channel, CN=<channel code>');
  }
  return { ok: true, channel: cn, fingerprint256: fingerprintOf(cert), serial };
}

export interface ReloadEvents {
  onReload?(info: { readonly crlNextUpdate: Date | null; readonly revokedCount: number }): void;
  onError?(error: GridbillError): void;
}

/** The gateway's TLS material in force, and the means to swap it on a running server. */
export class GatewayTls {
  private material: Material;
  private signature: string;

  private constructor(readonly files: TlsFiles, material: Material) {
    this.material = material;
    this.signature = fileSignature(files);
  }

  /** Reads and checks the files; TLS_CONFIG_INVALID names what is wrong. */
  static load(files: TlsFiles, nowMs = Date.now()): GatewayTls {
    return new GatewayTls(files, loadMaterial(files, nowMs));
  }

  /** Options for https.createServer / tls.createServer: channels must present a certificate. */
  serverOptions(): TlsOptions {
    return { ...this.material.options, requestCert: true, rejectUnauthorized: true };
  }

  get crlNextUpdate(): Date | null {
    return this.material.crlNextUpdate;
  }

  get serverFingerprint256(): string {
    return this.material.serverFingerprint256;
  }

  peerChannel(socket: TLSSocket, nowMs = Date.now()): PeerVerdict {
    return peerChannel(socket, { revokedSerials: this.material.revokedSerials, nowMs });
  }

  /**
   * Reads the files again and, when they are good, puts them in force on `server`. Session
   * tickets issued before are made useless, so no client resumes past a new revocation.
   */
  reload(server: TlsServer, events: ReloadEvents = {}): boolean {
    this.signature = fileSignature(this.files);
    let next: Material;
    try {
      next = loadMaterial(this.files, Date.now());
    } catch (error) {
      events.onError?.(error instanceof GridbillError ? error : invalid('reload failed', error));
      return false;
    }
    server.setSecureContext({ ...next.options });
    server.setTicketKeys(randomBytes(48));
    this.material = next;
    events.onReload?.({ crlNextUpdate: next.crlNextUpdate, revokedCount: next.revokedSerials.size });
    return true;
  }

  /** Reloads when a file changes (polled) or on SIGHUP, until the returned function is called. */
  watch(server: TlsServer, events: ReloadEvents = {}, pollMs = LIMITS.tlsReloadPollMs): () => void {
    const poll = setInterval(() => {
      if (fileSignature(this.files) !== this.signature) this.reload(server, events);
    }, pollMs);
    poll.unref();
    const onHangup = (): void => {
      this.reload(server, events);
    };
    process.on('SIGHUP', onHangup);
    return () => {
      clearInterval(poll);
      process.off('SIGHUP', onHangup);
    };
  }
}

/** Size, time and inode of each file: `gridbill ca` replaces files by rename, which changes the inode. */
function fileSignature(files: TlsFiles): string {
  return [files.cert, files.key, files.ca, files.crl].map((path) => {
    try {
      const s = statSync(path);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }).join('|');
}
