// Operations: what channel assessment (渠道考评) and terminal status need.
//
// - channel_activity gains, per channel and business day, the calls answered with a Server-side
//   fault (the platform failed, not the caller: they count against availability, and the channel
//   cannot take them as a refusal) and a latency histogram, one counter column per bucket. A
//   histogram, not a percentile: counts from several cores and many days add up, and p50/p95/p99
//   are read from the sum. The bounds are src/domain/latency-histogram.ts's, written out here as
//   the schema was when this migration was written. Every column starts at 0 for the rows already
//   there (days counted before this migration have no latencies).
// - control_commands_meter_ix: a meter's failed commands are looked up per terminal listed.

import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const NEW_COUNTERS = [
  'server_failures',
  'latency_le_1ms', 'latency_le_2ms', 'latency_le_5ms', 'latency_le_10ms', 'latency_le_20ms', 'latency_le_50ms',
  'latency_le_100ms', 'latency_le_200ms', 'latency_le_500ms', 'latency_le_1000ms', 'latency_le_2000ms',
  'latency_le_5000ms', 'latency_le_10000ms', 'latency_le_20000ms', 'latency_le_60000ms', 'latency_over_60000ms',
] as const;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  // One statement per column: SQLite's ALTER TABLE adds one column at a time.
  for (const column of NEW_COUNTERS) {
    await db.schema.alterTable('channel_activity').addColumn(column, t.big(), (c) => c.notNull().defaultTo(0)).execute();
  }
  await db.schema.createIndex('control_commands_meter_ix').on('control_commands').columns(['meter_id', 'status']).execute();
}
