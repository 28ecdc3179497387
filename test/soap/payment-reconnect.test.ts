// A payment reconnects a disconnected smart-payment customer, over HTTP: the Pay answer neither
// waits for the head-end nor fails when it is down; the reconnect is sent at once after it, and
// one the head-end did not take is sent by the scheduler's jobs. PayOnline's SUCCESS does the same.
// Also: a channel whose sealed secret cannot be opened locks nobody else out, and the core's
// close() writes the last channel counts.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { BankSimulator } from '../../fixtures/simulators/bank-gateway.ts';
import { HeadEndSimulator } from '../../fixtures/simulators/head-end.ts';
import { startHttpServer, type RunningServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { BankGatewayClient } from '../../src/soap/bank-gateway-client.ts';
import { coreApp, type CoreHandler } from '../../src/soap/core-app.ts';
import { MeterControlClient } from '../../src/soap/meter-control-client.ts';
import { payOnlineOperation } from '../../src/soap/pay-online-operation.ts';
import { loadServiceContract } from '../../src/soap/service-contract.ts';
import { Args } from '../../src/soap/service-contract.ts';
import { insertChannel } from '../../src/store/channel.repository.ts';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { insertControlCommand } from '../../src/store/control.repository.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { registerCustomer } from '../../src/usecases/register-customer.ts';
import { Scheduler } from '../../src/usecases/scheduler.ts';
import { scheduledJobs } from '../../src/usecases/scheduled-jobs.ts';
import { parseXml } from '../../src/soap/soap-xml.ts';
import { businessDate } from '../../src/clock.ts';
import { ensureOnlineBankingChannel } from '../../src/usecases/pay-online.ts';
import { addIssuedBill } from '../support/payments.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { bodyOf, call, CP, fieldsOf, securityHeader } from './soap-client.ts';

const PASSWORD = 'pay-bank-secret-1';
const NOW = new Date('2026-11-12T12:00:00.000Z');

async function smartCustomer(store: OpenStore, no: string): Promise<number> {
  return registerCustomer(store, {
    customerNo: no, name: '赵六', category: 'residential', voltage: 'below-1kv', address: '杭州市上城区2号', phone: '13900007201', idNumber: null,
    creditCode: null, households: 1, tariffCode: 'zj-residential-ladder', timeOfUse: false, paymentMode: 'smart-prepaid', ladderYearStartMonth: 1,
    capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null,
    meters: [{ meterNo: `M${no}`, ctRatio: 1, ptRatio: 1, installedOn: '2020-01-01', registers: [{ kind: 'total', digits: 6, rolloverAllowed: true, readings: [] }] }],
  }, NOW.toISOString());
}

async function disconnect(store: OpenStore, customerId: number, head: HeadEndSimulator, meterNo: string): Promise<void> {
  const meter = await store.db.selectFrom('meters').select('id').where('customer_id', '=', customerId).executeTakeFirstOrThrow();
  await insertControlCommand(store, {
    command_id: `DT${customerId}`, customer_id: customerId, meter_id: Number(meter.id), kind: 'DISCONNECT', status: 'DONE', reason: '欠费停电',
    created_at: '2026-11-10T02:00:00.000Z', approved_by: 'clerk.li', approved_at: '2026-11-10T01:00:00.000Z', sent_at: '2026-11-10T02:00:00.000Z',
    completed_at: '2026-11-10T02:00:00.000Z', last_error: null,
  });
  head.addMeter(meterNo, 'DISCONNECTED');
}

async function commandsOf(store: OpenStore, customerId: number) {
  return store.db.selectFrom('control_commands').select(['kind', 'status', 'attempts']).where('customer_id', '=', customerId).orderBy('id').execute();
}

describe('payments reconnect disconnected smart-payment customers', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'gridbill-reconnect-'));
  const box = secretBox(randomBytes(32));
  const logLines: string[] = [];
  let store: OpenStore;
  let head: HeadEndSimulator;
  let control: MeterControlClient;
  let core: CoreHandler;
  let server: RunningServer;
  const ids = { dropped: 0, served: 0, postpaid: 0 };
  const pay = (txnId: string, customerNo: string, amount: string) => call(`${server.url}/soap/ChannelPaymentService`,
    `<cp:Pay xmlns:cp="${CP}"><cp:channelTxnId>${txnId}</cp:channelTxnId><cp:customerNo>${customerNo}</cp:customerNo><cp:amount>${amount}</cp:amount><cp:accountingDate>${businessDate()}</cp:accountingDate></cp:Pay>`,
    { version: '1.1', header: securityHeader('pay-bank', PASSWORD), action: `"${CP}#Pay"` });

  before(async () => {
    store = await openStore(`sqlite:${join(dir, 'test.db')}`);
    await migrateToLatest(store.db, store.dialect);
    await importFixtureTariffs(store);
    await addChannel(store, box, { code: 'pay-bank', name: '交费银行', kind: 'bank', password: PASSWORD, operations: ['Pay'] }, 'test', NOW.toISOString());
    // A platform channel with a placeholder secret, enabled by mistake.
    await insertChannel(store, { code: 'smart-settlement', name: '结算', kind: 'internal', secret_enc: 'unused:placeholder', operations: '[]', enabled: 1, created_at: NOW.toISOString(), updated_at: NOW.toISOString() });
    head = await HeadEndSimulator.start();
    control = new MeterControlClient({ url: head.url, timeoutMs: 500 });
    ids.dropped = await smartCustomer(store, '3300000007201');
    ids.served = await smartCustomer(store, '3300000007202');
    ids.postpaid = await smartCustomer(store, '3300000007203');
    await disconnect(store, ids.dropped, head, 'M3300000007201');
    await disconnect(store, ids.served, head, 'M3300000007202');
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const logger = createLogger({ level: 'info', role: 'core', stream });
    core = await coreApp({ checks: {}, store, secrets: () => box, logger, credentialsTtlMs: 0, meterControl: control });
    server = await startHttpServer({ name: 'core', host: '127.0.0.1', port: 0, handler: core, logger });
  });

  after(async () => {
    await server?.stop();
    await core?.close();
    control?.close();
    await head?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the payment without waiting for the head-end, then reconnects at once; a head-end that did not answer is retried by the scheduler', async () => {
    // Down for two sends: its own, and the retry when the next payment's reconnect goes out.
    head.misbehave('Reconnect', { kind: 'drop' }, 2);
    const first = await pay('RC-1', '3300000007201', '50.00');
    expect(first.status, first.text).to.equal(200);
    // The head-end holds the reconnect for 500 ms: the answer came first.
    expect((await commandsOf(store, ids.dropped)).some((c) => c.kind === 'RECONNECT' && c.status === 'DONE')).to.equal(false);
    const second = await pay('RC-2', '3300000007202', '50.00');
    expect(fieldsOf(bodyOf(second, '1.1')).find(([n]) => n === 'prepaidBalance')).to.deep.equal(['prepaidBalance', '50.00']);
    const third = await pay('RC-3', '3300000007203', '10.00');
    expect(third.status).to.equal(200);
    await core.close(); // waits for the queued reconnects (and flushes the counters)
    expect(await commandsOf(store, ids.served)).to.deep.equal([{ kind: 'DISCONNECT', status: 'DONE', attempts: 0 }, { kind: 'RECONNECT', status: 'DONE', attempts: 1 }]);
    expect(head.stateOf('M3300000007202')).to.equal('CONNECTED');
    expect(await commandsOf(store, ids.dropped)).to.deep.equal([{ kind: 'DISCONNECT', status: 'DONE', attempts: 0 }, { kind: 'RECONNECT', status: 'APPROVED', attempts: 2 }]);
    expect(await commandsOf(store, ids.postpaid)).to.deep.equal([]);
    const sms = await store.db.selectFrom('sms_outbox').select('body').where('customer_id', '=', ids.served).execute();
    expect(sms.map((s) => s.body).join()).to.include('已为您恢复供电');
    const scheduler = new Scheduler({ store, jobs: scheduledJobs({ store, control }), logger: createLogger({ level: 'error', role: 'core', silent: true }), clock: () => NOW, holder: 'test' });
    expect((await scheduler.tick()).ran).to.include.members([`reminders@${Math.floor(NOW.getTime() / 60_000)}`]);
    expect(await commandsOf(store, ids.dropped)).to.deep.equal([{ kind: 'DISCONNECT', status: 'DONE', attempts: 0 }, { kind: 'RECONNECT', status: 'DONE', attempts: 3 }]);
    expect(head.stateOf('M3300000007201')).to.equal('CONNECTED');
    expect(head.executedCount()).to.equal(2);
  });

  it('left only the channel with the unreadable secret out, saying so once', () => {
    const warnings = logLines.filter((l) => l.includes('its secret cannot be opened'));
    expect(warnings).to.have.length(1);
    expect(JSON.parse(warnings[0]!)).to.include({ channel: 'smart-settlement', level: 'warn' });
  });

  it('wrote the channel counts of the last moments on close', async () => {
    const row = await store.db.selectFrom('channel_activity').selectAll().where('channel_code', '=', 'pay-bank').executeTakeFirstOrThrow();
    expect(Number(row.calls)).to.equal(3);
  });

  it('reconnects after a PayOnline SUCCESS only', async () => {
    const bankSim = await BankSimulator.start();
    const bank = new BankGatewayClient({ url: bankSim.url, timeoutMs: 500 });
    try {
      const customerId = await registerCustomer(store, {
        customerNo: '3300000007204', name: '钱七', category: 'residential', voltage: 'below-1kv', address: '杭州市上城区3号', phone: null, idNumber: null,
        creditCode: null, households: 1, tariffCode: 'zj-residential-ladder', timeOfUse: false, paymentMode: 'postpaid', ladderYearStartMonth: 1,
        capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null, meters: [],
      }, NOW.toISOString());
      await addIssuedBill(store, { customerId, billNo: '2026103300000007204', period: '2026-10', amountFen: 8_000, dueOn: '2026-11-20' });
      await ensureOnlineBankingChannel(store, (plain) => box.seal(plain), NOW.toISOString());
      const account = '6222000000003300007204';
      bankSim.setBalance(account, 5_000);
      const paid: string[] = [];
      const contract = await loadServiceContract('CustomerService');
      const operation = payOnlineOperation(store, bank, async () => ({ customerId, customerNo: '3300000007204' }), {}, (no) => paid.push(no));
      const request = (requestId: string) => Args.read(parseXml(`<c:PayOnline xmlns:c="urn:gridbill:customer:v1"><c:sessionToken>${'t'.repeat(32)}</c:sessionToken>`
        + `<c:requestId>${requestId}</c:requestId><c:billNo>2026103300000007204</c:billNo><c:bankAccount>${account}</c:bankAccount><c:amount>80.00</c:amount></c:PayOnline>`),
      contract.byRequestElement.get('PayOnline')!.request, 'urn:gridbill:customer:v1');
      const failed = await operation(request('PO-1'), { channel: 'portal', now: NOW.toISOString() });
      expect(failed.find(([n]) => n === 'outcome')).to.deep.equal(['outcome', 'FAILED']);
      expect(paid).to.deep.equal([]);
      bankSim.setBalance(account, 10_000);
      const success = await operation(request('PO-2'), { channel: 'portal', now: NOW.toISOString() });
      expect(success.find(([n]) => n === 'outcome')).to.deep.equal(['outcome', 'SUCCESS']);
      expect(paid).to.deep.equal(['3300000007204']);
    } finally {
      bank.close();
      await bankSim.stop();
    }
  });
});
