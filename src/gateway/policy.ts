// The gateway's policy: which channels exist, the zone each belongs to, the operations each may
// call, its limits and rules, its pinned certificates and its sealed secret. A JSON file
// (format `gridbill.gateway-policy/1`, documented in the README), read at start and on SIGHUP.
// Every problem of a file is reported at once, with its JSON path; a file with any problem is
// refused whole (at start the gateway does not start, on SIGHUP the running policy stays).
//
// Every value a channel leaves out takes its default from src/limits.ts.

import { LIMITS } from '../limits.ts';
import { SERVICES } from '../contract/operations.ts';
import { parseYuan } from '../domain/money.ts';

export const POLICY_FORMAT = 'gridbill.gateway-policy/1';

/** The services the external zone may reach through the gateway; nothing else of the core is served. */
export const EXTERNAL_SERVICES = ['ChannelPaymentService', 'CustomerService'] as const;
export type ExternalService = (typeof EXTERNAL_SERVICES)[number];

export function isExternalService(name: string): name is ExternalService {
  return (EXTERNAL_SERVICES as readonly string[]).includes(name);
}

export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export interface ChannelPolicy {
  readonly code: string;
  readonly zone: string;
  /** The channel's password, opened with the gateway key: the UsernameToken digest is checked with it. */
  readonly secret: string;
  readonly operations: ReadonlySet<string>;
  /** SHA-256 fingerprints of the channel's client and signing certificates, `AB:CD:…` upper case. */
  readonly certificateFingerprints: readonly string[];
  readonly requireClientCertificate: boolean;
  readonly requireSignature: boolean;
  readonly rate: RateLimit;
  readonly customerRate: RateLimit;
  /** Minutes after midnight (UTC+8), `to` exclusive; null: at any time. */
  readonly businessHours: { readonly fromMinute: number; readonly toMinute: number } | null;
  readonly txnAmountMaxFen: number;
  readonly dailyAmountMaxFen: number;
  /** Every transaction id of the channel starts with it; null: no prefix rule. */
  readonly txnIdPrefix: string | null;
}

export interface GatewayPolicy {
  readonly channels: ReadonlyMap<string, ChannelPolicy>;
  readonly zones: ReadonlyMap<string, ReadonlySet<ExternalService>>;
  /** Header elements (`{namespace}local`) a request may carry besides wsse:Security; they are read by nobody and never forwarded. */
  readonly allowedHeaders: ReadonlySet<string>;
  /** Channel code by pinned certificate fingerprint. */
  readonly byFingerprint: ReadonlyMap<string, string>;
}

export const EMPTY_POLICY: GatewayPolicy = {
  channels: new Map(), zones: new Map(), allowedHeaders: new Set(), byFingerprint: new Map(),
};

export type PolicyReading = { readonly ok: true; readonly policy: GatewayPolicy } | { readonly ok: false; readonly problems: readonly string[] };

const CHANNEL_CODE = /^[a-z0-9][a-z0-9-]{1,31}$/;
const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;
const HEADER_NAME = /^\{[^{}\s]{1,256}\}[A-Za-z_][A-Za-z0-9._-]{0,127}$/;
const YUAN = /^(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?$/;
const HOURS = /^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$/;
const TXN_PREFIX = /^[0-9A-Za-z][0-9A-Za-z_-]{0,15}$/;
const CHANNEL_KEYS = new Set([
  'zone', 'secret', 'operations', 'certificateFingerprints', 'requireClientCertificate', 'requireSignature', 'ratePerSecond',
  'burst', 'customerRatePerMinute', 'customerBurst', 'businessHours', 'txnAmountMax', 'dailyAmountMax', 'txnIdPrefix',
]);
const RATE_MAX = 1_000_000;

/** Yuan with at most two fraction digits → fen, exactly (the domain's parseYuan); undefined for any other form. */
export function yuanToFen(text: string): number | undefined {
  return YUAN.test(text) ? parseYuan(text) : undefined;
}

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Problems {
  readonly list: string[] = [];
  add(path: string, problem: string): void {
    this.list.push(`${path}: ${problem}`);
  }
}

function readZones(value: unknown, out: Problems): Map<string, Set<ExternalService>> {
  const zones = new Map<string, Set<ExternalService>>();
  if (!isObject(value)) {
    out.add('$.zones', 'expected an object of zone name → services');
    return zones;
  }
  for (const [zone, services] of Object.entries(value)) {
    if (!Array.isArray(services) || services.length === 0) {
      out.add(`$.zones.${zone}`, 'expected a non-empty list of services');
      continue;
    }
    const set = new Set<ExternalService>();
    for (const service of services) {
      if (typeof service === 'string' && isExternalService(service)) set.add(service);
      else out.add(`$.zones.${zone}`, `${JSON.stringify(service)} is not an external service (${EXTERNAL_SERVICES.join(', ')})`);
    }
    zones.set(zone, set);
  }
  return zones;
}

function readHeaders(value: unknown, out: Problems): Set<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value)) {
    out.add('$.allowedHeaders', 'expected a list of "{namespace}localName"');
    return new Set();
  }
  const set = new Set<string>();
  for (const name of value) {
    if (typeof name === 'string' && HEADER_NAME.test(name)) set.add(name);
    else out.add('$.allowedHeaders', `${JSON.stringify(name)} is not "{namespace}localName"`);
  }
  return set;
}

