import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { parseTariff } from '../../../src/domain/tariffs/parse-tariff.ts';
import { ISSUES_MAX } from '../../../src/domain/tariffs/json-fields.ts';
import { readFixture } from './helpers.ts';

type Doc = Record<string, unknown> & { versions: Record<string, unknown>[] };

function fixture(file: string): Doc {
  return structuredClone(readFixture(file)) as Doc;
}
const ladder = () => fixture('zj-residential-ladder.json');
const flat = () => fixture('zj-residential-shared.json');
const commercial = () => fixture('zj-commercial-tou.json');
const twoPart = () => fixture('zj-large-industry-two-part.json');

function v0(doc: Doc): Record<string, unknown> {
  const v = doc.versions[0];
  if (v === undefined) throw new Error('fixture has a version');
  return v;
}
function at<T>(value: unknown, ...keys: (string | number)[]): T {
  let current = value;
  for (const k of keys) current = (current as Record<string | number, unknown>)[k];
  return current as T;
}

/** The issues of a document as "path: message" lines; fails if it parses. */
function issues(doc: unknown): string[] {
  const parsed = parseTariff(doc);
  if (parsed.ok) throw new Error('expected the document to be refused');
  return parsed.error.map((i) => `${i.path}: ${i.message}`);
}

describe('tariff documents', () => {
  it('reads every fixture', () => {
    const files = readdirSync(new URL('../../../fixtures/tariffs/', import.meta.url)).filter((f) => f.endsWith('.json'));
    expect(files).to.have.length.at.least(4);
    for (const file of files) {
      const parsed = parseTariff(readFixture(file));
      expect(parsed.ok, `${file}: ${parsed.ok ? '' : JSON.stringify(parsed.error)}`).to.equal(true);
    }
  });

  it('reads rates exactly and tier bounds as given', () => {
    const parsed = parseTariff(ladder());
    if (!parsed.ok || parsed.value.kind !== 'residential-ladder') throw new Error('ladder fixture');
    expect(parsed.value.versions[0]?.tiers).to.deep.equal([
      { upToKwh: 2760, flatMicros: 538_000, tou: { peakMicros: 568_000, valleyMicros: 288_000 } },
      { upToKwh: 4800, flatMicros: 588_000, tou: { peakMicros: 618_000, valleyMicros: 338_000 } },
      { flatMicros: 838_000, tou: { peakMicros: 868_000, valleyMicros: 588_000 } },
    ]);
    const tp = parseTariff(twoPart());
    if (!tp.ok || tp.value.kind !== 'two-part') throw new Error('two-part fixture');
    expect(tp.value.versions[0]?.basic).to.deep.equal({
      capacityRateMicros: 22_600_000, demandRateMicros: 36_100_000, prorationDaysPerMonth: 30,
      demandFloorBp: 4_000, demandExcessThresholdBp: 10_500, demandExcessMultiplier: 2,
    });
    expect(tp.value.versions[0]?.touRatiosBp).to.deep.equal({ sharp: 18_000, peak: 14_900, flat: 10_000, valley: 4_800 });
  });

  describe('refuses, with the JSON path', () => {
    it('a document that is not an object', () => {
      for (const bad of [null, [], 'tariff', 42]) expect(issues(bad)).to.deep.equal(['$: must be an object']);
    });

    it('missing, unknown and malformed top-level fields', () => {
      const doc = ladder();
      delete doc.code;
      doc.colour = 'blue';
      doc.format = 'gridbill.tariff/2';
      expect(issues(doc)).to.have.members([
        '$.code: is required', '$.colour: is not a known property', '$.format: must be "gridbill.tariff/1"',
      ]);
      expect(issues({ ...ladder(), code: 'ZJ Ladder' })).to.deep.equal(['$.code: must match ^[a-z0-9][a-z0-9.-]{0,63}$']);
      expect(issues({ ...ladder(), name: '  ' })).to.deep.equal(['$.name: must be a non-empty string']);
      expect(issues({ ...ladder(), source: 'x'.repeat(4_001) })).to.deep.equal(['$.source: must be at most 4000 characters']);
      expect(issues({ ...ladder(), kind: 'stepped' })).to.deep.equal(['$.kind: must be one of residential-ladder, flat, component-tou, two-part']);
      expect(issues({ ...ladder(), versions: [] })).to.deep.equal(['$.versions: must have 1 to 240 entries, has 0']);
      expect(issues({ ...ladder(), versions: {} })).to.deep.equal(['$.versions: must be an array']);
    });

    it('a rate given as a JSON number, with too many decimals, negative or in exponent form', () => {
      const cases: [unknown, string][] = [
        [0.538, 'must be a decimal string such as "0.538", not a JSON number'],
        ['0.5380001', 'must be a non-negative decimal string with at most 6 fraction digits'],
        ['-0.5', 'must be a non-negative decimal string with at most 6 fraction digits'],
        ['5e-1', 'must be a non-negative decimal string with at most 6 fraction digits'],
        ['.5', 'must be a non-negative decimal string with at most 6 fraction digits'],
        ['', 'must be a non-negative decimal string with at most 6 fraction digits'],
      ];
      for (const [rate, message] of cases) {
        const doc = ladder();
        at<Record<string, unknown>[]>(v0(doc), 'tiers')[1]!.flat = rate;
        expect(issues(doc), String(rate)).to.deep.equal([`$.versions[0].tiers[1].flat: ${message}`]);
      }
    });

    it('tier bounds that do not rise, a bounded last tier and an unbounded middle tier', () => {
      const falling = ladder();
      at<Record<string, unknown>[]>(v0(falling), 'tiers')[1]!.upToKwh = 2760;
      expect(issues(falling)).to.deep.equal(['$.versions[0].tiers[1].upToKwh: must be an integer greater than the previous tier']);
      const fractional = ladder();
      at<Record<string, unknown>[]>(v0(fractional), 'tiers')[0]!.upToKwh = 2760.5;
      expect(issues(fractional)).to.deep.equal(['$.versions[0].tiers[0].upToKwh: must be a positive integer up to 1000000']);
      const asString = ladder();
      at<Record<string, unknown>[]>(v0(asString), 'tiers')[1]!.upToKwh = '4800';
      expect(issues(asString)).to.deep.equal(['$.versions[0].tiers[1].upToKwh: must be an integer greater than the previous tier']);
      const boundedLast = ladder();
      at<Record<string, unknown>[]>(v0(boundedLast), 'tiers')[2]!.upToKwh = 9000;
      expect(issues(boundedLast)).to.deep.equal(['$.versions[0].tiers[2].upToKwh: must be absent on the last tier, which has no upper bound']);
      const openMiddle = ladder();
      delete at<Record<string, unknown>[]>(v0(openMiddle), 'tiers')[1]!.upToKwh;
      expect(issues(openMiddle)).to.deep.equal(['$.versions[0].tiers[1].upToKwh: is required on every tier but the last']);
    });

    it('TOU prices on some tiers only, or a peak without a valley', () => {
      const half = ladder();
      delete at<Record<string, unknown>[]>(v0(half), 'tiers')[0]!.valley;
      expect(issues(half)).to.deep.equal(['$.versions[0].tiers[0]: must give both peak and valley, or neither']);
      const some = ladder();
      const tier = at<Record<string, unknown>[]>(v0(some), 'tiers')[2]!;
      delete tier.peak;
      delete tier.valley;
      expect(issues(some)).to.deep.equal(['$.versions[0].tiers[2]: must have peak and valley prices exactly when the first tier has them']);
    });

    it('bad, unordered and overlapping version dates', () => {
      const badDate = ladder();
      v0(badDate).effectiveFrom = '2025-02-30';
      expect(issues(badDate)).to.deep.equal(['$.versions[0].effectiveFrom: must be a date YYYY-MM-DD']);
      const backwards = ladder();
      v0(backwards).effectiveTo = '2016-12-31';
      expect(issues(backwards)).to.deep.equal(['$.versions[0].effectiveTo: must be after effectiveFrom']);
      const unordered = ladder();
      unordered.versions.push({ ...structuredClone(v0(unordered)), effectiveFrom: '2016-01-01' });
      expect(issues(unordered)).to.deep.equal(["$.versions[1].effectiveFrom: must be after the previous version's effectiveFrom"]);
      const overlapping = ladder();
      v0(overlapping).effectiveTo = '2025-06-01';
      overlapping.versions.push({ ...structuredClone(v0(overlapping)), effectiveFrom: '2025-01-01', effectiveTo: undefined });
      delete overlapping.versions[1]!.effectiveTo;
      expect(issues(overlapping)).to.deep.equal(['$.versions[0].effectiveTo: overlaps the next version, which starts 2025-01-01']);
    });

    it('funds with unknown categories, duplicate codes or missing fields', () => {
      const doc = commercial();
      const funds = at<Record<string, unknown>[]>(v0(doc), 'funds');
      funds[0]!.exemptCategories = ['agricultural', 'farmers', 'agricultural'];
      funds[2]!.code = 'renewable';
      delete funds[1]!.label;
      expect(issues(doc)).to.have.members([
        '$.versions[0].funds[0].exemptCategories[1]: must be one of residential, residential-shared, industrial-commercial, large-industry, agricultural',
        '$.versions[0].funds[0].exemptCategories[2]: duplicates an earlier entry (agricultural)',
        '$.versions[0].funds[1].label: is required',
        '$.versions[0].funds[2].code: duplicates an earlier entry (renewable)',
      ]);
      const missing = ladder();
      delete v0(missing).funds;
      expect(issues(missing)).to.deep.equal(['$.versions[0].funds: is required']);
    });

    it('flat rates with an unknown or repeated voltage', () => {
      const doc = flat();
      const rates = at<Record<string, unknown>[]>(v0(doc), 'rates');
      rates[1]!.voltage = 'below-1kv';
      expect(issues(doc)).to.deep.equal(['$.versions[0].rates[1].voltage: duplicates an earlier entry (below-1kv)']);
      rates[1]!.voltage = '380v';
      expect(issues(doc)).to.deep.equal(['$.versions[0].rates[1].voltage: must be one of below-1kv, 1-10kv, 20kv, 35kv, 110kv, 220kv']);
    });

    it('components, TOU ratios, sharp months and the power-factor base', () => {
      const doc = commercial();
      const v = v0(doc);
      const components = at<Record<string, unknown>[]>(v, 'components');
      components[0]!.touApplies = 'yes';
      components[3]!.code = 'purchase';
      delete at<Record<string, unknown>>(v, 'touRatios').valley;
      at<Record<string, unknown>>(v, 'touRatios').peak = '1.49001';
      v.sharpMonths = [7, 13, 7];
      v.powerFactorBase = ['energy', 'penalty'];
      expect(issues(doc)).to.have.members([
        '$.versions[0].components[0].touApplies: must be true or false',
        '$.versions[0].components[3].code: duplicates an earlier entry (purchase)',
        '$.versions[0].touRatios.valley: is required',
        '$.versions[0].touRatios.peak: must be a non-negative decimal string with at most 4 fraction digits',
        '$.versions[0].sharpMonths[1]: must be an integer from 1 to 12',
        '$.versions[0].sharpMonths[2]: duplicates an earlier entry (7)',
        '$.versions[0].powerFactorBase[1]: must be one of energy, fund, basic-capacity, basic-demand, adjustment',
      ]);
    });

    it('a two-part version without basic terms, or with impossible ones', () => {
      const missing = twoPart();
      delete v0(missing).basic;
      expect(issues(missing)).to.deep.equal(['$.versions[0].basic: is required']);
      const wrong = twoPart();
      const basic = at<Record<string, unknown>>(v0(wrong), 'basic');
      basic.demandFloor = '1.5';
      basic.demandExcessThreshold = '0.95';
      basic.prorationDaysPerMonth = 27;
      basic.demandExcessMultiplier = 0;
      basic.capacityRate = 22.6;
      expect(issues(wrong)).to.have.members([
        '$.versions[0].basic.demandFloor: must be at most 1',
        '$.versions[0].basic.demandExcessThreshold: must be at least 1',
        '$.versions[0].basic.prorationDaysPerMonth: must be an integer from 28 to 31',
        '$.versions[0].basic.demandExcessMultiplier: must be an integer from 1 to 10',
        '$.versions[0].basic.capacityRate: must be a decimal string such as "0.538", not a JSON number',
      ]);
    });

    it('fields of another kind', () => {
      const doc = flat();
      v0(doc).tiers = [];
      expect(issues(doc)).to.deep.equal(['$.versions[0].tiers: is not a known property']);
      expect(issues({ ...commercial(), kind: 'two-part' })).to.deep.equal(['$.versions[0].basic: is required']);
    });

    it('reports at most a bounded number of issues', () => {
      const doc = ladder();
      doc.versions = Array.from({ length: 200 }, () => ({ effectiveFrom: 'soon', tiers: 'none', funds: 0 }));
      expect(issues(doc)).to.have.length(ISSUES_MAX);
    });
  });
});
