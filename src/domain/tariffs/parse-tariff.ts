// Validates a tariff document (parsed JSON of unknown shape) into a typed Tariff, or returns every
// problem found with its JSON path, e.g.
//   $.versions[0].tiers[1].upToKwh: must be an integer greater than the previous tier
// Money and ratios are decimal strings, never JSON numbers. The format is described, with an
// example, in fixtures/tariffs/README.md.

import { compareDates } from '../dates.ts';
import { Issues, readArray, readObject, readOneOf, readString, type JsonIssue } from './json-fields.ts';
import { CODE_PATTERN, parseVersionBody, TARIFF_LIMITS } from './parse-version.ts';
import { TARIFF_KINDS, type Result, type Tariff } from './tariff.ts';

export type TariffIssue = JsonIssue;
export { TARIFF_LIMITS };

export const TARIFF_FORMAT = 'gridbill.tariff/1';

export function parseTariff(value: unknown): Result<Tariff, readonly TariffIssue[]> {
  const issues = new Issues();
  const tariff = parseDocument(value, issues);
  if (tariff === undefined || issues.list.length > 0) {
    if (issues.list.length === 0) issues.add('$', 'is not a valid tariff');
    return { ok: false, error: issues.list };
  }
  return { ok: true, value: tariff };
}

/** One line per issue, for CLI output and fault details. */
export function formatTariffIssues(list: readonly TariffIssue[]): string {
  return list.map((i) => `${i.path}: ${i.message}`).join('\n');
}

function parseDocument(value: unknown, issues: Issues): Tariff | undefined {
  const doc = readObject(value, '$', issues, ['format', 'code', 'name', 'kind', 'source', 'versions']);
  if (doc === undefined) return undefined;
  if (doc.format !== undefined && doc.format !== TARIFF_FORMAT) issues.add('$.format', `must be "${TARIFF_FORMAT}"`);
  const code = readString(doc, 'code', '$', issues, 64, CODE_PATTERN);
  const name = readString(doc, 'name', '$', issues, TARIFF_LIMITS.nameCharsMax);
  const source = readString(doc, 'source', '$', issues, TARIFF_LIMITS.sourceCharsMax);
  const kind = readOneOf(doc, 'kind', '$', issues, TARIFF_KINDS);
  const rawVersions = readArray(doc, 'versions', '$', issues, 1, TARIFF_LIMITS.versionsMax);
  if (kind === undefined || rawVersions === undefined) return undefined;
  checkVersionDates(rawVersions, issues);
  const base = { code: code ?? '', name: name ?? '', source: source ?? '' };
  // One switch over the kind: each case builds that kind's versions with its own body reader.
  switch (kind) {
    case 'residential-ladder':
      return { ...base, kind, versions: parseVersions(rawVersions, issues, (v, p) => parseVersionBody.ladder(v, p, issues)) };
    case 'flat':
      return { ...base, kind, versions: parseVersions(rawVersions, issues, (v, p) => parseVersionBody.flat(v, p, issues)) };
    case 'component-tou':
      return { ...base, kind, versions: parseVersions(rawVersions, issues, (v, p) => parseVersionBody.componentTou(v, p, issues)) };
    case 'two-part':
      return { ...base, kind, versions: parseVersions(rawVersions, issues, (v, p) => parseVersionBody.twoPart(v, p, issues)) };
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown kind ${String(unknownKind)}`);
    }
  }
}

function parseVersions<V>(
  raw: readonly unknown[], issues: Issues, parseOne: (value: unknown, path: string) => V | undefined,
): V[] {
  const versions: V[] = [];
  raw.forEach((value, i) => {
    const version = parseOne(value, `$.versions[${i}]`);
    if (version !== undefined) versions.push(version);
  });
  return versions;
}

/** Versions in strictly increasing effectiveFrom, each ending after it starts and before the next. */
function checkVersionDates(raw: readonly unknown[], issues: Issues): void {
  let previous: { from: string; to: string | undefined } | undefined;
  raw.forEach((value, i) => {
    const obj = value as { effectiveFrom?: unknown; effectiveTo?: unknown } | null;
    const from = typeof obj?.effectiveFrom === 'string' ? obj.effectiveFrom : undefined;
    const to = typeof obj?.effectiveTo === 'string' ? obj.effectiveTo : undefined;
    if (from === undefined) return;
    if (to !== undefined && compareDates(to, from) <= 0) {
      issues.add(`$.versions[${i}].effectiveTo`, 'must be after effectiveFrom');
    }
    if (previous !== undefined && compareDates(from, previous.from) <= 0) {
      issues.add(`$.versions[${i}].effectiveFrom`, "must be after the previous version's effectiveFrom");
    } else if (previous?.to !== undefined && compareDates(from, previous.to) < 0) {
      issues.add(`$.versions[${i - 1}].effectiveTo`, `overlaps the next version, which starts ${from}`);
    }
    previous = { from, to };
  });
}

