// What the commands that work on the data (tariff, readings) share: the database opened only when
// its schema is current, the audit actor, and the one FILE argument.

import { loadConfig } from '../config.ts';
import { GridbillError } from '../errors.ts';
import { openStore, type OpenStore } from '../store/connect.ts';
import { assertSchemaCurrent } from '../store/migrate.ts';
import type { CliIo } from './command.ts';

/** The audit_log.actor column's length. */
const ACTOR_CHARS_MAX = 64;

/** Opens the configured database, checks its schema is current, runs fn, and closes it. */
export async function withCurrentStore<T>(io: CliIo, fn: (store: OpenStore) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig(io.env).dbUrl);
  try {
    await assertSchemaCurrent(store.db);
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function actorOption(value: string | undefined): string {
  if (value === undefined) return 'cli';
  if (value.trim() === '' || value.length > ACTOR_CHARS_MAX) {
    throw new GridbillError('CLI_USAGE', `--actor ${JSON.stringify(value)}: expected a name of 1 to ${ACTOR_CHARS_MAX} characters`);
  }
  return value;
}

/** Exactly one positional argument, named in the message when it is missing or repeated. */
export function onePositional(positionals: readonly string[], what: string, usage: string): string {
  if (positionals.length !== 1) {
    throw new GridbillError('CLI_USAGE', `${usage}: expected one ${what}, got ${positionals.length}`, { hint: 'see --help' });
  }
  return positionals[0]!;
}
