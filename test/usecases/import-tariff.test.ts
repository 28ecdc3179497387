import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect } from 'chai';
import { describeOnEveryStore, type StoreHandle } from '../support/stores.ts';
import { tariffFixtureFiles } from '../../fixtures/tariffs/index.ts';
import { GridbillError } from '../../src/errors.ts';
import { parseTariff } from '../../src/domain/tariffs/parse-tariff.ts';
import { verifyAuditChain } from '../../src/store/audit.repository.ts';
import { insertTariffVersion, listAllTariffVersions, listTariffVersions } from '../../src/store/tariff.repository.ts';
import { importTariffFile, type TariffImportOptions } from '../../src/usecases/import-tariff.ts';
import { loadTariffs } from '../../src/usecases/load-tariffs.ts';

const NOW = '2026-11-01T00:00:00.000Z';
const TARIFF_FIXTURE_FILES = tariffFixtureFiles();
const OPTIONS: TariffImportOptions = { dryRun: false, actor: 'tester', now: NOW };
const LADDER = TARIFF_FIXTURE_FILES.find((f) => basename(f) === 'zj-residential-ladder.json')!;

type Doc = { code: string; kind: string; name: string; versions: Array<Record<string, unknown>>; [key: string]: unknown };

function fixture(path: string): Doc {
  return JSON.parse(readFileSync(path, 'utf8')) as Doc;
}

