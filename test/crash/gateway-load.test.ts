// The isolation gateway under hostile load (issue 8): `gridbill serve gateway` as a child process
// (so its memory is its own) in front of a real core, on loopback in dev mode. 1,000 slow
// connections (half trickling their headers, half their body) and a flood of bodies over the
// body limit, while a channel keeps calling QueryArrears through it: every valid call is answered,
// the oversized bodies get 413 (or are cut), and the gateway's resident memory stays bounded.
// Then: the slow connections are cut by the header and request timeouts, in their time.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { POLICY_FORMAT } from '../../src/gateway/policy.ts';
import { LIMITS } from '../../src/limits.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { describeOutcome, soapCall, type Channel } from '../support/pay-storm.ts';
import { addCustomer, addIssuedBill } from '../support/payments.ts';
import { memoryOf, startServe, type ServeProcess } from '../support/serve-process.ts';
import { Trickle, floodOversized } from '../support/slow-clients.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';

const CHANNEL: Channel = { code: 'load-bank', password: 'load-bank-secret-1' };
const CUSTOMER_NO = '3301800000001';
const SLOW = { headers: 500, body: 500 };
const FLOODERS = 8;
const ATTACK_MS = 10_000;
const MIB = 1_048_576;
// What the attack may add to the gateway's resident memory. Each slow connection holds a socket,
// an HTTP parser and its partial headers (at most maxHeaderSize, 16 KiB): 1,000 × 16 KiB ≈ 16 MiB
// at worst. Each flood request is read up to httpBodyBytesMax (1 MiB) and joined once:
// 8 × 2 × 1 MiB = 16 MiB. The rest of a body past the limit is drained in 64 KiB chunks at
// loopback speed, and V8 frees those only at its next scavenge while the allocator keeps freed
// pages: 128 MiB for that (measured: 65 to 85 MiB growth in all). Without the body limit each flood
// request would hold its 32 MiB, twice once joined: 512 MiB for the eight, far above this.
const GROWTH_BYTES_MAX = 16 * MIB + FLOODERS * 2 * LIMITS.httpBodyBytesMax + 128 * MIB;
// How long after its timeout a slow connection may stay open: the server's check of expired
// requests and the trickle's tick.
const CUT_SLACK_MS = 3_000;

async function prepareCore(store: TestCore['store'], box: ReturnType<typeof secretBox>): Promise<void> {
  const customerId = await addCustomer(store, CUSTOMER_NO);
  await addIssuedBill(store, { customerId, billNo: `L${CUSTOMER_NO}`, period: '2026-09', dueOn: '2099-12-31', amountFen: 45_678 });
  await addChannel(store, box, { code: CHANNEL.code, name: 'load bank', kind: 'bank', password: CHANNEL.password, operations: ['QueryArrears'] }, 'test', new Date().toISOString());
}

function writePolicy(path: string, gatewayKey: Buffer): void {
  writeFileSync(path, JSON.stringify({
    format: POLICY_FORMAT, zones: { banks: ['ChannelPaymentService'] },
    channels: {
      [CHANNEL.code]: {
        zone: 'banks', operations: ['QueryArrears'], secret: secretBox(gatewayKey).seal(CHANNEL.password),
        // The steady client asks about one customer many times a second: only the attack is under test here.
        ratePerSecond: 10_000, burst: 10_000, customerRatePerMinute: 1_000_000, customerBurst: 10_000,
      },
    },
  }));
}