function integer(value: unknown, fallback: number, path: string, max: number, out: Problems): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max) return value;
  out.add(path, `expected an integer from 1 to ${max}`);
  return fallback;
}

function flag(value: unknown, path: string, out: Problems): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  out.add(path, 'expected true or false');
  return false;
}

function amount(value: unknown, fallbackFen: number, path: string, out: Problems): number {
  if (value === undefined) return fallbackFen;
  const fen = typeof value === 'string' ? yuanToFen(value) : undefined;
  if (fen !== undefined && fen > 0) return fen;
  out.add(path, 'expected yuan as a string with at most two fraction digits, more than 0 ("50000.00")');
  return fallbackFen;
}

function hours(value: unknown, path: string, out: Problems): ChannelPolicy['businessHours'] {
  if (value === undefined) return null;
  const m = typeof value === 'string' ? HOURS.exec(value) : null;
  const from = m ? Number(m[1]) * 60 + Number(m[2]) : 0;
  const to = m ? Number(m[3]) * 60 + Number(m[4]) : 0;
  if (!m || to > 24 * 60 || from >= to) {
    out.add(path, 'expected "HH:MM-HH:MM" (UTC+8), from before to, e.g. "00:30-23:30"');
    return null;
  }
  return { fromMinute: from, toMinute: to };
}

function operationsOf(value: unknown, services: ReadonlySet<ExternalService> | undefined, path: string, out: Problems): Set<string> {
  const set = new Set<string>();
  if (!Array.isArray(value) || value.length === 0) {
    out.add(path, 'expected a non-empty list of operation names');
    return set;
  }
  const allowed = new Set([...(services ?? [])].flatMap((s) => [...SERVICES[s]] as string[]));
  for (const op of value) {
    if (typeof op === 'string' && allowed.has(op)) set.add(op);
    else out.add(path, `${JSON.stringify(op)} is not an operation of the zone's services`);
  }
  return set;
}

function fingerprints(value: unknown, path: string, out: Problems): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    out.add(path, 'expected a list of SHA-256 fingerprints');
    return [];
  }
  const list: string[] = [];
  for (const item of value) {
    const normal = typeof item === 'string' ? item.toUpperCase() : '';
    if (FINGERPRINT.test(normal)) list.push(normal);
    else out.add(path, `${JSON.stringify(item)} is not a SHA-256 fingerprint (32 hex pairs separated by ":")`);
  }
  return list;
}

function openSecret(value: unknown, open: (sealed: string) => string, path: string, out: Problems): string {
  if (typeof value !== 'string' || value.length === 0) {
    out.add(path, 'expected the channel password sealed with the gateway key (gridbill gateway seal)');
    return '';
  }
  try {
    return open(value);
  } catch {
    out.add(path, 'cannot be opened with this gateway key');
    return '';
  }
}

