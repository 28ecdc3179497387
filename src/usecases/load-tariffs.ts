// The tariffs the bill run prices with, read from the store. Storage contract (import-tariff.ts
// writes it): one row per tariff version, its `document` a standalone tariff document holding just
// that version; a later import of the same code and effectiveFrom is a new row with a higher
// `version` that supersedes the earlier one. Loading keeps the highest version per (code,
// effective_from) and merges each code's versions, in date order, into one domain Tariff.

import { GridbillError } from '../errors.ts';
import { formatTariffIssues, parseTariff } from '../domain/tariffs/parse-tariff.ts';
import { isJsonObject, type JsonIssue, type JsonObject } from '../domain/tariffs/json-fields.ts';
import { mergeTariffDocuments, type DocumentPart } from '../domain/tariffs/tariff-document.ts';
import type { Tariff } from '../domain/tariffs/tariff.ts';
import type { Store } from '../store/database.ts';
import { listAllTariffVersions } from '../store/tariff.repository.ts';
import type { TariffRow } from '../store/tariff.table.ts';

const REIMPORT_HINT = 'import a corrected tariff file: its versions supersede the stored ones';

/** The rows in force: the highest version per effective_from, in effective_from order. */
export function currentTariffRows(rows: readonly TariffRow[]): TariffRow[] {
  const byDate = new Map<string, TariffRow>();
  for (const row of rows) {
    const held = byDate.get(row.effective_from);
    if (held === undefined || row.version > held.version) byDate.set(row.effective_from, row);
  }
  return [...byDate.values()].sort((a, b) => a.effective_from.localeCompare(b.effective_from));
}

function indent(issues: readonly JsonIssue[]): string {
  return formatTariffIssues(issues).split('\n').map((line) => `  ${line}`).join('\n');
}

export function versionLabel(row: Pick<TariffRow, 'version' | 'effective_from'>): string {
  return `v${row.version} (from ${row.effective_from})`;
}

/** A stored row's document, checked to parse alone and to match its row. */
export function storedDocument(row: TariffRow): JsonObject {
  const fail = (why: string) => new GridbillError('TARIFF_INVALID', `stored tariff ${row.code} version ${row.version} ${why}`, { hint: REIMPORT_HINT });
  let document: unknown;
  try {
    document = JSON.parse(row.document);
  } catch (error) {
    throw fail(`is not JSON: ${(error as Error).message}`);
  }
  const parsed = parseTariff(document);
  if (!parsed.ok) throw fail(`no longer parses:\n${indent(parsed.error)}`);
  const version = parsed.value.versions[0];
  if (!isJsonObject(document) || parsed.value.code !== row.code || parsed.value.versions.length !== 1 || version?.effectiveFrom !== row.effective_from) {
    throw fail(`does not hold the one version of ${row.code} from ${row.effective_from} that its row says`);
  }
  return document;
}

/** Merges a code's rows (any order, superseded ones included) into its domain tariff. */
export function tariffOfRows(code: string, rows: readonly TariffRow[]): Tariff {
  const current = currentTariffRows(rows);
  const parts: DocumentPart[] = current.map((row) => ({ label: versionLabel(row), document: storedDocument(row) }));
  const latest = current.reduce((a, b) => (b.version > a.version ? b : a));
  const head = parts[current.indexOf(latest)]!.document;
  const merged = mergeTariffDocuments(parts, head);
  if (!merged.ok) {
    throw new GridbillError('TARIFF_INVALID', `stored versions of tariff ${code} do not fit together:\n${indent(merged.error)}`, { hint: REIMPORT_HINT });
  }
  return merged.value;
}

/** Every stored tariff by code, as the bill run prices with it. */
export async function loadTariffs(store: Store): Promise<Map<string, Tariff>> {
  const byCode = new Map<string, TariffRow[]>();
  for (const row of await listAllTariffVersions(store)) {
    const rows = byCode.get(row.code) ?? [];
    rows.push(row);
    byCode.set(row.code, rows);
  }
  const tariffs = new Map<string, Tariff>();
  for (const [code, rows] of byCode) tariffs.set(code, tariffOfRows(code, rows));
  return tariffs;
}
