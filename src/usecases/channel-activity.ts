// Who calls the SOAP services, how often, how often in vain, how fast they were answered, and
// when last (OperationsService.GetChannelStatus, GetChannelAssessment).
//
// Persisted, not per core: several cores share one database, and an operator asks about the
// platform, not about whichever core answered. But never a write on a request's path (Pay's
// throughput is what the platform is judged by): each core counts in memory — one map update
// per request — and adds its counts to the per-channel, per-day rows in one batch every
// LIMITS.channelActivityFlushMs. A core that dies loses at most that much. An answer adds this
// core's unwritten counts to the stored ones; other cores' are at most one flush behind.
//
// Only registered channels are written: a request under an unknown username is counted in memory
// (up to LIMITS.channelActivityKeysMax channel-days) and dropped at the flush, so nobody can fill
// the table by inventing usernames.

import { addHistogram, emptyHistogram, latencyBucket } from '../domain/latency-histogram.ts';
import { ERRORS, GridbillError, isErrorCode } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import {
  addToChannelActivity, channelActivityOn, insertChannelActivity, lastSeenOfChannels, type ActivityDelta,
} from '../store/channel-activity.repository.ts';
import { findChannelByCode, listChannels } from '../store/channel.repository.ts';
import type { Store } from '../store/database.ts';
import type { ChannelRow } from '../store/payment.table.ts';
import { isUniqueViolation } from '../store/payment.repository.ts';

interface Delta {
  readonly channelCode: string;
  readonly day: string;
  calls: number;
  failures: number;
  serverFailures: number;
  readonly latency: number[];
  lastSeen: string;
}

/** How a call ended, as far as the counters care. */
export type CallOutcome = 'ok' | 'client-fault' | 'server-fault';

/** The contract answers at most this many channels (GetChannelStatusResponse maxOccurs). */
export const CHANNELS_LISTED_MAX = 200;

export class ChannelActivity {
  private pending = new Map<string, Delta>();

  constructor(private readonly store: Store) {}

  /**
   * One answered request; `day` is its business date, `at` its time in UTC ISO 8601, `ms` how long
   * it took to answer. A boolean outcome (ok or not) is the pre-assessment form: a failure then
   * counts as the caller's.
   */
  record(channelCode: string, outcome: CallOutcome | boolean, day: string, at: string, ms?: number): void {
    const key = `${channelCode}|${day}`;
    let delta = this.pending.get(key);
    if (delta === undefined) {
      if (this.pending.size >= LIMITS.channelActivityKeysMax) return;
      this.pending.set(key, delta = { channelCode, day, calls: 0, failures: 0, serverFailures: 0, latency: emptyHistogram(), lastSeen: at });
    }
    const ended = outcome === true ? 'ok' : outcome === false ? 'client-fault' : outcome;
    delta.calls += 1;
    if (ended !== 'ok') delta.failures += 1;
    if (ended === 'server-fault') delta.serverFailures += 1;
    if (ms !== undefined) delta.latency[latencyBucket(ms)]! += 1;
    if (at > delta.lastSeen) delta.lastSeen = at;
  }

  /** This core's counts not yet written, of one day. */
  unwritten(day: string): ActivityDelta[] {
    return [...this.pending.values()].filter((d) => d.day === day);
  }

  /** This core's counts not yet written, of one channel (every day). */
  unwrittenOf(channelCode: string): ActivityDelta[] {
    return [...this.pending.values()].filter((d) => d.channelCode === channelCode);
  }

  /** Adds the counts so far to the stored rows. What could not be written is kept for the next flush. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      const known = new Set((await listChannels(this.store)).map((c) => c.code));
      for (const [key, delta] of batch) {
        if (known.has(delta.channelCode)) await writeDelta(this.store, delta);
        batch.delete(key);
      }
    } catch (error) {
      this.keep(batch, error);
    }
  }

  /** Puts unwritten counts back beside the ones recorded meanwhile, then rethrows. */
  private keep(batch: Map<string, Delta>, error: unknown): never {
    for (const [key, delta] of batch) {
      const mine = this.pending.get(key);
      if (mine === undefined) {
        this.pending.set(key, delta);
        continue;
      }
      mine.calls += delta.calls;
      mine.failures += delta.failures;
      mine.serverFailures += delta.serverFailures;
      addHistogram(mine.latency, delta.latency);
      if (delta.lastSeen > mine.lastSeen) mine.lastSeen = delta.lastSeen;
    }
    throw error;
  }
}

/** The counters' view of a SOAP outcome: `ok`, a catalogued code, or `http-<status>`. */
export function callOutcome(outcome: string): CallOutcome {
  if (outcome === 'ok') return 'ok';
  const http = /^http-([0-9]{3})$/.exec(outcome);
  if (http !== null) return Number(http[1]) >= 500 ? 'server-fault' : 'client-fault';
  return isErrorCode(outcome) && ERRORS[outcome].fault === 'Client' ? 'client-fault' : 'server-fault';
}

async function writeDelta(store: Store, delta: ActivityDelta): Promise<void> {
  if (await addToChannelActivity(store, delta)) return;
  try {
    await insertChannelActivity(store, delta);
  } catch (error) {
    // Another core wrote the day's first row between our update and our insert.
    if (!isUniqueViolation(error) || !(await addToChannelActivity(store, delta))) throw error;
  }
}

export interface ChannelStatusView {
  readonly code: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly calls: number;
  readonly failures: number;
  /** UTC ISO 8601, or null for a channel never seen. */
  readonly lastSeen: string | null;
}

/** Every registered channel (at most CHANNELS_LISTED_MAX, by code) or one, with its counts of `day`. */
export async function channelStatus(
  store: Store, activity: ChannelActivity | undefined, query: { readonly day: string; readonly channelCode?: string },
): Promise<ChannelStatusView[]> {
  let channels: ChannelRow[];
  if (query.channelCode === undefined) channels = (await listChannels(store)).slice(0, CHANNELS_LISTED_MAX);
  else {
    const one = await findChannelByCode(store, query.channelCode);
    if (one === undefined) throw new GridbillError('NOT_FOUND', `channel ${query.channelCode}`);
    channels = [one];
  }
  const counts = new Map<string, { calls: number; failures: number }>();
  const lastSeen = await lastSeenOfChannels(store, query.channelCode);
  const add = (code: string, calls: number, failures: number) => {
    const now = counts.get(code) ?? { calls: 0, failures: 0 };
    counts.set(code, { calls: now.calls + calls, failures: now.failures + failures });
  };
  for (const row of await channelActivityOn(store, query.day, query.channelCode)) add(row.channel_code, Number(row.calls), Number(row.failures));
  for (const delta of activity?.unwritten(query.day) ?? []) {
    add(delta.channelCode, delta.calls, delta.failures);
    const seen = lastSeen.get(delta.channelCode);
    if (seen === undefined || delta.lastSeen > seen) lastSeen.set(delta.channelCode, delta.lastSeen);
  }
  return channels.map((c) => ({
    code: c.code, name: c.name, enabled: c.enabled === 1, ...(counts.get(c.code) ?? { calls: 0, failures: 0 }), lastSeen: lastSeen.get(c.code) ?? null,
  }));
}
