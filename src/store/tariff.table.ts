import type { Generated, Insertable, Selectable } from 'kysely';

/** One effective-dated version of a tariff; the document is the validated JSON of the version. */
export interface TariffTable {
  id: Generated<number>;
  code: string;
  version: number;
  kind: string;
  name: string;
  effective_from: string;
  effective_to: string | null;
  document: string;
  source: string;
  published_at: string;
}

export type TariffRow = Selectable<TariffTable>;
export type NewTariff = Insertable<TariffTable>;
