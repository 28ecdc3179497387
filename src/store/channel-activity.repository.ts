// Channel call counters per business day (migration 0007; server failures and the latency
// histogram since 0012), added to by every core.

import { sql } from 'kysely';
import { LATENCY_COLUMNS, type ChannelActivityRow, type LatencyColumn } from './channel-activity.table.ts';
import type { Store } from './database.ts';

export interface ActivityDelta {
  readonly channelCode: string;
  readonly day: string;
  readonly calls: number;
  readonly failures: number;
  /** ISO 8601 in UTC, so that text order is time order. */
  readonly lastSeen: string;
  /** Of the failures, the Server-side ones (none when left out). */
  readonly serverFailures?: number;
  /** Calls per latency bucket, in LATENCY_COLUMNS order (none when left out). */
  readonly latency?: readonly number[];
}

/** The latency columns a delta adds to, with how much (the buckets it has calls in). */
function latencyAdds(delta: ActivityDelta): Array<[LatencyColumn, number]> {
  return LATENCY_COLUMNS.map((column, i) => [column, delta.latency?.[i] ?? 0] as [LatencyColumn, number]).filter(([, n]) => n > 0);
}

/** Adds to the day's row of the channel; false when there is none yet. */
export async function addToChannelActivity(store: Store, delta: ActivityDelta): Promise<boolean> {
  const result = await store.db.updateTable('channel_activity')
    .set((eb) => ({
      calls: eb('calls', '+', delta.calls),
      failures: eb('failures', '+', delta.failures),
      server_failures: eb('server_failures', '+', delta.serverFailures ?? 0),
      ...Object.fromEntries(latencyAdds(delta).map(([column, n]) => [column, eb(column, '+', n)])),
      last_seen: sql<string>`case when ${sql.ref('last_seen')} < ${delta.lastSeen} then ${delta.lastSeen} else ${sql.ref('last_seen')} end`,
    }))
    .where('channel_code', '=', delta.channelCode).where('day', '=', delta.day)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertChannelActivity(store: Store, delta: ActivityDelta): Promise<void> {
  await store.db.insertInto('channel_activity').values({
    channel_code: delta.channelCode, day: delta.day, calls: delta.calls, failures: delta.failures, last_seen: delta.lastSeen,
    server_failures: delta.serverFailures ?? 0, ...Object.fromEntries(latencyAdds(delta)),
  }).execute();
}

/** The day's rows, of every channel or of one. */
export function channelActivityOn(store: Store, day: string, channelCode?: string): Promise<ChannelActivityRow[]> {
  let query = store.db.selectFrom('channel_activity').selectAll().where('day', '=', day);
  if (channelCode !== undefined) query = query.where('channel_code', '=', channelCode);
  return query.execute();
}

/** A channel's rows of the days from..to (inclusive), by day. */
export function channelActivityBetween(store: Store, channelCode: string, from: string, to: string): Promise<ChannelActivityRow[]> {
  return store.db.selectFrom('channel_activity').selectAll()
    .where('channel_code', '=', channelCode).where('day', '>=', from).where('day', '<=', to).orderBy('day').execute();
}

/** When each channel (or one) was last seen, on any day. */
export async function lastSeenOfChannels(store: Store, channelCode?: string): Promise<Map<string, string>> {
  let query = store.db.selectFrom('channel_activity')
    .select(['channel_code', (eb) => eb.fn.max('last_seen').as('last_seen')]).groupBy('channel_code');
  if (channelCode !== undefined) query = query.where('channel_code', '=', channelCode);
  return new Map((await query.execute()).map((r) => [r.channel_code, r.last_seen]));
}
