#!/usr/bin/env -S node --import tsx
// ChannelPaymentService judged by the five real SOAP clients of ../shared/interop (zeep, suds, PHP
// SoapClient, SOAP::Lite, gSOAP): `npm run test:interop`.
//
// Starts a core on loopback (port 0) with a temporary SQLite database holding deterministic demo
// customers, tariffs and two issued months, and one channel allowed every ChannelPaymentService
// operation; sends the case file's `setup` transactions (each through a real client); then runs
// `run-matrix` over channel-payment.cases.json on SOAP 1.1 and 1.2 twice:
//   - without WS-Security: the service requires it, so every case must get the AUTH_FAILED Client fault;
//   - with a UsernameToken (PasswordDigest): the cases as written (gSOAP cannot send one: n/a).
// On top of run-matrix it checks the catalogue code in each fault's detail (`detailCode`), that the
// repeated Pay and Reverse requests posted nothing, and that the ledger sums to zero. Prints one table
// per run and exits 1 when any cell fails. Failing cells are sent once more with `--debug`, while the
// core still runs, so the exact request and response are printed.
//
// With `--through-gateway` the clients call the isolation gateway (plain HTTP on loopback) in front
// of the same core, and must get the same answers. Add `--tls` for mutual TLS: a temporary platform
// CA, a server certificate for 127.0.0.1 and a client certificate for the channel (pinned in the
// policy, required); the gateway started as `serve gateway` starts it (GRIDBILL_GATEWAY_TLS=on),
// and every client call made with `--cacert --cert --key`. Then each client is also called once
// without a client certificate: the handshake must refuse it (exit 1).
//
// Missing clients or a missing ../shared/interop: prints the Debian packages / folder and SKIPPED,
// exit 0 — exit 1 when CI is set. Options: --keep (keep the temp folder: database, core log, the
// rendered case files and run-matrix's JSON), --jobs N (run-matrix parallelism, default 4).

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { accessSync, constants, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { tariffFixtureFiles } from '../../fixtures/tariffs/index.ts';
import { businessDate } from '../../src/clock.ts';
import { addDays } from '../../src/domain/dates.ts';
import { startHttpServer, type RunningServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { coreApp } from '../../src/soap/core-app.ts';
import { loadConfig } from '../../src/config.ts';
import { caPaths, initCa, issueChannelCertificate, issueServerCertificate } from '../../src/gateway/ca-store.ts';
import { createGatewayApp, readPolicyFile } from '../../src/gateway/gateway-app.ts';
import { startGateway } from '../../src/gateway/start-gateway.ts';
import { httpForwarder } from '../../src/gateway/forward.ts';
import { POLICY_FORMAT } from '../../src/gateway/policy.ts';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { ledgerTotal } from '../../src/store/ledger.repository.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { findChannelByCode } from '../../src/store/channel.repository.ts';
import { findAgreement } from '../../src/store/withholding.repository.ts';
import { billHistory } from '../../src/usecases/bill-history.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { queryTransaction } from '../../src/usecases/query-transaction.ts';
import { seedDemo } from '../../src/usecases/seed-demo.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INTEROP = path.resolve(REPO_ROOT, '..', 'shared', 'interop');
const CASES_FILE = fileURLToPath(new URL('channel-payment.cases.json', import.meta.url));
const SERVICE = 'ChannelPaymentService';
const OPERATIONS = ['QueryArrears', 'Pay', 'Reverse', 'QueryTransaction', 'Reconcile', 'SignWithholding', 'CancelWithholding'];
const CHANNEL = 'interop-bank';
const VERSIONS = '1.1,1.2';
/** The data the case file's expectations are written against (see its description). */
const DEMO = { customers: 6, months: 3, seed: 1, endMonth: '2026-09' } as const;
const BILLED = { fromMonth: '2026-08', toMonth: '2026-09', dueDays: 36_500 } as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Client {
  readonly driver: string;
  readonly packages: readonly string[];
  readonly probe: readonly string[];
}

const CLIENTS: readonly Client[] = [
  { driver: 'zeep-call', packages: ['python3-zeep'], probe: ['/usr/bin/python3', '-c', 'import zeep, lxml'] },
  { driver: 'suds-call', packages: ['python3-suds'], probe: ['/usr/bin/python3', '-c', 'import suds'] },
  {
    driver: 'php-call', packages: ['php-cli', 'php-soap', 'php-xml'],
    probe: ['php', '-r', 'exit(class_exists("SoapClient") && class_exists("DOMDocument") ? 0 : 1);'],
  },
  { driver: 'soaplite-call', packages: ['libsoap-lite-perl', 'libxml-libxml-perl'], probe: ['perl', '-MSOAP::Lite', '-MXML::LibXML', '-e', '1'] },
  {
    driver: 'gsoap-call', packages: ['gsoap', 'libgsoap-dev', 'libssl-dev', 'zlib1g-dev', 'g++', 'pkg-config'],
    probe: ['sh', '-c', 'command -v wsdl2h && command -v soapcpp2 && command -v g++ && pkg-config --exists gsoapssl++'],
  },
];
const DRIVERS = CLIENTS.map((c) => c.driver);

/**
 * How a client hands an xsd:dateTime to the program. zeep parses it into a Python datetime, which
 * the driver prints with isoformat() (microseconds, or none when zero; `Z` as +00:00); the other
 * drivers print the text on the wire. Each group gets its own rendering of the case file.
 */
const GROUPS: readonly { readonly drivers: readonly string[]; readonly timestamp: (wire: string) => string }[] = [
  { drivers: ['zeep-call'], timestamp: pythonIsoformat },
  { drivers: DRIVERS.filter((d) => d !== 'zeep-call'), timestamp: (wire) => wire },
];

function pythonIsoformat(wire: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/.exec(wire);
  if (m === null) throw new Error(`not a timestamp: ${wire}`);
  const fraction = (m[2] ?? '').padEnd(6, '0');
  return `${m[1]}${/^0+$/.test(fraction) ? '' : `.${fraction}`}${m[3] === 'Z' ? '+00:00' : m[3]}`;
}

// ── Preflight ───────────────────────────────────────────────────────────────────────────────────

function missingPrerequisites(): string[] {
  const missing: string[] = [];
  try {
    accessSync(path.join(INTEROP, 'run-matrix'), constants.X_OK);
  } catch {
    return [`the interop folder ${INTEROP} (with run-matrix and the five *-call drivers)`];
  }
  const packages = new Set<string>();
  for (const client of CLIENTS) {
    let ok = true;
    try {
      accessSync(path.join(INTEROP, client.driver), constants.X_OK);
    } catch {
      missing.push(`${path.join(INTEROP, client.driver)}`);
      ok = false;
    }
    if (ok && spawnSync(client.probe[0]!, client.probe.slice(1), { stdio: 'ignore' }).status !== 0) {
      for (const p of client.packages) packages.add(p);
    }
  }
  if (packages.size > 0) missing.push(`Debian packages (apt-get install -y ${[...packages].join(' ')})`);
  return missing;
}

// ── The core under test ─────────────────────────────────────────────────────────────────────────

interface Core {
  readonly store: OpenStore;
  readonly server: RunningServer;
  readonly wsdl: string;
  readonly password: string;
}

async function startCore(dir: string): Promise<Core> {
  const store = await openStore(`sqlite:${path.join(dir, 'interop.db')}`);
  await migrateToLatest(store.db, store.dialect);
  const now = new Date().toISOString();
  await seedDemo(store, generateDemo(DEMO), now, { tariffFiles: tariffFixtureFiles() });
  await billHistory(store, { ...BILLED, now, actor: 'interop' });
  const box = secretBox(randomBytes(32));
  const password = randomBytes(16).toString('hex'); // hex: never starts with '-', which argparse would take for an option
  await addChannel(store, box, { code: CHANNEL, name: 'Interop test bank', kind: 'bank', password, operations: OPERATIONS }, 'interop', now);
  const logger = createLogger({ level: 'info', role: 'core', stream: createWriteStream(path.join(dir, 'core.log')) });
  const handler = await coreApp({ checks: {}, store, secrets: () => box, logger });
  const server = await startHttpServer({ name: 'core', host: '127.0.0.1', port: 0, handler, logger });
  return { store, server, wsdl: `${server.url}/soap/${SERVICE}?wsdl`, password };
}

/**
 * `--through-gateway`: the isolation gateway in front of the core (plain HTTP on loopback, no TLS),
 * its policy holding the interop channel; the clients get the gateway's WSDL and go through it.
 */
interface GatewayUnderTest {
  readonly wsdl: string;
  /** What every client call adds: the CA to trust and the channel's client certificate (mutual TLS). */
  readonly clientArgs: readonly string[];
  stop(): Promise<void>;
}

async function startGatewayFor(core: Core, dir: string): Promise<GatewayUnderTest> {
  const box = secretBox(randomBytes(32));
  const file = path.join(dir, 'gateway-policy.json');
  writeFileSync(file, JSON.stringify({
    format: POLICY_FORMAT, zones: { banks: [SERVICE] },
    channels: { [CHANNEL]: { zone: 'banks', operations: OPERATIONS, secret: box.seal(core.password) } },
  }));
  const logger = createLogger({ level: 'info', role: 'gateway', stream: createWriteStream(path.join(dir, 'gateway.log')) });
  const app = await createGatewayApp({
    loadPolicy: () => readPolicyFile(file, (sealed) => box.open(sealed)), forwarder: httpForwarder({ coreUrl: core.server.url }), logger,
    plainHttpLoopbackOnly: true,
  });
  const server = await startHttpServer({ name: 'gateway', host: '127.0.0.1', port: 0, handler: app.handler, logger });
  return {
    wsdl: `${server.url}/soap/${SERVICE}?wsdl`, clientArgs: [],
    async stop() {
      await server.stop();
      app.close();
    },
  };
}

/**
 * `--through-gateway --tls`: a throwaway platform CA in the temp folder, the gateway's certificate
 * for 127.0.0.1 and the channel's, pinned and required by the policy; the gateway started by
 * start-gateway.ts with GRIDBILL_GATEWAY_TLS=on, as `serve gateway` starts it.
 */
async function startTlsGatewayFor(core: Core, dir: string): Promise<GatewayUnderTest> {
  const ca = path.join(dir, 'ca');
  const now = new Date();
  initCa(ca, { now });
  issueServerCertificate(ca, { hosts: ['127.0.0.1'], now });
  issueChannelCertificate(ca, { channel: CHANNEL, now });
  const paths = caPaths(ca);
  const key = randomBytes(32);
  const file = path.join(dir, 'gateway-policy.json');
  writeFileSync(file, JSON.stringify({
    format: POLICY_FORMAT, zones: { banks: [SERVICE] },
    channels: {
      [CHANNEL]: {
        zone: 'banks', operations: OPERATIONS, secret: secretBox(key).seal(core.password),
        certificateFingerprints: [new X509Certificate(readFileSync(paths.channelCert(CHANNEL))).fingerprint256], requireClientCertificate: true,
      },
    },
  }));
  const config = loadConfig({
    GRIDBILL_GATEWAY_POLICY: file, GRIDBILL_GATEWAY_KEY: key.toString('base64'), GRIDBILL_GATEWAY_QUARANTINE: 'off',
    GRIDBILL_CA_DIR: ca, GRIDBILL_GATEWAY_TLS: 'on',
  });
  // warn: start-gateway writes its audit lines to stdout at info, which would bury the tables
  const logger = createLogger({ level: 'warn', role: 'gateway', stream: createWriteStream(path.join(dir, 'gateway.log')) });
  const gateway = await startGateway(config, 'gateway', logger, core.server.url);
  const server = await gateway.serve('127.0.0.1', 0);
  return {
    wsdl: `${server.url}/soap/${SERVICE}?wsdl`,
    clientArgs: ['--cacert', paths.caCert, '--cert', paths.channelCert(CHANNEL), '--key', paths.channelKey(CHANNEL)],
    async stop() {
      await server.stop();
      gateway.close();
    },
  };
}

/** Every client without a client certificate (only the CA): the handshake must refuse it, exit 1. */
async function refusedWithoutCertificate(gateway: GatewayUnderTest, env: NodeJS.ProcessEnv): Promise<string[]> {
  const caOnly = gateway.clientArgs.slice(0, 2);
  const outcomes = await Promise.all(DRIVERS.map(async (driver) => {
    const result = await run(path.join(INTEROP, driver), [gateway.wsdl, 'QueryArrears', '{"customerNo":"3301000000011"}', ...caOnly], env);
    console.log(`without a client certificate: ${driver} exit ${result.code}`);
    return result.code === 1 ? null : `${driver} without a client certificate: exit ${result.code}, expected 1 (${result.stdout.trim().slice(0, 200)})`;
  }));
  return outcomes.filter((o): o is string => o !== null);
}

async function countPayments(store: OpenStore): Promise<number> {
  const row = await store.db.selectFrom('payments').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

// ── Case file ───────────────────────────────────────────────────────────────────────────────────

interface SetupStep {
  readonly name: string;
  readonly driver: string;
  readonly version: '1.1' | '1.2';
  readonly operation: string;
  readonly args: JsonObject;
}

interface Case {
  readonly name: string;
  readonly operation: string;
  readonly args?: JsonObject;
  readonly versions?: readonly string[];
  readonly detailCode?: string;
  readonly expect: { readonly exit?: number; readonly output?: Json; readonly fault?: JsonObject };
}

interface CaseFile {
  readonly setup: readonly SetupStep[];
  readonly cases: readonly Case[];
}

/** Fills {{today}}, {{yesterday}} and {{TXN:field}} in every string of a JSON value. */
function render(value: Json, fill: (name: string) => string): Json {
  if (typeof value === 'string') return value.replace(/\{\{([^{}]+)\}\}/g, (_, name: string) => fill(name));
  if (Array.isArray(value)) return value.map((v) => render(v, fill));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, fill)]));
  return value;
}

