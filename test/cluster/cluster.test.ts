// The cluster drill of issue 8: scripts/cluster-up starts HAProxy, two gateways, two cores and a
// PostgreSQL primary with a synchronous standby; a channel pays through HAProxy → gateway → core
// from several connections, retrying a refused payment with the same id as a bank does; one core
// is killed, then the primary (SIGKILL of all its processes at once: a crash, no clean shutdown) and
// scripts/cluster-failover promotes the standby. Every acknowledged payment must exist exactly once
// on the new primary, the ledger must sum to zero, and scripts/cluster-down must leave no process.
//
// Needs Debian's postgresql and haproxy: skipped with the package named without them, failed under CI.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { findPgBin, postgresUser, postmasterPid } from '../../scripts/cluster-postgres.ts';
import { isOurs, killProcess, processesWorkingIn, readState, sleep, type ClusterState } from '../../scripts/cluster-state.ts';
import { businessDate } from '../../src/clock.ts';
import { call, operation, securityHeader } from '../soap/soap-client.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HAPROXY = '/usr/sbin/haproxy';
const BOUNDS = {
  // cluster-up takes about 25 s on an idle two-core machine; the whole drill stays under 2 minutes
  upMs: 75_000,
  drillMs: 110_000,
  scriptMs: 60_000,
  workers: 4,
  // payments acknowledged in each phase before the next event
  paymentsPerPhase: 15,
  // a refused payment is sent again after this pause, as a channel would
  retryPauseMs: 100,
  // one attempt; more than the gateway's own timeout would be pointless, less than the drill
  attemptMs: 20_000,
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

interface Attempt { readonly at: number; readonly ok: boolean }
interface Ack { readonly customerNo: string; readonly amount: string; readonly platformTxnId: string }

/** A bank paying through the cluster: each payment is sent again, same id and content, until it is acknowledged. */
class Channel {
  readonly acks = new Map<string, Ack>();
  /** Sent but never acknowledged before the channel gave up: absent, or posted once with this content. */
  readonly unacknowledged = new Map<string, Omit<Ack, 'platformTxnId'>>();
  readonly attempts: Attempt[] = [];
  private seq = 0;
  private stopping = false;
  private giveUpAt = Infinity;
  private workers: Promise<void>[] = [];

  constructor(private readonly url: string, private readonly code: string, private readonly password: string, private readonly customers: readonly string[]) {}

  start(count: number): void {
    this.workers = Array.from({ length: count }, () => this.work());
  }

  /** Lets every payment in progress be repeated for at most `graceMs` more. */
  async stop(graceMs: number): Promise<void> {
    this.giveUpAt = Math.min(this.giveUpAt, Date.now() + graceMs);
    this.stopping = true;
    await Promise.all(this.workers);
  }

  ackedSince(at: number): number {
    return this.attempts.filter((a) => a.ok && a.at >= at).length;
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      this.seq += 1;
      const txn = `CL${String(this.seq).padStart(6, '0')}`;
      const customerNo = this.customers[this.seq % this.customers.length]!;
      const amount = `${1 + (this.seq % 50)}.${String(this.seq % 100).padStart(2, '0')}`;
      // Once sent, a payment is repeated until acknowledged, also while stopping (for a while):
      // the drill must know the fate of every id it used.
      while (!(await this.attempt(txn, customerNo, amount))) {
        if (Date.now() > this.giveUpAt) {
          this.unacknowledged.set(txn, { customerNo, amount });
          break;
        }
        await sleep(BOUNDS.retryPauseMs);
      }
    }
  }

  private async attempt(txn: string, customerNo: string, amount: string): Promise<boolean> {
    const body = operation('Pay', { channelTxnId: txn, customerNo, amount, accountingDate: businessDate() });
    let ok = false;
    try {
      const reply = await Promise.race([
        call(`${this.url}/soap/ChannelPaymentService`, body, { header: securityHeader(this.code, this.password) }),
        sleep(BOUNDS.attemptMs).then(() => null),
      ]);
      const platformTxnId = reply?.status === 200 ? /platformTxnId>([^<]+)</.exec(reply.text)?.[1] : undefined;
      if (platformTxnId !== undefined) {
        this.acks.set(txn, { customerNo, amount, platformTxnId });
        ok = true;
      }
    } catch {
      // connection refused or reset: refused, like a fault
    }
    this.attempts.push({ at: Date.now(), ok });
    return ok;
  }
}

async function waitForAcks(channel: Channel, since: number, count: number, what: string): Promise<void> {
  const deadline = Date.now() + BOUNDS.drillMs;
  while (channel.ackedSince(since) < count) {
    if (Date.now() > deadline) throw new Error(`payments did not continue ${what}: ${channel.ackedSince(since)} acknowledged`);
    await sleep(50);
  }
}

