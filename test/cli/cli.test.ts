import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sql } from 'kysely';
import { COMMANDS } from '../../src/cli/main.ts';
import { LATEST_MIGRATION } from '../../src/store/migrate.ts';
import { openStore } from '../../src/store/connect.ts';
import { runCli, runCliProcess } from '../support/cli.ts';

describe('gridbill command line', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints --help for the program and for every command', async () => {
    const overview = await runCli(['--help']);
    expect(overview.code).to.equal(0);
    for (const command of COMMANDS) {
      expect(overview.stdout).to.include(command.name);
      const help = await runCli([command.name, '--help']);
      expect(help.code, command.name).to.equal(0);
      expect(help.stdout, command.name).to.match(new RegExp(`^Usage: gridbill ${command.name}`));
    }
  });

  it('refuses an unknown command or option with exit code 2', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('unknown command "frobnicate"');
    const option = await runCli(['migrate', '--force']);
    expect(option.code).to.equal(2);
    expect(option.stderr).to.match(/^gridbill: CLI_USAGE: .*--force/);
    const value = await runCli(['seed', '--customers', '12abc']);
    expect(value.code).to.equal(2);
    expect(value.stderr).to.include('--customers 12abc: expected an integer');
  });

  it('prints its version and schema', async () => {
    const result = await runCli(['version']);
    expect(result.stdout).to.match(new RegExp(`^gridbill \\d+\\.\\d+\\.\\d+ \\(schema ${LATEST_MIGRATION}, node v\\d+`));
  });

  it('migrates, and a second migrate changes nothing', async () => {
    const env = { GRIDBILL_DB: `sqlite:${join(dir, 'g.db')}` };
    const first = await runCli(['migrate'], env);
    expect(first.code).to.equal(0);
    expect(first.stdout).to.include('applied 0001-initial').and.to.include(LATEST_MIGRATION);
    const second = await runCli(['migrate'], env);
    expect(second.stdout).to.include('schema is up to date');
  });

  it('names an unsupported database scheme and how to fix it', async () => {
    const result = await runCli(['migrate'], { GRIDBILL_DB: 'oracle://scott:tiger@db/orcl' });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^gridbill: DB_URL_UNSUPPORTED: .*oracle:\/\/scott:\*\*\*@db\/orcl — fix: use sqlite:/);
    expect(result.stderr).to.not.include('tiger');
  });

  it('names a data folder that cannot be written', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const result = await runCli(['migrate'], { GRIDBILL_DB: `sqlite:${join(dir, 'a-file', 'sub', 'g.db')}` });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^gridbill: DB_DIR_UNWRITABLE: .*a-file/);
  });

  it('names an unreachable PostgreSQL without showing its password', async () => {
    const result = await runCli(['migrate'], { GRIDBILL_DB: 'postgres://gridbill:s3cret@127.0.0.1:1/gridbill' });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^gridbill: DB_UNREACHABLE: .*postgres:\/\/gridbill:\*\*\*@127\.0\.0\.1:1\/gridbill/);
    expect(result.stderr).to.not.include('s3cret');
  });

  it('refuses a database whose schema is newer than the code', async () => {
    const url = `sqlite:${join(dir, 'g.db')}`;
    await runCli(['migrate'], { GRIDBILL_DB: url });
    const store = await openStore(url);
    await sql`insert into kysely_migration (name, timestamp) values ('9999-future', 'x')`.execute(store.db);
    await store.close();
    const result = await runCli(['migrate'], { GRIDBILL_DB: url });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('DB_SCHEMA_NEWER').and.to.include('9999-future');
  });

  it('as a real process: exits non-zero with one line and a fix, never a stack trace', async function () {
    this.timeout(30_000);
    const result = await runCliProcess(['migrate'], { GRIDBILL_DB: 'mysql://x' });
    expect(result.code).to.equal(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^gridbill: DB_URL_UNSUPPORTED: .* — fix: /);
    expect(result.stderr).to.not.match(/\n\s+at /);
  });
});
