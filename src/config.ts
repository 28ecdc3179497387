// Configuration: environment variables, optionally a JSON file named by GRIDBILL_CONFIG holding the
// same keys. The environment wins over the file. Everything is validated once at start-up and
// every problem is reported together, each naming the variable and what it expects.

import { readFileSync } from 'node:fs';
import { GridbillError } from './errors.ts';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Config {
  readonly dbUrl: string;
  readonly host: string;
  readonly corePort: number;
  readonly gatewayPort: number;
  readonly portalPort: number;
  /** Where the gateway forwards to; defaults to the core on host:corePort. */
  readonly coreUrl: string;
  /** Where the portal sends SOAP requests; defaults to the gateway on host:gatewayPort. */
  readonly gatewayUrl: string;
  readonly logLevel: LogLevel;
  /** Base64 of the 32-byte master key that seals channel secrets; null: use secretKeyFile. */
  readonly secretKeyBase64: string | null;
  readonly secretKeyFile: string;
  readonly demoData: boolean;
  readonly demoCustomers: number;
  readonly demoMonths: number;
  readonly demoSeed: number;
  /** BankGatewayService endpoint for online payments; null: none (serve all starts the simulator). */
  readonly bankUrl: string | null;
  /** MeterControlService endpoint of the meter head-end; null: none (serve all starts the simulator). */
  readonly headEndUrl: string | null;
  /** The CustomerService endpoint the portal calls; defaults to the gateway's. */
  readonly portalUpstreamUrl: string;
  /** The portal's channel code (its WS-Security username) and password; null: none configured. */
  readonly portalChannel: string;
  readonly portalChannelPassword: string | null;
  /** The portal is reached over HTTPS (a TLS terminator in front of it): its cookies are Secure. */
  readonly portalSecureCookies: boolean;
  /** The gateway's policy file (channels, zones, limits, rules); read at start and on SIGHUP. */
  readonly gatewayPolicyFile: string;
  /** Base64 of the 32-byte key that seals the channel secrets in the policy; null: use gatewayKeyFile. */
  readonly gatewayKeyBase64: string | null;
  readonly gatewayKeyFile: string;
  /** Folder for sampled denied requests; null: none are kept. */
  readonly gatewayQuarantineDir: string | null;
  /** The platform CA's folder (gridbill ca): the gateway's server certificate and key, the CA, the CRL. */
  readonly caDir: string;
  /** The gateway's mutual TLS: on, off (dev mode), or auto (on when its files exist in caDir). */
  readonly gatewayTls: GatewayTlsMode;
}

export type GatewayTlsMode = 'auto' | 'on' | 'off';

interface Setting {
  readonly env: string;
  readonly description: string;
  readonly fallback: string;
}

