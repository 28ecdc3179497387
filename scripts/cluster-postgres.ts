// The cluster's database: a PostgreSQL primary and a standby that streams its WAL and is
// *synchronous* (a commit is acknowledged only once the standby has it on disk, so promoting the
// standby after the primary died loses no acknowledged payment), from Debian's binaries, run as
// the `postgres` user when this runs as root (initdb refuses root).
//
// Also the HAProxy health check that finds the primary (see haproxyPrimaryCheck).

import { spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { processesWorkingIn, sleep, waitFor, type PgNode, type RunAs } from './cluster-state.ts';

const TIMEOUTS = {
  pgStartSeconds: 60,
  pgStopSeconds: 30,
  promoteSeconds: 60,
  // The standby connects, catches up and reports itself synchronous within a few seconds.
  syncMs: 60_000,
} as const;

export const ROLES = { app: 'gridbill', replication: 'replicator', check: 'haproxy_check' } as const;
export const DATABASE = 'gridbill';

export interface PgSetup {
  readonly bin: string;
  readonly runAs: RunAs | null;
  /** The superuser: initdb names it after the OS user the server runs as; local peer auth lets that user in. */
  readonly superuser: string;
}

/** Newest /usr/lib/postgresql/N/bin with initdb and pg_ctl, or null. */
export function findPgBin(root = '/usr/lib/postgresql'): string | null {
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  const bin = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  return bin ?? null;
}

export function postgresUser(): RunAs | null {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()), user: 'postgres' };
}