/** Read once: setup and repeats must carry the same accounting date even if the run crosses midnight (+08:00). */
const TODAY = businessDate();

function dateFill(name: string): string {
  if (name === 'today') return TODAY;
  if (name === 'yesterday') return addDays(TODAY, -1);
  throw new Error(`unknown placeholder {{${name}}}`);
}

/** The values the setup transactions were given by the core, read from the store. */
async function storedValues(store: OpenStore, steps: readonly SetupStep[]): Promise<Map<string, { value: string; timestamp: boolean }>> {
  const values = new Map<string, { value: string; timestamp: boolean }>();
  for (const step of steps.filter((s) => s.operation === 'Pay')) {
    const txn = String(step.args.channelTxnId);
    const answer = await queryTransaction(store, { channelCode: CHANNEL, channelTxnId: txn });
    if (answer.receipt === null) throw new Error(`setup payment ${txn} is not stored`);
    values.set(`${txn}:platformTxnId`, { value: answer.receipt.receiptNo, timestamp: false });
    values.set(`${txn}:postedAt`, { value: answer.receipt.postedAt, timestamp: true });
    if (answer.reversal !== null) values.set(`${txn}:reversedAt`, { value: answer.reversal.reversedAt, timestamp: true });
  }
  const channel = await findChannelByCode(store, CHANNEL);
  for (const step of steps.filter((s) => s.operation === 'SignWithholding')) {
    const id = String(step.args.agreementId);
    const agreement = channel === undefined ? undefined : await findAgreement(store, channel.id, id);
    if (agreement === undefined) throw new Error(`setup agreement ${id} is not stored`);
    values.set(`${id}:signedAt`, { value: agreement.signed_at, timestamp: true });
    if (agreement.cancelled_at !== null) values.set(`${id}:cancelledAt`, { value: agreement.cancelled_at, timestamp: true });
  }
  return values;
}

