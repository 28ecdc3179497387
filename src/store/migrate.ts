// Schema migrations with Kysely's migrator. The list is in code (not read from a folder), so a
// migration is type-checked and cannot go missing from a deployment. Each runs in a transaction
// (all three engines have transactional DDL): a failed migration leaves the database as it was.

import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import { GridbillError } from '../errors.ts';
import type { Database, DialectName } from './database.ts';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-payments.ts';
import * as m0003 from './migrations/0003-withholding.ts';
import * as m0004 from './migrations/0004-reconciliation.ts';
import * as m0005 from './migrations/0005-customer-access.ts';
import * as m0006 from './migrations/0006-online-payments.ts';
import * as m0007 from './migrations/0007-billing-admin.ts';
import * as m0008 from './migrations/0008-smart-payment.ts';
import * as m0009 from './migrations/0009-staff-console.ts';
import * as m0010 from './migrations/0010-estimation-speed.ts';
import * as m0011 from './migrations/0011-smart-payment-integrations.ts';
import * as m0012 from './migrations/0012-operations.ts';

interface MigrationModule {
  // Migrations see the database as it was when they were written, not today's Database type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
}

const MIGRATIONS: ReadonlyArray<readonly [name: string, module: MigrationModule]> = [
  ['0001-initial', m0001 as MigrationModule],
  ['0002-payments', m0002 as MigrationModule],
  ['0003-withholding', m0003 as MigrationModule],
  ['0004-reconciliation', m0004 as MigrationModule],
  ['0005-customer-access', m0005 as MigrationModule],
  ['0006-online-payments', m0006 as MigrationModule],
  ['0007-billing-admin', m0007 as MigrationModule],
  ['0008-smart-payment', m0008 as MigrationModule],
  ['0009-staff-console', m0009 as MigrationModule],
  ['0010-estimation-speed', m0010 as MigrationModule],
  ['0011-smart-payment-integrations', m0011 as MigrationModule],
  ['0012-operations', m0012 as MigrationModule],
];

export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]![0];

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, module] of MIGRATIONS) {
      // Kysely runs migrations in a transaction where its adapter claims transactional DDL;
      // its SQLite adapter does not claim it although SQLite has it, so open one here.
      out[name] = this.dialect === 'sqlite'
        ? { up: (db) => db.transaction().execute((trx) => module.up(trx, this.dialect)) }
        : { up: (db) => module.up(db, this.dialect) };
    }
    return out;
  }
}

function migrator(db: Kysely<Database>, dialect: DialectName): Migrator {
  return new Migrator({ db, provider: new InCodeProvider(dialect) });
}

async function appliedNames(db: Kysely<Database>): Promise<string[]> {
  const exists = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!exists.some((t) => t.name === 'kysely_migration')) return [];
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

export interface SchemaState {
  readonly applied: readonly string[];
  readonly pending: readonly string[];
  /** Migrations in the database that this code does not know: it was written by a newer gridbill. */
  readonly unknown: readonly string[];
}

export async function schemaState(db: Kysely<Database>): Promise<SchemaState> {
  const applied = await appliedNames(db);
  const known = new Set(MIGRATIONS.map(([name]) => name));
  return {
    applied,
    pending: MIGRATIONS.map(([name]) => name).filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.has(name)),
  };
}

/** Brings the schema up to date. Idempotent; refuses a database from a newer gridbill. */
export async function migrateToLatest(db: Kysely<Database>, dialect: DialectName): Promise<readonly string[]> {
  const state = await schemaState(db);
  if (state.unknown.length > 0) {
    throw new GridbillError('DB_SCHEMA_NEWER', `it has ${state.unknown.join(', ')}; this gridbill knows up to ${LATEST_MIGRATION}`, {
      hint: 'run the gridbill version that wrote this database, or upgrade gridbill',
    });
  }
  const { error, results } = await migrator(db, dialect).migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new GridbillError('MIGRATION_FAILED', `${failed?.migrationName ?? 'unknown'}: ${(error as Error).message ?? String(error)}`, {
      hint: 'fix the cause named above and run "gridbill migrate" again',
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** For servers that must not migrate by themselves: fail unless the schema is exactly current. */
export async function assertSchemaCurrent(db: Kysely<Database>): Promise<void> {
  const state = await schemaState(db);
  if (state.unknown.length > 0) {
    throw new GridbillError('DB_SCHEMA_NEWER', `it has ${state.unknown.join(', ')}`, { hint: 'upgrade gridbill' });
  }
  if (state.pending.length > 0) {
    throw new GridbillError('DB_SCHEMA_OUTDATED', `pending: ${state.pending.join(', ')}`, { hint: 'run "gridbill migrate"' });
  }
}
