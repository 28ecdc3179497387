import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadMasterKey, secretBox } from '../../src/ops/secret-box.ts';

describe('secrets at rest', () => {
  it('seal differently each time and open to the same text', () => {
    const box = secretBox(randomBytes(32));
    const a = box.seal('S3cret-pass-中文');
    expect(a).to.not.equal(box.seal('S3cret-pass-中文'));
    expect(a).to.not.include('S3cret');
    expect(box.open(a)).to.equal('S3cret-pass-中文');
  });

  it('detect a tampered secret', () => {
    const box = secretBox(randomBytes(32));
    const [v, iv, tag, body] = box.seal('abc').split(':');
    const flipped = Buffer.from(body!, 'base64');
    flipped[0]! ^= 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64')].join(':'))).to.throw(/cannot be opened/);
  });

  it('create a key file with mode 0600 once, then reuse it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gridbill-key-')), 'sub', 'secret.key');
    const first = loadMasterKey({ keyBase64: null, keyFile: file });
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(loadMasterKey({ keyBase64: null, keyFile: file }).equals(first)).to.equal(true);
    expect(readFileSync(file, 'utf8')).to.equal(first.toString('base64'));
  });

  it('take the key from the environment, refusing one of the wrong size', () => {
    const key = randomBytes(32);
    expect(loadMasterKey({ keyBase64: key.toString('base64'), keyFile: '/nonexistent' }).equals(key)).to.equal(true);
    expect(() => loadMasterKey({ keyBase64: randomBytes(16).toString('base64'), keyFile: '/x' })).to.throw(/32 bytes, got 16/);
    const file = join(mkdtempSync(join(tmpdir(), 'gridbill-key-')), 'bad.key');
    writeFileSync(file, 'short');
    expect(() => loadMasterKey({ keyBase64: null, keyFile: file })).to.throw(/does not hold/);
  });
});
