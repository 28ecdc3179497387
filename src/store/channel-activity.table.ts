import type { Generated, Selectable } from 'kysely';
import { LATENCY_BUCKETS } from '../domain/latency-histogram.ts';

/**
 * The latency histogram's counter columns (migration 0012), in the order of
 * src/domain/latency-histogram.ts's buckets: one per bound, then the overflow.
 */
export const LATENCY_COLUMNS = [
  'latency_le_1ms', 'latency_le_2ms', 'latency_le_5ms', 'latency_le_10ms', 'latency_le_20ms', 'latency_le_50ms',
  'latency_le_100ms', 'latency_le_200ms', 'latency_le_500ms', 'latency_le_1000ms', 'latency_le_2000ms',
  'latency_le_5000ms', 'latency_le_10000ms', 'latency_le_20000ms', 'latency_le_60000ms', 'latency_over_60000ms',
] as const;
export type LatencyColumn = typeof LATENCY_COLUMNS[number];

if (LATENCY_COLUMNS.length !== LATENCY_BUCKETS) throw new Error('LATENCY_COLUMNS does not match the latency buckets');

/** One channel's SOAP calls on one business day (UTC+8), summed over every core (migration 0007). */
export interface ChannelActivityBase {
  id: Generated<number>;
  channel_code: string;
  /** The business date, YYYY-MM-DD. */
  day: string;
  calls: number;
  /** Calls answered with a fault (or refused before one could be written). */
  failures: number;
  /** The latest call's time, ISO 8601 in UTC. */
  last_seen: string;
  /** Of the failures, those answered with a Server-side fault: the platform's, not the caller's (migration 0012). */
  server_failures: Generated<number>;
}

export type ChannelActivityTable = ChannelActivityBase & { [K in LatencyColumn]: Generated<number> };

export type ChannelActivityRow = Selectable<ChannelActivityTable>;
