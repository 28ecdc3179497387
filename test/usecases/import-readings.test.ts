import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { describeOnEveryStore, type StoreHandle } from '../support/stores.ts';
import { GridbillError } from '../../src/errors.ts';
import { LIMITS } from '../../src/limits.ts';
import { verifyAuditChain } from '../../src/store/audit.repository.ts';
import { importReadings, type ReadingsImportError, type ReadingsImportOptions, type ReadingsImportSummary } from '../../src/usecases/import-readings.ts';
import { registerCustomer, type NewCustomerInput, type NewMeterInput } from '../../src/usecases/register-customer.ts';

const TODAY = '2026-11-15';
const OPTIONS: ReadingsImportOptions = { today: TODAY, now: '2026-11-15T02:00:00.000Z', dryRun: false, actor: 'tester' };
const HEADER = 'meter_no,register,read_on,value,source';

function meter(meterNo: string, registers: Array<[NewMeterInput['registers'][number]['kind'], number]>): NewMeterInput {
  return {
    meterNo, ctRatio: 1, ptRatio: 1, installedOn: '2025-12-31',
    registers: registers.map(([kind, digits]) => ({ kind, digits, rolloverAllowed: true, readings: [{ readOn: '2025-12-31', valueHundredths: 0, source: 'install' as const }] })),
  };
}

function customer(no: string, meters: NewMeterInput[]): NewCustomerInput {
  return {
    customerNo: no, name: '抄表测试', category: 'residential', voltage: 'below-1kv', address: '杭州市', phone: null, idNumber: null,
    creditCode: null, households: 1, tariffCode: 'zj-residential-ladder', timeOfUse: true, paymentMode: 'postpaid', ladderYearStartMonth: 1,
    capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null, meters,
  };
}

/** MA: total, peak, valley (6 digits); MB: total (5 digits); MC: total; MR: total, removed 2026-06-30. */
async function registerMeters(h: StoreHandle): Promise<void> {
  await registerCustomer(h.store, customer('3300000000011', [meter('MA', [['total', 6], ['peak', 6], ['valley', 6]])]), OPTIONS.now);
  await registerCustomer(h.store, customer('3300000000029', [meter('MB', [['total', 5]]), meter('MC', [['total', 6]])]), OPTIONS.now);
  await registerCustomer(h.store, customer('3300000000037', [meter('MR', [['total', 6]])]), OPTIONS.now);
  await h.store.db.updateTable('meters').set({ removed_on: '2026-06-30', status: 'removed' }).where('meter_no', '=', 'MR').execute();
}

/** The readings stored after the install readings, as "meter register day value source". */
async function storedReadings(h: StoreHandle): Promise<string[]> {
  const rows = await h.store.db.selectFrom('readings')
    .innerJoin('registers', 'registers.id', 'readings.register_id')
    .innerJoin('meters', 'meters.id', 'registers.meter_id')
    .select(['meters.meter_no', 'registers.kind', 'readings.read_on', 'readings.value_hundredths', 'readings.source'])
    .where('readings.read_on', '>', '2025-12-31')
    .execute();
  return rows.map((r) => `${r.meter_no} ${r.kind} ${r.read_on} ${r.value_hundredths} ${r.source}`).sort();
}

function useFiles(): (content: string | Buffer) => string {
  let dir = '';
  let n = 0;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-readings-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return (content) => {
    n += 1;
    const path = join(dir, `r${n}.csv`);
    writeFileSync(path, content);
    return path;
  };
}

const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

function counts(s: ReadingsImportSummary): Omit<ReadingsImportSummary, 'errors' | 'errorsNotListed' | 'dryRun'> {
  const { errors: _e, errorsNotListed: _n, dryRun: _d, ...rest } = s;
  expect(rest.rowsRead, 'every row read is stored, unchanged or rejected').to.equal(rest.rowsStored + rest.rowsUnchanged + rest.rowsRejected);
  return rest;
}

