// Tariff documents as they are stored: one row per version, each row a complete standalone
// document whose `versions` holds just that version (so a row can be read, shown or published
// again on its own), and the way back: the rows of a code merged into one document of all its
// versions, parsed again so that versions imported at different times cannot overlap unseen.

import { isJsonObject, type JsonIssue, type JsonObject } from './json-fields.ts';
import { parseTariff } from './parse-tariff.ts';
import type { Result, Tariff } from './tariff.ts';

export interface VersionDocument {
  readonly effectiveFrom: string;
  readonly effectiveTo: string | null;
  /** A complete tariff document whose `versions` holds this one version. */
  readonly document: JsonObject;
}

/** Splits a document that parseTariff accepted into one standalone document per version. */
export function splitTariffDocument(document: JsonObject): VersionDocument[] {
  const { versions, ...head } = document;
  if (!Array.isArray(versions)) throw new TypeError('splitTariffDocument needs a document that parseTariff accepted');
  return versions.map((version: JsonObject) => ({
    effectiveFrom: String(version.effectiveFrom),
    effectiveTo: typeof version.effectiveTo === 'string' ? version.effectiveTo : null,
    document: { ...head, versions: [version] },
  }));
}

/** JSON with object keys sorted: a document written with its keys in another order is the same document. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface DocumentPart {
  /** Names the part in issues, e.g. "v3 (from 2024-01-01)". */
  readonly label: string;
  /** A standalone document of one version. */
  readonly document: JsonObject;
}

function onlyVersion(part: DocumentPart): JsonObject {
  const versions = part.document.versions;
  return Array.isArray(versions) && versions.length === 1 && isJsonObject(versions[0]) ? versions[0] : {};
}

/**
 * One tariff of all the parts' versions, in effectiveFrom order, under `head`'s code, name, kind
 * and source (the latest import's). Issues name the part they come from, by its label.
 */
export function mergeTariffDocuments(parts: readonly DocumentPart[], head: JsonObject): Result<Tariff, readonly JsonIssue[]> {
  const sorted = [...parts].sort((a, b) => String(onlyVersion(a).effectiveFrom).localeCompare(String(onlyVersion(b).effectiveFrom)));
  const kindIssues = sorted
    .filter((part) => part.document.kind !== head.kind)
    .map((part) => ({ path: `${part.label}: $.kind`, message: `is ${String(part.document.kind)}, not ${String(head.kind)} like the latest version` }));
  if (kindIssues.length > 0) return { ok: false, error: kindIssues };
  const { versions: _versions, ...top } = head;
  const merged = parseTariff({ ...top, versions: sorted.map(onlyVersion) });
  if (merged.ok) return merged;
  return {
    ok: false,
    error: merged.error.map((issue) => {
      const m = /^\$\.versions\[(\d+)\](.*)$/.exec(issue.path);
      const part = m === null ? undefined : sorted[Number(m[1])];
      return part === undefined ? issue : { path: `${part.label}: $.versions[0]${m![2]}`, message: issue.message };
    }),
  };
}