/** The documented settings, in README order. */
export const SETTINGS: readonly Setting[] = [
  { env: 'GRIDBILL_CONFIG', description: 'optional JSON file with any of these keys', fallback: '' },
  { env: 'GRIDBILL_DB', description: 'database URL: sqlite:PATH, postgres://…, mssql://…', fallback: 'sqlite:./data/gridbill.db' },
  { env: 'GRIDBILL_HOST', description: 'address every server listens on', fallback: '127.0.0.1' },
  { env: 'GRIDBILL_CORE_PORT', description: 'core: SOAP services, admin console, health', fallback: '8100' },
  { env: 'GRIDBILL_GATEWAY_PORT', description: 'isolation gateway (external entry point)', fallback: '8200' },
  { env: 'GRIDBILL_PORTAL_PORT', description: 'online business hall', fallback: '8300' },
  { env: 'GRIDBILL_CORE_URL', description: 'core URL the gateway forwards to', fallback: 'http://HOST:CORE_PORT' },
  { env: 'GRIDBILL_GATEWAY_URL', description: 'gateway URL the portal calls', fallback: 'http://HOST:GATEWAY_PORT' },
  { env: 'GRIDBILL_LOG_LEVEL', description: 'error, warn, info or debug', fallback: 'info' },
  { env: 'GRIDBILL_SECRET_KEY', description: 'base64 of the 32-byte master key that seals channel secrets; give every core the same one', fallback: '' },
  { env: 'GRIDBILL_SECRET_KEY_FILE', description: 'where the master key is kept when GRIDBILL_SECRET_KEY is not set (created, mode 0600)', fallback: './data/secret.key' },
  { env: 'GRIDBILL_DEMO', description: 'seed demo data into an empty database on start (true/false)', fallback: 'true' },
  { env: 'GRIDBILL_DEMO_CUSTOMERS', description: 'number of demo customers', fallback: '200' },
  { env: 'GRIDBILL_DEMO_MONTHS', description: 'months of demo readings', fallback: '13' },
  { env: 'GRIDBILL_DEMO_SEED', description: 'seed of the demo generator', fallback: '1' },
  { env: 'GRIDBILL_BANK_URL', description: 'BankGatewayService endpoint the core debits online payments through; unset: serve all starts the bank simulator on loopback, serve core answers PayOnline BANK_UNAVAILABLE', fallback: '' },
  { env: 'GRIDBILL_HEADEND_URL', description: "the meter head-end's MeterControlService endpoint remote disconnects and reconnects go to; unset: serve all starts the head-end simulator on loopback, serve core keeps switch commands queued", fallback: '' },
  { env: 'GRIDBILL_PORTAL_UPSTREAM', description: 'CustomerService endpoint the online business hall calls (serve all: the core itself, until the gateway forwards)', fallback: 'GATEWAY_URL/soap/CustomerService' },
  { env: 'GRIDBILL_PORTAL_CHANNEL', description: "the portal's channel code: its WS-Security username at the core", fallback: 'portal' },
  { env: 'GRIDBILL_PORTAL_CHANNEL_PASSWORD', description: "the portal channel's password (12 to 128 characters); required by serve portal; serve all with demo data makes a new one at each start and registers or rotates the channel", fallback: '' },
  { env: 'GRIDBILL_PORTAL_SECURE_COOKIES', description: 'true when browsers reach the portal over HTTPS (a TLS terminator in front of it): its cookies are marked Secure', fallback: 'false' },
  { env: 'GRIDBILL_GATEWAY_POLICY', description: "the gateway's policy file: channels, zones, operations, limits, rules (see \"Isolation gateway\")", fallback: './data/gateway-policy.json' },
  { env: 'GRIDBILL_GATEWAY_KEY', description: 'base64 of the 32-byte key that seals the channel secrets in the gateway policy', fallback: '' },
  { env: 'GRIDBILL_GATEWAY_KEY_FILE', description: 'where the gateway key is kept when GRIDBILL_GATEWAY_KEY is not set (created, mode 0600)', fallback: './data/gateway.key' },
  { env: 'GRIDBILL_GATEWAY_QUARANTINE', description: 'folder where the gateway keeps a sample of denied requests for review; "off": none are kept', fallback: './data/quarantine' },
  { env: 'GRIDBILL_CA_DIR', description: "the platform CA's folder (gridbill ca): the gateway's server certificate and key, the CA certificate it trusts and the CRL it enforces (see \"Certificates\")", fallback: './data/ca' },
  { env: 'GRIDBILL_GATEWAY_TLS', description: 'the gateway\'s HTTPS with mutual TLS: on (its files in GRIDBILL_CA_DIR must be good), off (dev mode: plain HTTP, loopback callers only) or auto (on when GRIDBILL_CA_DIR holds the gateway\'s server certificate, server/server.cert.pem; then the four files must be good)', fallback: 'auto' },
];

type Source = Readonly<Record<string, string | undefined>>;

