// What scripts/cluster-up started, kept in one state file so that scripts/cluster-down stops exactly
// that: each process by its pid *and* its start time (a pid alone may have been reused by an
// unrelated process since), each PostgreSQL node by its data folder, and the temp folder.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const STATE_FORMAT = 'gridbill.cluster-state/1';

export const LIMITS = {
  // A core or gateway starts in a few seconds (tsx compiles on the fly); a loaded CI box is slower.
  readyTimeoutMs: 90_000,
  // More than the servers' own shutdownGraceMs (10 s), so a clean stop is never cut short.
  stopGraceMs: 15_000,
  pollMs: 200,
} as const;

export interface RunAs {
  readonly uid: number;
  readonly gid: number;
  readonly user: string;
}

export type PgRole = 'primary' | 'standby' | 'failed';

export interface PgNode {
  readonly name: string;
  /** The node's folder: its socket, its log; the data folder is `${dir}/data`. */
  readonly dir: string;
  readonly dataDir: string;
  readonly port: number;
  role: PgRole;
}

export interface ClusterProcess {
  readonly name: string;
  readonly pid: number;
  /** Field 22 of /proc/PID/stat when it was started: the pid is ours only while this matches. */
  readonly startTime: string;
  readonly log: string;
  readonly url?: string;
}

export interface ClusterState {
  readonly format: typeof STATE_FORMAT;
  readonly dir: string;
  readonly createdAt: string;
  readonly pgBin: string;
  readonly runAs: RunAs | null;
  readonly pg: PgNode[];
  readonly processes: ClusterProcess[];
  /** Everything a caller needs to reach the cluster; the passwords are why the file is 0600. */
  readonly access: {
    channels?: string;
    portal?: string;
    cores?: string;
    stats?: string;
    dbUrl?: string;
    /** The replication role's: a rebuilt standby (scripts/cluster-rejoin) streams with it. */
    replicationPassword?: string;
    channel?: { readonly code: string; readonly password: string };
    portalChannel?: { readonly code: string; readonly password: string };
    secretKey?: string;
    gatewayKey?: string;
  };
}

export function readState(file: string): ClusterState | null {
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
  if (state.format !== STATE_FORMAT) throw new Error(`${file}: not a cluster state file (format ${String(state.format)})`);
  return state;
}

/** Written aside and renamed, so a reader never sees half a file; 0600 because it holds passwords. */
export function writeState(file: string, state: ClusterState): void {
  mkdirSync(dirname(file), { recursive: true });
  const aside = `${file}.tmp`;
  writeFileSync(aside, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(aside, file);
}

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function startTimeOf(pid: number): string {
  const fields = statFields(pid);
  if (fields === null) throw new Error(`process ${pid} vanished right after it was started`);
  return fields[19] ?? '';
}

/** Alive, not a zombie, and the same process that was started (not a reused pid). */
export function isOurs(proc: Pick<ClusterProcess, 'pid' | 'startTime'>): boolean {
  const fields = statFields(proc.pid);
  return fields !== null && fields[0] !== 'Z' && fields[19] === proc.startTime;
}

/** Started in its own process group (detached), output to its log file, left running when this script exits. */
export function startProcess(
  name: string, command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string; log: string; url?: string },
): ClusterProcess {
  const fd = openSync(options.log, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: options.env, cwd: options.cwd });
    if (child.pid === undefined) throw new Error(`${name}: ${command} could not be started`);
    child.unref();
    return { name, pid: child.pid, startTime: startTimeOf(child.pid), log: options.log, ...(options.url ? { url: options.url } : {}) };
  } finally {
    closeSync(fd);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  // The group first (the process and whatever it started), the process itself if the group is gone.
  try { process.kill(-pid, signal); } catch { try { process.kill(pid, signal); } catch { /* gone */ } }
}

/** SIGTERM, then SIGKILL after the grace period; answers what it did. Never signals a pid that is not ours. */
export async function stopProcess(proc: ClusterProcess, graceMs: number = LIMITS.stopGraceMs): Promise<'stopped' | 'killed' | 'not running'> {
  if (!isOurs(proc)) return 'not running';
  signalGroup(proc.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(proc)) return 'stopped';
    await sleep(LIMITS.pollMs);
  }
  signalGroup(proc.pid, 'SIGKILL');
  while (isOurs(proc)) await sleep(LIMITS.pollMs);
  return 'killed';
}

/** SIGKILL of the process and its group at once: a crash, for failover drills and tests. */
export function killProcess(proc: ClusterProcess): boolean {
  if (!isOurs(proc)) return false;
  signalGroup(proc.pid, 'SIGKILL');
  return true;
}

/**
 * Processes whose working folder lies inside `folder`. Every PostgreSQL process (postmaster,
 * backends, walsender…) works in its data folder, so this finds backends a killed postmaster left
 * behind, which no pid file names.
 */
export function processesWorkingIn(folder: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const fields = statFields(Number(entry));
      if ((cwd === folder || cwd.startsWith(`${folder}/`)) && fields !== null && fields[0] !== 'Z') found.push(Number(entry));
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return found;
}

export async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(LIMITS.pollMs);
  }
}

/** Server → status (UP, DOWN, "UP 1/2"…) of one HAProxy proxy, from its statistics page's CSV. */
export async function haproxyServers(statsUrl: string, proxy: string): Promise<Map<string, string>> {
  const response = await fetch(`${statsUrl};csv`, { signal: AbortSignal.timeout(2_000) });
  const servers = new Map<string, string>();
  for (const line of (await response.text()).split('\n')) {
    const fields = line.split(',');
    // columns: pxname, svname, … status is the 18th
    if (fields[0] === proxy && fields[1] !== 'FRONTEND' && fields[1] !== 'BACKEND') servers.set(fields[1] ?? '', fields[17] ?? '');
  }
  return servers;
}

/** True once the URL answers 200 (any connection error or other status: not yet). */
export async function answers200(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.status === 200;
}