/** The same JSON with the keys of every object in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}

async function failure(promise: Promise<unknown>): Promise<GridbillError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error, 'expected a GridbillError').to.be.instanceOf(GridbillError);
  return error as GridbillError;
}

async function auditRecords(h: StoreHandle): Promise<number> {
  const verdict = await verifyAuditChain(h.store);
  expect(verdict.kind).to.equal('intact');
  return verdict.records;
}

function useTempDir(): { file(name: string, content: unknown): string } {
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-tariff-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return path;
    },
  };
}

describeOnEveryStore('tariff import of the fixtures', (h) => {
  it('stores every fixture, one standalone row per version, numbered from 1', async () => {
    for (const file of TARIFF_FIXTURE_FILES) {
      const doc = fixture(file);
      const result = await importTariffFile(h.store, file, OPTIONS);
      expect(result.stored.map((s) => s.version), file).to.deep.equal(doc.versions.map((_, i) => i + 1));
      const rows = await listTariffVersions(h.store, doc.code);
      expect(rows).to.have.length(doc.versions.length);
      rows.forEach((row, i) => {
        const stored = JSON.parse(row.document) as Doc;
        expect(stored.versions).to.deep.equal([doc.versions[i]]);
        expect({ ...stored, versions: [] }).to.deep.equal({ ...doc, versions: [] });
        expect(parseTariff(stored).ok, `${doc.code} v${row.version} parses alone`).to.equal(true);
        expect(row).to.include({ code: doc.code, kind: doc.kind, name: doc.name, effective_from: doc.versions[i]!.effectiveFrom, published_at: NOW });
        expect(row.effective_to).to.equal(doc.versions[i]!.effectiveTo ?? null);
      });
    }
    expect(await auditRecords(h)).to.equal(TARIFF_FIXTURE_FILES.length);
  });

  it('loads domain tariffs equal to parseTariff of the fixture files', async () => {
    const tariffs = await loadTariffs(h.store);
    expect([...tariffs.keys()].sort()).to.deep.equal(TARIFF_FIXTURE_FILES.map((f) => fixture(f).code).sort());
    for (const file of TARIFF_FIXTURE_FILES) {
      const parsed = parseTariff(fixture(file));
      if (!parsed.ok) throw new Error(`${file} does not parse`);
      expect(tariffs.get(parsed.value.code), file).to.deep.equal(parsed.value);
    }
  });

  const temp = useTempDir();

  it('changes nothing when the same files are imported again, even with their keys reordered', async () => {
    const before = await listAllTariffVersions(h.store);
    for (const file of TARIFF_FIXTURE_FILES) {
      const reordered = temp.file(`reordered-${basename(file)}`, reverseKeys(fixture(file)));
      for (const path of [file, reordered]) {
        const result = await importTariffFile(h.store, path, OPTIONS);
        expect(result.stored, path).to.deep.equal([]);
        expect(result.unchanged).to.deep.equal(fixture(file).versions.map((v) => v.effectiveFrom));
      }
    }
    expect(await listAllTariffVersions(h.store)).to.deep.equal(before);
    expect(await auditRecords(h)).to.equal(TARIFF_FIXTURE_FILES.length);
  });
});

describeOnEveryStore('tariff import of changed versions', (h) => {
  const temp = useTempDir();
  const ladder = fixture(LADDER);
  const withFirstTierPrice = (flat: string, extra: Array<Record<string, unknown>> = []): Doc => ({
    ...ladder,
    versions: [{ ...ladder.versions[0]!, tiers: [{ upToKwh: 2760, flat, peak: '0.568', valley: '0.288' }, ...(ladder.versions[0]!.tiers as unknown[]).slice(1)] }, ...extra],
  });

  it('stores a changed version as a new version number that supersedes the old one', async () => {
    await importTariffFile(h.store, LADDER, OPTIONS);
    const result = await importTariffFile(h.store, temp.file('changed.json', withFirstTierPrice('0.540')), OPTIONS);
    expect(result.stored).to.deep.equal([{ version: 2, effectiveFrom: '2017-01-01', effectiveTo: null }]);
    expect((await listTariffVersions(h.store, ladder.code)).map((r) => r.version)).to.deep.equal([1, 2]);
    const loaded = (await loadTariffs(h.store)).get(ladder.code)!;
    expect(loaded.versions).to.have.length(1);
    expect(loaded.kind === 'residential-ladder' && loaded.versions[0]!.tiers[0]!.flatMicros).to.equal(540_000);
  });

  it('goes back to an earlier content with yet another version, and the loader follows the highest', async () => {
    const result = await importTariffFile(h.store, LADDER, OPTIONS);
    expect(result.stored.map((s) => s.version)).to.deep.equal([3]);
    const loaded = (await loadTariffs(h.store)).get(ladder.code)!;
    expect(loaded.kind === 'residential-ladder' && loaded.versions[0]!.tiers[0]!.flatMicros).to.equal(538_000);
  });

  it('adds a later version beside the stored ones and merges them in date order', async () => {
    const later = { ...ladder.versions[0]!, effectiveFrom: '2027-01-01' };
    const result = await importTariffFile(h.store, temp.file('later.json', { ...ladder, versions: [later] }), OPTIONS);
    expect(result.stored).to.deep.equal([{ version: 4, effectiveFrom: '2027-01-01', effectiveTo: null }]);
    const loaded = (await loadTariffs(h.store)).get(ladder.code)!;
    expect(loaded.versions.map((v) => v.effectiveFrom)).to.deep.equal(['2017-01-01', '2027-01-01']);
  });

  it('stores only the versions of a file that changed, and says which were unchanged', async () => {
    const later = { ...ladder.versions[0]!, effectiveFrom: '2027-01-01' };
    const result = await importTariffFile(h.store, temp.file('both.json', withFirstTierPrice('0.538', [{ ...later, note: 'confirmed' }])), OPTIONS);
    expect(result.unchanged).to.deep.equal(['2017-01-01']);
    expect(result.stored).to.deep.equal([{ version: 5, effectiveFrom: '2027-01-01', effectiveTo: null }]);
  });

  it('on a dry run says what it would store and writes nothing, not even an audit record', async () => {
    const rows = await listAllTariffVersions(h.store);
    const audits = await auditRecords(h);
    const result = await importTariffFile(h.store, temp.file('dry.json', withFirstTierPrice('0.600')), { ...OPTIONS, dryRun: true });
    expect(result).to.deep.include({ dryRun: true, stored: [{ version: 6, effectiveFrom: '2017-01-01', effectiveTo: null }] });
    expect(await listAllTariffVersions(h.store)).to.deep.equal(rows);
    expect(await auditRecords(h)).to.equal(audits);
  });

  it('refuses a version that would overlap a stored one, naming both, and stores nothing', async () => {
    const rows = await listAllTariffVersions(h.store);
    const closing = { ...ladder, versions: [{ ...ladder.versions[0]!, effectiveFrom: '2026-01-01', effectiveTo: '2027-06-01' }] };
    const error = await failure(importTariffFile(h.store, temp.file('overlap.json', closing), OPTIONS));
    expect(error.code).to.equal('TARIFF_INVALID');
    expect(error.message).to.include('together with the stored versions of zj-residential-ladder');
    expect(error.message).to.include("the file's version from 2026-01-01: $.versions[0].effectiveTo: overlaps the next version, which starts 2027-01-01");
    expect(await listAllTariffVersions(h.store)).to.deep.equal(rows);
  });

  it('refuses a file that gives a stored code another kind', async () => {
    const shared = fixture(TARIFF_FIXTURE_FILES.find((f) => f.endsWith('zj-residential-shared.json'))!);
    const error = await failure(importTariffFile(h.store, temp.file('kind.json', { ...shared, code: ladder.code }), OPTIONS));
    expect(error.code).to.equal('TARIFF_INVALID');
    expect(error.message).to.match(/\$\.kind: is flat, but zj-residential-ladder is stored as residential-ladder/);
  });
});

describeOnEveryStore('tariff import of a bad file', (h) => {
  const temp = useTempDir();

  it('lists every problem with its JSON path, one per line, and stores nothing', async () => {
    const ladder = fixture(LADDER);
    const bad = {
      ...ladder, code: 'Bad Code', extra: true,
      versions: [{ ...ladder.versions[0]!, effectiveFrom: '2017-02-30', tiers: [{ upToKwh: 2760, flat: 0.538 }, { upToKwh: 100, flat: '0.5' }, { flat: '0.6' }] }],
    };
    const error = await failure(importTariffFile(h.store, temp.file('bad.json', bad), OPTIONS));
    expect(error.code).to.equal('TARIFF_INVALID');
    const lines = error.message.split('\n');
    expect(lines[0]).to.match(/bad\.json: 5 problems, nothing stored:$/);
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).to.have.members([
      '$.extra', '$.code', '$.versions[0].effectiveFrom', '$.versions[0].tiers[0].flat', '$.versions[0].tiers[1].upToKwh',
    ]);
    expect(await listAllTariffVersions(h.store)).to.deep.equal([]);
    expect(await auditRecords(h)).to.equal(0);
  });

  it('says a file that is not JSON is not JSON', async () => {
    const error = await failure(importTariffFile(h.store, temp.file('broken.json', '{"format": '), OPTIONS));
    expect(error.code).to.equal('TARIFF_INVALID');
    expect(error.message).to.match(/broken\.json: 1 problem, nothing stored:\n {2}\$: is not JSON/);
  });

  it('names a missing file or a folder', async () => {
    const missing = await failure(importTariffFile(h.store, '/no/such/tariff.json', OPTIONS));
    expect(missing.code).to.equal('INPUT_INVALID');
    expect(missing.message).to.include('/no/such/tariff.json: no such file');
    const folder = await failure(importTariffFile(h.store, tmpdir(), OPTIONS));
    expect(folder.message).to.include('not a regular file');
  });
});

describeOnEveryStore('loading stored tariffs', (h) => {
  const row = (version: number, document: string) => ({
    code: 'zj-residential-ladder', version, kind: 'residential-ladder', name: 'n', effective_from: '2017-01-01',
    effective_to: null, document, source: 's', published_at: NOW,
  });

  it('loads nothing from an empty table', async () => {
    expect((await loadTariffs(h.store)).size).to.equal(0);
  });

  it('names the code and version of a stored document that no longer parses', async () => {
    await importTariffFile(h.store, LADDER, OPTIONS);
    const ladder = fixture(LADDER);
    await insertTariffVersion(h.store, row(2, JSON.stringify({ ...ladder, versions: [{ ...ladder.versions[0]!, tiers: [] }] })));
    const error = await failure(loadTariffs(h.store));
    expect(error.code).to.equal('TARIFF_INVALID');
    expect(error.message).to.include('stored tariff zj-residential-ladder version 2 no longer parses');
    expect(error.message).to.include('$.versions[0].tiers: must have 1 to 9 entries');
  });

  it('mends a stored document that no longer parses by importing the corrected file', async () => {
    const result = await importTariffFile(h.store, LADDER, OPTIONS);
    expect(result.stored.map((s) => s.version)).to.deep.equal([3]);
    expect((await loadTariffs(h.store)).get('zj-residential-ladder')).to.deep.equal((parseTariff(fixture(LADDER)) as { value: unknown }).value);
  });

  it('names a stored row whose document is not JSON, or holds another version than its row says', async () => {
    await insertTariffVersion(h.store, row(4, '{oops'));
    expect((await failure(loadTariffs(h.store))).message).to.include('stored tariff zj-residential-ladder version 4 is not JSON');
    await insertTariffVersion(h.store, { ...row(5, readFileSync(LADDER, 'utf8')), effective_from: '2017-01-01' });
    const ladder = fixture(LADDER);
    await insertTariffVersion(h.store, { ...row(6, JSON.stringify(ladder)), effective_from: '2018-01-01' });
    expect((await failure(loadTariffs(h.store))).message).to.include('version 6 does not hold the one version of zj-residential-ladder from 2018-01-01');
  });
});