describeOnEveryStore('readings import of a good file', (h) => {
  const file = useFiles();
  before(() => registerMeters(h));
  const good = csv(
    'MA,total,2026-01-31,1234.5,actual', 'MA,peak,2026-01-31,800,', 'MB,total,2026-01-31,99999.99,estimated',
    'MA,valley,2026-01-31,434.50,actual', 'MA,total,2026-02-28,2000.00,actual',
  );
  let path = '';

  it('stores every row, value × 100, source defaulting to actual, with one audit record', async () => {
    path = file(good);
    const summary = await importReadings(h.store, path, OPTIONS);
    expect(summary.errors).to.deep.equal([]);
    expect(counts(summary)).to.deep.equal({ rowsRead: 5, rowsStored: 5, rowsUnchanged: 0, rowsRejected: 0, metersStored: 2, metersUnchanged: 0, metersRejected: 0 });
    expect(await storedReadings(h)).to.deep.equal([
      'MA peak 2026-01-31 80000 actual', 'MA total 2026-01-31 123450 actual', 'MA total 2026-02-28 200000 actual',
      'MA valley 2026-01-31 43450 actual', 'MB total 2026-01-31 9999999 estimated',
    ]);
    expect(await verifyAuditChain(h.store)).to.deep.equal({ kind: 'intact', records: 1 });
  });

  it('skips every row when the same file is imported again, and writes no audit record', async () => {
    const before = await storedReadings(h);
    const summary = await importReadings(h.store, path, OPTIONS);
    expect(summary.errors).to.deep.equal([]);
    expect(counts(summary)).to.deep.equal({ rowsRead: 5, rowsStored: 0, rowsUnchanged: 5, rowsRejected: 0, metersStored: 0, metersUnchanged: 2, metersRejected: 0 });
    expect(await storedReadings(h)).to.deep.equal(before);
    expect(await verifyAuditChain(h.store)).to.deep.equal({ kind: 'intact', records: 1 });
  });

  it('refuses a reading stored before with another value or source, and keeps the whole meter out', async () => {
    const before = await storedReadings(h);
    const summary = await importReadings(h.store, file(csv(
      'MA,total,2026-03-31,2100,actual', 'MA,total,2026-01-31,1234.51,actual', 'MB,total,2026-01-31,99999.99,actual',
    )), OPTIONS);
    expect(summary.errors).to.deep.equal([
      { line: 2, field: 'meter_no', message: "meter MA: none of its 2 rows stored, because 1 of them is wrong (a meter's rows are stored all or nothing)" },
      { line: 3, field: 'value', message: '1234.51 differs from the stored reading of meter MA total on 2026-01-31 (1234.50); a correction is an adjustment, not a new reading' },
      { line: 4, field: 'source', message: 'actual differs from the stored reading of meter MB total on 2026-01-31 (estimated)' },
    ]);
    expect(counts(summary)).to.include({ rowsStored: 0, rowsRejected: 3, metersRejected: 2 });
    expect(await storedReadings(h)).to.deep.equal(before);
  });

  it('on a dry run checks and counts everything but writes nothing', async () => {
    const before = await storedReadings(h);
    const summary = await importReadings(h.store, file(csv('MA,total,2026-03-31,2100,actual', 'MC,total,2026-03-31,1,actual')), { ...OPTIONS, dryRun: true });
    expect(summary.dryRun).to.equal(true);
    expect(counts(summary)).to.include({ rowsStored: 2, metersStored: 2 });
    expect(await storedReadings(h)).to.deep.equal(before);
    expect(await verifyAuditChain(h.store)).to.deep.equal({ kind: 'intact', records: 1 });
  });
});

