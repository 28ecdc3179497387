// Imports a tariff document (fixtures/tariffs/README.md) into the tariffs table, one row per
// version (the storage contract is in load-tariffs.ts). A version stored before with the same
// content is left alone, so importing a file again changes nothing; a version whose effectiveFrom
// is stored with other content becomes a new row with the next version number, which supersedes
// it. Stored versions the file does not mention stay. Everything one import writes — its rows and
// the audit record — is one transaction.

import { readFile } from 'node:fs/promises';
import { GridbillError } from '../errors.ts';
import { formatTariffIssues, parseTariff } from '../domain/tariffs/parse-tariff.ts';
import type { JsonIssue, JsonObject } from '../domain/tariffs/json-fields.ts';
import { canonicalJson, mergeTariffDocuments, splitTariffDocument, type VersionDocument } from '../domain/tariffs/tariff-document.ts';
import type { Tariff } from '../domain/tariffs/tariff.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { insertTariffVersion, listTariffVersions } from '../store/tariff.repository.ts';
import type { TariffRow } from '../store/tariff.table.ts';
import { checkImportFile } from './import-file.ts';
import { currentTariffRows, storedDocument, versionLabel } from './load-tariffs.ts';

export interface TariffImportOptions {
  readonly dryRun: boolean;
  readonly actor: string;
  /** published_at of the new rows and the audit record's time. */
  readonly now: string;
}

export interface StoredTariffVersion {
  readonly version: number;
  readonly effectiveFrom: string;
  readonly effectiveTo: string | null;
}

export interface TariffImportResult {
  readonly code: string;
  /** The rows written (on a dry run: that would be written), in effectiveFrom order. */
  readonly stored: readonly StoredTariffVersion[];
  /** effectiveFrom of the file's versions already stored with the same content. */
  readonly unchanged: readonly string[];
  readonly dryRun: boolean;
}

function invalid(origin: string, issues: readonly JsonIssue[], what = ''): GridbillError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = formatTariffIssues(issues).split('\n').map((line) => `  ${line}`).join('\n');
  // One issue per line after the first line, so every one of them can be fixed in one pass.
  return new GridbillError('TARIFF_INVALID', `${origin}${what}: ${count}, nothing stored:\n${lines}`);
}

/** Reads and parses a tariff file as JSON (not yet validated as a tariff). */
export async function readTariffFile(path: string): Promise<unknown> {
  await checkImportFile(path);
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(path, [{ path: '$', message: `is not JSON: ${(error as Error).message}` }]);
  }
}

interface ImportPlan {
  readonly toStore: readonly VersionDocument[];
  readonly unchanged: readonly string[];
}

/** The stored document in canonical form, or undefined when it no longer reads (a new import then supersedes it). */
function storedCanonical(row: TariffRow): string | undefined {
  try {
    return canonicalJson(storedDocument(row));
  } catch (error) {
    if (error instanceof GridbillError) return undefined;
    throw error;
  }
}

function planImport(parts: readonly VersionDocument[], current: readonly TariffRow[]): ImportPlan {
  const byDate = new Map(current.map((row) => [row.effective_from, row]));
  const toStore: VersionDocument[] = [];
  const unchanged: string[] = [];
  for (const part of parts) {
    const row = byDate.get(part.effectiveFrom);
    if (row !== undefined && storedCanonical(row) === canonicalJson(part.document)) unchanged.push(part.effectiveFrom);
    else toStore.push(part);
  }
  return { toStore, unchanged };
}

/** A code keeps its kind for life: bills priced under one kind are never read under another. */
function checkKind(origin: string, tariff: Tariff, rows: readonly TariffRow[]): void {
  const mismatched = rows.find((row) => row.kind !== tariff.kind);
  if (mismatched === undefined) return;
  const message = `is ${tariff.kind}, but ${tariff.code} is stored as ${mismatched.kind}; a tariff keeps its kind: publish it under a new code`;
  throw invalid(origin, [{ path: '$.kind', message }]);
}

/** The stored versions as they will be after the import must still make one valid tariff. */
function checkAgainstStored(origin: string, tariff: Tariff, plan: ImportPlan, current: readonly TariffRow[], head: JsonObject): void {
  const replaced = new Set(plan.toStore.map((part) => part.effectiveFrom));
  const kept = current.filter((row) => !replaced.has(row.effective_from));
  if (kept.length === 0) return;
  const parts = [
    ...kept.map((row) => ({ label: `stored ${versionLabel(row)}`, document: storedDocument(row) })),
    ...plan.toStore.map((part) => ({ label: `the file's version from ${part.effectiveFrom}`, document: part.document })),
  ];
  const merged = mergeTariffDocuments(parts, head);
  if (!merged.ok) throw invalid(origin, merged.error, ` together with the stored versions of ${tariff.code}`);
}

async function storeVersions(tx: Store, tariff: Tariff, plan: ImportPlan, latest: number, options: TariffImportOptions): Promise<StoredTariffVersion[]> {
  const stored = plan.toStore.map((part, i) => ({ version: latest + 1 + i, effectiveFrom: part.effectiveFrom, effectiveTo: part.effectiveTo }));
  if (options.dryRun) return stored;
  for (const [i, part] of plan.toStore.entries()) {
    await insertTariffVersion(tx, {
      code: tariff.code, version: stored[i]!.version, kind: tariff.kind, name: tariff.name,
      effective_from: part.effectiveFrom, effective_to: part.effectiveTo,
      document: JSON.stringify(part.document), source: tariff.source, published_at: options.now,
    });
  }
  await appendAudit(tx, {
    at: options.now, actor: options.actor, action: 'tariff-import', subject: `tariff:${tariff.code}`,
    detail: { versions: stored.map((s) => ({ version: s.version, effectiveFrom: s.effectiveFrom })), unchanged: plan.unchanged },
  });
  return stored;
}

/** Validates and stores one tariff document; `origin` names it in messages (the file's path). */
export async function importTariffDocument(store: Store, value: unknown, origin: string, options: TariffImportOptions): Promise<TariffImportResult> {
  const parsed = parseTariff(value);
  if (!parsed.ok) throw invalid(origin, parsed.error);
  const tariff = parsed.value;
  const head = value as JsonObject; // parseTariff accepted it, so it is an object
  const parts = splitTariffDocument(head);
  return inTransaction(store, async (tx) => {
    const rows = await listTariffVersions(tx, tariff.code);
    checkKind(origin, tariff, rows);
    const current = currentTariffRows(rows);
    const plan = planImport(parts, current);
    if (plan.toStore.length > 0) checkAgainstStored(origin, tariff, plan, current, head);
    const latest = rows.reduce((max, row) => Math.max(max, row.version), 0);
    const stored = plan.toStore.length === 0 ? [] : await storeVersions(tx, tariff, plan, latest, options);
    return { code: tariff.code, stored, unchanged: plan.unchanged, dryRun: options.dryRun };
  });
}

export async function importTariffFile(store: Store, path: string, options: TariffImportOptions): Promise<TariffImportResult> {
  return importTariffDocument(store, await readTariffFile(path), path, options);
}