/** QueryArrears through the gateway, one after the other, until `until()`; each must be answered. */
async function steadyClient(url: string, until: () => boolean): Promise<{ answered: number; failures: string[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const failures: string[] = [];
  let answered = 0;
  while (!until()) {
    const outcome = await soapCall(agent, url, CHANNEL, 'QueryArrears', { customerNo: CUSTOMER_NO });
    if (outcome.kind === 'answer' && outcome.status === 200 && outcome.body.local === 'QueryArrearsResponse') answered += 1;
    else failures.push(describeOutcome(outcome));
  }
  agent.destroy();
  return { answered, failures };
}

describe('gateway under 1,000 slow connections and a flood of oversized bodies', function () {
  this.timeout(90_000);
  let dir: string;
  let core: TestCore;
  let gateway: ServeProcess;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-gateway-load-'));
    core = await startTestCore(prepareCore);
    const gatewayKey = randomBytes(32);
    writePolicy(join(dir, 'policy.json'), gatewayKey);
    gateway = await startServe('gateway', {
      GRIDBILL_HOST: '127.0.0.1', GRIDBILL_GATEWAY_PORT: '0', GRIDBILL_CORE_URL: core.server.url,
      GRIDBILL_GATEWAY_POLICY: join(dir, 'policy.json'), GRIDBILL_GATEWAY_KEY: gatewayKey.toString('base64'),
      GRIDBILL_GATEWAY_QUARANTINE: 'off', GRIDBILL_CA_DIR: join(dir, 'no-ca'),
    });
    port = Number(new URL(gateway.url).port);
  });

  after(async () => {
    if (gateway) await gateway.kill('SIGKILL');
    await core?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every valid call, refuses the oversized bodies and stays within its memory bound', async function () {
    const warmup = await steadyClient(gateway.url, ((n) => () => n-- <= 0)(50));
    expect(warmup.failures).to.deep.equal([]);
    const baseline = memoryOf(gateway.pid);
    if (baseline === null) return void this.skip(); // no /proc: the memory of another process cannot be read here

    const trickle = await Trickle.open(port, '/soap/ChannelPaymentService', SLOW);
    let peakRss = baseline.rssBytes;
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, memoryOf(gateway.pid)?.rssBytes ?? 0); }, 100);
    const endMs = Date.now() + ATTACK_MS;
    const over = () => Date.now() >= endMs;
    const [steady, flood] = await Promise.all([steadyClient(gateway.url, over), floodOversized(`${gateway.url}/soap/ChannelPaymentService`, FLOODERS, over)]);
    const stillOpen = trickle.open();
    trickle.stop();
    clearInterval(sampler);

    if (process.env.CRASH_VERBOSE) process.stdout.write(`${JSON.stringify({ baselineMiB: baseline.rssBytes / MIB, peakMiB: peakRss / MIB, answered: steady.answered, flood: [...flood], stillOpen })}\n`);
    expect(steady.failures, 'valid calls during the attack').to.deep.equal([]);
    expect(steady.answered, 'valid calls answered during the attack').to.be.greaterThan(0);
    expect(stillOpen, 'slow connections the gateway held during the attack (none refused for lack of room)').to.equal(SLOW.headers + SLOW.body);
    expect([...flood.keys()].filter((k) => k !== 413 && k !== 'reset'), 'answers to oversized bodies').to.deep.equal([]);
    expect(flood.get(413) ?? 0, 'oversized bodies answered 413').to.be.greaterThan(0);
    const growth = peakRss - baseline.rssBytes;
    expect(growth, `RSS grew from ${(baseline.rssBytes / MIB).toFixed(0)} MiB by ${(growth / MIB).toFixed(0)} MiB`).to.be.below(GROWTH_BYTES_MAX);
    expect((await steadyClient(gateway.url, ((n) => () => n-- <= 0)(5))).failures, 'after the attack').to.deep.equal([]);
  });

  // Fails while src/ops/http-server.ts leaves Node's connectionsCheckingInterval at its default of
  // 30 s: Node compares a request with headersTimeout and requestTimeout only at that interval, so a
  // slow-loris is cut 10 to 40 s after it connects and a slow body 30 to 60 s after it.
  it('cuts a connection that trickles its headers after httpHeadersTimeoutMs and one that trickles its body after httpRequestTimeoutMs', async () => {
    const trickle = await Trickle.open(port, '/soap/ChannelPaymentService', { headers: 10, body: 10 });
    const startedMs = Date.now();
    try {
      const cutBy = (kind: 'headers' | 'body', timeoutMs: number) => new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (trickle.open(kind) === 0 || Date.now() - startedMs > timeoutMs + CUT_SLACK_MS) {
            clearInterval(poll);
            resolve();
          }
        }, 100);
      });
      await cutBy('headers', LIMITS.httpHeadersTimeoutMs);
      expect(trickle.open('headers'), `slow-header connections open ${LIMITS.httpHeadersTimeoutMs + CUT_SLACK_MS} ms after connecting`).to.equal(0);
      await cutBy('body', LIMITS.httpRequestTimeoutMs);
      expect(trickle.open('body'), `slow-body connections open ${LIMITS.httpRequestTimeoutMs + CUT_SLACK_MS} ms after connecting`).to.equal(0);
      for (const c of trickle.connections) {
        const limitMs = c.kind === 'headers' ? LIMITS.httpHeadersTimeoutMs : LIMITS.httpRequestTimeoutMs;
        expect(c.closedMs! - c.openedMs, `a slow-${c.kind} connection lived`).to.be.at.least(limitMs - CUT_SLACK_MS);
      }
    } finally {
      trickle.stop();
    }
  });
});