/** Without WS-Security every case, whatever it asks, is refused before anything is done. */
function unauthenticated(cases: readonly Case[]): Case[] {
  return cases.map((c) => ({
    ...c, detailCode: 'AUTH_FAILED', expect: { exit: 3, fault: { code: 'Client', string: 'Authentication failed' } },
  }));
}

// ── Running the clients ─────────────────────────────────────────────────────────────────────────

interface Proc {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({
      code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
    }));
  });
}

interface Cell {
  readonly case: string;
  readonly soap: string;
  readonly driver: string;
  status: 'PASS' | 'FAIL' | 'n/a';
  reason?: string;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly cmd?: string[];
}

interface MatrixRun {
  readonly title: string;
  readonly cases: readonly Case[];
  readonly cells: Cell[];
  readonly problems: string[];
}

function lastJsonLine(stdout: string | undefined): JsonObject | null {
  const line = stdout?.trim().split('\n').at(-1);
  try {
    return line ? JSON.parse(line) as JsonObject : null;
  } catch {
    return null;
  }
}

/** The catalogue code in a fault's detail: its one child (zeep & co. name it GridbillFault, gSOAP GridbillFaultType). */
function detailCodeOf(stdout: string | undefined): string | undefined {
  const fault = lastJsonLine(stdout)?.fault as JsonObject | undefined;
  const detail = fault?.detail as JsonObject | undefined;
  const inner = detail ? Object.values(detail)[0] : undefined;
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner) && typeof inner.code === 'string' ? inner.code : undefined;
}

