// A whole online business hall for tests: a core on a temporary SQLite store filled with demo
// customers (13 months of readings, billed and issued, as `serve all` does), the bank simulator
// behind the real bank client, the portal's channel registered, the core's development SMS outbox
// page, and the portal itself, on loopback ports. The portal's clock can be moved forward to
// expire its sessions.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { BankSimulator, demoAccountOf } from '../../fixtures/simulators/bank-gateway.ts';
import { tariffFixtureFiles } from '../../fixtures/tariffs/index.ts';
import { businessDate } from '../../src/clock.ts';
import { SERVICES } from '../../src/contract/operations.ts';
import { addMonths, monthOf } from '../../src/domain/dates.ts';
import { startHttpServer, type RunningServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { portalApp, type PortalApp } from '../../src/portal/portal-app.ts';
import { BankGatewayClient } from '../../src/soap/bank-gateway-client.ts';
import { coreApp } from '../../src/soap/core-app.ts';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { listOutbox } from '../../src/store/sms-outbox.repository.ts';
import { billHistory } from '../../src/usecases/bill-history.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/usecases/seed-demo.ts';

export const PORTAL_CHANNEL = 'portal';
const PORTAL_CHANNEL_PASSWORD = 'portal-test-password-1';
export { DEMO_PASSWORD };

export interface DemoResident {
  readonly customerNo: string;
  readonly phone: string;
  readonly bankAccount: string;
  readonly paymentMode: string;
}

export interface PortalFixture {
  readonly store: OpenStore;
  readonly sim: BankSimulator;
  readonly core: RunningServer;
  readonly portal: RunningServer;
  readonly portalUrl: string;
  readonly outboxUrl: string;
  /** Every log line of core and portal. */
  readonly logLines: string[];
  /** Moves the portal's clock forward (sessions expire; the core's clock is untouched). */
  advance(ms: number): void;
  /** Demo residents with online access, unpaid bills and a funded bank account (5,000 yuan). */
  residents(): Promise<DemoResident[]>;
  /** The 6-digit code of the newest message to a phone, read from the outbox as a tester does. */
  lastCode(phone: string): Promise<string>;
  stop(): Promise<void>;
}

async function seed(store: OpenStore): Promise<void> {
  const endMonth = addMonths(monthOf(businessDate()), -1);
  const now = new Date().toISOString();
  await seedDemo(store, generateDemo({ customers: 40, months: 13, seed: 7, endMonth }), now, { tariffFiles: tariffFixtureFiles() });
  await billHistory(store, { fromMonth: addMonths(endMonth, -11), toMonth: endMonth, now, actor: 'demo' });
}

export async function startPortalFixture(options: { readonly bankTimeoutMs?: number } = {}): Promise<PortalFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gridbill-portal-'));
  const store = await openStore(`sqlite:${join(dir, 'portal.db')}`);
  await migrateToLatest(store.db, store.dialect);
  await seed(store);
  const box = secretBox(randomBytes(32));
  await addChannel(store, box, {
    code: PORTAL_CHANNEL, name: '网上营业厅', kind: 'portal', password: PORTAL_CHANNEL_PASSWORD, operations: [...SERVICES.CustomerService],
  }, 'test', new Date().toISOString());
  const logLines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'info', role: 'test', stream });
  const sim = await BankSimulator.start({ demoAccounts: true });
  const bank = new BankGatewayClient({ url: sim.url, timeoutMs: options.bankTimeoutMs ?? 2_000, logger });
  const devSmsOutbox = async () => (await listOutbox(store, { limit: 50 })).map((r) => ({ createdAt: r.created_at, phone: r.phone, body: r.body }));
  const core = await startHttpServer({
    name: 'core', host: '127.0.0.1', port: 0, logger,
    handler: await coreApp({ checks: {}, store, secrets: () => box, logger, bank, credentialsTtlMs: 0, devSmsOutbox }),
  });
  let offsetMs = 0;
  const app: PortalApp = portalApp({
    upstreamUrl: `${core.url}/soap/CustomerService`, channel: PORTAL_CHANNEL, channelPassword: PORTAL_CHANNEL_PASSWORD,
    secureCookies: false, logger, dev: { smsOutboxUrl: `${core.url}/dev/sms-outbox` }, now: () => Date.now() + offsetMs,
  });
  const portal = await startHttpServer({ name: 'portal', host: '127.0.0.1', port: 0, handler: app.handler, logger });
  return {
    store, sim, core, portal, portalUrl: portal.url, outboxUrl: `${core.url}/dev/sms-outbox`, logLines,
    advance(ms) { offsetMs += ms; },
    async residents() {
      const rows = await store.db.selectFrom('customers').innerJoin('accounts', 'accounts.customer_id', 'customers.id')
        .select(['customers.customer_no', 'customers.phone', 'accounts.payment_mode']).where('customers.phone', 'is not', null)
        .orderBy('customers.customer_no').execute();
      return rows.map((r) => ({ customerNo: r.customer_no, phone: r.phone!, bankAccount: demoAccountOf(r.customer_no), paymentMode: r.payment_mode }));
    },
    async lastCode(phone) {
      const row = (await listOutbox(store, { phone, limit: 1 }))[0];
      const code = row === undefined ? undefined : /验证码为(\d{6})/.exec(row.body)?.[1];
      if (code === undefined) throw new Error(`no code sent to ${phone}`);
      return code;
    },
    async stop() {
      await portal.stop();
      app.close();
      await core.stop();
      bank.close();
      await sim.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
