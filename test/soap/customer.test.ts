// CustomerService over real HTTP on loopback: the portal authenticates as a channel with
// WS-Security, the customer by the session token in the body. Every operation but PayOnline, with
// each of its faults. Time-based states (an expired code or session) are made by moving the stored
// expiry into the past: the core runs on the real clock.

import { expect } from 'chai';
import type { OpenStore } from '../../src/store/connect.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { addOnlineCustomer, lastCodeTo, PASSWORD } from '../support/customer-access.ts';
import { addIssuedBill } from '../support/payments.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { childrenOf, type XmlNode } from '../wsdl/xml-tree.ts';
import { bodyOf, call, faultOf, fieldsOf, securityHeader, text, type Reply, type Version } from './soap-client.ts';

const CS = 'urn:gridbill:customer:v1';
const CHANNEL_PASSWORD = 'portal channel secret 1';
const OPS = ['RequestLoginCode', 'Login', 'Logout', 'GetProfile', 'UpdateProfile', 'QueryConsumption', 'QueryBills', 'EstimateFee'];
const ALICE = { no: '3300000051001', phone: '13800000051' };
const BOB = { no: '3300000051002', phone: '13800000052' };
const CAROL = { no: '3300000051003', phone: '13800000053' };
const DAVE = { no: '3300000051004', phone: '13800000054' };

/** `<cs:Op>` with children in the given order; undefined values are left out. */
function op(name: string, fields: ReadonlyArray<readonly [string, string | undefined]> = []): string {
  const inner = fields.filter(([, v]) => v !== undefined).map(([k, v]) => `<cs:${k}>${v}</cs:${k}>`).join('');
  return `<cs:${name} xmlns:cs="${CS}">${inner}</cs:${name}>`;
}

