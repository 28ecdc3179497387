// Mocha root hook plugin: one PostgreSQL cluster per test process, stopped after the last test.
// Load it with `"require": ["test/support/hooks.ts"]` in .mocharc.json.

import { stopSharedPostgres } from './postgres.ts';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopSharedPostgres();
  },
};
