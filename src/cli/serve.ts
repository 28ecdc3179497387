// `gridbill serve [all|core|gateway|portal]`: the platform's processes. `all` is the zero-setup
// default (embedded SQLite, migrations, demo data, every server on loopback); the others are how
// the roles are deployed in their own zones.

import { randomBytes } from 'node:crypto';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { tariffFixtureFiles } from '../../fixtures/tariffs/index.ts';
import { BankSimulator } from '../../fixtures/simulators/bank-gateway.ts';
import { HeadEndSimulator } from '../../fixtures/simulators/head-end.ts';
import { businessDate } from '../clock.ts';
import { loadConfig, type Config } from '../config.ts';
import { addMonths, monthOf } from '../domain/dates.ts';
import { GridbillError } from '../errors.ts';
import { startGateway, type RunningGateway } from '../gateway/start-gateway.ts';
import { startHttpServer, type RunningServer } from '../ops/http-server.ts';
import { createLogger, type Logger } from '../ops/logger.ts';
import { loadMasterKey, secretBox, type SecretBox } from '../ops/secret-box.ts';
import { portalApp, type PortalApp } from '../portal/portal-app.ts';
import { BankGatewayClient } from '../soap/bank-gateway-client.ts';
import { MeterControlClient } from '../soap/meter-control-client.ts';
import { coreApp, type CoreHandler, type DevSms } from '../soap/core-app.ts';
import { openStore, type OpenStore } from '../store/connect.ts';
import { countCustomers } from '../store/customer.repository.ts';
import { listOutbox } from '../store/sms-outbox.repository.ts';
import { SERVICES } from '../contract/operations.ts';
import { addChannel, channelViews, rotateChannelSecret } from '../usecases/manage-channels.ts';
import { assertSchemaCurrent, migrateToLatest, schemaState } from '../store/migrate.ts';
import type { BankGateway } from '../usecases/bank-gateway.ts';
import { billHistory } from '../usecases/bill-history.ts';
import { seedDemo } from '../usecases/seed-demo.ts';
import { ensureDemoStaff } from '../usecases/staff-accounts.ts';
import { VERSION } from '../version.ts';
import { EXIT_OK, parseOptions, type CliIo, type Command } from './command.ts';

const ROLES = ['all', 'core', 'gateway', 'portal'] as const;
const DEV_OUTBOX_LISTED = 50;
type Role = (typeof ROLES)[number];

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  core: 'SOAP services, admin console, /health, /ready',
  gateway: 'isolation gateway: the external entry point',
  'gateway-loopback': "the gateway's plain-HTTP loopback door for the business hall beside it",
  portal: 'online business hall (网上营业厅)',
};

export interface Platform {
  readonly servers: readonly RunningServer[];
  /** The bank the core debits online payments through, and whether it is the simulator. */
  readonly bank?: { readonly url: string; readonly simulated: boolean };
  /** The meter head-end switch commands go to, and whether it is the simulator. */
  readonly headEnd?: { readonly url: string; readonly simulated: boolean };
  stop(): Promise<void>;
}

