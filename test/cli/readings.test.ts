import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { businessDate } from '../../src/clock.ts';
import { addDays } from '../../src/domain/dates.ts';
import { openStore } from '../../src/store/connect.ts';
import { registerCustomer } from '../../src/usecases/register-customer.ts';
import { runCli } from '../support/cli.ts';

const HEADER = 'meter_no,register,read_on,value,source';

describe('gridbill readings', function () {
  this.timeout(30_000);
  let dir: string;
  let env: Record<string, string>;
  const file = (name: string, ...rows: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${rows.join('\n')}\n`);
    return path;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-readings-cli-'));
    env = { GRIDBILL_DB: `sqlite:${join(dir, 'g.db')}` };
    expect((await runCli(['migrate'], env)).code).to.equal(0);
    const store = await openStore(env.GRIDBILL_DB!);
    try {
      await registerCustomer(store, {
        customerNo: '3300000000011', name: '张三', category: 'residential', voltage: 'below-1kv', address: '杭州市', phone: null,
        idNumber: null, creditCode: null, households: 1, tariffCode: 'zj-residential-ladder', timeOfUse: false, paymentMode: 'postpaid',
        ladderYearStartMonth: 1, capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null,
        meters: ['M1', 'M2'].map((meterNo) => ({
          meterNo, ctRatio: 1, ptRatio: 1, installedOn: '2025-12-31',
          registers: [{ kind: 'total' as const, digits: 6, rolloverAllowed: true, readings: [] }],
        })),
      }, '2026-01-01T00:00:00.000Z');
    } finally {
      await store.close();
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores a good file and exits 0 with the summary', async () => {
    const path = file('good.csv', HEADER, 'M1,total,2026-01-31,100,actual', 'M2,total,2026-01-31,200.5,');
    const result = await runCli(['readings', 'import', path], env);
    expect(result).to.deep.include({
      code: 0, stderr: '',
      stdout: `${path}: 2 rows read: 2 stored, 0 unchanged, 0 rejected; meters: 2 stored, 0 unchanged, 0 rejected`,
    });
    const again = await runCli(['readings', 'import', path], env);
    expect(again.code).to.equal(0);
    expect(again.stdout).to.include('2 rows read: 0 stored, 2 unchanged, 0 rejected');
  });

  it('prints each error as "line N, column: problem", then the summary, and ends with INPUT_INVALID and exit 1', async () => {
    const path = file('bad.csv', HEADER, 'M1,total,2026-01-31,100,actual', 'M2,total,2026-01-31,12.345,actual', 'M9,total,2026-01-31,1,actual', 'M1,total');
    const result = await runCli(['readings', 'import', path], env);
    expect(result.code).to.equal(1);
    const errors = result.stderr.split('\n');
    expect(errors).to.deep.equal([
      "line 2, meter_no: meter M1: none of its 2 rows stored, because 1 of them is wrong (a meter's rows are stored all or nothing)",
      'line 3, value: "12.345" has more than 2 fraction digits',
      'line 4, meter_no: meter M9 not found',
      'line 5: has 2 fields; the header has 5',
      `gridbill: INPUT_INVALID: Input file is invalid: ${path}: 4 of 4 rows rejected — fix: correct the lines listed above and import the file again; rows stored now are then skipped as unchanged`,
    ]);
    expect(result.stdout).to.equal(`${path}: 4 rows read: 0 stored, 0 unchanged, 4 rejected; meters: 0 stored, 0 unchanged, 3 rejected`);
  });

  it('refuses a reading dated after today on the business calendar', async () => {
    const tomorrow = addDays(businessDate(), 1);
    const result = await runCli(['readings', 'import', file('future.csv', HEADER, `M1,total,${tomorrow},1,actual`)], env);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(`line 2, read_on: ${tomorrow} is after today (${businessDate()})`);
  });

  it('on --dry-run writes nothing', async () => {
    const path = file('good.csv', HEADER, 'M1,total,2026-01-31,100,actual');
    const dry = await runCli(['readings', 'import', '--dry-run', path], env);
    expect(dry.stdout).to.equal(`${path}: 1 rows read: 1 to store, 0 unchanged, 0 rejected; meters: 1 to store, 0 unchanged, 0 rejected — dry run, nothing written`);
    expect((await runCli(['readings', 'import', path], env)).stdout).to.include('1 stored');
  });

  it('names a missing file, and the expected columns of a wrong header', async () => {
    const missing = await runCli(['readings', 'import', join(dir, 'nope.csv')], env);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^gridbill: INPUT_INVALID: .*nope\.csv: no such file/);
    const header = await runCli(['readings', 'import', file('h.csv', 'meter,kind,date,value', 'M1,total,2026-01-31,1')], env);
    expect(header.code).to.equal(1);
    expect(header.stderr).to.match(/^gridbill: INPUT_INVALID: .*expected the columns meter_no,register,read_on,value,source — fix: /);
  });

  it('refuses a wrong command line with exit code 2', async () => {
    for (const args of [['readings'], ['readings', 'export'], ['readings', 'import'], ['readings', 'import', 'a.csv', 'b.csv'], ['readings', 'import', 'a.csv', '--force']]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(/^gridbill: CLI_USAGE: /);
    }
  });
});