async function runMatrix(
  title: string, dir: string, tag: string, cases: readonly Case[], fill: (name: string, timestamp: (wire: string) => string) => string,
  wsse: readonly string[], env: NodeJS.ProcessEnv, wsdl: string, jobs: number,
): Promise<MatrixRun> {
  const problems: string[] = [];
  const runs = GROUPS.map(async (group, i) => {
    const file = path.join(dir, `${tag}-${i}.cases.json`);
    const json = path.join(dir, `${tag}-${i}.results.json`);
    const rendered = render(cases as unknown as Json, (name) => fill(name, group.timestamp));
    writeFileSync(file, JSON.stringify({ cases: rendered }, null, 1));
    const result = await run(path.join(INTEROP, 'run-matrix'), [
      wsdl, '--cases', file, '--versions', VERSIONS, '--drivers', group.drivers.join(','), '--jobs', String(jobs), '--json', json, ...wsse,
    ], env);
    if (result.code !== 0 && result.code !== 1) problems.push(`run-matrix exit ${result.code}: ${result.stderr.trim().slice(-1500)}`);
    try {
      return JSON.parse(readFileSync(json, 'utf8')) as Cell[];
    } catch {
      problems.push(`run-matrix wrote no results for ${group.drivers.join(', ')}: ${result.stdout.slice(-800)} ${result.stderr.slice(-800)}`);
      return [];
    }
  });
  const cells = (await Promise.all(runs)).flat();
  for (const cell of cells) {
    const want = cases.find((c) => c.name === cell.case)?.detailCode;
    if (cell.status !== 'PASS' || want === undefined) continue;
    const got = detailCodeOf(cell.stdout);
    if (got !== want) Object.assign(cell, { status: 'FAIL', reason: `fault detail code ${String(got)}, expected ${want}` });
  }
  return { title, cases, cells, problems };
}

