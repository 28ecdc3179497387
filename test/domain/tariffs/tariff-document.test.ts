import { expect } from 'chai';
import { parseTariff } from '../../../src/domain/tariffs/parse-tariff.ts';
import { canonicalJson, mergeTariffDocuments, splitTariffDocument } from '../../../src/domain/tariffs/tariff-document.ts';
import { readFixture } from './helpers.ts';

type Doc = Record<string, unknown> & { versions: Record<string, unknown>[] };

/** The ladder fixture with three versions: 2017, 2024 (ends 2025-01-01), 2025. */
function threeVersions(): Doc {
  const doc = structuredClone(readFixture('zj-residential-ladder.json')) as Doc;
  const v0 = doc.versions[0]!;
  doc.versions = [v0, { ...v0, effectiveFrom: '2024-01-01', effectiveTo: '2025-01-01' }, { ...v0, effectiveFrom: '2025-01-01', note: 'n' }];
  return doc;
}

describe('stored tariff documents', () => {
  it('split into one standalone document per version that parses on its own', () => {
    const doc = threeVersions();
    const parts = splitTariffDocument(doc);
    expect(parts.map((p) => [p.effectiveFrom, p.effectiveTo])).to.deep.equal([['2017-01-01', null], ['2024-01-01', '2025-01-01'], ['2025-01-01', null]]);
    parts.forEach((part, i) => {
      expect(part.document.versions).to.deep.equal([doc.versions[i]]);
      expect({ ...part.document, versions: null }).to.deep.equal({ ...doc, versions: null });
      expect(parseTariff(part.document).ok).to.equal(true);
    });
  });

  it('merge back, in any order, into the tariff the whole document parses to', () => {
    const doc = threeVersions();
    const parts = splitTariffDocument(doc).map((p, i) => ({ label: `v${i + 1}`, document: p.document }));
    const merged = mergeTariffDocuments([parts[2]!, parts[0]!, parts[1]!], parts[2]!.document);
    expect(merged).to.deep.equal(parseTariff(doc));
  });

  it('take the name and source of the head given, not of the parts', () => {
    const [part] = splitTariffDocument(threeVersions());
    const merged = mergeTariffDocuments([{ label: 'v1', document: part!.document }], { ...part!.document, name: 'renamed' });
    expect(merged.ok && merged.value.name).to.equal('renamed');
  });

  it('report overlapping versions by the label of the part they come from', () => {
    const parts = splitTariffDocument(threeVersions());
    const earlyVersion = (parts[0]!.document.versions as Record<string, unknown>[])[0]!;
    const early = { ...parts[0]!.document, versions: [{ ...earlyVersion, effectiveTo: '2024-06-01' }] };
    const merged = mergeTariffDocuments([{ label: 'v7 (from 2017-01-01)', document: early }, { label: 'v8', document: parts[1]!.document }], early);
    expect(merged).to.deep.equal({ ok: false, error: [{ path: 'v7 (from 2017-01-01): $.versions[0].effectiveTo', message: 'overlaps the next version, which starts 2024-01-01' }] });
  });

  it('refuse to merge parts of different kinds', () => {
    const [ladder] = splitTariffDocument(threeVersions());
    const shared = { ...(readFixture('zj-residential-shared.json') as Doc), code: 'zj-residential-ladder' };
    const merged = mergeTariffDocuments([{ label: 'v1', document: ladder!.document }, { label: 'v2', document: shared }], shared);
    expect(merged.ok).to.equal(false);
    expect(!merged.ok && merged.error[0]!.path).to.equal('v1: $.kind');
  });

  it('compare equal in canonical form whatever the key order, and differ on any value', () => {
    expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: true })).to.equal(canonicalJson({ a: true, b: [1, { c: null, d: 'x' }] }));
    expect(canonicalJson({ a: '0.538' })).to.not.equal(canonicalJson({ a: '0.5380' }));
    expect(canonicalJson([1, 2])).to.not.equal(canonicalJson([2, 1]));
  });
});
