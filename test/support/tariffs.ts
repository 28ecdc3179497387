// Stores every tariff of fixtures/tariffs through the real import use case.

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../src/store/database.ts';
import { importTariffFile } from '../../src/usecases/import-tariff.ts';

export const TARIFF_FIXTURES = fileURLToPath(new URL('../../fixtures/tariffs/', import.meta.url));

export async function importFixtureTariffs(store: Store): Promise<void> {
  for (const file of readdirSync(TARIFF_FIXTURES).filter((f) => f.endsWith('.json')).sort()) {
    await importTariffFile(store, `${TARIFF_FIXTURES}${file}`, { dryRun: false, actor: 'test', now: '2026-11-01T00:00:00.000Z' });
  }
}