describe('cluster on one machine: HAProxy, two gateways, two cores, PostgreSQL primary + synchronous standby', function () {
  this.timeout(BOUNDS.upMs + BOUNDS.drillMs);
  const folder = mkdtempSync(join(tmpdir(), 'gridbill-cluster-test-'));
  const stateFile = join(folder, 'state.json');
  let state: ClusterState;
  let channel: Channel | undefined;
  let db: pg.Client | undefined;

  before(async function () {
    const missing = missingTools();
    if (missing !== null) {
      if (process.env.CI) throw new Error(`the cluster test needs PostgreSQL and HAProxy when CI is set: ${missing}`);
      console.warn(`  cluster test skipped: ${missing}`);
      this.skip();
    }
    const result = await runScript('cluster-up', ['--cores', '2', '--customers', '10', '--months', '2', '--state', stateFile]);
    expect(result.code, result.output).to.equal(0);
    for (const name of ['channels', 'gateway1', 'gateway2', 'cores', 'core1', 'core2', 'database', 'pg1', 'pg2', 'haproxy']) {
      expect(result.output).to.match(new RegExp(`^  ${name} +\\S+`, 'm'));
    }
    state = readState(stateFile)!;
  });

  after(async function () {
    this.timeout(BOUNDS.scriptMs * 2);
    await channel?.stop(0);
    await db?.end().catch(() => undefined);
    if (existsSync(stateFile)) await runScript('cluster-down', ['--state', stateFile]);
    rmSync(folder, { recursive: true, force: true });
  });

  it('pays through HAProxy and the gateways, goes on when a core dies and when the primary dies and the standby is promoted', async () => {
    const access = state.access;
    const lookup = new pg.Client({ connectionString: access.dbUrl });
    await lookup.connect();
    const customers = (await lookup.query<{ customer_no: string }>('SELECT customer_no FROM customers ORDER BY id LIMIT 10')).rows.map((r) => r.customer_no);
    await lookup.end();
    expect(customers).to.have.length(10);
    channel = new Channel(access.channels!, access.channel!.code, access.channel!.password, customers);
    channel.start(BOUNDS.workers);
    await waitForAcks(channel, 0, BOUNDS.paymentsPerPhase, 'at the start');

    const core1 = state.processes.find((p) => p.name === 'core1')!;
    const coreKilledAt = Date.now();
    expect(killProcess(core1)).to.equal(true);
    await waitForAcks(channel, coreKilledAt, BOUNDS.paymentsPerPhase, 'after core1 was killed');

    const primary = state.pg.find((n) => n.role === 'primary')!;
    // Every process of the server at once (postmaster, backends, walsender): a lost machine, no shutdown.
    const pids = processesWorkingIn(primary.dataDir);
    expect(pids).to.include(postmasterPid(primary));
    const primaryKilledAt = Date.now();
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const failover = await runScript('cluster-failover', ['--state', stateFile]);
    expect(failover.code, failover.output).to.equal(0);
    expect(failover.output).to.match(/pg2 +promoted/);
    await waitForAcks(channel, Date.now(), BOUNDS.paymentsPerPhase, 'after the standby was promoted');
    await channel.stop(BOUNDS.scriptMs);
    expect([...channel.unacknowledged.keys()]).to.deep.equal([]);

    const refusedAfterKill = channel.attempts.filter((a) => !a.ok && a.at >= primaryKilledAt);
    const firstRefused = refusedAfterKill[0]?.at ?? primaryKilledAt;
    const resumed = channel.attempts.find((a) => a.ok && a.at > firstRefused)!.at;
    console.log(`    payments refused for ${resumed - firstRefused} ms after the primary was killed`
      + ` (${refusedAfterKill.length} refused attempts; killed → acknowledged again: ${resumed - primaryKilledAt} ms);`
      + ` ${channel.acks.size} payments acknowledged in all`);
  });

  it('has every acknowledged payment exactly once on the new primary, and a ledger that sums to zero', async () => {
    const acks = channel!.acks;
    db = new pg.Client({ connectionString: state.access.dbUrl });
    await db.connect();
    expect((await db.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r).to.equal(false);
    const rows = (await db.query<{ channel_txn_id: string; amount_fen: string; response: string; customer_no: string }>(
      `SELECT p.channel_txn_id, p.amount_fen, p.response, c.customer_no FROM payments p
         JOIN channels ch ON ch.id = p.channel_id JOIN customers c ON c.id = p.customer_id
        WHERE ch.code = $1 AND p.status = 'posted'`, [state.access.channel!.code])).rows;
    const stored = new Map<string, (typeof rows)[number][]>();
    for (const row of rows) stored.set(row.channel_txn_id, [...(stored.get(row.channel_txn_id) ?? []), row]);
    // every id the channel used was acknowledged (it repeats until then), so both sets are the same
    expect([...stored.keys()].sort()).to.deep.equal([...acks.keys()].sort());
    for (const [txn, ack] of acks) {
      const found = stored.get(txn)!;
      expect(found, txn).to.have.length(1);
      expect(Number(found[0]!.amount_fen), txn).to.equal(Math.round(Number(ack.amount) * 100));
      expect(found[0]!.customer_no, txn).to.equal(ack.customerNo);
      expect(found[0]!.response, txn).to.contain(ack.platformTxnId);
    }
    const ledger = (await db.query<{ total: string | null; n: string }>('SELECT SUM(amount_fen) AS total, COUNT(*) AS n FROM ledger_entries')).rows[0]!;
    expect(Number(ledger.n)).to.be.greaterThan(0);
    expect(Number(ledger.total)).to.equal(0);
    await db.end();
    db = undefined;
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