function printTable(matrix: MatrixRun): void {
  console.log(`\n### ${matrix.title}\n`);
  console.log(`| case | SOAP | ${DRIVERS.map((d) => d.replace('-call', '')).join(' | ')} |`);
  console.log(`|---|---|${'---|'.repeat(DRIVERS.length)}`);
  for (const c of matrix.cases) {
    for (const v of (c.versions ?? ['1.1']).filter((x) => VERSIONS.split(',').includes(x))) {
      const row = DRIVERS.map((d) => matrix.cells.find((x) => x.case === c.name && x.soap === v && x.driver === d)?.status ?? 'missing');
      console.log(`| ${c.name} | ${v} | ${row.join(' | ')} |`);
    }
  }
  const count = (s: string) => matrix.cells.filter((c) => c.status === s).length;
  console.log(`\n${count('PASS')} pass, ${count('FAIL')} fail, ${count('n/a')} n/a`);
  for (const p of matrix.problems) console.log(`\nPROBLEM ${p}`);
  for (const cell of matrix.cells.filter((c) => c.status === 'FAIL')) {
    console.log(`\nFAIL ${cell.case} | SOAP ${cell.soap} | ${cell.driver}: ${cell.reason ?? ''}`);
    console.log(`  stdout: ${(cell.stdout ?? '').slice(0, 1500)}`);
    if (cell.stderr?.trim()) console.log(`  stderr: ${cell.stderr.trim().replace(/\n/g, '\n          ').slice(0, 1500)}`);
  }
}

