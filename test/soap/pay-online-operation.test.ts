// CustomerService.PayOnline over real HTTP on SOAP 1.1 and 1.2: the operation handler served by the
// project's SOAP endpoint (WS-Security from a registered portal channel), the bank simulator
// behind the real client. The customer comes from the session, never from the body; answers are
// in schema order with the account masked; wrong requests and an unreachable bank are faults.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { BankSimulator } from '../../fixtures/simulators/bank-gateway.ts';
import { GridbillError } from '../../src/errors.ts';
import { startHttpServer, type RunningServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { BankGatewayClient } from '../../src/soap/bank-gateway-client.ts';
import { ChannelAuthenticator, CredentialCache } from '../../src/soap/channel-auth.ts';
import { payOnlineOperation } from '../../src/soap/pay-online-operation.ts';
import { loadServiceContract } from '../../src/soap/service-contract.ts';
import { soapEndpoint } from '../../src/soap/soap-endpoint.ts';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { addChannel, enabledCredentials } from '../../src/usecases/manage-channels.ts';
import { ensureOnlineBankingChannel } from '../../src/usecases/pay-online.ts';
import { addCustomer, addIssuedBill } from '../support/payments.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { bodyOf, call, faultOf, fieldsOf, securityHeader, type Version } from './soap-client.ts';

const CS = 'urn:gridbill:customer:v1';
const PASSWORD = 'portal secret 123';
const TOKEN = 'a'.repeat(40);
const CUSTOMER: Record<Version, string> = { '1.1': '3301000000311', '1.2': '3301000000312' };
const accountOf = (customerNo: string) => `6222${customerNo.padStart(15, '0')}`;

function payOnlineBody(fields: Record<string, string | readonly string[]>): string {
  const inner = Object.entries(fields).flatMap(([k, v]) => (typeof v === 'string' ? [v] : v).map((x) => `<c:${k}>${x}</c:${k}>`)).join('');
  return `<c:PayOnline xmlns:c="${CS}">${inner}</c:PayOnline>`;
}

describe('CustomerService.PayOnline over HTTP', function () {
  this.timeout(30_000);
  let dir: string;
  let store: OpenStore;
  let sim: BankSimulator;
  let bank: BankGatewayClient;
  let server: RunningServer;
  const logLines: string[] = [];
  let sessionCustomer = CUSTOMER['1.1'];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-payonline-'));
    store = await openStore(`sqlite:${join(dir, 'test.db')}`);
    await migrateToLatest(store.db, store.dialect);
    await importFixtureTariffs(store);
    const box = secretBox(randomBytes(32));
    await addChannel(store, box, { code: 'portal', name: 'Portal', kind: 'internal', password: PASSWORD, operations: ['PayOnline'] }, 'test', new Date().toISOString());
    await ensureOnlineBankingChannel(store, (plain) => box.seal(plain), new Date().toISOString());
    for (const customerNo of Object.values(CUSTOMER)) {
      const customerId = await addCustomer(store, customerNo);
      // Due in the future whatever today is: no late fee, the amount due is the bill's.
      await addIssuedBill(store, { customerId, billNo: `202610${customerNo}`, period: '2026-10', amountFen: 12_345, dueOn: '2099-12-31' });
    }
    sim = await BankSimulator.start({ demoAccounts: true });
    bank = new BankGatewayClient({ url: sim.url, timeoutMs: 2_000 });
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const logger = createLogger({ level: 'debug', role: 'core', stream });
    const resolveSession = async (token: string) => {
      if (token !== TOKEN) throw new GridbillError('AUTH_FAILED', 'unknown session');
      return { customerId: 0, customerNo: sessionCustomer };
    };
    const port = { contract: await loadServiceContract('CustomerService'), operations: { PayOnline: payOnlineOperation(store, bank, resolveSession) } };
    const auth = new ChannelAuthenticator(new CredentialCache(() => enabledCredentials(store, box), 1_000));
    server = await startHttpServer({ name: 'core', host: '127.0.0.1', port: 0, handler: soapEndpoint({ port, auth, logger }), logger });
  });

  after(async () => {
    await server?.stop();
    bank?.close();
    await sim?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const version of ['1.1', '1.2'] as const) {
    it(`SOAP ${version}: pays the session's bill, answers in schema order with the account masked, and the same request again identically`, async () => {
      const customerNo = CUSTOMER[version];
      sessionCustomer = customerNo;
      const send = () => call(`${server.url}/soap/CustomerService`, payOnlineBody({
        sessionToken: TOKEN, requestId: `PO-${version.replace('.', '')}`, billNo: [`202610${customerNo}`], bankAccount: accountOf(customerNo), amount: '123.45',
      }), { version, header: securityHeader('portal', PASSWORD) });
      const reply = await send();
      expect(reply.status, reply.text).to.equal(200);
      const answer = bodyOf(reply, version);
      expect(answer.local).to.equal('PayOnlineResponse');
      const fields = fieldsOf(answer);
      expect(fields.map(([name]) => name)).to.deep.equal(['requestId', 'outcome', 'platformTxnId', 'amount', 'bankAccount', 'totalDue']);
      expect(Object.fromEntries(fields)).to.include({ outcome: 'SUCCESS', amount: '123.45', bankAccount: `6222***********${customerNo.slice(-4)}`, totalDue: '0.00' });
      expect(fieldsOf(bodyOf(await send(), version))).to.deep.equal(fields);
      expect(logLines.join('\n')).to.not.include(accountOf(customerNo));
    });
  }

  it('refuses a bill of another customer than the session\'s, before asking the bank', async () => {
    sessionCustomer = CUSTOMER['1.1'];
    const calls = sim.calls.length;
    const reply = await call(`${server.url}/soap/CustomerService`, payOnlineBody({
      sessionToken: TOKEN, requestId: 'PO-OTHER', billNo: [`202610${CUSTOMER['1.2']}`], bankAccount: '6222000000000000010', amount: '123.45',
    }), { header: securityHeader('portal', PASSWORD) });
    expect(faultOf(reply, '1.1')).to.include({ code: 'soap:Client', detailCode: 'BILL_NOT_PAYABLE' });
    expect(sim.calls.length).to.equal(calls);
  });

  it('faults a wrong amount, a malformed amount, an unknown session and an unreachable bank', async () => {
    sessionCustomer = CUSTOMER['1.2'];
    const customerNo = CUSTOMER['1.2'];
    await addIssuedBill(store, { customerId: await idOf(customerNo), billNo: `202611${customerNo}`, period: '2026-11', amountFen: 500, dueOn: '2099-12-31' });
    const send = (fields: Record<string, string | readonly string[]>) => call(`${server.url}/soap/CustomerService`, payOnlineBody({
      sessionToken: TOKEN, requestId: 'PO-F', billNo: [`202611${customerNo}`], bankAccount: accountOf(customerNo), amount: '5.00', ...fields,
    }), { header: securityHeader('portal', PASSWORD) });
    expect(faultOf(await send({ amount: '5.01' }), '1.1')).to.include({ code: 'soap:Client', detailCode: 'PAYMENT_AMOUNT_MISMATCH' });
    expect(faultOf(await send({ amount: '5.001' }), '1.1')).to.include({ detailCode: 'VALIDATION_FAILED' });
    expect(faultOf(await send({ sessionToken: 'b'.repeat(40) }), '1.1')).to.include({ detailCode: 'AUTH_FAILED' });
    sim.misbehave('CheckBalance', { kind: 'fault' });
    expect(faultOf(await send({}), '1.1')).to.include({ code: 'soap:Server', detailCode: 'BANK_UNAVAILABLE' });
    const reply = await send({});
    expect(Object.fromEntries(fieldsOf(bodyOf(reply, '1.1')))).to.include({ outcome: 'SUCCESS', amount: '5.00' });
  });

  it('answers FAILED INSUFFICIENT_BALANCE from a poor demo account', async () => {
    const customerNo = '3301000000320'; // ends in 0: the simulator's demo account holds 10.00 yuan
    const customerId = await addCustomer(store, customerNo);
    await addIssuedBill(store, { customerId, billNo: `202610${customerNo}`, period: '2026-10', amountFen: 12_345, dueOn: '2099-12-31' });
    sessionCustomer = customerNo;
    const reply = await call(`${server.url}/soap/CustomerService`, payOnlineBody({
      sessionToken: TOKEN, requestId: 'PO-POOR', billNo: [`202610${customerNo}`], bankAccount: accountOf(customerNo), amount: '123.45',
    }), { header: securityHeader('portal', PASSWORD) });
    const fields = fieldsOf(bodyOf(reply, '1.1'));
    expect(fields.map(([name]) => name)).to.deep.equal(['requestId', 'outcome', 'failure', 'amount', 'bankAccount', 'totalDue']);
    expect(Object.fromEntries(fields)).to.include({ outcome: 'FAILED', failure: 'INSUFFICIENT_BALANCE', totalDue: '123.45' });
  });

  async function idOf(customerNo: string): Promise<number> {
    return (await store.db.selectFrom('customers').select('id').where('customer_no', '=', customerNo).executeTakeFirstOrThrow()).id;
  }
});