function readFileSource(path: string): Source {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new GridbillError('CONFIG_INVALID', `GRIDBILL_CONFIG=${path}: ${(error as Error).message}`, {
      hint: 'point GRIDBILL_CONFIG at a readable JSON object of GRIDBILL_* keys',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GridbillError('CONFIG_INVALID', `GRIDBILL_CONFIG=${path}: expected a JSON object`);
  }
  const known = new Set(SETTINGS.map((s) => s.env));
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!known.has(key)) throw new GridbillError('CONFIG_INVALID', `${path}: unknown key ${key}`);
    out[key] = String(value);
  }
  return out;
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly source: Source) {}

  string(env: string, fallback: string): string {
    const value = this.source[env];
    return value === undefined || value === '' ? fallback : value;
  }

  integer(env: string, fallback: number, min: number, max: number): number {
    const text = this.string(env, String(fallback));
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      this.problems.push(`${env}=${text}: expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return Number(text);
  }

  boolean(env: string, fallback: boolean): boolean {
    const text = this.string(env, String(fallback)).toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    this.problems.push(`${env}=${text}: expected true or false`);
    return fallback;
  }

  oneOf<T extends string>(env: string, fallback: T, allowed: readonly T[]): T {
    const text = this.string(env, fallback);
    if ((allowed as readonly string[]).includes(text)) return text as T;
    this.problems.push(`${env}=${text}: expected one of ${allowed.join(', ')}`);
    return fallback;
  }
}

export function loadConfig(env: Source = process.env): Config {
  const file = env.GRIDBILL_CONFIG ? readFileSource(env.GRIDBILL_CONFIG) : {};
  const r = new Reader({ ...file, ...env });
  const host = r.string('GRIDBILL_HOST', '127.0.0.1');
  const corePort = r.integer('GRIDBILL_CORE_PORT', 8100, 0, 65_535);
  const gatewayPort = r.integer('GRIDBILL_GATEWAY_PORT', 8200, 0, 65_535);
  const config: Config = {
    dbUrl: r.string('GRIDBILL_DB', 'sqlite:./data/gridbill.db'),
    host,
    corePort,
    gatewayPort,
    portalPort: r.integer('GRIDBILL_PORTAL_PORT', 8300, 0, 65_535),
    coreUrl: r.string('GRIDBILL_CORE_URL', `http://${host}:${corePort}`),
    gatewayUrl: r.string('GRIDBILL_GATEWAY_URL', `http://${host}:${gatewayPort}`),
    logLevel: r.oneOf<LogLevel>('GRIDBILL_LOG_LEVEL', 'info', ['error', 'warn', 'info', 'debug']),
    secretKeyBase64: r.string('GRIDBILL_SECRET_KEY', '') || null,
    secretKeyFile: r.string('GRIDBILL_SECRET_KEY_FILE', './data/secret.key'),
    demoData: r.boolean('GRIDBILL_DEMO', true),
    demoCustomers: r.integer('GRIDBILL_DEMO_CUSTOMERS', 200, 0, 100_000),
    demoMonths: r.integer('GRIDBILL_DEMO_MONTHS', 13, 1, 60),
    demoSeed: r.integer('GRIDBILL_DEMO_SEED', 1, 0, 2 ** 31 - 1),
    bankUrl: r.string('GRIDBILL_BANK_URL', '') || null,
    headEndUrl: r.string('GRIDBILL_HEADEND_URL', '') || null,
    portalUpstreamUrl: r.string('GRIDBILL_PORTAL_UPSTREAM', `${r.string('GRIDBILL_GATEWAY_URL', `http://${host}:${gatewayPort}`).replace(/\/+$/, '')}/soap/CustomerService`),
    portalChannel: r.string('GRIDBILL_PORTAL_CHANNEL', 'portal'),
    portalChannelPassword: r.string('GRIDBILL_PORTAL_CHANNEL_PASSWORD', '') || null,
    portalSecureCookies: r.boolean('GRIDBILL_PORTAL_SECURE_COOKIES', false),
    gatewayPolicyFile: r.string('GRIDBILL_GATEWAY_POLICY', './data/gateway-policy.json'),
    gatewayKeyBase64: r.string('GRIDBILL_GATEWAY_KEY', '') || null,
    gatewayKeyFile: r.string('GRIDBILL_GATEWAY_KEY_FILE', './data/gateway.key'),
    gatewayQuarantineDir: ((dir) => (dir === 'off' ? null : dir))(r.string('GRIDBILL_GATEWAY_QUARANTINE', './data/quarantine')),
    caDir: r.string('GRIDBILL_CA_DIR', './data/ca'),
    gatewayTls: r.oneOf<GatewayTlsMode>('GRIDBILL_GATEWAY_TLS', 'auto', ['auto', 'on', 'off']),
  };
  if (!/^https?:\/\/[^/]/.test(config.portalUpstreamUrl)) r.problems.push('GRIDBILL_PORTAL_UPSTREAM: expected an http:// or https:// URL');
  if (!/^[a-z0-9][a-z0-9-]{1,31}$/.test(config.portalChannel)) r.problems.push('GRIDBILL_PORTAL_CHANNEL: 2 to 32 lower-case letters, digits or "-"');
  const portalPasswordChars = config.portalChannelPassword?.length ?? 12;
  if (portalPasswordChars < 12 || portalPasswordChars > 128) r.problems.push('GRIDBILL_PORTAL_CHANNEL_PASSWORD: 12 to 128 characters');
  for (const key of ['GRIDBILL_CORE_URL', 'GRIDBILL_GATEWAY_URL'] as const) {
    if (!URL.canParse(r.string(key, 'http://x'))) r.problems.push(`${key}: not a URL`);
  }
  if (config.bankUrl !== null && !/^http:\/\/[^/]/.test(config.bankUrl)) r.problems.push('GRIDBILL_BANK_URL: expected an http:// URL');
  if (config.headEndUrl !== null && !/^http:\/\/[^/]/.test(config.headEndUrl)) r.problems.push('GRIDBILL_HEADEND_URL: expected an http:// URL');
  if (r.problems.length > 0) {
    throw new GridbillError('CONFIG_INVALID', r.problems.join('; '), { hint: 'see "Configuration" in README.md' });
  }
  return config;
}