function failures(matrix: MatrixRun): number {
  return matrix.cells.filter((c) => c.status === 'FAIL').length + matrix.problems.length
    + (matrix.cells.length === 0 ? 1 : 0);
}

/** Sends a few failing cells again with --debug (the envelopes as sent and received), while the core runs. */
async function debugFailures(matrices: readonly MatrixRun[], env: NodeJS.ProcessEnv): Promise<void> {
  const failed = matrices.flatMap((m) => m.cells.filter((c) => c.status === 'FAIL' && c.cmd !== undefined));
  for (const cell of failed.slice(0, 4)) {
    const [command, ...args] = cell.cmd!;
    const again = await run(command!, [...args, '--debug'], env);
    console.log(`\n--debug ${cell.case} | SOAP ${cell.soap} | ${cell.driver} (exit ${again.code})`);
    console.log(`  ${again.stderr.trim().replace(/\n/g, '\n  ').slice(0, 6000)}`);
  }
  if (failed.length > 4) console.log(`\n(${failed.length - 4} more failing cells not repeated with --debug)`);
}

// ── Main ────────────────────────────────────────────────────────────────────────────────────────

function skipOrFail(missing: readonly string[]): never {
  for (const m of missing) console.log(`missing: ${m}`);
  if (process.env.CI) {
    console.log('FAILED test:interop: the interop clients are required when CI is set');
    process.exit(1);
  }
  console.log('SKIPPED test:interop: the interop clients are not installed (see above); nothing was tested');
  process.exit(0);
}

