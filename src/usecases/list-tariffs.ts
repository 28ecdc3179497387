// Stored tariff versions for the console: every code with its versions, current or superseded
// (a version is superseded by a higher one with the same effective date), and one version's
// document as published.

import { GridbillError } from '../errors.ts';
import type { Store } from '../store/database.ts';
import { listAllTariffVersions, listTariffVersions } from '../store/tariff.repository.ts';
import type { TariffRow } from '../store/tariff.table.ts';
import { currentTariffRows } from './load-tariffs.ts';

export interface TariffVersionView {
  readonly code: string;
  readonly name: string;
  readonly kind: string;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly effectiveTo: string | null;
  readonly publishedAt: string;
  readonly current: boolean;
}

function views(rows: readonly TariffRow[]): TariffVersionView[] {
  const byCode = new Map<string, TariffRow[]>();
  for (const row of rows) byCode.set(row.code, [...(byCode.get(row.code) ?? []), row]);
  const current = new Set([...byCode.values()].flatMap((list) => currentTariffRows(list).map((r) => r.id)));
  return rows.map((r) => ({
    code: r.code, name: r.name, kind: r.kind, version: r.version, effectiveFrom: r.effective_from, effectiveTo: r.effective_to,
    publishedAt: r.published_at, current: current.has(r.id),
  })).sort((a, b) => a.code.localeCompare(b.code) || a.effectiveFrom.localeCompare(b.effectiveFrom) || a.version - b.version);
}

export async function tariffVersions(store: Store): Promise<TariffVersionView[]> {
  return views(await listAllTariffVersions(store));
}

/** One stored version's document (pretty-printed JSON). */
export async function tariffDocument(store: Store, code: string, version: number): Promise<{ readonly view: TariffVersionView; readonly document: string }> {
  const rows = await listTariffVersions(store, code);
  const row = rows.find((r) => r.version === version);
  if (row === undefined) throw new GridbillError('NOT_FOUND', `tariff ${code} version ${version}`);
  return { view: views(rows).find((v) => v.version === version)!, document: JSON.stringify(JSON.parse(row.document), null, 2) };
}
