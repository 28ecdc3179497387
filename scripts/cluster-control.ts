// scripts/cluster-up, cluster-down, cluster-failover: gridbill as a cluster on one machine, on
// loopback, in a temp folder (README "Deployment: a cluster on one machine"):
//
//   channels ──▶ HAProxy :channels ──▶ gateway1, gateway2 ──▶ HAProxy :cores ──▶ core1 … coreN
//   browsers ──▶ HAProxy :portal ──▶ portal ──┘ (CustomerService, through :channels)   │
//                                         HAProxy :postgres (the primary only) ◀────┘
//                                              ├─ pg1  primary ──WAL, synchronous──▶ pg2  standby
//
// One HAProxy process stands for the balancers of both zones here; in a deployment the external
// one (channels → gateways) and the internal ones are separate machines.

import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES } from '../src/contract/operations.ts';
import {
  DATABASE, ROLES, findPgBin, haproxyPrimaryCheck, initPrimary, initStandby, isNodeRunning, makeNodeDir, postgresUser,
  promote, psql, reachesPrimary, rebuildAsStandby, requireSynchronousStandby, rewindAllowed, rewindAsStandby, stopNode, type PgSetup,
} from './cluster-postgres.ts';
import {
  LIMITS, STATE_FORMAT, answers200, haproxyServers, isOurs, readState, startProcess, stopProcess, waitFor, writeState,
  type ClusterState, type PgNode,
} from './cluster-state.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GRIDBILL = join(ROOT, 'bin', 'gridbill.js');
const HAPROXY = process.env.GRIDBILL_HAPROXY ?? '/usr/sbin/haproxy';
const DEFAULT_STATE = join(ROOT, 'data', 'cluster', 'state.json');
const CHANNEL = 'cluster-bank';
const CHANNEL_OPERATIONS = ['QueryArrears', 'Pay', 'Reverse', 'QueryTransaction', 'Reconcile'];
const PORTAL_CHANNEL = 'cluster-portal';
const PORTAL_OPERATIONS: readonly string[] = SERVICES.CustomerService;
// HAProxy's checks: a server is DOWN after 2 failed checks 500 ms apart, UP after 2 good ones.
const CHECK = 'inter 500ms fall 2 rise 2';
const CORES_MAX = 8;

interface UpOptions {
  readonly state: string;
  readonly cores: number;
  readonly customers: number;
  readonly months: number;
}

const secret = (bytes: number): string => randomBytes(bytes).toString('base64url');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

function pgSetup(): PgSetup {
  const bin = findPgBin();
  if (bin === null) throw new Error("PostgreSQL server binaries not found: install Debian's postgresql package");
  if (process.getuid?.() !== 0) return { bin, runAs: null, superuser: userInfo().username };
  const runAs = postgresUser();
  if (runAs === null) throw new Error('running as root, and the postgres system user is missing: install postgresql');
  return { bin, runAs, superuser: runAs.user };
}

function setupOf(state: ClusterState): PgSetup {
  return { bin: state.pgBin, runAs: state.runAs, superuser: state.runAs?.user ?? userInfo().username };
}

/** Environment of every gridbill process: none of the caller's GRIDBILL_* settings leak in. */
function gridbillEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GRIDBILL_')) env[key] = value;
  return { ...env, GRIDBILL_LOG_LEVEL: process.env.GRIDBILL_LOG_LEVEL ?? 'info', ...extra };
}