async function sendSetup(core: Core, steps: readonly SetupStep[], wsse: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const step of steps) {
    const args = render(step.args, dateFill);
    const result = await run(path.join(INTEROP, step.driver), [
      core.wsdl, step.operation, JSON.stringify(args), ...(step.version === '1.2' ? ['--soap12'] : []), ...wsse,
    ], env);
    console.log(`setup: ${step.name} — ${step.driver} SOAP ${step.version}: exit ${result.code}`);
    if (result.code !== 0) {
      console.log(`  stdout: ${result.stdout.trim()}\n  stderr: ${result.stderr.trim().slice(-1500)}`);
      return false;
    }
  }
  return true;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const keep = argv.includes('--keep');
  const jobsAt = argv.indexOf('--jobs');
  const jobs = jobsAt >= 0 ? Number(argv[jobsAt + 1]) : 4;
  const tls = argv.includes('--tls');
  if (tls && !argv.includes('--through-gateway')) {
    console.log('--tls: only with --through-gateway (the core itself serves plain HTTP)');
    return 2;
  }
  const missing = missingPrerequisites();
  if (missing.length > 0) skipOrFail(missing);

  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const dir = mkdtempSync(path.join(tmpdir(), 'gridbill-interop-'));
  // A fresh gSOAP build cache per run: the WSDL names the random port, so a shared cache would only grow.
  const env = { ...process.env, GSOAP_CALL_CACHE: path.join(dir, 'gsoap-cache') };
  const file = JSON.parse(readFileSync(CASES_FILE, 'utf8')) as CaseFile;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (!keep) rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  const direct = await startCore(dir);
  const gateway = !argv.includes('--through-gateway') ? undefined : tls ? await startTlsGatewayFor(direct, dir) : await startGatewayFor(direct, dir);
  const clientArgs = gateway?.clientArgs ?? [];
  const core: Core = gateway ? { ...direct, wsdl: gateway.wsdl } : direct;
  try {
    console.log(`${gateway ? `through the gateway${tls ? ' (mutual TLS)' : ''}` : 'core'}: ${core.wsdl} (seeded and billed in ${seconds()} s; temp folder ${dir})`);
    const wsse = [...clientArgs, '--username', CHANNEL, '--password', core.password, '--password-digest'];
    const plainFill = (name: string) => dateFill(name);

    const plain = await runMatrix('ChannelPaymentService without WS-Security: every case must be refused with AUTH_FAILED',
      dir, 'no-wsse', unauthenticated(file.cases), plainFill, clientArgs, env, core.wsdl, jobs);
    console.log(`matrix without WS-Security done at ${seconds()} s`);
    const paymentsBefore = await countPayments(core.store);

    if (!(await sendSetup(core, file.setup, wsse, env))) return 1;
    const stored = await storedValues(core.store, file.setup);
    const paymentsAfterSetup = await countPayments(core.store);
    const fill = (name: string, timestamp: (wire: string) => string) => {
      const known = stored.get(name);
      if (known === undefined) return dateFill(name);
      return known.timestamp ? timestamp(known.value) : known.value;
    };
    const secured = await runMatrix('ChannelPaymentService with WS-Security (UsernameToken, PasswordDigest)',
      dir, 'wsse', file.cases, fill, wsse, env, core.wsdl, jobs);
    console.log(`matrix with WS-Security done at ${seconds()} s`);

    const checks: string[] = [];
    const paymentsAfter = await countPayments(core.store);
    const setupPayments = file.setup.filter((s) => s.operation === 'Pay').length;
    if (paymentsBefore !== 0) checks.push(`${paymentsBefore} payments were posted without WS-Security`);
    if (paymentsAfterSetup !== setupPayments) checks.push(`setup posted ${paymentsAfterSetup} payments, expected ${setupPayments}`);
    if (paymentsAfter !== paymentsAfterSetup) checks.push(`the repeated requests posted ${paymentsAfter - paymentsAfterSetup} more payments`);
    if (tls && gateway) checks.push(...await refusedWithoutCertificate(gateway, env));
    const total = await ledgerTotal(core.store);
    if (total !== 0) checks.push(`the ledger sums to ${total} fen, not 0`);

    printTable(plain);
    printTable(secured);
    console.log(`\nstore: ${paymentsAfter} payments (all from setup), ledger sums to ${total}`);
    for (const c of checks) console.log(`CHECK FAILED: ${c}`);
    const failed = failures(plain) + failures(secured) + checks.length;
    if (failed > 0) await debugFailures([plain, secured], env);
    console.log(`\n${failed === 0 ? 'PASSED' : 'FAILED'} test:interop in ${seconds()} s`);
    return failed === 0 ? 0 : 1;
  } finally {
    await gateway?.stop();
    await core.server.stop();
    await core.store.close();
    if (keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
