import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server, type TlsOptions } from 'node:tls';
import { expect } from 'chai';
import {
  caPaths, initCa, issueChannelCertificate, issueServerCertificate, renewCrl, revokeCertificates,
} from '../../src/gateway/ca-store.ts';
import { GatewayTls, gatewayTlsFiles, peerChannel, type PeerVerdict } from '../../src/gateway/tls.ts';
import { isGridbillError } from '../../src/errors.ts';

const DAY_MS = 86_400_000;

interface ClientIdentity {
  readonly key: string;
  readonly cert: string;
}

type Outcome = { readonly verdict: PeerVerdict } | { readonly error: string };

// Node checks the client certificate once OpenSSL's handshake is done and destroys a socket whose
// certificate fails, before the server's connection handler runs: the client sees the connection
// reset (TLS 1.2) or closed with no answer (TLS 1.3, where its side of the handshake had ended);
// only a missing certificate gets OpenSSL's own alert. Why a certificate was refused is what
// peerChannel says (the lenient server below).
const refused = (outcome: Outcome): boolean => 'error' in outcome;

/** A TLS server on loopback that answers each connection with peerChannel's verdict. */
async function startServer(gatewayTls: GatewayTls, override: TlsOptions = {}): Promise<{ server: Server; port: number }> {
  const server = createServer({ ...gatewayTls.serverOptions(), ...override }, (socket) => {
    socket.end(JSON.stringify(gatewayTls.peerChannel(socket)));
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

function call(port: number, caPem: string, identity: ClientIdentity | null, extra: { maxVersion?: 'TLSv1.2' | 'TLSv1.3'; minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2'; ciphers?: string } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1', port, servername: 'localhost', ca: [caPem], ...(identity ?? {}), ...extra,
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { data += chunk; });
    let failure: string | undefined;
    socket.on('error', (error: NodeJS.ErrnoException) => { failure ??= error.code ?? error.message; });
    // In TLS 1.3 the client's handshake ends before the server has checked its certificate: the
    // refusal arrives as an alert afterwards, so the outcome is known only when the socket closes.
    socket.on('close', () => resolve(failure !== undefined ? { error: failure }
      : data === '' ? { error: 'closed without an answer' } : { verdict: JSON.parse(data) as PeerVerdict }));
  });
}

describe('gateway TLS (mutual TLS with the platform CA and its revocation list)', function () {
  this.timeout(60_000);
  let dir: string;
  let foreignDir: string;
  let caPem: string;
  const identity = (code: string, base = dir): ClientIdentity => ({
    key: readFileSync(caPaths(base).channelKey(code), 'utf8'), cert: readFileSync(caPaths(base).channelCert(code), 'utf8'),
  });
  let gatewayTls: GatewayTls;
  let server: Server;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-tls-'));
    foreignDir = mkdtempSync(join(tmpdir(), 'gridbill-tls-foreign-'));
    const now = new Date();
    initCa(dir, { now });
    issueServerCertificate(dir, { hosts: ['localhost', '127.0.0.1'], now });
    issueChannelCertificate(dir, { channel: 'icbc', now });
    issueChannelCertificate(dir, { channel: 'stolen-bank', now });
    revokeCertificates(dir, { channel: 'stolen-bank', reason: 'keyCompromise', now });
    issueChannelCertificate(dir, { channel: 'old-bank', now: new Date(now.getTime() - 30 * DAY_MS), days: 1 });
    initCa(foreignDir, { now });
    issueChannelCertificate(foreignDir, { channel: 'icbc', now });
    caPem = readFileSync(caPaths(dir).caCert, 'utf8');
    gatewayTls = GatewayTls.load(gatewayTlsFiles(dir));
    ({ server, port } = await startServer(gatewayTls));
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(foreignDir, { recursive: true, force: true });
  });

  it('names the channel of a valid client certificate, with its fingerprint, over TLS 1.3 and 1.2', async () => {
    const issued = JSON.parse(readFileSync(caPaths(dir).index, 'utf8')).certificates.find((c: { name: string }) => c.name === 'icbc');
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const outcome = await call(port, caPem, identity('icbc'), { maxVersion });
      expect(outcome, maxVersion).to.deep.equal({ verdict: { ok: true, channel: 'icbc', fingerprint256: issued.fingerprint256, serial: issued.serial } });
    }
  });

  it('refuses a revoked certificate in the handshake', async () => {
    expect(await call(port, caPem, identity('stolen-bank'))).to.satisfy(refused);
    expect(await call(port, caPem, identity('stolen-bank'), { maxVersion: 'TLSv1.2' })).to.satisfy(refused);
  });

  it('refuses a certificate from another CA, an expired one, and a connection without one', async () => {
    expect(await call(port, caPem, identity('icbc', foreignDir))).to.satisfy(refused);
    expect(await call(port, caPem, identity('old-bank'))).to.satisfy(refused);
    expect(await call(port, caPem, null)).to.satisfy(refused);
  });

  it('refuses the server certificate presented as a client certificate (no clientAuth)', async () => {
    const serverIdentity = { key: readFileSync(caPaths(dir).serverKey, 'utf8'), cert: readFileSync(caPaths(dir).serverCert, 'utf8') };
    expect(await call(port, caPem, serverIdentity)).to.satisfy(refused);
  });

  it('speaks no TLS below 1.2 and no cipher without forward secrecy', async () => {
    expect(await call(port, caPem, identity('icbc'), { maxVersion: 'TLSv1.2', minVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' }))
      .to.have.property('error').that.matches(/HANDSHAKE_FAILURE|NO_CIPHERS|NO_SHARED_CIPHER/);
    const legacy = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: [caPem], ...identity('icbc'), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      socket.on('secureConnect', () => resolve('connected'));
    });
    expect(legacy).to.not.equal('connected');
  });

  it('says why a certificate is refused when the handshake lets it through (peerChannel on its own)', async () => {
    const lenient = await startServer(gatewayTls, { rejectUnauthorized: false });
    try {
      const reasonOf = async (who: ClientIdentity | null) => {
        const outcome = await call(lenient.port, caPem, who);
        return 'verdict' in outcome && !outcome.verdict.ok ? outcome.verdict.reason : outcome;
      };
      expect(await reasonOf(identity('stolen-bank'))).to.equal('revoked');
      expect(await reasonOf(identity('old-bank'))).to.equal('expired');
      expect(await reasonOf(identity('icbc', foreignDir))).to.equal('untrusted');
      expect(await reasonOf(null)).to.equal('no-certificate');
      expect(await reasonOf({ key: readFileSync(caPaths(dir).serverKey, 'utf8'), cert: readFileSync(caPaths(dir).serverCert, 'utf8') }))
        .to.equal('not-a-channel-certificate');
    } finally {
      lenient.server.close();
    }
  });

  it('checks the revocation list again itself, for a session resumed past a revocation', async () => {
    const lenient = await startServer(gatewayTls, { rejectUnauthorized: false });
    const socket = connect({ host: '127.0.0.1', port: lenient.port, servername: 'localhost', ca: [caPem], ...identity('icbc') });
    await once(socket, 'secureConnect');
    const serverSide = new Promise<PeerVerdict>((resolve) => {
      lenient.server.once('secureConnection', (s) => resolve(peerChannel(s, { revokedSerials: new Set([peerSerial()]) })));
    });
    function peerSerial(): string {
      return socket.getCertificate() ? String((socket.getX509Certificate()?.serialNumber ?? '')).toLowerCase() : '';
    }
    const again = connect({ host: '127.0.0.1', port: lenient.port, servername: 'localhost', ca: [caPem], ...identity('icbc') });
    again.on('error', () => undefined);
    expect(await serverSide).to.deep.include({ ok: false, reason: 'revoked' });
    socket.destroy();
    again.destroy();
    lenient.server.close();
  });

  it('enforces a revocation made while running, after a reload, without dropping open connections', async () => {
    issueChannelCertificate(dir, { channel: 'cmb', now: new Date() });
    const open = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: [caPem], ...identity('cmb') });
    open.on('error', () => undefined);
    await once(open, 'secureConnect');
    revokeCertificates(dir, { channel: 'cmb', now: new Date() });
    const reloaded: number[] = [];
    expect(gatewayTls.reload(server, { onReload: (info) => reloaded.push(info.revokedCount) })).to.equal(true);
    expect(reloaded).to.deep.equal([2]);
    expect(await call(port, caPem, identity('cmb'))).to.satisfy(refused);
    expect(open.destroyed).to.equal(false);
    open.destroy();
    expect(await call(port, caPem, identity('icbc'))).to.have.property('verdict').that.deep.include({ ok: true, channel: 'icbc' });
  });

  it('reloads by itself when the revocation list file changes, and on SIGHUP', async () => {
    const reloads: number[] = [];
    let seen: () => void = () => undefined;
    const stop = gatewayTls.watch(server, { onReload: (info) => { reloads.push(info.revokedCount); seen(); } }, 20);
    try {
      const changed = new Promise<void>((resolve) => { seen = resolve; });
      issueChannelCertificate(dir, { channel: 'boc', now: new Date() });
      revokeCertificates(dir, { channel: 'boc', now: new Date() });
      await changed;
      expect(await call(port, caPem, identity('boc'))).to.satisfy(refused);
      const hangup = new Promise<void>((resolve) => { seen = resolve; });
      process.emit('SIGHUP', 'SIGHUP');
      await hangup;
      expect(reloads.at(-1)).to.equal(3);
    } finally {
      stop();
    }
  });

  it('keeps the files in force when a reload finds a broken one, and reports it', async () => {
    const files = gatewayTlsFiles(dir);
    const good = readFileSync(files.crl, 'utf8');
    writeFileSync(files.crl, good.replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A')).replace('-----BEGIN X509 CRL-----\n', '-----BEGIN X509 CRL-----\nAAAA'));
    const errors: string[] = [];
    try {
      expect(gatewayTls.reload(server, { onError: (error) => errors.push(error.code) })).to.equal(false);
      expect(errors).to.deep.equal(['TLS_CONFIG_INVALID']);
      expect(await call(port, caPem, identity('icbc'))).to.have.property('verdict').that.deep.include({ ok: true });
      expect(await call(port, caPem, identity('stolen-bank'))).to.satisfy(refused);
    } finally {
      writeFileSync(files.crl, good);
    }
  });

  describe('refuses to start with files that would not work (TLS_CONFIG_INVALID)', () => {
    const loadError = (files: ReturnType<typeof gatewayTlsFiles>, nowMs?: number): string => {
      try {
        GatewayTls.load(files, nowMs);
        return 'loaded';
      } catch (error) {
        return isGridbillError(error) ? `${error.code}: ${error.detail}` : String(error);
      }
    };

    it('a missing file, a key of another certificate, a server certificate or CRL of another CA', () => {
      const files = gatewayTlsFiles(dir);
      const foreign = gatewayTlsFiles(foreignDir);
      expect(loadError({ ...files, cert: join(dir, 'nope.pem') })).to.match(/^TLS_CONFIG_INVALID: the server certificate .* cannot be read/);
      expect(loadError({ ...files, key: caPaths(dir).channelKey('icbc') })).to.match(/^TLS_CONFIG_INVALID: the server key does not belong/);
      expect(loadError({ ...files, cert: caPaths(foreignDir).channelCert('icbc'), key: caPaths(foreignDir).channelKey('icbc') }))
        .to.match(/^TLS_CONFIG_INVALID: the server certificate is not issued by the CA/);
      expect(loadError({ ...files, crl: foreign.crl })).to.match(/^TLS_CONFIG_INVALID: the revocation list is not signed by the CA/);
      expect(loadError({ ...files, ca: files.cert })).to.match(/^TLS_CONFIG_INVALID: .* is not a CA certificate/);
    });

    it('a revocation list past its next update, until gridbill ca crl signs it again', () => {
      const files = gatewayTlsFiles(dir);
      expect(loadError(files, Date.now() + 400 * DAY_MS)).to.match(/^TLS_CONFIG_INVALID: the revocation list is out of date since/);
      renewCrl(dir, new Date());
      expect(loadError(files)).to.equal('loaded');
    });
  });
});