function gridbill(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): string {
  const result = spawnSync(process.execPath, [GRIDBILL, ...args], { cwd: ROOT, env, encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  if (result.status !== 0) throw new Error(`gridbill ${args[0] ?? ''} failed (exit ${String(result.status)}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

interface Backends {
  readonly gateways: readonly number[];
  readonly cores: readonly number[];
  readonly portal: number;
  readonly pg: readonly PgNode[];
}

function haproxyConfig(ports: Record<string, number>, { gateways, cores, portal, pg }: Backends): string {
  return `# written by scripts/cluster-up
global
  log stdout format raw local0 info
  maxconn 4096

defaults
  log global
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout check 1s
  # a connection refused (a dead server) is tried again on another server; a request that reached
  # a server is never sent twice by the balancer: the channel repeats it with the same id
  retries 2
  option redispatch

# External zone. TCP, not HTTP: TLS (and a channel's client certificate) ends at the gateway.
frontend channels
  mode tcp
  bind 127.0.0.1:${ports.channels}
  default_backend gateways

backend gateways
  mode tcp
  balance roundrobin
  option httpchk GET /health
  default-server ${CHECK}
${gateways.map((port, i) => `  server gateway${i + 1} 127.0.0.1:${port} check`).join('\n')}

# External zone: browsers reach the business hall here (in a deployment, behind a TLS terminator).
# One portal process: its sessions live in its memory (README); more would need sticky routing.
frontend portal
  mode http
  option httplog
  bind 127.0.0.1:${ports.portal}
  default_backend portals

backend portals
  mode http
  balance source
  option httpchk GET /health
  default-server ${CHECK}
  server portal1 127.0.0.1:${portal} check

# Internal zone: the gateways and the internal systems reach the cores here.
frontend cores
  mode http
  option httplog
  bind 127.0.0.1:${ports.cores}
  default_backend cores

backend cores
  mode http
  balance roundrobin
  option httpchk GET /health
  default-server ${CHECK}
${cores.map((port, i) => `  server core${i + 1} 127.0.0.1:${port} check`).join('\n')}

# The database: every core connects here and reaches whichever node is the primary now.
listen postgres
  mode tcp
  bind 127.0.0.1:${ports.postgres}
  timeout client 1h
  timeout server 1h
${haproxyPrimaryCheck()}
  default-server ${CHECK} on-marked-down shutdown-sessions
${pg.map((node) => `  server ${node.name} 127.0.0.1:${node.port} check`).join('\n')}

listen stats
  mode http
  bind 127.0.0.1:${ports.stats}
  stats enable
  stats uri /
  stats refresh 2s
`;
}

/** pg1 primary, pg2 its synchronous standby. */
async function startDatabase(state: ClusterState, save: () => void, passwords: { app: string; replication: string }): Promise<void> {
  const setup = setupOf(state);
  const pgDir = join(state.dir, 'pg');
  makeNodeDir(setup, pgDir);
  for (const name of ['pg1', 'pg2']) {
    const dir = join(pgDir, name);
    makeNodeDir(setup, dir);
    state.pg.push({ name, dir, dataDir: join(dir, 'data'), port: await freePort(), role: name === 'pg1' ? 'primary' : 'standby' });
    save();
  }
  const [primary, standby] = state.pg as [PgNode, PgNode];
  await initPrimary(setup, primary, passwords);
  initStandby(setup, primary, standby, passwords.replication);
  await requireSynchronousStandby(setup, primary, standby);
}

async function startServers(state: ClusterState, save: () => void, options: UpOptions, ports: Record<string, number>): Promise<void> {
  const logs = join(state.dir, 'logs');
  const access = state.access;
  const start = async (name: string, args: string[], env: NodeJS.ProcessEnv, url: string, probe: string) => {
    state.processes.push(startProcess(name, process.execPath, [GRIDBILL, ...args], { env, cwd: ROOT, log: join(logs, `${name}.log`), url }));
    save();
    const proc = state.processes.at(-1)!;
    await waitFor(`${name} at ${probe}`, LIMITS.readyTimeoutMs, async () => {
      if (!isOurs(proc)) throw new Error(`${name} exited during start-up: see ${proc.log}`);
      return answers200(probe);
    });
  };
  const corePorts: number[] = [];
  for (let i = 1; i <= options.cores; i += 1) corePorts.push(await freePort());
  const gatewayPorts = [await freePort(), await freePort()];
  const portalPort = await freePort();
  const haproxyCfg = join(state.dir, 'haproxy.cfg');
  writeFileSync(haproxyCfg, haproxyConfig(ports, { gateways: gatewayPorts, cores: corePorts, portal: portalPort, pg: state.pg }));
  spawnSync(HAPROXY, ['-c', '-q', '-f', haproxyCfg], { stdio: 'inherit' });
  state.processes.push(startProcess('haproxy', HAPROXY, ['-db', '-f', haproxyCfg], { env: process.env, cwd: state.dir, log: join(logs, 'haproxy.log'), url: access.stats! }));
  save();
  await waitForPrimaryRoute(state);
  prepareDatabase(state, options);
  for (const [i, port] of corePorts.entries()) {
    const env = gridbillEnv({ GRIDBILL_DB: access.dbUrl!, GRIDBILL_SECRET_KEY: access.secretKey!, GRIDBILL_HOST: '127.0.0.1', GRIDBILL_CORE_PORT: String(port) });
    await start(`core${i + 1}`, ['serve', 'core'], env, `http://127.0.0.1:${port}`, `http://127.0.0.1:${port}/ready`);
  }
  for (const [i, port] of gatewayPorts.entries()) {
    const env = gridbillEnv({
      GRIDBILL_HOST: '127.0.0.1', GRIDBILL_GATEWAY_PORT: String(port), GRIDBILL_CORE_URL: access.cores!,
      GRIDBILL_GATEWAY_POLICY: join(state.dir, 'gateway-policy.json'), GRIDBILL_GATEWAY_KEY: access.gatewayKey!,
      GRIDBILL_GATEWAY_QUARANTINE: join(state.dir, `gateway${i + 1}-quarantine`), GRIDBILL_CA_DIR: join(state.dir, 'ca'),
    });
    await start(`gateway${i + 1}`, ['serve', 'gateway'], env, `http://127.0.0.1:${port}`, `http://127.0.0.1:${port}/health`);
  }
  await waitFor('HAProxy to see every gateway', LIMITS.readyTimeoutMs, () => answers200(`${access.channels!}/health`));
  // The business hall calls CustomerService as a channel through the external balancer, as a browser's requests would.
  const portalEnv = gridbillEnv({
    GRIDBILL_HOST: '127.0.0.1', GRIDBILL_PORTAL_PORT: String(portalPort), GRIDBILL_PORTAL_UPSTREAM: `${access.channels!}/soap/CustomerService`,
    GRIDBILL_PORTAL_CHANNEL: access.portalChannel!.code, GRIDBILL_PORTAL_CHANNEL_PASSWORD: access.portalChannel!.password,
  });
  await start('portal', ['serve', 'portal'], portalEnv, `http://127.0.0.1:${portalPort}`, `http://127.0.0.1:${portalPort}/health`);
  await waitFor('HAProxy to see the portal', LIMITS.readyTimeoutMs, () => answers200(`${access.portal!}/health`));
}

/**
 * Until HAProxy has the primary UP and every other node DOWN. HAProxy starts with every server UP
 * until its checks say otherwise, so a connection made before would reach the standby.
 */
async function waitForPrimaryRoute(state: ClusterState): Promise<void> {
  const primary = state.pg.find((n) => n.role === 'primary');
  await waitFor('HAProxy to route to the primary only', LIMITS.readyTimeoutMs, async () => {
    const servers = await haproxyServers(state.access.stats!, 'postgres');
    // "UP 1/2" is a server going down, "DOWN 1/2" one coming up: only settled states count.
    const onlyPrimary = state.pg.every((n) => servers.get(n.name) === (n === primary ? 'UP' : 'DOWN'));
    return onlyPrimary && reachesPrimary(state.access.dbUrl!);
  });
}

/**
 * Once, before any core starts: the schema, demo customers, and the demo bank channel and the
 * business hall's channel at the core and in the gateway policy.
 */
function prepareDatabase(state: ClusterState, options: UpOptions): void {
  const access = state.access;
  const env = gridbillEnv({ GRIDBILL_DB: access.dbUrl!, GRIDBILL_SECRET_KEY: access.secretKey!, GRIDBILL_GATEWAY_KEY: access.gatewayKey! });
  gridbill(['migrate'], env);
  if (options.customers > 0) gridbill(['seed', '--customers', String(options.customers), '--months', String(options.months), '--bill'], env);
  const channel = access.channel!;
  const portal = access.portalChannel!;
  const register = (code: string, name: string, kind: string, operations: readonly string[], password: string): string => {
    gridbill(['channel', 'add', '--code', code, '--name', name, '--kind', kind, '--operations', operations.join(','), '--password-stdin'], env, `${password}\n`);
    return gridbill(['gateway', 'seal', '--password-stdin'], env, `${password}\n`).trim();
  };
  const policy = {
    format: 'gridbill.gateway-policy/1', zones: { banks: ['ChannelPaymentService'], web: ['CustomerService'] }, allowedHeaders: [],
    channels: {
      [channel.code]: {
        zone: 'banks', secret: register(channel.code, '集群演示银行', 'bank', CHANNEL_OPERATIONS, channel.password), operations: CHANNEL_OPERATIONS,
        // a drill sends many payments for a few demo customers: the per-customer bucket must not be what refuses them
        ratePerSecond: 2000, burst: 4000, customerRatePerMinute: 60_000, customerBurst: 10_000,
      },
      // every customer of the business hall comes through this one channel
      [portal.code]: {
        zone: 'web', secret: register(portal.code, '网上营业厅', 'portal', PORTAL_OPERATIONS, portal.password), operations: PORTAL_OPERATIONS,
        ratePerSecond: 500, burst: 1000,
      },
    },
  };
  writeFileSync(join(state.dir, 'gateway-policy.json'), JSON.stringify(policy, null, 2) + '\n', { mode: 0o600 });
}

async function up(options: UpOptions): Promise<void> {
  const existing = readState(options.state);
  if (existing !== null) throw new Error(`${options.state} exists: a cluster is up (or was not taken down); run scripts/cluster-down first`);
  if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} not found: install Debian's haproxy package (or set GRIDBILL_HAPROXY)`);
  const setup = pgSetup();
  const dir = mkdtempSync(join(tmpdir(), 'gridbill-cluster-'));
  // The postgres user must pass through the folder to its own node folders inside it.
  chmodSync(dir, 0o711);
  mkdirSync(join(dir, 'logs'));
  const ports = { channels: await freePort(), portal: await freePort(), cores: await freePort(), postgres: await freePort(), stats: await freePort() };
  const passwords = { app: secret(24), replication: secret(24) };
  const state: ClusterState = {
    format: STATE_FORMAT, dir, createdAt: new Date().toISOString(), pgBin: setup.bin, runAs: setup.runAs, pg: [], processes: [],
    access: {
      channels: `http://127.0.0.1:${ports.channels}`, portal: `http://127.0.0.1:${ports.portal}`, cores: `http://127.0.0.1:${ports.cores}`, stats: `http://127.0.0.1:${ports.stats}/`,
      dbUrl: `postgres://${ROLES.app}:${passwords.app}@127.0.0.1:${ports.postgres}/${DATABASE}`, replicationPassword: passwords.replication,
      channel: { code: CHANNEL, password: secret(24) }, portalChannel: { code: PORTAL_CHANNEL, password: secret(24) }, secretKey: randomBytes(32).toString('base64'), gatewayKey: randomBytes(32).toString('base64'),
    },
  };
  const save = () => writeState(options.state, state);
  save();
  try {
    await startDatabase(state, save, passwords);
    await startServers(state, save, options, ports);
  } catch (error) {
    process.stderr.write(`cluster-up failed; stopping what it started\n`);
    await down(options.state);
    throw error;
  }
  printCluster(state, options.state);
}

function printCluster(state: ClusterState, stateFile: string): void {
  const a = state.access;
  const lines = [
    `gridbill cluster up — folder ${state.dir}, state ${stateFile}`,
    `  channels  ${a.channels}/soap/ChannelPaymentService  (HAProxy → gateway1, gateway2: the external entry point)`,
    ...state.processes.filter((p) => p.name.startsWith('gateway')).map((p) => `  ${p.name.padEnd(9)} ${p.url}/  (isolation gateway)`),
    `  portal    ${a.portal}/  (HAProxy → the online business hall (网上营业厅), which calls CustomerService through the gateways)`,
    `  cores     ${a.cores}/soap/BillingAdminService  (HAProxy → every core: internal services)`,
    ...state.processes.filter((p) => p.name.startsWith('core')).map((p) => `  ${p.name.padEnd(9)} ${p.url}/  (SOAP services, admin console, /health, /ready, /metrics)`),
    `  database  ${a.dbUrl!.replace(/:[^:@/]+@/, ':***@')}  (HAProxy → the primary)`,
    ...state.pg.map((n) => `  ${n.name.padEnd(9)} postgres://127.0.0.1:${n.port}  ${n.role}${n.role === 'standby' ? ' (synchronous)' : ''}, data ${n.dataDir}`),
    `  haproxy   ${a.stats}  (statistics: which servers are up)`,
    `  channel   ${a.channel!.code}  (password, database URL and keys in the state file)`,
    `  logs      ${join(state.dir, 'logs')}/`,
    'Stop it with scripts/cluster-down; promote the standby with scripts/cluster-failover, then rebuild the old primary with scripts/cluster-rejoin.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

async function down(stateFile: string): Promise<void> {
  const state = readState(stateFile);
  if (state === null) {
    process.stdout.write(`no cluster state at ${stateFile}: nothing to stop\n`);
    return;
  }
  // Front to back: the balancer's clients go before the servers they reach.
  for (const proc of [...state.processes].reverse()) {
    process.stdout.write(`  ${proc.name.padEnd(9)} ${await stopProcess(proc)}\n`);
  }
  const setup = setupOf(state);
  for (const node of [...state.pg].reverse()) {
    process.stdout.write(`  ${node.name.padEnd(9)} ${(await stopNode(setup, node, 'fast')) ? 'stopped' : 'not running'}\n`);
  }
  if (state.dir.startsWith(join(tmpdir(), 'gridbill-cluster-'))) rmSync(state.dir, { recursive: true, force: true });
  rmSync(stateFile, { force: true });
  process.stdout.write(`gridbill cluster down — removed ${state.dir}\n`);
}

/**
 * The documented promotion: fence the old primary (stopped at once if it still runs: two
 * primaries behind HAProxy would split the data), promote the standby, wait until HAProxy
 * routes to it. The old primary is left marked failed: it must be rebuilt as a standby of the
 * new primary (README) before it runs again.
 */
async function failover(stateFile: string): Promise<void> {
  const state = readState(stateFile);
  if (state === null) throw new Error(`no cluster state at ${stateFile}`);
  const setup = setupOf(state);
  const primary = state.pg.find((n) => n.role === 'primary');
  const standby = state.pg.find((n) => n.role === 'standby');
  if (standby === undefined) throw new Error('no standby left to promote');
  const started = Date.now();
  if (primary !== undefined) {
    const fenced = await stopNode(setup, primary, 'immediate');
    process.stdout.write(`  ${primary.name.padEnd(9)} ${fenced ? 'was still running: stopped (fenced)' : 'down'}\n`);
    primary.role = 'failed';
    writeState(stateFile, state);
  }
  if (!isNodeRunning(setup, standby)) throw new Error(`${standby.name} is not running: nothing can be promoted`);
  promote(setup, standby);
  standby.role = 'primary';
  writeState(stateFile, state);
  process.stdout.write(`  ${standby.name.padEnd(9)} promoted (pg_ctl promote)\n`);
  await waitForPrimaryRoute(state);
  process.stdout.write(`gridbill cluster failover — ${standby.name} is the primary, reached through HAProxy ${Date.now() - started} ms after the promotion began\n`
    + `  it has no standby now: commits are acknowledged with one copy until scripts/cluster-rejoin rebuilds one\n`);
}

/**
 * The failed old primary rebuilt as the standby of the new one: pg_rewind when its data folder
 * allows it (wal_log_hints or checksums) and it succeeds, else (or with --basebackup) a fresh
 * pg_basebackup; then the primary waits for it again on every commit (synchronous_standby_names).
 */
async function rejoin(stateFile: string, basebackup: boolean): Promise<void> {
  const state = readState(stateFile);
  if (state === null) throw new Error(`no cluster state at ${stateFile}`);
  const setup = setupOf(state);
  const primary = state.pg.find((n) => n.role === 'primary');
  const node = state.pg.find((n) => n.role === 'failed');
  const password = state.access.replicationPassword;
  if (primary === undefined) throw new Error('no primary: run scripts/cluster-failover first');
  if (node === undefined) throw new Error('no failed node to rebuild: every node is a primary or a standby');
  if (password === undefined) throw new Error('the state file has no replication password (a cluster started by an older cluster-up)');
  const started = Date.now();
  // Fenced again: a node that was started by hand since the failover must not serve while it is rebuilt.
  await stopNode(setup, node, 'immediate');
  let how = 'pg_basebackup';
  if (!basebackup && rewindAllowed(setup, node)) {
    try {
      rewindAsStandby(setup, primary, node, password);
      how = 'pg_rewind';
    } catch (error) {
      const reason = (error as Error).message.trim().split('\n').at(-1) ?? '';
      process.stdout.write(`  ${node.name.padEnd(9)} pg_rewind failed (${reason}): a fresh copy instead\n`);
      await stopNode(setup, node, 'immediate');
    }
  }
  if (how === 'pg_basebackup') rebuildAsStandby(setup, primary, node, password);
  try {
    await requireSynchronousStandby(setup, primary, node);
  } catch (error) {
    // Not streaming: it stays failed (and stopped), never a standby cluster-failover would promote.
    psql(setup, primary, ["ALTER SYSTEM SET synchronous_standby_names = ''", 'SELECT pg_reload_conf()']);
    await stopNode(setup, node, 'immediate');
    throw new Error(`${(error as Error).message}; ${node.name} stopped, still failed: see ${join(node.dir, 'server.log')}`, { cause: error });
  }
  node.role = 'standby';
  writeState(stateFile, state);
  process.stdout.write(`  ${node.name.padEnd(9)} rebuilt by ${how}, streaming from ${primary.name}\n`
    + `gridbill cluster rejoin — ${node.name} is the synchronous standby of ${primary.name} (${Date.now() - started} ms)\n`);
}

const USAGE = `Usage: scripts/cluster-up [--cores N] [--customers N] [--months M] [--state FILE]
       scripts/cluster-down [--state FILE]
       scripts/cluster-failover [--state FILE]
       scripts/cluster-rejoin [--basebackup] [--state FILE]
  --cores N      core instances behind HAProxy (default 2, at most ${CORES_MAX})
  --customers N  demo customers seeded and billed (default 50; 0: none)
  --months M     months of demo readings (default 3)
  --basebackup   rejoin: a fresh copy of the primary even when pg_rewind could be used
  --state FILE   the state file (default data/cluster/state.json)
`;

function parseArgs(argv: readonly string[]): UpOptions {
  const values: Record<string, string> = {};
  const args = argv.filter((a) => a !== '--basebackup');
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i] ?? '';
    const value = args[i + 1];
    if (!['--cores', '--customers', '--months', '--state'].includes(key) || value === undefined) throw new UsageError(`unexpected ${key}`);
    values[key.slice(2)] = value;
  }
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const n = values[name] === undefined ? fallback : Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  return {
    state: resolve(values.state ?? process.env.GRIDBILL_CLUSTER_STATE ?? DEFAULT_STATE),
    cores: integer('cores', 2, 1, CORES_MAX),
    customers: integer('customers', 50, 0, 100_000),
    months: integer('months', 3, 2, 36),
  };
}

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const options = parseArgs(rest);
    if (command === 'up') await up(options);
    else if (command === 'down') await down(options.state);
    else if (command === 'failover') await failover(options.state);
    else if (command === 'rejoin') await rejoin(options.state, rest.includes('--basebackup'));
    else throw new UsageError(`unknown command ${command ?? ''}`);
    return 0;
  } catch (error) {
    process.stderr.write(error instanceof UsageError ? `${error.message}\n${USAGE}` : `cluster-${command ?? ''}: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
