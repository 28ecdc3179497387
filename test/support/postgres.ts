// A throwaway PostgreSQL for store tests: the real server from Debian's `postgresql` package, in a
// fresh temp folder, on a free loopback port, removed afterwards. A real server because SQL
// dialect, locking and constraint behaviour are exactly what a fake would get wrong.
//
// Cleanup has three layers, so no postgres process outlives the test run:
//   1. `stop()` (called by the root hook in test/support/hooks.ts, or by the caller);
//   2. a synchronous `process.on('exit')` handler, for runs that end without the hook;
//   3. a watchdog shell that stops the server when the test process dies without exiting
//      (SIGKILL, Ctrl-C), which no in-process handler can see.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

export interface PgCluster {
  /** URL of the cluster's default test database, e.g. postgres://gridbill@127.0.0.1:PORT/gridbill_test. */
  readonly url: string;
  readonly port: number;
  /** The temp folder holding the data directory, the log and the unix socket. */
  readonly dir: string;
  /** Creates an empty database with a unique name and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

export type PgLocation =
  | { readonly kind: 'found'; readonly binDir: string; readonly runAs: RunAs | null }
  | { readonly kind: 'missing'; readonly reason: string };

/** The unprivileged user the server runs as when the tests run as root. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** Where to look for the server binaries; tests point it at empty places to see the "missing" path. */
export interface SearchPlaces {
  /** Debian's versioned install root, holding N/bin for each major version N. */
  readonly debianRoot: string;
  /** A PATH-style list of folders, searched after the Debian root. */
  readonly path: string;
}

const DEFAULT_PLACES: SearchPlaces = { debianRoot: '/usr/lib/postgresql', path: process.env.PATH ?? '' };

export interface StartOptions {
  readonly searchPlaces?: SearchPlaces;
  /**
   * Test-speed choice, never for real data: `fsync=off` and `initdb --no-sync` skip flushing to
   * disk, so a crash of the host could corrupt the cluster. The cluster is thrown away anyway.
   * `synchronous_commit` and every other durability setting keep their defaults.
   */
  readonly fsyncOffForTestSpeed?: boolean;
}

const LIMITS = {
  // A free port can be taken by someone else between probing it and the server binding it.
  startAttemptsMax: 3,
  // pg_ctl -w waits at most this long; a cold start on a slow CI box takes a few seconds.
  startTimeoutSecondsMax: 60,
  stopTimeoutSecondsMax: 30,
  // How long the watchdog waits for a killed server to exit before removing its folder.
  watchdogWaitSecondsMax: 30,
  // PostgreSQL truncates identifiers at 63 bytes; a longer name would silently collide.
  databaseNameLengthMax: 63,
} as const;

const SUPERUSER = 'gridbill';
const DEFAULT_DATABASE = 'gridbill_test';
const INSTALL_HINT = "install Debian's `postgresql` package (apt-get install postgresql)";

/** Finds initdb/pg_ctl (newest /usr/lib/postgresql/N/bin, then PATH) and whom to run them as. */
export function locatePostgres(places: SearchPlaces = DEFAULT_PLACES): PgLocation {
  const binDir = debianBinDir(places.debianRoot) ?? pathBinDir(places.path);
  if (binDir === null) {
    return { kind: 'missing', reason: `PostgreSQL server binaries (initdb, pg_ctl) not found: ${INSTALL_HINT}` };
  }
  if (process.getuid?.() !== 0) return { kind: 'found', binDir, runAs: null };
  const runAs = postgresUser();
  if (runAs === null) {
    return {
      kind: 'missing',
      reason: `running as root, and initdb refuses root; the \`postgres\` system user is missing: ${INSTALL_HINT}`,
    };
  }
  return { kind: 'found', binDir, runAs };
}

function debianBinDir(root: string): string | null {
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  const found = versions.map((v) => join(root, v, 'bin')).find(hasServerBinaries);
  return found ?? null;
}

function pathBinDir(path: string): string | null {
  const dirs = path.split(delimiter).filter((d) => d !== '');
  return dirs.find(hasServerBinaries) ?? null;
}

function hasServerBinaries(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
}

function postgresUser(): RunAs | null {
  try {
    const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null; // `id` exits non-zero when the user does not exist
  }
}

/**
 * Starts a new cluster. Returns null when the binaries are missing (see `locatePostgres` for the
 * reason) — except under CI, where a missing server must fail the run, never skip it silently.
 */
export async function startPostgres(options: StartOptions = {}): Promise<PgCluster | null> {
  const location = locatePostgres(options.searchPlaces);
  if (location.kind === 'missing') {
    if (process.env.CI) throw new Error(`PostgreSQL is required when CI is set: ${location.reason}`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gridbill-pg-'));
  try {
    const server = new ServerProcess(location.binDir, location.runAs, dir);
    await server.init(options.fsyncOffForTestSpeed ?? true);
    const port = await server.start();
    return await openCluster(server, port);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function openCluster(server: ServerProcess, port: number): Promise<PgCluster> {
  const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  await createDatabaseAt(adminUrl, DEFAULT_DATABASE);
  let databaseCount = 0;
  return {
    url: urlFor(port, DEFAULT_DATABASE),
    port,
    dir: server.dir,
    async createDatabase(prefix = 'suite') {
      databaseCount += 1;
      const name = uniqueDatabaseName(prefix, databaseCount);
      await createDatabaseAt(adminUrl, name);
      return urlFor(port, name);
    },
    stop: () => server.stop(),
  };
}

function urlFor(port: number, database: string): string {
  return `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
}

function uniqueDatabaseName(prefix: string, count: number): string {
  if (!/^[a-z][a-z0-9_]*$/.test(prefix)) throw new RangeError(`database prefix must be [a-z][a-z0-9_]*: ${prefix}`);
  const name = `${prefix}_${count}`;
  if (name.length > LIMITS.databaseNameLengthMax) throw new RangeError(`database name too long: ${name}`);
  return name;
}

async function createDatabaseAt(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // The name is checked against [a-z0-9_] above; identifiers cannot be bound as parameters.
    await client.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await client.end();
  }
}

/** Servers started by this process and not yet stopped: the exit handler stops them. */
const running = new Set<ServerProcess>();
let exitHandlerInstalled = false;

class ServerProcess {
  readonly dataDir: string;
  private watchdogPid: number | undefined;
  private stopped = false;

  constructor(
    private readonly binDir: string,
    private readonly runAs: RunAs | null,
    readonly dir: string,
  ) {
    this.dataDir = join(dir, 'data');
  }

  async init(fsyncOffForTestSpeed: boolean): Promise<void> {
    if (this.runAs !== null) chownSync(this.dir, this.runAs.uid, this.runAs.gid);
    const syncArgs = fsyncOffForTestSpeed ? ['--no-sync'] : [];
    await this.run('initdb', [
      '-D', this.dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', ...syncArgs,
    ]);
    appendFileSync(join(this.dataDir, 'postgresql.conf'), serverSettings(this.dir, fsyncOffForTestSpeed));
  }

  /** Starts the server on a free port, retrying when the port was taken meanwhile; returns the port. */
  async start(): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      const port = await freeLoopbackPort();
      const result = await this.run('pg_ctl', [
        'start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', String(LIMITS.startTimeoutSecondsMax),
        '-o', `-p ${port}`,
      ], { allowFailure: true });
      if (result.code === 0) {
        this.watch();
        return port;
      }
      const log = this.logTail();
      if (attempt >= LIMITS.startAttemptsMax || !/could not bind|already in use/i.test(log)) {
        throw new Error(`pg_ctl start failed (exit ${result.code}):\n${result.output}\n${log}`);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    running.delete(this);
    this.killWatchdog();
    await this.run('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', String(LIMITS.stopTimeoutSecondsMax)]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** For the exit handler: nothing asynchronous runs once the process is exiting. */
  stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.killWatchdog();
    spawnSync(join(this.binDir, 'pg_ctl'), ['stop', '-D', this.dataDir, '-m', 'immediate', '-w'], this.spawnOptions());
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get logFile(): string {
    return join(this.dir, 'server.log');
  }

  private logTail(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-4000) : '(no server log)';
  }

  private watch(): void {
    running.add(this);
    if (!exitHandlerInstalled) {
      exitHandlerInstalled = true;
      process.on('exit', () => running.forEach((server) => server.stopSync()));
    }
    this.watchdogPid = startWatchdog(this.dataDir, this.dir);
  }

  private killWatchdog(): void {
    if (this.watchdogPid === undefined) return;
    // Negative pid: the watchdog's own process group (it was spawned detached), so its `sleep` goes too.
    try { process.kill(-this.watchdogPid, 'SIGKILL'); } catch { /* already gone */ }
    this.watchdogPid = undefined;
  }

  private spawnOptions(): { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number } {
    // cwd in the temp folder: the postgres user may not be allowed into the caller's cwd.
    // A fixed, minimal environment so the host's PG*/LC_* variables cannot change the cluster.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
    return this.runAs === null ? { cwd: this.dir, env } : { cwd: this.dir, env, ...this.runAs };
  }

  private run(program: string, args: string[], opts: { allowFailure?: boolean } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(join(this.binDir, program), args, { ...this.spawnOptions(), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
      child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
      child.on('error', reject);
      child.on('close', (code) => {
        const result = { code: code ?? -1, output };
        if (result.code !== 0 && opts.allowFailure !== true) {
          reject(new Error(`${program} ${args.join(' ')} failed (exit ${result.code}):\n${output}`));
        } else {
          resolve(result);
        }
      });
    });
  }
}

interface RunResult {
  readonly code: number;
  readonly output: string;
}

function serverSettings(dir: string, fsyncOffForTestSpeed: boolean): string {
  const lines = [
    '',
    '# gridbill test cluster',
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    // Results must not depend on the host's zone; tests that need +08:00 set it per session.
    "timezone = 'UTC'",
    'max_connections = 100',
  ];
  if (fsyncOffForTestSpeed) lines.push('fsync = off  # test speed only: the cluster is thrown away');
  return lines.join('\n') + '\n';
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

// Runs as the test process's own user: root may signal the postmaster whoever owns it, and an
// unprivileged user owns both. Arguments are positional parameters, so paths need no quoting.
// It waits for postmaster.pid to go rather than for the pid: the daemonized postmaster is
// reparented to init and stays a zombie (still "alive" to kill -0) until init reaps it.
const WATCHDOG_SCRIPT = `
while kill -0 "$1" 2>/dev/null; do sleep 1; done
pid=$(head -n 1 "$2/postmaster.pid" 2>/dev/null) || exit 0
kill -QUIT "$pid" 2>/dev/null
i=0
while [ -e "$2/postmaster.pid" ] && [ "$i" -lt "$4" ]; do sleep 1; i=$((i + 1)); done
rm -rf "$3"
`;

function startWatchdog(dataDir: string, dir: string): number | undefined {
  const child = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'gridbill-pg-watchdog',
    String(process.pid), dataDir, dir, String(LIMITS.watchdogWaitSecondsMax)], {
    detached: true, stdio: 'ignore', cwd: '/',
  });
  child.unref();
  return child.pid;
}

// ---- mocha helpers ------------------------------------------------------------------------------

let shared: Promise<PgCluster | null> | undefined;
let skipReasonShown = false;

/** The one cluster of this test process, started on first use. */
export function sharedPostgres(): Promise<PgCluster | null> {
  shared ??= startPostgres();
  return shared;
}

/** Stops the shared cluster, if one was started; the root hook calls it after all tests. */
export async function stopSharedPostgres(): Promise<void> {
  if (shared === undefined) return;
  const pending = shared;
  shared = undefined;
  // A start failure was already reported to the suite that awaited it; here only stop what runs.
  const cluster = await pending.catch(() => null);
  await cluster?.stop();
}

export interface PostgresHandle {
  /** URL of this suite's own empty database; readable from `before` hooks registered later and in tests. */
  readonly url: string;
}

/**
 * Call inside a `describe`: gives the suite its own empty database on the shared cluster, or
 * skips the suite (naming the Debian package) when PostgreSQL is not installed and CI is unset.
 */
export function usePostgres(prefix = 'suite'): PostgresHandle {
  let url: string | undefined;
  before(async function (this: Mocha.Context) {
    this.timeout(LIMITS.startTimeoutSecondsMax * 1000 * LIMITS.startAttemptsMax);
    const cluster = await sharedPostgres();
    if (cluster === null) {
      announceSkip();
      this.skip();
    }
    url = await cluster.createDatabase(prefix);
  });
  return {
    get url(): string {
      if (url === undefined) throw new Error('usePostgres: url read before its before hook ran');
      return url;
    },
  };
}

function announceSkip(): void {
  if (skipReasonShown) return;
  skipReasonShown = true;
  const location = locatePostgres();
  const reason = location.kind === 'missing' ? location.reason : 'unknown';
  console.warn(`  PostgreSQL suites skipped: ${reason}`);
}