async function prepareDatabase(config: Config, role: Role, logger: Logger): Promise<OpenStore> {
  const store = await openStore(config.dbUrl);
  try {
    if (role === 'all') {
      const applied = await migrateToLatest(store.db, store.dialect);
      if (applied.length > 0) logger.info('migrated', { applied });
      if (config.demoData && (await countCustomers(store)) === 0) {
        const endMonth = addMonths(monthOf(businessDate()), -1);
        const demo = generateDemo({ customers: config.demoCustomers, months: config.demoMonths, seed: config.demoSeed, endMonth });
        const result = await seedDemo(store, demo, new Date().toISOString(), { tariffFiles: tariffFixtureFiles(), openingBalances: true });
        logger.info('seeded demo data', { customers: result.customers, tariffVersions: result.tariffVersions, endMonth });
        // The first month of readings only opens the meters: billing starts one month later.
        const history = await billHistory(store, {
          fromMonth: addMonths(endMonth, 2 - config.demoMonths), toMonth: endMonth, now: new Date().toISOString(), actor: 'demo',
        });
        logger.info('billed demo history', { months: history.length, issued: history.reduce((n, m) => n + m.issued, 0) });
      }
      // The console's demo staff (README "Admin console"), on a demo database only.
      if (config.demoData && (await ensureDemoStaff(store, new Date().toISOString())) > 0) logger.info('added demo staff users');
    } else {
      await assertSchemaCurrent(store.db);
    }
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

interface BankSetup {
  readonly bank?: BankGateway;
  readonly info?: { readonly url: string; readonly simulated: boolean };
  stop(): Promise<void>;
}

/**
 * The bank for PayOnline: GRIDBILL_BANK_URL when set; under `serve all` without it, the bank
 * simulator of fixtures/ on loopback (whatever GRIDBILL_HOST says: it holds no real money but it
 * must not be reachable from outside); a core without one answers PayOnline BANK_UNAVAILABLE.
 */
async function startBank(config: Config, role: Role, logger: Logger): Promise<BankSetup> {
  if (config.bankUrl !== null) {
    const client = new BankGatewayClient({ url: config.bankUrl, logger });
    return { bank: client, info: { url: config.bankUrl, simulated: false }, stop: async () => client.close() };
  }
  if (role !== 'all') {
    if (role === 'core') logger.warn('no bank configured (GRIDBILL_BANK_URL): PayOnline answers BANK_UNAVAILABLE');
    return { stop: async () => {} };
  }
  const simulator = await BankSimulator.start({ host: '127.0.0.1', port: 0, demoAccounts: true });
  logger.warn('bank simulator started: online payments debit simulated demo accounts, not a real bank', { url: simulator.url });
  const client = new BankGatewayClient({ url: simulator.url, logger });
  return {
    bank: client, info: { url: simulator.url, simulated: true },
    async stop() {
      client.close();
      await simulator.stop();
    },
  };
}

interface HeadEndSetup {
  readonly control?: MeterControlClient;
  readonly info?: { readonly url: string; readonly simulated: boolean };
  stop(): Promise<void>;
}

/**
 * The meter head-end for remote disconnects and reconnects: GRIDBILL_HEADEND_URL when set; under
 * `serve all` without it, the head-end simulator of fixtures/ on loopback (every meter exists,
 * connected); a core without one keeps its switch commands queued.
 */
async function startHeadEnd(config: Config, role: Role, logger: Logger): Promise<HeadEndSetup> {
  if (config.headEndUrl !== null) {
    const client = new MeterControlClient({ url: config.headEndUrl, logger });
    return { control: client, info: { url: config.headEndUrl, simulated: false }, stop: async () => client.close() };
  }
  if (role !== 'all') {
    if (role === 'core') logger.warn('no meter head-end configured (GRIDBILL_HEADEND_URL): switch commands stay queued');
    return { stop: async () => {} };
  }
  const simulator = await HeadEndSimulator.start({ host: '127.0.0.1', port: 0, autoMeters: true });
  logger.warn('head-end simulator started: remote disconnects and reconnects switch simulated meters, not real ones', { url: simulator.url });
  const client = new MeterControlClient({ url: simulator.url, logger });
  return {
    control: client, info: { url: simulator.url, simulated: true },
    async stop() {
      client.close();
      await simulator.stop();
    },
  };
}

/** The newest outbox messages, for the core's development page /dev/sms-outbox. */
async function devOutbox(store: OpenStore): Promise<DevSms[]> {
  return (await listOutbox(store, { limit: DEV_OUTBOX_LISTED })).map((row) => ({ createdAt: row.created_at, phone: row.phone, body: row.body }));
}

/**
 * `serve all`: the portal and the core share this process, so the portal's channel
 * is registered here (kind portal, every CustomerService operation) when missing. Without a
 * configured password a new random one is made at each start and the channel's is rotated to it.
 */
async function ensurePortalChannel(store: OpenStore, box: SecretBox, config: Config, logger: Logger): Promise<string> {
  const password = config.portalChannelPassword ?? randomBytes(24).toString('base64url');
  const now = new Date().toISOString();
  const existing = (await channelViews(store)).find((c) => c.code === config.portalChannel);
  if (existing === undefined) {
    await addChannel(store, box, {
      code: config.portalChannel, name: '网上营业厅', kind: 'portal', password, operations: [...SERVICES.CustomerService],
    }, 'serve', now);
    logger.info('registered the portal channel', { channel: config.portalChannel });
  } else if (config.portalChannelPassword === null) {
    await rotateChannelSecret(store, box, config.portalChannel, password, 'serve', now);
  }
  return password;
}

/**
 * The online business hall. Under `serve all` it calls CustomerService through the gateway
 * started beside it, as in a deployment (the design's only path from the external zone to the
 * core); alone it calls GRIDBILL_PORTAL_UPSTREAM (the gateway's address).
 */
function startPortal(
  config: Config, role: Role, urls: { readonly core?: string; readonly gateway?: string }, password: string | null, logger: Logger,
): PortalApp {
  if (password === null) {
    throw new GridbillError('CONFIG_INVALID', 'GRIDBILL_PORTAL_CHANNEL_PASSWORD is not set', {
      hint: 'register the portal at the core (gridbill channel add --kind portal) and give the portal its password',
    });
  }
  const beside = role === 'all' && urls.gateway !== undefined;
  return portalApp({
    upstreamUrl: beside ? `${urls.gateway}/soap/CustomerService` : config.portalUpstreamUrl,
    channel: config.portalChannel, channelPassword: password, secureCookies: config.portalSecureCookies, logger,
    ...(beside && urls.core !== undefined && config.demoData ? { dev: { smsOutboxUrl: `${urls.core}/dev/sms-outbox` } } : {}),
  });
}

/** Starts the servers of a role; used by the CLI and by tests (which pass port 0). */
export async function startPlatform(config: Config, role: Role, logger: Logger): Promise<Platform> {
  const store = role === 'all' || role === 'core' ? await prepareDatabase(config, role, logger) : null;
  const servers: RunningServer[] = [];
  let bank: BankSetup | undefined;
  let headEnd: HeadEndSetup | undefined;
  let core: CoreHandler | undefined;
  let gateway: RunningGateway | undefined;
  let portal: PortalApp | undefined;
  let portalPassword = config.portalChannelPassword;
  const start = async (name: string, port: number, handler: Parameters<typeof startHttpServer>[0]['handler']) => {
    servers.push(await startHttpServer({ name, host: config.host, port, handler, logger }));
  };
  try {
    if (store) {
      const checks = {
        database: async () => {
          const state = await schemaState(store.db);
          const ok = state.pending.length === 0 && state.unknown.length === 0;
          return { ok, detail: ok ? `schema ${state.applied.at(-1) ?? 'none'}` : 'schema not current' };
        },
      };
      let box: SecretBox | undefined;
      const secrets = () => (box ??= secretBox(loadMasterKey({ keyBase64: config.secretKeyBase64, keyFile: config.secretKeyFile })));
      bank = await startBank(config, role, logger);
      headEnd = await startHeadEnd(config, role, logger);
      const dev = role === 'all' && config.demoData;
      core = await coreApp({
        checks, store, secrets, logger, ...(bank.bank ? { bank: bank.bank } : {}), ...(dev ? { devSmsOutbox: () => devOutbox(store) } : {}),
        ...(headEnd.control ? { meterControl: headEnd.control } : {}), scheduler: {},
      });
      await start('core', config.corePort, core);
      if (role === 'all') portalPassword = await ensurePortalChannel(store, secrets(), config, logger);
    }
    if (role === 'all' || role === 'gateway') {
      // serve all: the business hall beside it is the one channel let through without a policy file.
      const devChannels = role === 'all' && portalPassword !== null ? [{
        code: config.portalChannel, password: portalPassword, zone: 'web', services: ['CustomerService'] as const,
        operations: [...SERVICES.CustomerService],
      }] : [];
      gateway = await startGateway(config, role, logger, servers.find((s) => s.name === 'core')?.url, devChannels);
      servers.push(await gateway.serve(config.host, config.gatewayPort));
      // The business hall beside a mutual-TLS gateway has no client certificate: it has its own loopback door.
      if (role === 'all' && gateway.mode === 'tls') servers.push(await gateway.serveLoopback());
    }
    if (role === 'all' || role === 'portal') {
      const urlOf = (name: string) => servers.find((s) => s.name === name)?.url;
      portal = startPortal(config, role, { core: urlOf('core'), gateway: urlOf('gateway-loopback') ?? urlOf('gateway') }, portalPassword, logger);
      await start('portal', config.portalPort, portal.handler);
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    gateway?.close();
    portal?.close();
    await core?.close();
    await bank?.stop();
    await headEnd?.stop();
    await store?.close();
    throw error;
  }
  return {
    servers,
    ...(bank?.info ? { bank: bank.info } : {}),
    ...(headEnd?.info ? { headEnd: headEnd.info } : {}),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      gateway?.close();
      portal?.close();
      // The scheduler's running job finishes and the last channel counts are written before the database closes.
      await core?.close();
      await bank?.stop();
      await headEnd?.stop();
      await store?.close();
    },
  };
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

function printBanner(io: CliIo, config: Config, platform: Platform): void {
  io.out(`gridbill ${VERSION} — database ${config.dbUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')}`);
  for (const server of platform.servers) {
    io.out(`  ${server.name.padEnd(8)} ${server.url}/  (${DESCRIPTIONS[server.name] ?? ''})`);
    if (server.name === 'core') io.out(`           ${server.url}/soap/ChannelPaymentService?wsdl`);
  }
  if (platform.bank?.simulated) io.out(`  bank     ${platform.bank.url}  (bank simulator with demo accounts: no real money)`);
  if (platform.headEnd?.simulated) io.out(`  head-end ${platform.headEnd.url}  (meter head-end simulator: switches no real meter)`);
  io.out('Press Ctrl+C to stop.');
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the platform: all (default), core, gateway or portal',
  help: [
    'Usage: gridbill serve [all|core|gateway|portal]',
    '',
    '  all      every server in one process on loopback: migrates the database, seeds demo data',
    '           into an empty one (GRIDBILL_DEMO=false to skip), then starts core, gateway, portal',
    '  core     the internal zone: SOAP services, admin console; needs a migrated database',
    '  gateway  the isolation gateway (no database access)',
    '  portal   the online business hall (no database access)',
    '',
    'Stops cleanly on SIGINT or SIGTERM: in-flight requests finish, then the database is closed.',
    'Configuration comes from GRIDBILL_* environment variables (see README.md).',
  ].join('\n'),
  async run(args, io) {
    const { positionals } = parseOptions(args, {}, true);
    const role = (positionals[0] ?? 'all') as Role;
    if (positionals.length > 1 || !ROLES.includes(role)) {
      throw new GridbillError('CLI_USAGE', `serve ${positionals.join(' ')}: expected one of ${ROLES.join(', ')}`);
    }
    const config = loadConfig(io.env);
    const logger = createLogger({ level: config.logLevel, role });
    const platform = await startPlatform(config, role, logger);
    printBanner(io, config, platform);
    const signal = await waitForSignal();
    logger.info('stopping', { signal });
    await platform.stop();
    logger.info('stopped');
    return EXIT_OK;
  },
};
