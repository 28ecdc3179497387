import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { tariffFixtureFiles } from '../../fixtures/tariffs/index.ts';
import { openStore } from '../../src/store/connect.ts';
import { runCli } from '../support/cli.ts';

const LADDER = tariffFixtureFiles().find((f) => f.endsWith('zj-residential-ladder.json'))!;

describe('gridbill tariff', function () {
  this.timeout(30_000);
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-tariff-cli-'));
    env = { GRIDBILL_DB: `sqlite:${join(dir, 'g.db')}` };
    expect((await runCli(['migrate'], env)).code).to.equal(0);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a file, says what it stored, and says unchanged the second time', async () => {
    const first = await runCli(['tariff', 'import', LADDER], env);
    expect(first).to.deep.include({ code: 0, stdout: 'zj-residential-ladder: 1 version stored (v1, from 2017-01-01)', stderr: '' });
    const second = await runCli(['tariff', 'import', LADDER], env);
    expect(second).to.deep.include({ code: 0, stdout: 'zj-residential-ladder: unchanged (1 version already stored)' });
  });

  it('records the actor in the audit log', async () => {
    await runCli(['tariff', 'import', LADDER, '--actor', 'pricing-office'], env);
    const store = await openStore(env.GRIDBILL_DB!);
    try {
      const audit = await store.db.selectFrom('audit_log').selectAll().execute();
      expect(audit.map((a) => [a.actor, a.action, a.subject])).to.deep.equal([['pricing-office', 'tariff-import', 'tariff:zj-residential-ladder']]);
    } finally {
      await store.close();
    }
  });

  it('on --dry-run says what it would store and stores nothing', async () => {
    const dry = await runCli(['tariff', 'import', '--dry-run', LADDER], env);
    expect(dry.stdout).to.equal('zj-residential-ladder: 1 version would be stored (v1, from 2017-01-01) — dry run, nothing written');
    expect((await runCli(['tariff', 'list'], env)).stdout).to.equal('no tariffs stored');
  });

  it('lists the versions, current and superseded, of every tariff or of one', async () => {
    for (const file of tariffFixtureFiles()) await runCli(['tariff', 'import', file], env);
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, readFileSync(LADDER, 'utf8').replace('"0.538"', '"0.539"'));
    expect((await runCli(['tariff', 'import', changed], env)).stdout).to.equal('zj-residential-ladder: 1 version stored (v2, from 2017-01-01)');
    const all = (await runCli(['tariff', 'list'], env)).stdout.split('\n');
    expect(all[0]).to.match(/^code +version +kind +from +to +status +published +name$/);
    expect(all).to.have.length(1 + tariffFixtureFiles().length + 1);
    const one = (await runCli(['tariff', 'list', 'zj-residential-ladder'], env)).stdout.split('\n');
    expect(one.slice(1).map((l) => l.split(/ {2,}/).slice(0, 6))).to.deep.equal([
      ['zj-residential-ladder', 'v1', 'residential-ladder', '2017-01-01', '-', 'superseded by v2'],
      ['zj-residential-ladder', 'v2', 'residential-ladder', '2017-01-01', '-', 'current'],
    ]);
  });

  it('names a code that has no versions', async () => {
    const result = await runCli(['tariff', 'list', 'nope'], env);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^gridbill: NOT_FOUND: .*tariff nope has no stored versions/);
  });

  it('prints every problem of a bad file, one per line after the error line, and exits 1', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'gridbill.tariff/1', code: 'x', name: 'n', kind: 'flat', source: 's', versions: [{ effectiveFrom: '2024-13-01', rates: [{ voltage: '9kv', rate: 0.5 }], funds: [], lateFee: { currentYearDailyRate: '0.02', crossYearDailyRate: '0.003', minimum: '1.00' } }] }));
    const result = await runCli(['tariff', 'import', bad], env);
    expect(result.code).to.equal(1);
    const lines = result.stderr.split('\n');
    expect(lines[0]).to.equal(`gridbill: TARIFF_INVALID: Tariff document is invalid: ${bad}: 4 problems, nothing stored:`);
    expect(lines.slice(1)).to.deep.equal([
      '  $.versions[0].effectiveFrom: must be a date YYYY-MM-DD',
      '  $.versions[0].lateFee.currentYearDailyRate: must be below 0.01 a day',
      '  $.versions[0].rates[0].voltage: must be one of below-1kv, 1-10kv, 20kv, 35kv, 110kv, 220kv',
      '  $.versions[0].rates[0].rate: must be a decimal string such as "0.538", not a JSON number',
    ]);
    expect((await runCli(['tariff', 'list'], env)).stdout).to.equal('no tariffs stored');
  });

  it('names a missing file', async () => {
    const result = await runCli(['tariff', 'import', join(dir, 'missing.json')], env);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^gridbill: INPUT_INVALID: .*missing\.json: no such file/);
  });

  it('refuses a wrong command line with exit code 2', async () => {
    for (const args of [['tariff'], ['tariff', 'publish'], ['tariff', 'import'], ['tariff', 'import', 'a.json', 'b.json'], ['tariff', 'import', LADDER, '--actor', ''], ['tariff', 'list', 'a', 'b'], ['tariff', 'list', '--dry-run']]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(/^gridbill: CLI_USAGE: /);
    }
  });

  it('refuses a database whose schema is not current', async () => {
    const result = await runCli(['tariff', 'import', LADDER], { GRIDBILL_DB: `sqlite:${join(dir, 'new.db')}` });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^gridbill: DB_SCHEMA_OUTDATED: .* — fix: run "gridbill migrate"/);
  });
});
