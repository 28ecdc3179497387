// Stage 8, behaviour: rules about what a well-formed, authenticated, allowed request does.
//   - business hours per channel (UTC+8);
//   - rate per channel and per customer number (token buckets);
//   - amount ceilings per transaction and per business day for operations that move money (an
//     `amount` element: Pay, PayOnline); a repeated Pay (the same id: the core answers it with the
//     first answer) is counted once;
//   - own transactions only: the gateway keeps no database and remembers no payments, because a
//     second gateway or a restart would not know them. The channel's identity is the authenticated
//     one, and the core looks a Reverse's original up under that channel only, so another
//     channel's payment is never found (PAYMENT_NOT_FOUND). A channel whose policy names its
//     `txnIdPrefix` is held to it here too: a Pay or a Reverse naming an id without the prefix is
//     refused before the core (REVERSAL_NOT_OWN for a Reverse).
// The counters are this gateway's: with several gateways each enforces the limits on its own share.

import { LIMITS } from '../limits.ts';
import type { ComplexValue, ContractValue } from '../contract/schema.ts';
import type { Exchange } from './exchange.ts';
import { yuanToFen, type ChannelPolicy, type RateLimit } from './policy.ts';
import { PASS, deny, type Verdict } from './verdict.ts';

const BUSINESS_OFFSET_MS = 8 * 3_600_000;

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Token buckets by key, the least recently used dropped first when `keysMax` is reached. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly keysMax: number) {}

  take(key: string, limit: RateLimit, nowMs: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.keysMax) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: limit.burst, atMs: nowMs };
    } else {
      this.buckets.delete(key);
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((nowMs - bucket.atMs) / 1000) * limit.perSecond);
      bucket.atMs = Math.max(bucket.atMs, nowMs);
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

interface DayTotal {
  fen: number;
  readonly ids: Set<string>;
}

/** Each channel's money moved today (UTC+8), and the transaction ids already counted. */
export class DailyAmounts {
  private day = '';
  private readonly totals = new Map<string, DayTotal>();
  private ids = 0;

  /** Counts `fen` for the channel unless it would pass `maxFen`; returns the undo, or null when refused. */
  reserve(channel: string, txnId: string, fen: number, maxFen: number, nowMs: number): (() => void) | null {
    const day = new Date(nowMs + BUSINESS_OFFSET_MS).toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.totals.clear();
      this.ids = 0;
    }
    let total = this.totals.get(channel);
    if (total === undefined) this.totals.set(channel, total = { fen: 0, ids: new Set() });
    if (total.ids.has(txnId)) return () => {};
    if (total.fen + fen > maxFen) return null;
    total.fen += fen;
    const remembered = this.ids < LIMITS.gatewayDailyTxnIdsMax;
    if (remembered) {
      total.ids.add(txnId);
      this.ids += 1;
    }
    const counted = total;
    return () => {
      counted.fen -= fen;
      if (remembered && counted.ids.delete(txnId)) this.ids -= 1;
    };
  }
}

export interface BehaviourState {
  readonly channelBuckets: TokenBuckets;
  readonly customerBuckets: TokenBuckets;
  readonly daily: DailyAmounts;
}

export function behaviourState(): BehaviourState {
  return {
    channelBuckets: new TokenBuckets(LIMITS.gatewayRateBucketsMax),
    customerBuckets: new TokenBuckets(LIMITS.gatewayRateBucketsMax),
    daily: new DailyAmounts(),
  };
}

function field(value: ComplexValue, name: string): string | undefined {
  const child: ContractValue | undefined = value.children.find((c) => c.name === name);
  return child?.kind === 'simple' ? child.text : undefined;
}

/**
 * A validated t:PaymentAmount in fen. The validator keeps a decimal as sent, so `+5`, `.5`,
 * `007.50` and `19.500` all arrive here; each is read exactly, without a float.
 */
export function amountFen(text: string): number | undefined {
  const m = /^\+?([0-9]*)(?:\.([0-9]*))?$/.exec(text);
  if (!m) return undefined;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > 2 || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
  return yuanToFen(`${(m[1] ?? '').replace(/^0+(?=[0-9])/, '') || '0'}.${fraction.padEnd(2, '0')}`);
}

function withinHours(channel: ChannelPolicy, nowMs: number): boolean {
  if (channel.businessHours === null) return true;
  const minute = Math.floor(((nowMs + BUSINESS_OFFSET_MS) % 86_400_000) / 60_000);
  return minute >= channel.businessHours.fromMinute && minute < channel.businessHours.toMinute;
}

function ownIds(x: Exchange, channel: ChannelPolicy): Verdict {
  const prefix = channel.txnIdPrefix;
  if (prefix === null) return PASS;
  const value = x.value!;
  const op = x.operation!.name;
  if (op === 'Reverse') {
    const ids = [field(value, 'originalTxnId'), field(value, 'reversalTxnId')];
    if (ids.some((id) => id !== undefined && !id.startsWith(prefix))) return deny('behaviour', 'REVERSAL_NOT_OWN', 'txn-id-prefix');
  }
  if (op === 'Pay' && !(field(value, 'channelTxnId') ?? '').startsWith(prefix)) return deny('behaviour', 'VALIDATION_FAILED', 'txn-id-prefix');
  return PASS;
}

function amounts(x: Exchange, channel: ChannelPolicy, state: BehaviourState, nowMs: number): Verdict {
  const text = field(x.value!, 'amount');
  if (text === undefined) return PASS;
  const fen = amountFen(text);
  if (fen === undefined || fen > channel.txnAmountMaxFen) return deny('behaviour', 'AMOUNT_LIMIT_EXCEEDED', 'transaction-amount');
  const id = field(x.value!, 'channelTxnId') ?? field(x.value!, 'requestId') ?? `${x.request.correlationId}`;
  const release = state.daily.reserve(channel.code, `${x.operation!.name}:${id}`, fen, channel.dailyAmountMaxFen, nowMs);
  if (release === null) return deny('behaviour', 'AMOUNT_LIMIT_EXCEEDED', 'daily-amount');
  x.release = release;
  return PASS;
}

export function behaviourStage(x: Exchange, state: BehaviourState, nowMs: number): Verdict {
  const channel = x.channel!;
  if (!withinHours(channel, nowMs)) return deny('behaviour', 'OUTSIDE_BUSINESS_HOURS', 'business-hours');
  if (!state.channelBuckets.take(channel.code, channel.rate, nowMs)) return deny('behaviour', 'RATE_LIMITED', 'channel-rate');
  const customerNo = field(x.value!, 'customerNo');
  if (customerNo !== undefined && !state.customerBuckets.take(customerNo, channel.customerRate, nowMs)) {
    return deny('behaviour', 'RATE_LIMITED', 'customer-rate');
  }
  const own = ownIds(x, channel);
  if (!own.ok) return own;
  return amounts(x, channel, state, nowMs);
}
