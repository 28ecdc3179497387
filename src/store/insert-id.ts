// Inserts rows and returns their generated ids. SQLite and PostgreSQL say RETURNING, SQL Server
// says OUTPUT inserted.id: this is the one place that knows.

import type { Insertable } from 'kysely';
import type { Database, Store } from './database.ts';

type TableWithId = { [K in keyof Database]: Database[K] extends { id: unknown } ? K : never }[keyof Database];

export async function insertReturningId<T extends TableWithId>(
  store: Store,
  table: T,
  values: Insertable<Database[T]>,
): Promise<number> {
  const ids = await insertManyReturningIds(store, table, [values]);
  return ids[0]!;
}

/** Inserts in one statement; ids come back in the order of `rows` on every supported engine. */
export async function insertManyReturningIds<T extends TableWithId>(
  store: Store,
  table: T,
  rows: ReadonlyArray<Insertable<Database[T]>>,
): Promise<number[]> {
  if (rows.length === 0) return [];
  // The generic table type defeats Kysely's column inference here; callers are typed by the
  // signature above, so the statement itself is built untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const qb = store.db.insertInto(table).values(rows as any) as any;
  const result: Array<{ id: number | string }> = store.dialect === 'mssql'
    ? await qb.output('inserted.id').execute()
    : await qb.returning('id').execute();
  return result.map((r) => Number(r.id));
}