/** Runs a PostgreSQL program as the server's user, in `cwd` (the postgres user may not enter the caller's folder). */
export function pgRun(setup: PgSetup, program: string, args: readonly string[], cwd: string, extraEnv: Record<string, string> = {}): string {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC', ...extraEnv };
  const ids = setup.runAs === null ? {} : { uid: setup.runAs.uid, gid: setup.runAs.gid };
  const result = spawnSync(join(setup.bin, program), [...args], { cwd, env, encoding: 'utf8', ...ids });
  if (result.status !== 0) {
    throw new Error(`${program} ${args.join(' ')} failed (exit ${String(result.status)}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

function own(setup: PgSetup, path: string): void {
  if (setup.runAs !== null) chownSync(path, setup.runAs.uid, setup.runAs.gid);
}

export function makeNodeDir(setup: PgSetup, dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  own(setup, dir);
}

// Peer auth for the superuser on the node's own socket; passwords (SCRAM) over TCP for the
// application and replication; the health-check role may log in without one, but only to the
// `postgres` database, from loopback, and it holds no privilege: it can ask pg_is_in_recovery().
function hbaConf(): string {
  return [
    'local   all          all                                      peer',
    `host    replication  ${ROLES.replication}    127.0.0.1/32    scram-sha-256`,
    `host    postgres     ${ROLES.check}  127.0.0.1/32    trust`,
    `host    ${DATABASE}     ${ROLES.app}      127.0.0.1/32    scram-sha-256`,
    '',
  ].join('\n');
}

function nodeSettings(node: PgNode): string {
  return [
    '',
    `# ${node.name} (scripts/cluster-up)`,
    "listen_addresses = '127.0.0.1'",
    `port = ${node.port}`,
    `unix_socket_directories = '${node.dir}'`,
    '',
  ].join('\n');
}

const PRIMARY_SETTINGS = [
  "timezone = 'UTC'",
  'wal_level = replica',
  'max_wal_senders = 5',
  'max_replication_slots = 5',
  'hot_standby = on',
  // lets pg_rewind turn a failed primary into a standby of the new one instead of a full copy
  'wal_log_hints = on',
  'max_connections = 200',
  '',
].join('\n');

/** initdb, settings, start; then the roles and the application database. */
export async function initPrimary(setup: PgSetup, node: PgNode, passwords: { app: string; replication: string }): Promise<void> {
  pgRun(setup, 'initdb', ['-D', node.dataDir, '--auth-local=peer', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C'], node.dir);
  writeFileSync(join(node.dataDir, 'pg_hba.conf'), hbaConf());
  appendFileSync(join(node.dataDir, 'postgresql.conf'), PRIMARY_SETTINGS + nodeSettings(node));
  startNode(setup, node);
  // The passwords are random base64url: nothing in them needs quoting beyond the quotes.
  psql(setup, node, [
    `CREATE ROLE ${ROLES.app} LOGIN PASSWORD '${passwords.app}'`,
    `CREATE DATABASE ${DATABASE} OWNER ${ROLES.app} ENCODING 'UTF8' TEMPLATE template0`,
    `CREATE ROLE ${ROLES.replication} REPLICATION LOGIN PASSWORD '${passwords.replication}'`,
    `CREATE ROLE ${ROLES.check} LOGIN`,
  ]);
}

/** A copy of the primary (pg_basebackup, with its own replication slot), started as its streaming standby. */
export function initStandby(setup: PgSetup, primary: PgNode, node: PgNode, replicationPassword: string): void {
  pgRun(setup, 'pg_basebackup', [
    '-h', '127.0.0.1', '-p', String(primary.port), '-U', ROLES.replication, '-D', node.dataDir,
    '-X', 'stream', '-C', '-S', node.name, '--checkpoint=fast', '--no-password',
  ], node.dir, { PGPASSWORD: replicationPassword });
  configureStandby(setup, primary, node, replicationPassword);
  startNode(setup, node);
}

/**
 * The node's own settings and its primary, and standby.signal. postgresql.auto.conf is read after
 * postgresql.conf, and within a file the last line wins: these override whatever was copied from
 * the primary (pg_basebackup and pg_rewind both copy its configuration files).
 */
function configureStandby(setup: PgSetup, primary: PgNode, node: PgNode, replicationPassword: string): void {
  appendFileSync(join(node.dataDir, 'postgresql.auto.conf'), nodeSettings(node) + [
    `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=${ROLES.replication} password=${replicationPassword} application_name=${node.name}'`,
    `primary_slot_name = '${node.name}'`,
    // Once promoted, this node has no standby of its own: it must not wait for one on every commit.
    "synchronous_standby_names = ''",
    '',
  ].join('\n'));
  const signal = join(node.dataDir, 'standby.signal');
  writeFileSync(signal, '');
  own(setup, signal);
}

/** pg_rewind works only on a data folder written with wal_log_hints on or with data checksums. */
export function rewindAllowed(setup: PgSetup, node: PgNode): boolean {
  if (!existsSync(join(node.dataDir, 'global', 'pg_control'))) return false;
  const control = pgRun(setup, 'pg_controldata', ['-D', node.dataDir], node.dir);
  return /^wal_log_hints setting:\s+on$/m.test(control) || /^Data page checksum version:\s+[1-9]/m.test(control);
}

/**
 * A failed primary turned into a standby of the new one by pg_rewind: only the blocks changed
 * since the timelines split are copied (crash recovery first when it was not shut down cleanly).
 * The node must be stopped. Its slot on the primary is made first, so the WAL it will ask for is
 * kept from that moment; its own slots (its old standby's) go: nobody will use them again.
 */
export function rewindAsStandby(setup: PgSetup, primary: PgNode, node: PgNode, replicationPassword: string): void {
  psql(setup, primary, [
    `SELECT pg_create_physical_replication_slot('${node.name}', true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '${node.name}')`,
    // A promoted server writes its new timeline to pg_control only at its next checkpoint; until
    // then pg_rewind reads "same timeline, no rewind required" and the node could never follow it.
    'CHECKPOINT',
  ]);
  pgRun(setup, 'pg_rewind', [
    '--target-pgdata', node.dataDir, '--source-server', `host=${primary.dir} port=${primary.port} user=${setup.superuser} dbname=postgres`,
  ], node.dir);
  const slots = join(node.dataDir, 'pg_replslot');
  for (const slot of existsSync(slots) ? readdirSync(slots) : []) rmSync(join(slots, slot), { recursive: true, force: true });
  configureStandby(setup, primary, node, replicationPassword);
  startNode(setup, node);
}

/** A failed node rebuilt from scratch: its data folder removed, a fresh pg_basebackup of the primary. */
export function rebuildAsStandby(setup: PgSetup, primary: PgNode, node: PgNode, replicationPassword: string): void {
  psql(setup, primary, [`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${node.name}'`]);
  rmSync(node.dataDir, { recursive: true, force: true });
  initStandby(setup, primary, node, replicationPassword);
}

/** application_name → sync_state of every standby streaming from `primary` (pg_stat_replication). */
export function replicationStates(setup: PgSetup, primary: PgNode): Map<string, string> {
  const out = psql(setup, primary, ["SELECT application_name || '|' || sync_state FROM pg_stat_replication"]);
  return new Map(out.split('\n').filter((l) => l.includes('|')).map((l) => l.split('|') as [string, string]));
}

/** Makes the standby synchronous (set only now, so the standby's copy of the settings never has it). */
export async function requireSynchronousStandby(setup: PgSetup, primary: PgNode, standby: PgNode): Promise<void> {
  psql(setup, primary, [`ALTER SYSTEM SET synchronous_standby_names = '${standby.name}'`, 'SELECT pg_reload_conf()']);
  await waitFor(`${standby.name} to be the synchronous standby of ${primary.name}`, TIMEOUTS.syncMs, async () => {
    const out = psql(setup, primary, [`SELECT sync_state FROM pg_stat_replication WHERE application_name = '${standby.name}'`]);
    return out.trim() === 'sync';
  });
}

export function psql(setup: PgSetup, node: PgNode, statements: readonly string[]): string {
  const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', node.dir, '-p', String(node.port), '-U', setup.superuser, '-d', 'postgres'];
  return pgRun(setup, 'psql', [...args, ...statements.flatMap((s) => ['-c', s])], node.dir);
}

export function startNode(setup: PgSetup, node: PgNode): void {
  pgRun(setup, 'pg_ctl', ['start', '-D', node.dataDir, '-l', join(node.dir, 'server.log'), '-w', '-t', String(TIMEOUTS.pgStartSeconds)], node.dir);
}

export function isNodeRunning(setup: PgSetup, node: PgNode): boolean {
  if (!existsSync(join(node.dataDir, 'postmaster.pid'))) return false;
  try {
    pgRun(setup, 'pg_ctl', ['status', '-D', node.dataDir], node.dir);
    return true;
  } catch {
    return false;
  }
}

/** The postmaster's pid from its pid file, or null. */
export function postmasterPid(node: PgNode): number | null {
  try {
    const pid = Number(readFileSync(join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Stops a node: `fast` (clients disconnected, a clean shutdown) for cluster-down, `immediate`
 * (no checkpoint: WAL recovery on the next start) to fence a primary. Afterwards any process
 * still working in its data folder — backends of a postmaster that was killed — is killed too.
 */
export async function stopNode(setup: PgSetup, node: PgNode, mode: 'fast' | 'immediate'): Promise<boolean> {
  // Not `pg_ctl status`: a killed postmaster nobody has reaped yet still answers kill -0.
  const wasRunning = processesWorkingIn(node.dataDir).length > 0;
  for (const how of wasRunning ? [mode, 'immediate'] : []) {
    try {
      pgRun(setup, 'pg_ctl', ['stop', '-D', node.dataDir, '-m', how, '-w', '-t', String(TIMEOUTS.pgStopSeconds)], node.dir);
      break;
    } catch {
      // a postmaster that died meanwhile (pg_ctl: "No such process") is what the sweep below handles
    }
  }
  const leftovers = processesWorkingIn(node.dataDir);
  for (const pid of leftovers) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  while (processesWorkingIn(node.dataDir).length > 0) await sleep(100);
  return wasRunning || leftovers.length > 0;
}

/** `pg_ctl promote`: the standby ends recovery and accepts writes. */
export function promote(setup: PgSetup, node: PgNode): void {
  pgRun(setup, 'pg_ctl', ['promote', '-D', node.dataDir, '-w', '-t', String(TIMEOUTS.promoteSeconds)], node.dir);
}

/** Whether `url` reaches a server that accepts writes (what HAProxy routes to). */
export async function reachesPrimary(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
    return result.rows[0]?.recovering === false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---- the HAProxy check that finds the primary --------------------------------------------------
//
// `option pgsql-check` only proves that a server accepts a login: a standby does too, and HAProxy
// would send writes to it. This check speaks the PostgreSQL protocol (v3) itself: a startup
// message as the password-less, privilege-less check role, expect AuthenticationOk, send the
// simple query `SELECT pg_is_in_recovery()`, and expect the data row `f` (false: not a standby).
// A standby answers `t`, a server starting up or shutting down answers an error: both are DOWN.

function cstring(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

const PROTOCOL_3_0 = 196_608;
const RECOVERY_QUERY = 'SELECT pg_is_in_recovery()';

export function startupMessageHex(user: string, database: string): string {
  const body = Buffer.concat([int32(PROTOCOL_3_0), cstring('user'), cstring(user), cstring('database'), cstring(database), Buffer.from([0])]);
  return Buffer.concat([int32(body.length + 4), body]).toString('hex');
}

export function queryMessageHex(query: string): string {
  const text = cstring(query);
  return Buffer.concat([Buffer.from('Q'), int32(text.length + 4), text]).toString('hex');
}

/** 'R', length 8, code 0. */
export const AUTHENTICATION_OK_HEX = '520000000800000000';
/** 'D', length 11, one column, 1 byte, 'f'. */
export const DATA_ROW_FALSE_HEX = Buffer.concat([Buffer.from('D'), int32(11), Buffer.from([0, 1]), int32(1), Buffer.from('f')]).toString('hex');
const TERMINATE_HEX = Buffer.concat([Buffer.from('X'), int32(4)]).toString('hex');

export function haproxyPrimaryCheck(): string {
  return [
    '  option tcp-check',
    '  tcp-check connect',
    `  tcp-check send-binary ${startupMessageHex(ROLES.check, 'postgres')}`,
    `  tcp-check expect binary ${AUTHENTICATION_OK_HEX}`,
    `  tcp-check send-binary ${queryMessageHex(RECOVERY_QUERY)}`,
    `  tcp-check expect binary ${DATA_ROW_FALSE_HEX}`,
    `  tcp-check send-binary ${TERMINATE_HEX}`,
  ].join('\n');
}
