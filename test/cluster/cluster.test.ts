// The cluster drill of issue 8: scripts/cluster-up starts HAProxy, two gateways, two cores, the
// business hall and a PostgreSQL primary with a synchronous standby; a bank pays through HAProxy →
// gateway → core from 40 connections (test/support/pay-storm.ts), repeating a refused payment with
// the same id, some giving up after one refusal; one core is killed, then the primary (SIGKILL of
// all its processes at once: a crash, no clean shutdown) and scripts/cluster-failover promotes the
// standby. Then the checks of the SQLite crash test (test/support/storm-checks.ts) on the new
// primary: QueryTransaction for every id sent, each acknowledged payment exactly once, the others
// absent or answered consistently, the ledger at zero, `gridbill audit verify`; the refusal
// windows are printed. scripts/cluster-rejoin rebuilds the old primary as the synchronous standby
// (pg_rewind; then, after a second failover, the other node by pg_basebackup), the business hall
// answers through HAProxy and the gateways, and scripts/cluster-down leaves no process.
// CRASH_SEED=<n> repeats a run's payments.
//
// Needs Debian's postgresql and haproxy: skipped with the package named without them, failed under CI.

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { findPgBin, postgresUser, postmasterPid, replicationStates } from '../../scripts/cluster-postgres.ts';
import { isOurs, killProcess, processesWorkingIn, readState, type ClusterState } from '../../scripts/cluster-state.ts';
import { businessDate } from '../../src/clock.ts';
import { openStore } from '../../src/store/connect.ts';
import { ledgerTotal } from '../../src/store/ledger.repository.ts';
import { PayStorm, describeOutcome, refusalWindow, seededRandom, soapCall, type Channel } from '../support/pay-storm.ts';
import { checkAnswers, checkAuditChain, checkStore } from '../support/storm-checks.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HAPROXY = '/usr/sbin/haproxy';
const BOUNDS = {
  // cluster-up takes about 25 s on an idle two-core machine; the whole test stays under 2.5 minutes
  upMs: 75_000,
  // the storm's deadline: no payment is repeated after it
  drillMs: 90_000,
  // one phase (payments acknowledged after an event): ample for a failover on a loaded machine
  phaseMs: 45_000,
  scriptMs: 60_000,
  connections: 40,
  // a share of the payments gives up after the first refusal, leaving the question to QueryTransaction
  impatientShare: 0.2,
  // payments acknowledged in each phase before the next event
  paymentsPerPhase: 150,
  // a commit flushed at the standby is replayed there within moments
  replayMs: 10_000,
} as const;

function missingTools(): string | null {
  if (findPgBin() === null) return "PostgreSQL server binaries not found: install Debian's postgresql package";
  if (process.getuid?.() === 0 && postgresUser() === null) return 'running as root without the postgres system user: install postgresql';
  if (!existsSync(HAPROXY)) return `${HAPROXY} not found: install Debian's haproxy package`;
  return null;
}

function runScript(name: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(join(ROOT, 'scripts', name), [...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), BOUNDS.scriptMs * 2);
    child.on('error', fail);
    child.on('close', (code) => { clearTimeout(timer); done({ code: code ?? -1, output }); });
  });
}

