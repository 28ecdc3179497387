// A resident's online payment end to end through the core's CustomerService, as the online
// business hall will drive it: a login code by SMS (read from the outbox), Login with password and
// code, the bills, PayOnline through the bank (simulator behind the real client), and the arrears
// gone; then a payment the bank's balance does not cover, which posts nothing.

import { expect } from 'chai';
import { BankSimulator, demoAccountOf } from '../../fixtures/simulators/bank-gateway.ts';
import { businessDate } from '../../src/clock.ts';
import { BankGatewayClient } from '../../src/soap/bank-gateway-client.ts';
import { queryArrears } from '../../src/usecases/query-arrears.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { addOnlineCustomer, lastCodeTo } from '../support/customer-access.ts';
import { addIssuedBill, countRows, expectLedgerBalanced } from '../support/payments.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { bodyOf, call, securityHeader, text } from './soap-client.ts';

const CS = 'urn:gridbill:customer:v1';
const PORTAL_PASSWORD = 'portal password 1';
const CUSTOMER = '3301000000721';
const PHONE = '13900000721';

function op(name: string, fields: ReadonlyArray<readonly [string, string]>): string {
  return `<c:${name} xmlns:c="${CS}">${fields.map(([k, v]) => `<c:${k}>${v}</c:${k}>`).join('')}</c:${name}>`;
}

describe('CustomerService: log in and pay online, end to end', function () {
  this.timeout(30_000);
  let core: TestCore;
  let sim: BankSimulator;
  let bank: BankGatewayClient;

  before(async () => {
    sim = await BankSimulator.start({ demoAccounts: true });
    bank = new BankGatewayClient({ url: sim.url, timeoutMs: 2_000 });
    core = await startTestCore(async (store, box) => {
      await addChannel(store, box, {
        code: 'portal', name: '网上营业厅', kind: 'portal', password: PORTAL_PASSWORD,
        operations: ['RequestLoginCode', 'Login', 'QueryBills', 'PayOnline', 'Logout'],
      }, 'test', new Date().toISOString());
      const customerId = await addOnlineCustomer(store, CUSTOMER, PHONE, new Date().toISOString());
      await addIssuedBill(store, { customerId, billNo: `202609${CUSTOMER}`, period: '2026-09', amountFen: 8_800, dueOn: '2099-12-31' });
      await addIssuedBill(store, { customerId, billNo: `202610${CUSTOMER}`, period: '2026-10', amountFen: 9_900, dueOn: '2099-12-31' });
    }, { bank });
  });

  after(async () => {
    await core?.stop();
    bank?.close();
    await sim?.stop();
  });

  const send = (body: string, action: string) => call(core.endpoint('CustomerService'), body, {
    header: securityHeader('portal', PORTAL_PASSWORD), action: `"urn:gridbill:customer:v1#${action}"`,
  });

  async function logIn(): Promise<string> {
    const asked = await send(op('RequestLoginCode', [['customerNo', CUSTOMER]]), 'RequestLoginCode');
    expect(asked.status, asked.text).to.equal(200);
    const code = await lastCodeTo(core.store, PHONE);
    const login = await send(op('Login', [['customerNo', CUSTOMER], ['password', 'secret2026pw'], ['smsCode', code]]), 'Login');
    expect(login.status, login.text).to.equal(200);
    return text(bodyOf(login, '1.1'), 'sessionToken', CS)!;
  }

  let session: string;

  it('pays the chosen bill through the bank, and the arrears drop by exactly that bill', async () => {
    session = await logIn();
    const account = demoAccountOf(CUSTOMER);
    const before = sim.balanceOf(account)!;
    const paid = await send(op('PayOnline', [
      ['sessionToken', session], ['requestId', 'WEB-1'], ['billNo', `202609${CUSTOMER}`], ['bankAccount', account], ['amount', '88.00'],
    ]), 'PayOnline');
    expect(paid.status, paid.text).to.equal(200);
    const answer = bodyOf(paid, '1.1');
    expect(text(answer, 'outcome', CS)).to.equal('SUCCESS');
    expect(text(answer, 'totalDue', CS)).to.equal('99.00');
    expect(text(answer, 'bankAccount', CS)).to.not.include(account.slice(4, 12)); // masked
    expect(sim.balanceOf(account)).to.equal(before - 8_800);
    const arrears = await queryArrears(core.store, { customerNo: CUSTOMER, asOfDate: businessDate() });
    expect(arrears.receivables.map((r) => r.billNo)).to.deep.equal([`202610${CUSTOMER}`]);
    // The same request again (a browser retry) neither debits nor posts a second time.
    const again = await send(op('PayOnline', [
      ['sessionToken', session], ['requestId', 'WEB-1'], ['billNo', `202609${CUSTOMER}`], ['bankAccount', account], ['amount', '88.00'],
    ]), 'PayOnline');
    expect(text(bodyOf(again, '1.1'), 'outcome', CS)).to.equal('SUCCESS');
    expect(sim.balanceOf(account)).to.equal(before - 8_800);
    await expectLedgerBalanced(core.store);
  });

  it('posts nothing when the bank balance does not cover the bill, and says why', async () => {
    const account = demoAccountOf(CUSTOMER);
    sim.setBalance(account, 1_000);
    const payments = await countRows(core.store, 'payments');
    const refused = await send(op('PayOnline', [
      ['sessionToken', session], ['requestId', 'WEB-2'], ['billNo', `202610${CUSTOMER}`], ['bankAccount', account], ['amount', '99.00'],
    ]), 'PayOnline');
    expect(refused.status, refused.text).to.equal(200);
    const answer = bodyOf(refused, '1.1');
    expect(text(answer, 'outcome', CS)).to.equal('FAILED');
    expect(text(answer, 'failure', CS)).to.equal('INSUFFICIENT_BALANCE');
    expect(sim.balanceOf(account)).to.equal(1_000);
    expect(await countRows(core.store, 'payments')).to.equal(payments);
    await expectLedgerBalanced(core.store);
  });
});
