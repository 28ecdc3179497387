import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readCsvRecords, splitCsvRecord, type CsvRecord } from '../../src/usecases/read-csv-records.ts';

describe('splitting a CSV record', () => {
  const cases: Array<[string, ReturnType<typeof splitCsvRecord>]> = [
    ['a,b,c', { kind: 'complete', fields: ['a', 'b', 'c'] }],
    ['', { kind: 'complete', fields: [''] }],
    ['a,,', { kind: 'complete', fields: ['a', '', ''] }],
    ['"a,1",b', { kind: 'complete', fields: ['a,1', 'b'] }],
    ['"say ""hi""",x', { kind: 'complete', fields: ['say "hi"', 'x'] }],
    ['"",""""', { kind: 'complete', fields: ['', '"'] }],
    ['x,"a', { kind: 'open' }],
    ['x,"a""', { kind: 'open' }],
    ['"a"b,c', { kind: 'error', fieldIndex: 0, message: 'has characters after its closing quote' }],
    ['x,a"b', { kind: 'error', fieldIndex: 1, message: 'has a quote inside an unquoted field (quote the whole field and double the quote)' }],
    [' "a",b', { kind: 'error', fieldIndex: 0, message: 'has a quote inside an unquoted field (quote the whole field and double the quote)' }],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)} as ${expected.kind}`, () => {
      expect(splitCsvRecord(text)).to.deep.equal(expected);
    });
  }
});

describe('reading a CSV file', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-csv-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function read(content: string | Buffer, lineCharsMax?: number): Promise<CsvRecord[]> {
    const path = join(dir, 'f.csv');
    writeFileSync(path, content);
    const out: CsvRecord[] = [];
    for await (const record of readCsvRecords(path, lineCharsMax)) out.push(record);
    return out;
  }
  const fields = (line: number, ...values: string[]): CsvRecord => ({ kind: 'fields', line, fields: values });

  it('drops a BOM, accepts CRLF and LF, skips blank lines, and numbers records by their first line', async () => {
    expect(await read('\uFEFFh1,h2\r\na,b\r\n\r\nc,d\ne,f')).to.deep.equal([fields(1, 'h1', 'h2'), fields(2, 'a', 'b'), fields(4, 'c', 'd'), fields(5, 'e', 'f')]);
  });

  it('reads a quoted field across lines as one record starting on its first line', async () => {
    expect(await read('a,"x\r\ny",b\nc,d\n')).to.deep.equal([fields(1, 'a', 'x\ny', 'b'), fields(3, 'c', 'd')]);
  });

  it('reports a quote left open to the end of the file at the line where it opened', async () => {
    const records = await read('a,b\n"c,d\ne,f\n');
    expect(records).to.deep.equal([fields(1, 'a', 'b'), {
      kind: 'error', line: 2, fieldIndex: null, message: 'has a quoted field that is not closed before the end of the file', leadingField: undefined,
    }]);
  });

  it('reports a bad record with its line and first field, then goes on', async () => {
    const records = await read('M1,"x"y,1\nM2,z\n');
    expect(records).to.deep.equal([
      { kind: 'error', line: 1, fieldIndex: 1, message: 'has characters after its closing quote', leadingField: 'M1' },
      fields(2, 'M2', 'z'),
    ]);
  });

  it('skips a line longer than the limit without keeping it, and one that is not UTF-8', async () => {
    const records = await read(Buffer.concat([Buffer.from(`a\n${'x'.repeat(50)}\nM3,\xff\n`, 'latin1'), Buffer.from('b\n')]), 20);
    expect(records).to.deep.equal([
      fields(1, 'a'),
      { kind: 'error', line: 2, fieldIndex: null, message: 'is longer than 20 characters', leadingField: '' },
      { kind: 'error', line: 3, fieldIndex: null, message: 'is not UTF-8 text (save the file as UTF-8)', leadingField: 'M3' },
      fields(4, 'b'),
    ]);
  });

  it('stops a quoted field that runs past the limit at the limit, and resumes on the next line', async () => {
    const records = await read(`"${'x\n'.repeat(30)}`, 20);
    expect(records[0]).to.include({ kind: 'error', line: 1 });
    expect((records[0] as { message: string }).message).to.match(/longer than 20 characters/);
    expect(records.length).to.be.greaterThan(1);
  });

  it('reads lines and multi-byte characters split across 64 KB chunks', async () => {
    const row = '电表一号,总,2026-10-31\r\n';
    const content = row.repeat(10_000); // about 300 KB: several chunks, splits inside characters and CRLFs
    const records = await read(content);
    expect(records).to.have.length(10_000);
    expect(records.every((r) => r.kind === 'fields' && r.fields.join('|') === '电表一号|总|2026-10-31')).to.equal(true);
    expect(records.at(-1)!.line).to.equal(10_000);
  });

  it('reads an empty file as no records', async () => {
    expect(await read('')).to.deep.equal([]);
    expect(await read('\uFEFF\n\n')).to.deep.equal([]);
  });
});
