// Runs a store suite on every engine that can run here: SQLite always, PostgreSQL from the
// throwaway cluster (skipped with a message naming the package when it is not installed, and a
// failure under CI). Each suite gets its own empty, migrated database.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { usePostgres } from './postgres.ts';

export interface StoreHandle {
  readonly store: OpenStore;
}

function useSqlite(): { readonly url: string } {
  let dir: string | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-sqlite-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get url() {
      if (!dir) throw new Error('sqlite url read before its before hook ran');
      return `sqlite:${join(dir, 'test.db')}`;
    },
  };
}

/** Declares `describe('<title> on <engine>')` for each engine, with a fresh migrated store. */
export function describeOnEveryStore(title: string, body: (handle: StoreHandle) => void, options: { migrate?: boolean } = {}): void {
  for (const engine of ['sqlite', 'postgres'] as const) {
    describe(`${title} on ${engine}`, function () {
      const source = engine === 'sqlite' ? useSqlite() : usePostgres('store');
      let store: OpenStore | undefined;
      before(async () => {
        store = await openStore(source.url);
        if (options.migrate !== false) await migrateToLatest(store.db, store.dialect);
      });
      after(async () => {
        await store?.close();
      });
      body({
        get store() {
          if (!store) throw new Error('store read before its before hook ran');
          return store;
        },
      });
    });
  }
}