describeOnEveryStore('readings import of bad rows', (h) => {
  const file = useFiles();
  before(() => registerMeters(h));
  // Each case: a file of the bad row(s) from line 2, then one good row of MC, which must be stored
  // (or be unchanged from the case before): a bad row of one meter never holds another back.
  const cases: Array<[string, string[], ReadingsImportError[]]> = [
    ['no meter number', [',total,2026-01-31,1,actual'], [{ line: 2, field: 'meter_no', message: 'is required' }]],
    ['a meter number too long', [`${'M'.repeat(33)},total,2026-01-31,1,actual`], [{ line: 2, field: 'meter_no', message: `"${'M'.repeat(33)}" is not a meter number (at most 32 characters, no spaces around it)` }]],
    ['an unknown meter', ['M123,total,2026-01-31,1,actual'], [{ line: 2, field: 'meter_no', message: 'meter M123 not found' }]],
    ['an unknown register kind', ['MA,bogus,2026-01-31,1,actual'], [{ line: 2, field: 'register', message: '"bogus" is not one of total, sharp, peak, flat, valley, reactive, demand' }]],
    ['a register the meter lacks', ['MA,reactive,2026-01-31,1,actual'], [{ line: 2, field: 'register', message: 'meter MA has no reactive register' }]],
    ['no date', ['MA,total,,1,actual'], [{ line: 2, field: 'read_on', message: 'is required' }]],
    ['an impossible date', ['MA,total,2026-02-30,1,actual'], [{ line: 2, field: 'read_on', message: '"2026-02-30" is not a date YYYY-MM-DD' }]],
    ['a date in another format', ['MA,total,31/01/2026,1,actual'], [{ line: 2, field: 'read_on', message: '"31/01/2026" is not a date YYYY-MM-DD' }]],
    ['a date after today', ['MA,total,2026-11-16,1,actual'], [{ line: 2, field: 'read_on', message: '2026-11-16 is after today (2026-11-15)' }]],
    ['a date before the meter was installed', ['MA,total,2025-12-30,1,actual'], [{ line: 2, field: 'read_on', message: '2025-12-30 is before meter MA was installed (2025-12-31)' }]],
    ['a date after the meter was removed', ['MR,total,2026-07-01,1,actual'], [{ line: 2, field: 'read_on', message: '2026-07-01 is after meter MR was removed (2026-06-30)' }]],
    ['no value', ['MA,total,2026-01-31,,actual'], [{ line: 2, field: 'value', message: 'is required' }]],
    ['three fraction digits', ['MA,total,2026-01-31,12.345,actual'], [{ line: 2, field: 'value', message: '"12.345" has more than 2 fraction digits' }]],
    ['a negative value', ['MA,total,2026-01-31,-1,actual'], [{ line: 2, field: 'value', message: '"-1" is not a non-negative decimal such as 12345.67' }]],
    ['an exponent', ['MA,total,2026-01-31,1e3,actual'], [{ line: 2, field: 'value', message: '"1e3" is not a non-negative decimal such as 12345.67' }]],
    ['a bare decimal point', ['MA,total,2026-01-31,.5,actual'], [{ line: 2, field: 'value', message: '".5" is not a non-negative decimal such as 12345.67' }]],
    ['a trailing decimal point', ['MA,total,2026-01-31,5.,actual'], [{ line: 2, field: 'value', message: '"5." is not a non-negative decimal such as 12345.67' }]],
    ['a space around the value', ['MA,total,2026-01-31, 5,actual'], [{ line: 2, field: 'value', message: '" 5" is not a non-negative decimal such as 12345.67' }]],
    ['a decimal comma, quoted', ['MA,total,2026-01-31,"1,5",actual'], [{ line: 2, field: 'value', message: '"1,5" is not a non-negative decimal such as 12345.67' }]],
    ['more integer digits than any dial', ['MA,total,2026-01-31,1234567890123,actual'], [{ line: 2, field: 'value', message: '"1234567890123" has more than 12 integer digits' }]],
    ['more integer digits than the register', ['MB,total,2026-01-31,100000,actual'], [{ line: 2, field: 'value', message: '100000.00 has more integer digits than the 5 of register total of meter MB' }]],
    ['an unknown source', ['MA,total,2026-01-31,1,guessed'], [{ line: 2, field: 'source', message: '"guessed" is not one of actual, estimated, install, removal' }]],
    ['too few fields', ['MA,total,2026-01-31,1'], [{ line: 2, field: null, message: 'has 4 fields; the header has 5' }]],
    ['too many fields', ['MA,total,2026-01-31,1,actual,x'], [{ line: 2, field: null, message: 'has 6 fields; the header has 5' }]],
    ['a broken quote', ['MA,total,2026-01-31,"1"2,actual'], [{ line: 2, field: 'value', message: 'has characters after its closing quote' }]],
    ['the same register and day twice', ['MA,total,2026-03-31,1,actual', 'MA,total,2026-03-31,1,actual'], [
      { line: 2, field: 'meter_no', message: "meter MA: none of its 2 rows stored, because 1 of them is wrong (a meter's rows are stored all or nothing)" },
      { line: 3, field: 'read_on', message: 'repeats line 2: meter MA total on 2026-03-31' },
    ]],
    ['several problems in one row', ['MA,bogus,2026-13-01,x,none'], [
      { line: 2, field: 'register', message: '"bogus" is not one of total, sharp, peak, flat, valley, reactive, demand' },
      { line: 2, field: 'read_on', message: '"2026-13-01" is not a date YYYY-MM-DD' },
      { line: 2, field: 'value', message: '"x" is not a non-negative decimal such as 12345.67' },
      { line: 2, field: 'source', message: '"none" is not one of actual, estimated, install, removal' },
    ]],
  ];
  for (const [name, rows, expected] of cases) {
    it(`reports ${name} with its line and column, and stores the other meter's row`, async () => {
      const summary = await importReadings(h.store, file(csv(...rows, 'MC,total,2026-02-28,7.00,actual')), OPTIONS);
      expect(summary.errors).to.deep.equal(expected);
      expect(counts(summary)).to.include({ rowsRead: rows.length + 1, rowsRejected: rows.length });
      expect(summary.rowsStored + summary.rowsUnchanged).to.equal(1);
    });
  }

  it('stored nothing of any bad row', async () => {
    expect(await storedReadings(h)).to.deep.equal(['MC total 2026-02-28 700 actual']);
  });
});