describe('CustomerService over HTTP', function () {
  this.timeout(60_000);
  let core: TestCore;
  let store: OpenStore;
  let endpoint: string;

  before(async () => {
    core = await startTestCore(async (s, box) => {
      await addChannel(s, box, { code: 'portal', name: '网上营业厅', kind: 'internal', password: CHANNEL_PASSWORD, operations: OPS }, 'test', new Date().toISOString());
      const now = new Date().toISOString();
      for (const c of [ALICE, BOB, CAROL, DAVE]) await addOnlineCustomer(s, c.no, c.phone, now);
      const aliceId = (await s.db.selectFrom('customers').select('id').where('customer_no', '=', ALICE.no).executeTakeFirstOrThrow()).id;
      await addIssuedBill(s, { customerId: aliceId, billNo: `202609${ALICE.no}`, period: '2026-09', amountFen: 12_345, dueOn: '2099-12-31' });
    });
    store = core.store;
    endpoint = core.endpoint('CustomerService');
  });

  after(async () => core?.stop());

  function send(body: string, version: Version = '1.1'): Promise<Reply> {
    return call(endpoint, body, { version, header: securityHeader('portal', CHANNEL_PASSWORD) });
  }

  async function ok(body: string, version: Version = '1.1'): Promise<XmlNode> {
    const reply = await send(body, version);
    expect(reply.status, reply.text).to.equal(200);
    return bodyOf(reply, version);
  }

  async function fault(body: string, code: string, version: Version = '1.1'): Promise<void> {
    const reply = await send(body, version);
    expect(reply.status, reply.text).to.equal(500);
    const seen = faultOf(reply, version);
    expect(seen.detailCode, reply.text).to.equal(code);
    expect(seen.code).to.equal(version === '1.1' ? 'soap:Client' : 'soap:Sender');
  }

  /** Ages the customer's earlier codes past the resend throttle, so the test can log in again at once. */
  async function unthrottle(phone: string): Promise<void> {
    await store.db.updateTable('login_codes').set({ created_at: '2000-01-01T00:00:00.000Z' }).where('phone', '=', phone).execute();
  }

  async function logIn(customer: { no: string; phone: string }, password = PASSWORD): Promise<string> {
    await unthrottle(customer.phone);
    await ok(op('RequestLoginCode', [['customerNo', customer.no]]));
    const answer = await ok(op('Login', [['customerNo', customer.no], ['password', password], ['smsCode', await lastCodeTo(store, customer.phone)]]));
    return text(answer, 'sessionToken', CS)!;
  }

  it('RequestLoginCode answers the masked phone and the code\'s expiry; an unknown number the same without sentTo', async () => {
    const answer = await ok(op('RequestLoginCode', [['customerNo', ALICE.no]]));
    expect(answer.local).to.equal('RequestLoginCodeResponse');
    expect(fieldsOf(answer).map(([k]) => k)).to.deep.equal(['sentTo', 'expiresAt', 'resendAfterSeconds']);
    expect(text(answer, 'sentTo', CS)).to.equal('138****0051');
    expect(text(answer, 'expiresAt', CS)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    expect(text(answer, 'resendAfterSeconds', CS)).to.equal('60');
    const unknown = await ok(op('RequestLoginCode', [['customerNo', '3300000059999']]), '1.2');
    expect(fieldsOf(unknown).map(([k]) => k)).to.deep.equal(['expiresAt', 'resendAfterSeconds']);
  });

  it('Login opens a session with the code from the SMS outbox; the secrets never reach the log', async () => {
    const code = await lastCodeTo(store, ALICE.phone);
    const answer = await ok(op('Login', [['customerNo', ALICE.no], ['password', PASSWORD], ['smsCode', code]]), '1.2');
    expect(fieldsOf(answer).map(([k]) => k)).to.deep.equal(['sessionToken', 'expiresAt', 'customerNo', 'customerName']);
    expect(text(answer, 'customerName', CS)).to.equal('张*丰');
    const token = text(answer, 'sessionToken', CS)!;
    const log = core.logLines.join('\n');
    for (const secret of [token, PASSWORD, code]) expect(log).not.to.include(secret);
  });

  it('Login faults: wrong password or code LOGIN_FAILED, unknown customer LOGIN_FAILED, used code SMS_CODE_EXPIRED', async () => {
    await ok(op('RequestLoginCode', [['customerNo', BOB.no]]));
    const code = await lastCodeTo(store, BOB.phone);
    const wrong = code === '000000' ? '000001' : '000000';
    await fault(op('Login', [['customerNo', BOB.no], ['password', 'wrong2026pw'], ['smsCode', code]]), 'LOGIN_FAILED');
    await fault(op('Login', [['customerNo', BOB.no], ['password', PASSWORD], ['smsCode', wrong]]), 'LOGIN_FAILED', '1.2');
    await fault(op('Login', [['customerNo', '3300000059999'], ['password', PASSWORD], ['smsCode', code]]), 'LOGIN_FAILED');
    await ok(op('Login', [['customerNo', BOB.no], ['password', PASSWORD], ['smsCode', code]]));
    await fault(op('Login', [['customerNo', BOB.no], ['password', PASSWORD], ['smsCode', code]]), 'SMS_CODE_EXPIRED');
  });

  it('Login with an expired code is SMS_CODE_EXPIRED', async () => {
    await ok(op('RequestLoginCode', [['customerNo', CAROL.no]]));
    await store.db.updateTable('login_codes').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('phone', '=', CAROL.phone).execute();
    await fault(op('Login', [['customerNo', CAROL.no], ['password', PASSWORD], ['smsCode', await lastCodeTo(store, CAROL.phone)]]), 'SMS_CODE_EXPIRED');
  });

  it('too many failed logins lock the access: ACCOUNT_LOCKED, even for the right password and code', async () => {
    await unthrottle(CAROL.phone);
    await ok(op('RequestLoginCode', [['customerNo', CAROL.no]]));
    const code = await lastCodeTo(store, CAROL.phone);
    for (let i = 0; i < 4; i++) await fault(op('Login', [['customerNo', CAROL.no], ['password', `wrong${i}pass`], ['smsCode', code]]), 'LOGIN_FAILED');
    await fault(op('Login', [['customerNo', CAROL.no], ['password', 'wrong4pass'], ['smsCode', code]]), 'ACCOUNT_LOCKED');
    await fault(op('Login', [['customerNo', CAROL.no], ['password', PASSWORD], ['smsCode', code]]), 'ACCOUNT_LOCKED');
  });

  it('GetProfile answers the masked identity, contact details, account terms and money', async () => {
    const token = await logIn(DAVE);
    const answer = await ok(op('GetProfile', [['sessionToken', token]]));
    expect(fieldsOf(answer)).to.deep.equal([
      ['customerNo', DAVE.no], ['name', '张*丰'], ['address', '杭州市西湖区******'], ['phone', '138****0054'], ['category', 'residential'],
      ['voltage', 'below-1kv'], ['paymentMode', 'postpaid'], ['timeOfUse', 'false'], ['prepaidBalance', '0.00'], ['totalDue', '0.00'],
    ]);
  });

  it('UpdateProfile: email at once; a new phone by code (wrong code PHONE_CODE_INVALID, repeat SMS_TOO_SOON); the password', async () => {
    const token = await logIn(DAVE);
    const email = await ok(op('UpdateProfile', [['sessionToken', token], ['email', 'dave@example.cn']]));
    expect(fieldsOf(email)).to.deep.equal([['status', 'UPDATED'], ['phone', '138****0054'], ['email', 'dave@example.cn']]);
    const sent = await ok(op('UpdateProfile', [['sessionToken', token], ['newPhone', '13700000054']]));
    expect(text(sent, 'status', CS)).to.equal('CODE_SENT');
    await fault(op('UpdateProfile', [['sessionToken', token], ['newPhone', '13700000054']]), 'SMS_TOO_SOON');
    const code = await lastCodeTo(store, '13700000054');
    await fault(op('UpdateProfile', [['sessionToken', token], ['newPhone', '13700000054'], ['phoneCode', code === '000000' ? '000001' : '000000']]), 'PHONE_CODE_INVALID');
    await fault(op('UpdateProfile', [['sessionToken', token], ['phoneCode', code]]), 'VALIDATION_FAILED');
    const done = await ok(op('UpdateProfile', [['sessionToken', token], ['newPhone', '13700000054'], ['phoneCode', code]]), '1.2');
    expect(fieldsOf(done)).to.deep.equal([['status', 'UPDATED'], ['phone', '137****0054'], ['email', 'dave@example.cn']]);
    await fault(op('UpdateProfile', [['sessionToken', token], ['currentPassword', 'wrong2026pw'], ['newPassword', 'newer2026pw']]), 'PASSWORD_WRONG');
    await fault(op('UpdateProfile', [['sessionToken', token], ['currentPassword', PASSWORD], ['newPassword', 'lettersonly']]), 'PASSWORD_POLICY');
    expect(text(await ok(op('UpdateProfile', [['sessionToken', token], ['currentPassword', PASSWORD], ['newPassword', 'newer2026pw']])), 'status', CS)).to.equal('UPDATED');
  });

  it('QueryConsumption by month, and RANGE_INVALID for a reversed range', async () => {
    const token = await logIn(ALICE);
    const answer = await ok(op('QueryConsumption', [['sessionToken', token], ['granularity', 'MONTHLY'], ['from', '2026-01-01'], ['to', '2026-12-31']]));
    const months = childrenOf(answer, CS, 'month');
    expect(months.map(fieldsOf)).to.deep.equal([[['period', '2026-09'], ['kwh', '100'], ['amount', '123.45']]]);
    expect(text(answer, 'totalKwh', CS)).to.equal('100');
    const daily = await ok(op('QueryConsumption', [['sessionToken', token], ['granularity', 'DAILY'], ['from', '2026-10-01'], ['to', '2026-10-31']]));
    expect(fieldsOf(daily)).to.deep.equal([['totalKwh', '0']]);
    await fault(op('QueryConsumption', [['sessionToken', token], ['granularity', 'DAILY'], ['from', '2026-10-02'], ['to', '2026-10-01']]), 'RANGE_INVALID');
    await fault(op('QueryConsumption', [['sessionToken', token], ['granularity', 'HOURLY'], ['from', '2026-10-01'], ['to', '2026-10-01']]), 'VALIDATION_FAILED');
  });

  it('QueryBills answers each bill in schema order with decimal amounts, and the total due', async () => {
    const token = await logIn(ALICE);
    const answer = await ok(op('QueryBills', [['sessionToken', token], ['fromPeriod', '2026-01'], ['toPeriod', '2026-12'], ['unpaidOnly', 'true'], ['withLines', 'true']]));
    const [bill] = childrenOf(answer, CS, 'bill');
    expect(fieldsOf(bill!)).to.deep.equal([
      ['billNo', `202609${ALICE.no}`], ['period', '2026-09'], ['energyKwh', '100'], ['amount', '123.45'], ['lateFee', '0.00'], ['amountDue', '123.45'],
      ['issuedOn', '2099-12-31'], ['dueDate', '2099-12-31'], ['paid', 'false'],
    ]);
    expect(text(answer, 'totalDue', CS)).to.equal('123.45');
    await fault(op('QueryBills', [['sessionToken', token], ['fromPeriod', '2026-12'], ['toPeriod', '2026-01']]), 'RANGE_INVALID');
  });

  it('EstimateFee prices a kWh figure with the ladder tier; without history and kWh it is ESTIMATE_UNAVAILABLE', async () => {
    const token = await logIn(ALICE);
    const answer = await ok(op('EstimateFee', [['sessionToken', token], ['period', '2026-10'], ['kwh', '200']]));
    expect(fieldsOf(answer)).to.deep.equal([
      ['period', '2026-10'], ['basis', 'GIVEN'], ['kwh', '200'], ['amount', '107.60'], ['tier', '1'], ['kwhLeftInTier', '2460'], ['line', '…'],
    ]);
    expect(fieldsOf(childrenOf(answer, CS, 'line')[0]!)).to.deep.equal([
      ['kind', 'energy'], ['code', 'energy.tier1'], ['label', '第一档电量电费'], ['quantity', '200'], ['unit', 'kWh'], ['rate', '0.538000'], ['amount', '107.60'],
    ]);
    const bob = await logIn(BOB);
    await fault(op('EstimateFee', [['sessionToken', bob], ['period', '2026-10']]), 'ESTIMATE_UNAVAILABLE');
    await fault(op('EstimateFee', [['sessionToken', bob], ['period', '2026-10'], ['kwh', '1e3']]), 'VALIDATION_FAILED');
  });

  it('Logout ends the session: afterwards, and for an expired or unknown token, every operation is SESSION_INVALID', async () => {
    const token = await logIn(ALICE);
    const answer = await ok(op('Logout', [['sessionToken', token]]));
    expect(text(answer, 'loggedOutAt', CS)).to.match(/\+08:00$/);
    await fault(op('GetProfile', [['sessionToken', token]]), 'SESSION_INVALID');
    await fault(op('Logout', [['sessionToken', token]]), 'SESSION_INVALID');
    const other = await logIn(ALICE);
    await store.db.updateTable('customer_sessions').set({ expires_at: '2000-01-01T00:00:00.000Z' }).execute();
    await fault(op('QueryBills', [['sessionToken', other], ['fromPeriod', '2026-01'], ['toPeriod', '2026-12']]), 'SESSION_INVALID');
    await fault(op('EstimateFee', [['sessionToken', 'A'.repeat(43)], ['period', '2026-10'], ['kwh', '1']]), 'SESSION_INVALID', '1.2');
  });
});
