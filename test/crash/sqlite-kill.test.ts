// Crash safety on SQLite (issue 8): a real core (`gridbill serve core`) is killed with SIGKILL at
// random moments while many connections send Pay requests and retry them with the same
// transaction id, and is restarted on the same database and port each time. Afterwards:
// the checks of test/support/storm-checks.ts (each acknowledged payment exactly once, the others
// absent or answered consistently, ledger, audit records and allocations, `gridbill audit verify`),
// and here also receivable and prepaid balances that agree with the allocations.
// The seed of the kill points and the payments is printed; CRASH_SEED=<n> repeats a run.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { businessDate } from '../../src/clock.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { openStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { PayStorm, seededRandom, type Channel } from '../support/pay-storm.ts';
import { checkAnswers, checkAuditChain, checkStore } from '../support/storm-checks.ts';
import { addCustomer, addIssuedBill } from '../support/payments.ts';
import { freePort, startServe, type ServeProcess } from '../support/serve-process.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';

const CHANNEL: Channel = { code: 'crash-bank', password: 'crash-bank-secret-1' };
const CONNECTIONS = 24;
const CUSTOMERS = 12;
const KILLS = 3;
const IMPATIENT_SHARE = 0.25;
const STORM_MS_MAX = 75_000;

async function prepareDatabase(path: string, key: Buffer): Promise<string[]> {
  const store = await openStore(`sqlite:${path}`);
  try {
    await migrateToLatest(store.db, store.dialect);
    await importFixtureTariffs(store);
    const customerNos: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const customerNo = `33019000${String(i).padStart(4, '0')}`;
      const customerId = await addCustomer(store, customerNo);
      // Overdue bills (late fees settled first), a current one, and then the prepaid balance.
      await addIssuedBill(store, { customerId, billNo: `K${customerNo}A`, period: '2026-08', dueOn: '2026-09-15', amountFen: 12_345 + i });
      await addIssuedBill(store, { customerId, billNo: `K${customerNo}B`, period: '2026-09', dueOn: '2026-10-15', amountFen: 23_456 });
      await addIssuedBill(store, { customerId, billNo: `K${customerNo}C`, period: '2026-10', dueOn: '2099-12-31', amountFen: 34_567 });
      customerNos.push(customerNo);
    }
    await addChannel(store, secretBox(key), {
      code: CHANNEL.code, name: 'crash bank', kind: 'bank', password: CHANNEL.password, operations: ['Pay', 'QueryTransaction'],
    }, 'test', new Date().toISOString());
    return customerNos;
  } finally {
    await store.close();
  }
}

describe('crash safety: kill -9 of a SQLite core during a Pay storm', function () {
  this.timeout(120_000);
  const seed = Number(process.env.CRASH_SEED ?? randomBytes(4).readUInt32BE(0));
  let dir: string;
  let core: ServeProcess | undefined;

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-crash-')); });
  afterEach(async () => {
    if (core) await core.kill('SIGKILL');
    core = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it(`every acknowledged payment exists once, the others are absent or answered consistently (seed ${seed})`, async () => {
    const random = seededRandom(seed);
    const key = randomBytes(32);
    const path = join(dir, 'gridbill.db');
    const customerNos = await prepareDatabase(path, key);
    const port = await freePort();
    const env = { GRIDBILL_DB: `sqlite:${path}`, GRIDBILL_SECRET_KEY: key.toString('base64'), GRIDBILL_HOST: '127.0.0.1', GRIDBILL_CORE_PORT: String(port) };
    core = await startServe('core', env);
    const storm = new PayStorm({
      url: core.url, channel: CHANNEL, connections: CONNECTIONS, customerNos, accountingDate: businessDate(), random,
      impatientShare: IMPATIENT_SHARE, deadlineMs: Date.now() + STORM_MS_MAX,
    });
    const killedAfter: number[] = [];
    for (let round = 0; round < KILLS; round++) {
      // A random moment mid-storm: 0–20 ms after 20 to 200 more acknowledgements, every connection busy.
      await storm.acknowledgedAtLeast(storm.acknowledged + 20 + Math.floor(random() * 180));
      await new Promise((resolve) => setTimeout(resolve, random() * 20));
      killedAfter.push(storm.acknowledged);
      expect(await core.kill('SIGKILL')).to.equal('SIGKILL');
      core = await startServe('core', env);
    }
    await storm.acknowledgedAtLeast(storm.acknowledged + 50);
    await storm.finish();

    const { payments } = storm;
    const summary = `seed ${seed}: ${payments.length} payments, killed after ${killedAfter.join('/')} acknowledgements, `
      + `${payments.filter((p) => p.connectionFailures > 0 && p.answer !== undefined).length} acknowledged after a failed attempt, `
      + `${payments.filter((p) => p.gaveUp).length} given up`;
    expect(payments.filter((p) => p.fault !== undefined).map((p) => `${p.txnId}: ${p.fault}`), summary).to.deep.equal([]);
    expect(payments.filter((p) => p.patient && p.answer === undefined).map((p) => p.txnId), `${summary}: patient payments unanswered`).to.deep.equal([]);
    expect(payments.some((p) => p.connectionFailures > 0), `${summary}: no request was cut by a kill`).to.equal(true);

    if (process.env.CRASH_VERBOSE) process.stdout.write(`${summary}\n`);
    await checkAnswers(core.url, CHANNEL, payments, Boolean(process.env.CRASH_VERBOSE));
    expect(await core.kill('SIGTERM'), core.stderr()).to.equal(0);
    core = undefined;
    const store = await openStore(`sqlite:${path}`);
    try {
      await checkStore(store, CHANNEL.code, payments, true);
    } finally {
      await store.close();
    }
    await checkAuditChain(`sqlite:${path}`);
  });
});
