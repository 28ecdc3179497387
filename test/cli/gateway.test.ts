// `gridbill gateway seal|check`: a sealed password the gateway opens, and a policy file checked as
// the gateway reads it, every problem listed.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { POLICY_FORMAT } from '../../src/gateway/policy.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { runCli } from '../support/cli.ts';

describe('gridbill gateway', () => {
  const key = randomBytes(32);
  const env = { GRIDBILL_GATEWAY_KEY: key.toString('base64') };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-cli-gateway-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('seals a password with the gateway key, and checks a policy that uses it', async () => {
    const sealed = await runCli(['gateway', 'seal', '--password', 'demo-bank-secret-1'], env);
    expect(sealed.code).to.equal(0);
    expect(secretBox(key).open(sealed.stdout.trim())).to.equal('demo-bank-secret-1');
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({
      format: POLICY_FORMAT, zones: { banks: ['ChannelPaymentService'] },
      channels: { 'demo-bank': { zone: 'banks', operations: ['QueryArrears', 'Pay'], secret: sealed.stdout.trim() } },
    }));
    const checked = await runCli(['gateway', 'check', file], env);
    expect(checked.code, checked.stderr).to.equal(0);
    expect(checked.stdout).to.contain('1 channels in 1 zones').and.to.contain('demo-bank');
  });

  it('lists every problem of a policy at once (exit 1), and refuses a command line without a password (exit 2)', async () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ format: 'x', zones: [], channels: { b: { zone: 'none' } } }));
    const checked = await runCli(['gateway', 'check', file], env);
    expect(checked.code).to.equal(1);
    expect(checked.stderr).to.contain('CONFIG_INVALID').and.to.contain('$.format').and.to.contain('$.zones').and.to.contain('$.channels.b.secret');
    expect((await runCli(['gateway', 'seal'], env)).code).to.equal(2);
    expect((await runCli(['gateway', 'unknown'], env)).code).to.equal(2);
  });
});