describeOnEveryStore('readings import, all or nothing per meter', (h) => {
  const file = useFiles();
  before(() => registerMeters(h));

  it('stores none of a meter with one bad row, and all of another meter in the same file', async () => {
    const summary = await importReadings(h.store, file(csv(
      'MA,total,2026-01-31,100,actual', 'MB,total,2026-01-31,10,actual', 'MA,peak,2026-01-31,60,actual', 'MB,total,2026-02-28,20,actual',
      'MA,valley,2026-01-31,40.001,actual', 'MC,total,2026-01-31,5,actual', 'MA,total,2026-02-28,200,actual',
    )), OPTIONS);
    expect(summary.errors).to.deep.equal([
      { line: 2, field: 'meter_no', message: "meter MA: none of its 4 rows stored, because 1 of them is wrong (a meter's rows are stored all or nothing)" },
      { line: 6, field: 'value', message: '"40.001" has more than 2 fraction digits' },
    ]);
    expect(counts(summary)).to.deep.equal({ rowsRead: 7, rowsStored: 3, rowsUnchanged: 0, rowsRejected: 4, metersStored: 2, metersUnchanged: 0, metersRejected: 1 });
    expect(await storedReadings(h)).to.deep.equal(['MB total 2026-01-31 1000 actual', 'MB total 2026-02-28 2000 actual', 'MC total 2026-01-31 500 actual']);
  });

  it('charges a row it cannot split to the meter in its first field', async () => {
    const summary = await importReadings(h.store, file(csv('MA,total,2026-01-31,100,actual', 'MA,"peak"x,2026-01-31,60')), OPTIONS);
    expect(summary.errors.map((e) => `${e.line} ${e.field} ${e.message}`)).to.deep.equal([
      "2 meter_no meter MA: none of its 2 rows stored, because 1 of them is wrong (a meter's rows are stored all or nothing)",
      '3 register has characters after its closing quote',
    ]);
    expect(await storedReadings(h)).to.not.include('MA total 2026-01-31 10000 actual');
  });

  it('stores the meter once the file is corrected, and skips the meters stored before', async () => {
    const summary = await importReadings(h.store, file(csv(
      'MA,total,2026-01-31,100,actual', 'MB,total,2026-01-31,10,actual', 'MA,peak,2026-01-31,60,actual', 'MB,total,2026-02-28,20,actual',
      'MA,valley,2026-01-31,40.00,actual', 'MC,total,2026-01-31,5,actual', 'MA,total,2026-02-28,200,actual',
    )), OPTIONS);
    expect(summary.errors).to.deep.equal([]);
    expect(counts(summary)).to.deep.equal({ rowsRead: 7, rowsStored: 4, rowsUnchanged: 3, rowsRejected: 0, metersStored: 1, metersUnchanged: 2, metersRejected: 0 });
  });
});

