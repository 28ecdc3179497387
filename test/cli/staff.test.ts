import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../support/cli.ts';

describe('gridbill staff', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-staff-'));
    env = { GRIDBILL_DB: `sqlite:${join(dir, 'g.db')}` };
    await runCli(['migrate'], env);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds, lists and disables staff users without storing the password', async () => {
    const add = await runCli(['staff', 'add', '--user', 'wang.li', '--role', 'billing-clerk', '--name', '王丽', '--password', 'Counter-2026'], env);
    expect(add.code, add.stderr).to.equal(0);
    expect(add.stdout).to.equal('wang.li\tbilling-clerk\tenabled\t王丽');
    expect((await runCli(['staff', 'disable', '--user', 'wang.li'], env)).stdout).to.include('disabled');
    expect((await runCli(['staff', 'list'], env)).stdout).to.equal('wang.li\tbilling-clerk\tdisabled\t王丽');
    expect(readFileSync(join(dir, 'g.db')).toString('latin1')).to.not.include('Counter-2026');
  });

  it('explains what is missing or wrong', async () => {
    expect((await runCli(['staff', 'add', '--user', 'a1', '--password', 'x'], env)).stderr).to.include('--role is required');
    const role = await runCli(['staff', 'add', '--user', 'ab', '--role', 'king', '--password', 'long-enough-1'], env);
    expect(role.code).to.equal(1);
    expect(role.stderr).to.match(/^gridbill: STAFF_INVALID: .*role "king"/);
    expect((await runCli(['staff', 'add', '--user', 'ab', '--role', 'auditor', '--password', 'short'], env)).stderr).to.include('PASSWORD_POLICY');
    await runCli(['staff', 'add', '--user', 'ab', '--role', 'auditor', '--password', 'long-enough-1'], env);
    expect((await runCli(['staff', 'add', '--user', 'ab', '--role', 'auditor', '--password', 'long-enough-1'], env)).stderr).to.include('STAFF_EXISTS');
    expect((await runCli(['staff', 'disable', '--user', 'nobody'], env)).stderr).to.include('STAFF_NOT_FOUND');
  });
});
