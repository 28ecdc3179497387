import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { NonceCache, passwordDigest, verifyUsernameToken, type UsernameToken } from '../../src/contract/ws-security.ts';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const passwords = (u: string) => (u === 'icbc-zj' ? 'S3cret-pass' : undefined);

function token(overrides: Partial<UsernameToken> = {}, password = 'S3cret-pass'): UsernameToken {
  const nonce = overrides.nonce ?? randomBytes(16).toString('base64');
  const created = overrides.created ?? '2026-11-27T09:59:30Z';
  return { username: 'icbc-zj', passwordType: 'digest', nonce, created, password: passwordDigest(nonce!, created!, password), ...overrides };
}

describe('WS-Security UsernameToken', () => {
  it('computes the PasswordDigest of the profile: Base64(SHA-1(nonce bytes + created + password))', () => {
    // Checked against OpenSSL's SHA-1 of the same bytes; the interop suite checks it against zeep,
    // suds, PHP and SOAP::Lite, which compute it on their side.
    const nonce = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const input = Buffer.concat([nonce, Buffer.from('2026-11-27T09:59:30Z' + 'S3cret-pass', 'utf8')]);
    const openssl = spawnSync('openssl', ['dgst', '-sha1', '-binary'], { input });
    if (openssl.status !== 0) throw new Error('openssl is needed for this check (Debian package openssl)');
    expect(passwordDigest(nonce.toString('base64'), '2026-11-27T09:59:30Z', 'S3cret-pass')).to.equal(openssl.stdout.toString('base64'));
  });

  it('accepts a fresh digest token, with Created in Z or +00:00 form', () => {
    const nonces = new NonceCache();
    expect(verifyUsernameToken(token(), passwords, nonces, NOW)).to.deep.equal({ ok: true, username: 'icbc-zj' });
    expect(verifyUsernameToken(token({ created: '2026-11-27T09:59:30.123+00:00' }), passwords, nonces, NOW).ok).to.equal(true);
  });

  it('refuses a replayed nonce, but not the same nonce from another channel', () => {
    const nonces = new NonceCache();
    const first = token();
    expect(verifyUsernameToken(first, passwords, nonces, NOW).ok).to.equal(true);
    expect(verifyUsernameToken(first, passwords, nonces, NOW + 1_000)).to.deep.equal({ ok: false, reason: 'replay' });
    const other = (u: string) => (u === 'alipay' ? 'x-pass-123' : undefined);
    const again = { ...token({ nonce: first.nonce }, 'x-pass-123'), username: 'alipay' };
    expect(verifyUsernameToken(again, other, nonces, NOW).ok).to.equal(true);
  });

  it('refuses tokens outside the five-minute window either side', () => {
    const nonces = new NonceCache();
    expect(verifyUsernameToken(token({ created: '2026-11-27T09:54:59Z' }), passwords, nonces, NOW).ok).to.equal(false);
    expect(verifyUsernameToken(token({ created: '2026-11-27T09:55:00Z' }), passwords, nonces, NOW).ok).to.equal(true);
    expect(verifyUsernameToken(token({ created: '2026-11-27T10:05:00Z' }), passwords, nonces, NOW).ok).to.equal(true);
    expect(verifyUsernameToken(token({ created: '2026-11-27T10:05:01Z' }), passwords, nonces, NOW)).to.deep.equal({ ok: false, reason: 'future' });
  });

  it('refuses a wrong password, an unknown user, plain text, and malformed fields, without using up the nonce', () => {
    const nonces = new NonceCache();
    const wrong = token({}, 'guess');
    expect(verifyUsernameToken(wrong, passwords, nonces, NOW)).to.deep.equal({ ok: false, reason: 'digest-mismatch' });
    expect(nonces.size).to.equal(0);
    expect(verifyUsernameToken({ ...token(), username: 'nobody' }, passwords, nonces, NOW).ok).to.equal(false);
    expect(verifyUsernameToken({ ...token(), passwordType: 'text', password: 'S3cret-pass' }, passwords, nonces, NOW))
      .to.deep.equal({ ok: false, reason: 'password-text-refused' });
    expect(verifyUsernameToken(token({ nonce: null }), passwords, nonces, NOW).ok).to.equal(false);
    expect(verifyUsernameToken(token({ nonce: 'not base64!' }), passwords, nonces, NOW)).to.deep.equal({ ok: false, reason: 'bad-nonce' });
    expect(verifyUsernameToken(token({ nonce: randomBytes(200).toString('base64') }), passwords, nonces, NOW).ok).to.equal(false);
    expect(verifyUsernameToken(token({ created: '27/11/2026 10:00' }), passwords, nonces, NOW)).to.deep.equal({ ok: false, reason: 'bad-created' });
  });

  it('keeps the nonce cache bounded', () => {
    const nonces = new NonceCache(100);
    for (let i = 0; i < 1_000; i += 1) expect(nonces.offer(`k${i}`, NOW + 600_000, NOW)).to.equal(true);
    expect(nonces.size).to.equal(100);
    expect(nonces.offer('k999', NOW + 600_000, NOW)).to.equal(false);
  });
});
