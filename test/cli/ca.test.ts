import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext as createTlsContext } from 'node:tls';
import { expect } from 'chai';
import { caPaths } from '../../src/gateway/ca-store.ts';
import { readCrl } from '../../src/gateway/tls.ts';
import { runCli } from '../support/cli.ts';

describe('gridbill ca', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  const paths = () => caPaths(join(dir, 'ca'));
  const mode = (path: string): number => statSync(path).mode & 0o777;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-ca-cli-'));
    env = { GRIDBILL_CA_DIR: join(dir, 'ca') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a CA once, with its key 0600 and never printed', async () => {
    const init = await runCli(['ca', 'init'], env);
    expect(init.code, init.stderr).to.equal(0);
    expect(init.stdout).to.include('certificate authority created in').and.include('sha256 ');
    expect(init.stdout + init.stderr).to.not.include('PRIVATE KEY');
    expect(mode(paths().caKey)).to.equal(0o600);
    const ca = new X509Certificate(readFileSync(paths().caCert));
    expect(ca.ca).to.equal(true);
    expect(ca.subject).to.include('CN=gridbill platform CA');
    expect(ca.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(3072);
    expect(readCrl(readFileSync(paths().crl, 'utf8'), ca).revokedSerials.size).to.equal(0);
    const again = await runCli(['ca', 'init'], env);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/^gridbill: CA_EXISTS: /);
  });

  it('issues a channel certificate with its key, and a PKCS#12 bundle on request', async () => {
    await runCli(['ca', 'init'], env);
    const issue = await runCli(['ca', 'issue', '--channel', 'icbc', '--days', '30', '--p12-password', 'bundle-secret-1'], env);
    expect(issue.code, issue.stderr).to.equal(0);
    expect(issue.stdout).to.include('issued channel certificate for icbc').and.include('client.p12');
    expect(issue.stdout).to.not.include('PRIVATE KEY').and.not.include('bundle-secret-1');
    const cert = new X509Certificate(readFileSync(paths().channelCert('icbc')));
    expect(cert.subject.split('\n')).to.deep.equal(['O=gridbill', 'OU=channel', 'CN=icbc']);
    expect(cert.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.2']);
    expect(cert.ca).to.equal(false);
    expect(cert.checkIssued(new X509Certificate(readFileSync(paths().caCert)))).to.equal(true);
    expect(Date.parse(cert.validTo) - Date.now()).to.be.within(29 * 86_400_000, 31 * 86_400_000);
    expect(mode(paths().channelKey('icbc'))).to.equal(0o600);
    expect(mode(paths().channelBundle('icbc'))).to.equal(0o600);
    // The bundle opens with its password in OpenSSL (through node:tls), and not without it.
    const pfx = readFileSync(paths().channelBundle('icbc'));
    expect(() => createTlsContext({ pfx, passphrase: 'bundle-secret-1' })).to.not.throw();
    expect(() => createTlsContext({ pfx, passphrase: 'wrong-password' })).to.throw();
    expect(existsSync(paths().channelBundle('icbc'))).to.equal(true);
    const noBundle = await runCli(['ca', 'issue', '--channel', 'cmb'], env);
    expect(noBundle.stdout).to.not.include('client.p12');
    expect(existsSync(paths().channelBundle('cmb'))).to.equal(false);
  });

  it('issues the gateway server certificate for host names and addresses', async () => {
    await runCli(['ca', 'init'], env);
    const issue = await runCli(['ca', 'issue', '--server', '--host', 'gateway.example.com,127.0.0.1', '--host', 'localhost'], env);
    expect(issue.code, issue.stderr).to.equal(0);
    const cert = new X509Certificate(readFileSync(paths().serverCert));
    expect(cert.subjectAltName).to.equal('DNS:gateway.example.com, IP Address:127.0.0.1, DNS:localhost');
    expect(cert.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.1']);
    expect(cert.checkHost('gateway.example.com')).to.equal('gateway.example.com');
    expect(mode(paths().serverKey)).to.equal(0o600);
  });

  it('revokes by channel or serial into a CRL signed by the CA, and lists what it issued', async () => {
    await runCli(['ca', 'init'], env);
    await runCli(['ca', 'issue', '--channel', 'icbc'], env);
    await runCli(['ca', 'issue', '--channel', 'icbc'], env);
    await runCli(['ca', 'issue', '--channel', 'cmb'], env);
    const index = JSON.parse(readFileSync(paths().index, 'utf8')) as { certificates: { serial: string; name: string; fingerprint256: string }[] };
    const [first, second, cmb] = index.certificates;
    const byChannel = await runCli(['ca', 'revoke', '--channel', 'icbc', '--reason', 'keyCompromise'], env);
    expect(byChannel.code, byChannel.stderr).to.equal(0);
    expect(byChannel.stdout.split('\n').filter((l) => l.startsWith('revoked'))).to.deep.equal([
      `revoked ${first!.serial}\tchannel\ticbc`, `revoked ${second!.serial}\tchannel\ticbc`,
    ]);
    expect((await runCli(['ca', 'revoke', '--channel', 'icbc'], env)).stdout).to.include('already revoked');
    const bySerial = await runCli(['ca', 'revoke', '--serial', cmb!.serial.toUpperCase().replace(/(..)(?!$)/g, '$1:')], env);
    expect(bySerial.stdout).to.include(`revoked ${cmb!.serial}`);
    const ca = new X509Certificate(readFileSync(paths().caCert));
    expect([...readCrl(readFileSync(paths().crl, 'utf8'), ca).revokedSerials]).to.have.members([first!.serial, second!.serial, cmb!.serial]);
    const openssl = spawnSync('openssl', ['crl', '-in', paths().crl, '-CAfile', paths().caCert, '-noout', '-text'], { encoding: 'utf8' });
    if (openssl.status !== null && openssl.error === undefined) {
      expect(openssl.stderr).to.include('verify OK');
      expect(openssl.stdout).to.include('Key Compromise').and.include('X509v3 CRL Number');
    }
    const list = await runCli(['ca', 'list'], env);
    const lines = list.stdout.split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(new RegExp(`^${first!.serial}\tchannel\ticbc\tuntil \\S+\trevoked \\S+ \\(keyCompromise\\)\tsha256 ${first!.fingerprint256}$`));
    expect(lines[2]).to.match(/\tcmb\t.*\trevoked \S+\t/);
    const renewed = await runCli(['ca', 'crl'], env);
    expect(renewed.stdout).to.match(/^revocation list signed again, valid until /);
    expect(readCrl(readFileSync(paths().crl, 'utf8'), ca).revokedSerials.size).to.equal(3);
  });

  it('names what is wrong: no CA, unknown certificates, a busy CA, bad options', async () => {
    const none = await runCli(['ca', 'issue', '--channel', 'icbc'], env);
    expect([none.code, none.stderr]).to.deep.equal([1, `gridbill: CA_NOT_FOUND: No certificate authority in this folder: ${join(dir, 'ca')} — fix: run gridbill ca init (or give --dir)`]);
    expect((await runCli(['ca', 'list', '--dir', join(dir, 'elsewhere')], env)).stderr).to.match(/^gridbill: CA_NOT_FOUND: .*elsewhere/);
    await runCli(['ca', 'init'], env);
    const unknown = await runCli(['ca', 'revoke', '--serial', '0abc'], env);
    expect([unknown.code, unknown.stderr]).to.deep.equal([1, 'gridbill: CERTIFICATE_NOT_FOUND: No certificate of this certificate authority matches: serial 0abc — fix: see gridbill ca list']);
    expect((await runCli(['ca', 'revoke', '--channel', 'nobody'], env)).stderr).to.match(/^gridbill: CERTIFICATE_NOT_FOUND: /);
    writeFileSync(paths().lock, '');
    const busy = await runCli(['ca', 'issue', '--channel', 'icbc'], env);
    expect([busy.code, busy.stderr.split(':')[1]]).to.deep.equal([1, ' CA_BUSY']);
    rmSync(paths().lock);
    for (const args of [
      ['ca', 'issue', '--channel', 'ICBC'], ['ca', 'issue', '--channel', 'icbc', '--days', '0'], ['ca', 'issue', '--channel', 'icbc', '--days', '826'],
      ['ca', 'issue', '--server'], ['ca', 'issue', '--server', '--host', 'bad_host!'], ['ca', 'issue'], ['ca', 'issue', '--channel', 'icbc', '--server', '--host', 'h'],
      ['ca', 'issue', '--channel', 'icbc', '--p12-password', 'short'], ['ca', 'revoke'], ['ca', 'revoke', '--channel', 'a', '--serial', '1'],
      ['ca', 'revoke', '--channel', 'icbc', '--reason', 'boredom'], ['ca', 'frob'],
    ]) {
      const result = await runCli(args, env);
      expect([result.code, result.stderr.split(':')[1]], args.join(' ')).to.deep.equal([2, ' CLI_USAGE']);
    }
    expect(existsSync(paths().channelCert('icbc'))).to.equal(false);
  });
});
