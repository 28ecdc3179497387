import type { Generated, Insertable, Selectable } from 'kysely';

export type RegisterKind = 'total' | 'sharp' | 'peak' | 'flat' | 'valley' | 'reactive' | 'demand';
export type ReadingSource = 'actual' | 'estimated' | 'install' | 'removal';

export interface MeterTable {
  id: Generated<number>;
  meter_no: string;
  customer_id: number;
  ct_ratio: number;
  pt_ratio: number;
  installed_on: string;
  removed_on: string | null;
  status: 'installed' | 'removed';
}

export interface RegisterTable {
  id: Generated<number>;
  meter_id: number;
  kind: RegisterKind;
  /** Integer digits of the dial: rollover is at 10^digits. Configured, never guessed. */
  digits: number;
  rollover_allowed: number;
}

export interface ReadingTable {
  id: Generated<number>;
  register_id: number;
  read_on: string;
  /** The dial value × 100: readings carry at most two decimals. */
  value_hundredths: number;
  source: ReadingSource;
  recorded_at: string;
}

export type MeterRow = Selectable<MeterTable>;
export type NewMeter = Insertable<MeterTable>;
export type RegisterRow = Selectable<RegisterTable>;
export type NewRegister = Insertable<RegisterTable>;
export type ReadingRow = Selectable<ReadingTable>;
export type NewReading = Insertable<ReadingTable>;