function readChannel(code: string, raw: unknown, zones: ReadonlyMap<string, ReadonlySet<ExternalService>>, open: (sealed: string) => string, out: Problems): ChannelPolicy | undefined {
  const path = `$.channels.${code}`;
  if (!CHANNEL_CODE.test(code)) out.add(path, 'a channel code is 2 to 32 lower-case letters, digits or "-"');
  if (!isObject(raw)) {
    out.add(path, 'expected an object');
    return undefined;
  }
  for (const key of Object.keys(raw)) if (!CHANNEL_KEYS.has(key)) out.add(`${path}.${key}`, 'unknown key');
  const zone = typeof raw.zone === 'string' ? raw.zone : '';
  if (!zones.has(zone)) out.add(`${path}.zone`, `expected one of the zones (${[...zones.keys()].join(', ') || 'none defined'})`);
  const prefix = raw.txnIdPrefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || !TXN_PREFIX.test(prefix))) out.add(`${path}.txnIdPrefix`, 'expected 1 to 16 letters, digits, "_" or "-"');
  const ratePerSecond = integer(raw.ratePerSecond, LIMITS.gatewayChannelRatePerSecond, `${path}.ratePerSecond`, RATE_MAX, out);
  const customerPerMinute = integer(raw.customerRatePerMinute, LIMITS.gatewayCustomerRatePerMinute, `${path}.customerRatePerMinute`, RATE_MAX, out);
  return {
    code, zone,
    secret: openSecret(raw.secret, open, `${path}.secret`, out),
    operations: operationsOf(raw.operations, zones.get(zone), `${path}.operations`, out),
    certificateFingerprints: fingerprints(raw.certificateFingerprints, `${path}.certificateFingerprints`, out),
    requireClientCertificate: flag(raw.requireClientCertificate, `${path}.requireClientCertificate`, out),
    requireSignature: flag(raw.requireSignature, `${path}.requireSignature`, out),
    rate: { perSecond: ratePerSecond, burst: integer(raw.burst, LIMITS.gatewayChannelBurstMax, `${path}.burst`, RATE_MAX, out) },
    customerRate: {
      perSecond: customerPerMinute / 60,
      burst: integer(raw.customerBurst, LIMITS.gatewayCustomerBurstMax, `${path}.customerBurst`, RATE_MAX, out),
    },
    businessHours: hours(raw.businessHours, `${path}.businessHours`, out),
    txnAmountMaxFen: amount(raw.txnAmountMax, LIMITS.gatewayTxnAmountMaxFen, `${path}.txnAmountMax`, out),
    dailyAmountMaxFen: amount(raw.dailyAmountMax, LIMITS.gatewayDailyAmountMaxFen, `${path}.dailyAmountMax`, out),
    txnIdPrefix: typeof prefix === 'string' ? prefix : null,
  };
}

/** Reads a policy document; `open` unseals a channel secret (throws when it cannot). */
export function parsePolicy(text: string, open: (sealed: string) => string): PolicyReading {
  const out = new Problems();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`$: not JSON (${(error as Error).message.slice(0, 200)})`] };
  }
  if (!isObject(doc)) return { ok: false, problems: ['$: expected an object'] };
  for (const key of Object.keys(doc)) if (!['format', 'zones', 'allowedHeaders', 'channels'].includes(key)) out.add(`$.${key}`, 'unknown key');
  if (doc.format !== POLICY_FORMAT) out.add('$.format', `expected "${POLICY_FORMAT}"`);
  const zones = readZones(doc.zones, out);
  const allowedHeaders = readHeaders(doc.allowedHeaders, out);
  const channels = new Map<string, ChannelPolicy>();
  const byFingerprint = new Map<string, string>();
  if (!isObject(doc.channels)) out.add('$.channels', 'expected an object of channel code → channel');
  for (const [code, raw] of Object.entries(isObject(doc.channels) ? doc.channels : {})) {
    const channel = readChannel(code, raw, zones, open, out);
    if (channel === undefined) continue;
    channels.set(code, channel);
    for (const fp of channel.certificateFingerprints) {
      const other = byFingerprint.get(fp);
      if (other !== undefined && other !== code) out.add(`$.channels.${code}.certificateFingerprints`, `${fp} is pinned by ${other} too`);
      byFingerprint.set(fp, code);
    }
  }
  if (out.list.length > 0) return { ok: false, problems: out.list };
  return { ok: true, policy: { channels, zones, allowedHeaders, byFingerprint } };
}
