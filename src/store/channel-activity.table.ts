import type { Generated, Selectable } from 'kysely';

/** One channel's SOAP calls on one business day (UTC+8), summed over every core (migration 0007). */
export interface ChannelActivityTable {
  id: Generated<number>;
  channel_code: string;
  /** The business date, YYYY-MM-DD. */
  day: string;
  calls: number;
  /** Calls answered with a fault (or refused before one could be written). */
  failures: number;
  /** The latest call's time, ISO 8601 in UTC. */
  last_seen: string;
}

export type ChannelActivityRow = Selectable<ChannelActivityTable>;