describeOnEveryStore('readings files', (h) => {
  const file = useFiles();
  before(() => registerMeters(h));

  async function failure(path: string): Promise<GridbillError> {
    const error = await importReadings(h.store, path, OPTIONS).then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(GridbillError);
    return error as GridbillError;
  }

  it('reads a BOM, CRLF line ends and quoted fields, an escaped quote included', async () => {
    const content = `\uFEFF${HEADER}\r\n"MA","total","2026-01-31","1234.50",""\r\n"M""1",total,2026-01-31,1,actual\r\nMB,total,"2026-01-31",7,"estimated"\r\n`;
    const summary = await importReadings(h.store, file(content), OPTIONS);
    expect(summary.errors).to.deep.equal([{ line: 3, field: 'meter_no', message: 'meter M"1 not found' }]);
    expect(await storedReadings(h)).to.deep.equal(['MA total 2026-01-31 123450 actual', 'MB total 2026-01-31 700 estimated']);
  });

  it('accepts a header without the source column: every row is then actual', async () => {
    const summary = await importReadings(h.store, file('meter_no,register,read_on,value\nMC,total,2026-01-31,3\n'), OPTIONS);
    expect(summary.errors).to.deep.equal([]);
    expect(await storedReadings(h)).to.include('MC total 2026-01-31 300 actual');
  });

  it('imports a header-only file as nothing', async () => {
    const summary = await importReadings(h.store, file(`${HEADER}\r\n`), OPTIONS);
    expect(counts(summary)).to.deep.equal({ rowsRead: 0, rowsStored: 0, rowsUnchanged: 0, rowsRejected: 0, metersStored: 0, metersUnchanged: 0, metersRejected: 0 });
  });

  it('refuses a wrong, reordered, misspelt or missing header, naming the expected columns, and stores nothing', async () => {
    const before = await storedReadings(h);
    for (const header of ['meter,register,read_on,value,source', 'register,meter_no,read_on,value,source', 'METER_NO,REGISTER,READ_ON,VALUE,SOURCE', 'MA,total,2026-03-31,1,actual', 'meter_no,register,read_on', '"meter_no,register']) {
      const error = await failure(file(`${header}\nMA,total,2026-03-31,1,actual\n`));
      expect(error.code, header).to.equal('INPUT_INVALID');
      expect(error.message, header).to.match(/line 1: the header .*; expected the columns meter_no,register,read_on,value,source$/);
    }
    expect((await failure(file(''))).message).to.match(/the file is empty; expected the header meter_no,register,read_on,value,source$/);
    expect(await storedReadings(h)).to.deep.equal(before);
  });

  it('names a missing file', async () => {
    const error = await failure('/no/such/readings.csv');
    expect(error.code).to.equal('INPUT_INVALID');
    expect(error.message).to.include('/no/such/readings.csv: no such file');
  });

  it('reports bytes that are not UTF-8 and a line too long, and goes on', async () => {
    const content = Buffer.concat([Buffer.from(`${HEADER}\nMA,total,2026-04-30,`), Buffer.from([0xb5, 0xe7]), Buffer.from(`,actual\n${'x'.repeat(5000)}\nMC,total,2026-04-30,9,\n`)]);
    const summary = await importReadings(h.store, file(content), OPTIONS);
    expect(summary.errors).to.deep.equal([
      { line: 2, field: null, message: 'is not UTF-8 text (save the file as UTF-8)' },
      { line: 3, field: null, message: `is longer than ${LIMITS.importLineCharsMax} characters` },
    ]);
    expect(await storedReadings(h)).to.include('MC total 2026-04-30 900 actual');
    expect(await storedReadings(h)).to.not.include('MA total 2026-04-30');
  });
});

describeOnEveryStore('readings import at volume', (h) => {
  const file = useFiles();
  const METERS = 250; // more than one lookup group (200 meters) and more than one write batch

  before(async () => {
    const meters = Array.from({ length: METERS }, (_, i) => meter(`V${String(i).padStart(4, '0')}`, [['total', 6]]));
    await registerCustomer(h.store, customer('3300000000045', meters), OPTIONS.now);
  });

  it("stores every row of many meters whose rows are spread over the file", async () => {
    const rows: string[] = [];
    for (const day of ['2026-01-31', '2026-02-28', '2026-03-31']) {
      for (let i = 0; i < METERS; i += 1) rows.push(`V${String(i).padStart(4, '0')},total,${day},${i}.${day.slice(5, 7)},actual`);
    }
    const summary = await importReadings(h.store, file(csv(...rows)), OPTIONS);
    expect(summary.errors).to.deep.equal([]);
    expect(counts(summary)).to.include({ rowsRead: 3 * METERS, rowsStored: 3 * METERS, metersStored: METERS });
    const stored = await h.store.db.selectFrom('readings').select((eb) => eb.fn.countAll<number | string>().as('n')).where('read_on', '>', '2025-12-31').executeTakeFirstOrThrow();
    expect(Number(stored.n)).to.equal(3 * METERS);
  });

  it('lists the errors of the lowest lines up to the limit and counts the rest', async () => {
    const rows = Array.from({ length: LIMITS.importErrorsListedMax + 57 }, (_, i) => `X${i},total,2026-01-31,1,actual`);
    const summary = await importReadings(h.store, file(csv(...rows)), OPTIONS);
    expect(summary.errors).to.have.length(LIMITS.importErrorsListedMax);
    expect(summary.errorsNotListed).to.equal(57);
    expect(summary.errors.map((e) => e.line)).to.deep.equal(Array.from({ length: LIMITS.importErrorsListedMax }, (_, i) => i + 2));
    expect(summary.rowsRejected).to.equal(rows.length);
  });
});
