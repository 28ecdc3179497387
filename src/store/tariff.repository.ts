import { firstRows, type Store } from './database.ts';
import type { NewTariff, TariffRow } from './tariff.table.ts';
import { insertReturningId } from './insert-id.ts';

export function insertTariffVersion(store: Store, tariff: NewTariff): Promise<number> {
  return insertReturningId(store, 'tariffs', tariff);
}

/** The version of a tariff in force on a date: the latest effective_from on or before it. */
export function findTariffInForce(store: Store, code: string, onDate: string): Promise<TariffRow | undefined> {
  const query = store.db.selectFrom('tariffs').selectAll()
    .where('code', '=', code)
    .where('effective_from', '<=', onDate)
    .where((eb) => eb.or([eb('effective_to', 'is', null), eb('effective_to', '>', onDate)]))
    .orderBy('effective_from', 'desc')
    .orderBy('version', 'desc');
  return firstRows(store, query, 1).executeTakeFirst();
}

export function listTariffVersions(store: Store, code: string): Promise<TariffRow[]> {
  return store.db.selectFrom('tariffs').selectAll().where('code', '=', code).orderBy('version').execute();
}

export async function latestTariffVersion(store: Store, code: string): Promise<number> {
  const row = await store.db.selectFrom('tariffs')
    .select((eb) => eb.fn.max<number | null>('version').as('v'))
    .where('code', '=', code)
    .executeTakeFirst();
  return row?.v === null || row?.v === undefined ? 0 : Number(row.v);
}

/** Every stored version of every tariff, by code, effective date and version. */
export function listAllTariffVersions(store: Store): Promise<TariffRow[]> {
  return store.db.selectFrom('tariffs').selectAll().orderBy('code').orderBy('effective_from').orderBy('version').execute();
}

export async function countTariffVersions(store: Store): Promise<number> {
  const row = await store.db.selectFrom('tariffs').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