/** Rejects when `promise` has not settled within `ms`: a phase of the drill that never ends is a failure. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => { timer = setTimeout(() => fail(new Error(`${what}: not within ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('cluster on one machine: HAProxy, two gateways, two cores, PostgreSQL primary + synchronous standby', function () {
  this.timeout(BOUNDS.upMs + BOUNDS.drillMs);
  const folder = mkdtempSync(join(tmpdir(), 'gridbill-cluster-test-'));
  const stateFile = join(folder, 'state.json');
  const seed = Number(process.env.CRASH_SEED ?? randomBytes(4).readUInt32BE(0));
  let state: ClusterState;
  let channel: Channel;
  let storm: PayStorm | undefined;

  before(async function () {
    const missing = missingTools();
    if (missing !== null) {
      if (process.env.CI) throw new Error(`the cluster test needs PostgreSQL and HAProxy when CI is set: ${missing}`);
      console.warn(`  cluster test skipped: ${missing}`);
      this.skip();
    }
    const result = await runScript('cluster-up', ['--cores', '2', '--customers', '10', '--months', '2', '--state', stateFile]);
    expect(result.code, result.output).to.equal(0);
    for (const name of ['channels', 'gateway1', 'gateway2', 'portal', 'cores', 'core1', 'core2', 'database', 'pg1', 'pg2', 'haproxy']) {
      expect(result.output).to.match(new RegExp(`^  ${name} +\\S+`, 'm'));
    }
    state = readState(stateFile)!;
    channel = { code: state.access.channel!.code, password: state.access.channel!.password };
  });

  after(async function () {
    this.timeout(BOUNDS.scriptMs * 2);
    await storm?.finish();
    if (existsSync(stateFile)) await runScript('cluster-down', ['--state', stateFile]);
    rmSync(folder, { recursive: true, force: true });
  });

  /** `standby` streams synchronously from `primary`, and a payment acknowledged through the channel is on it. */
  async function expectReplicatedPayment(primaryName: string, standbyName: string, txnId: string): Promise<void> {
    const node = (name: string) => state.pg.find((n) => n.name === name)!;
    const setup = { bin: state.pgBin, runAs: state.runAs, superuser: state.runAs?.user ?? userInfo().username };
    expect(Object.fromEntries(replicationStates(setup, node(primaryName)))).to.deep.equal({ [standbyName]: 'sync' });
    const agent = new Agent();
    const fields = { channelTxnId: txnId, customerNo: storm!.payments[0]!.customerNo, amount: '12.34', accountingDate: businessDate() };
    const paid = await soapCall(agent, state.access.channels!, channel, 'Pay', fields);
    agent.destroy();
    expect(paid.kind === 'answer' && paid.status === 200 && paid.body.local, describeOutcome(paid)).to.equal('PayResponse');
    const url = new URL(state.access.dbUrl!);
    url.port = String(node(standbyName).port);
    const standby = new pg.Client({ connectionString: url.toString() });
    await standby.connect();
    try {
      expect((await standby.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r).to.equal(true);
      // on disk at the standby when acknowledged (synchronous_commit on); visible there once replayed, a moment later
      const deadline = Date.now() + BOUNDS.replayMs;
      let rows = 0;
      while (rows === 0 && Date.now() < deadline) {
        rows = (await standby.query('SELECT 1 FROM payments WHERE channel_txn_id = $1', [txnId])).rowCount ?? 0;
        if (rows === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(rows, `${txnId} on ${standbyName}`).to.equal(1);
    } finally {
      await standby.end();
    }
  }

  it(`pays through HAProxy and the gateways from ${BOUNDS.connections} connections while a core dies, then the primary (seed ${seed})`, async () => {
    const access = state.access;
    const lookup = new pg.Client({ connectionString: access.dbUrl });
    await lookup.connect();
    const customerNos = (await lookup.query<{ customer_no: string }>('SELECT customer_no FROM customers ORDER BY id LIMIT 10')).rows.map((r) => r.customer_no);
    await lookup.end();
    expect(customerNos).to.have.length(10);
    const started = Date.now();
    storm = new PayStorm({
      url: access.channels!, channel, connections: BOUNDS.connections, customerNos, accountingDate: businessDate(),
      random: seededRandom(seed), impatientShare: BOUNDS.impatientShare, deadlineMs: started + BOUNDS.drillMs, retryServerFaults: true,
    });
    const phase = (what: string) => within(storm!.acknowledgedAtLeast(storm!.acknowledged + BOUNDS.paymentsPerPhase), BOUNDS.phaseMs, what);
    await phase('payments at the start');

    const core1 = state.processes.find((p) => p.name === 'core1')!;
    const coreKilledAt = Date.now();
    expect(killProcess(core1)).to.equal(true);
    await phase('payments after core1 was killed');

    const primary = state.pg.find((n) => n.role === 'primary')!;
    // Every process of the server at once (postmaster, backends, walsender): a lost machine, no shutdown.
    const pids = processesWorkingIn(primary.dataDir);
    expect(pids).to.include(postmasterPid(primary));
    const primaryKilledAt = Date.now();
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const failover = await runScript('cluster-failover', ['--state', stateFile]);
    expect(failover.code, failover.output).to.equal(0);
    expect(failover.output).to.match(/pg2 +promoted/);
    state = readState(stateFile)!;
    await phase('payments after the standby was promoted');
    await storm.finish();

    const { payments } = storm;
    const unacknowledged = payments.filter((p) => p.answer === undefined);
    const summary = `seed ${seed}: ${payments.length} payments, ${payments.filter((p) => p.answer !== undefined && p.attempts > 1).length}`
      + ` acknowledged after a refused attempt, ${unacknowledged.length} given up; refusals ${JSON.stringify(Object.fromEntries(storm.refusals))}`;
    expect(payments.filter((p) => p.fault !== undefined).map((p) => `${p.txnId}: ${p.fault}`), summary).to.deep.equal([]);
    expect(payments.filter((p) => p.patient && p.answer === undefined).map((p) => p.txnId), `${summary}: patient payments unanswered`).to.deep.equal([]);
    expect(storm.refusals.size, `${summary}: nothing was refused`).to.be.greaterThan(0);
    const coreWindow = refusalWindow(storm.attempts.filter((a) => a.at < primaryKilledAt), coreKilledAt);
    const dbWindow = refusalWindow(storm.attempts, primaryKilledAt);
    expect(dbWindow, 'no payment was refused after the primary was killed').to.not.equal(null);
    console.log(`    ${summary}\n    core1 killed: refused for ${coreWindow?.ms ?? 0} ms (${coreWindow?.refused ?? 0} attempts);`
      + ` primary killed: refused for ${dbWindow!.ms} ms (${dbWindow!.refused} attempts; killed → acknowledged again:`
      + ` ${dbWindow!.firstAt + dbWindow!.ms - primaryKilledAt} ms); storm ${Date.now() - started} ms`);
  });

  it('answers QueryTransaction for every id sent as the channel saw it, has each payment once on the new primary, a ledger at zero, an intact audit chain', async () => {
    const payments = storm!.payments;
    await checkAnswers(state.access.channels!, channel, payments);
    const store = await openStore(state.access.dbUrl!);
    try {
      const recovering = await sql<{ r: boolean }>`SELECT pg_is_in_recovery() AS r`.execute(store.db);
      expect(recovering.rows[0]!.r).to.equal(false);
      await checkStore(store, channel.code, payments, false);
    } finally {
      await store.close();
    }
    await checkAuditChain(state.access.dbUrl!);
  });

  it('rebuilds the old primary by pg_rewind as the synchronous standby of the new one (cluster-rejoin); a payment then reaches it', async () => {
    const rejoin = await runScript('cluster-rejoin', ['--state', stateFile]);
    expect(rejoin.code, rejoin.output).to.equal(0);
    expect(rejoin.output).to.match(/pg1 +rebuilt by pg_rewind, streaming from pg2/);
    state = readState(stateFile)!;
    expect(state.pg.map((n) => `${n.name} ${n.role}`)).to.deep.equal(['pg1 standby', 'pg2 primary']);
    await expectReplicatedPayment('pg2', 'pg1', `RJ${seed}`);
  });

  it('after a second failover to pg1, rebuilds pg2 from a fresh copy (cluster-rejoin --basebackup) with nothing acknowledged lost', async () => {
    const pg2 = state.pg.find((n) => n.name === 'pg2')!;
    for (const pid of processesWorkingIn(pg2.dataDir)) process.kill(pid, 'SIGKILL');
    const failover = await runScript('cluster-failover', ['--state', stateFile]);
    expect(failover.code, failover.output).to.equal(0);
    expect(failover.output).to.match(/pg1 +promoted/);
    const rejoin = await runScript('cluster-rejoin', ['--basebackup', '--state', stateFile]);
    expect(rejoin.code, rejoin.output).to.equal(0);
    expect(rejoin.output).to.match(/pg2 +rebuilt by pg_basebackup, streaming from pg1/);
    state = readState(stateFile)!;
    expect(state.pg.map((n) => `${n.name} ${n.role}`)).to.deep.equal(['pg1 primary', 'pg2 standby']);
    // the payment acknowledged while pg1 was the synchronous standby survived pg2's loss
    const ids = [...storm!.payments.map((p) => p.txnId), `RJ${seed}`];
    await expectReplicatedPayment('pg1', 'pg2', `RB${seed}`);
    const store = await openStore(state.access.dbUrl!);
    try {
      const stored = await store.db.selectFrom('payments').select('channel_txn_id').where('channel_txn_id', 'in', ids).execute();
      expect(stored.length).to.equal(ids.length);
      expect(await ledgerTotal(store)).to.equal(0);
    } finally {
      await store.close();
    }
  });

  it('serves the business hall through HAProxy, and it reaches the core through the gateways (a login code request)', async () => {
    const portal = state.access.portal!;
    expect((await fetch(`${portal}/health`)).status).to.equal(200);
    const page = await fetch(`${portal}/login`);
    expect(page.status).to.equal(200);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(csrf, 'the login form has a CSRF token').to.be.a('string');
    // RequestLoginCode goes portal → HAProxy → gateway → HAProxy → core2 → the primary: 200 with a notice; 503 if any hop failed
    const form = new URLSearchParams({ _csrf: csrf!, customerNo: storm!.payments[0]!.customerNo });
    const asked = await fetch(`${portal}/login/code`, {
      method: 'POST', body: form.toString(), redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    const text = await asked.text();
    expect(asked.status, text.slice(0, 2000)).to.equal(200);
    expect(text).to.match(/class="notice[^"]*info/);
  });

  it('is stopped by cluster-down with no process left behind, and a second cluster-down has nothing to do', async () => {
    const down = await runScript('cluster-down', ['--state', stateFile]);
    expect(down.code, down.output).to.equal(0);
    for (const proc of state.processes) expect(isOurs(proc), proc.name).to.equal(false);
    expect(processesWorkingIn(state.dir)).to.deep.equal([]);
    expect(existsSync(state.dir)).to.equal(false);
    expect(existsSync(stateFile)).to.equal(false);
    const again = await runScript('cluster-down', ['--state', stateFile]);
    expect(again.code).to.equal(0);
    expect(again.output).to.contain('nothing to stop');
  });
});
