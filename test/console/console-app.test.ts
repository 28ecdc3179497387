// The admin console over HTTP, in a core on loopback: login and sessions, the role matrix, CSRF,
// security headers, escaping, and each page's actions through to the audit log.

import { expect } from 'chai';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { verifyAuditChain } from '../../src/store/audit.repository.ts';
import { registerCustomer, type NewCustomerInput } from '../../src/usecases/register-customer.ts';
import { addStaffUser } from '../../src/usecases/staff-accounts.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { ConsoleClient } from './console-client.ts';
import { pendingDisconnect } from './console-fixtures.ts';

const NOW = '2026-11-01T02:00:00.000Z';
const PASSWORD = 'console2026';

async function auditOf(core: TestCore, actor: string): Promise<Array<{ action: string; subject: string }>> {
  return core.store.db.selectFrom('audit_log').select(['action', 'subject']).where('actor', '=', actor).orderBy('id').execute();
}

describe('admin console', function () {
  let core: TestCore;
  before(async () => {
    core = await startTestCore(async (store) => {
      for (const [username, role] of [['admin', 'administrator'], ['clerk', 'billing-clerk'], ['auditor', 'auditor'], ['operator', 'operator']] as const) {
        await addStaffUser(store, { username, role, password: PASSWORD }, 'test', NOW);
      }
      for (const [i, c] of [...generateDemo({ customers: 12, months: 4, seed: 3, endMonth: '2026-09' })].entries()) {
        await registerCustomer(store, i === 0 ? withoutSeptemberConsumption(c) : c, NOW);
      }
    });
  });
  after(async () => core.stop());

  const client = () => new ConsoleClient(core.server.url);
  async function as(user: string): Promise<ConsoleClient> {
    const c = client();
    const answer = await c.login(user, PASSWORD);
    expect(answer.status, answer.text).to.equal(303);
    return c;
  }

  describe('login and sessions', () => {
    it('sends a visitor without a session to the login page, and refuses a post with 401', async () => {
      const c = client();
      const page = await c.get('/console/billing');
      expect(page.status).to.equal(303);
      expect(page.headers.get('location')).to.equal('/console/login');
      const post = await c.post('/console/billing/run', { period: '2026-09' });
      expect(post.status).to.equal(401);
      expect(post.text).to.include('STAFF_SESSION_INVALID');
    });

    it('logs in with an HttpOnly SameSite=Strict session cookie scoped to /console, and shows the user', async () => {
      const c = client();
      await c.csrf('/console/login');
      const answer = await c.post('/console/login', { username: 'clerk', password: PASSWORD }, { csrf: c.cookies.get('gb_console_login')! });
      expect(answer.status).to.equal(303);
      const cookie = answer.headers.getSetCookie().find((l) => l.startsWith('gb_console='))!;
      expect(cookie).to.match(/HttpOnly/).and.match(/SameSite=Strict/).and.match(/Path=\/console/);
      const home = await c.get('/console/');
      expect(home.status).to.equal(200);
      expect(home.text).to.include('核算员');
      expect(home.headers.get('content-security-policy')).to.include("script-src 'self'").and.not.include('unsafe-inline');
      expect(home.headers.get('x-frame-options')).to.equal('DENY');
    });

    it('refuses a wrong password and a login form without its login cookie token', async () => {
      const c = client();
      const wrong = await c.login('clerk', 'wrong-password1');
      expect(wrong.status).to.equal(401);
      expect(wrong.text).to.include('用户名或密码错误');
      const forged = await client().post('/console/login', { username: 'clerk', password: PASSWORD, csrf: 'made-up' });
      expect(forged.status).to.equal(403);
      expect(forged.text).to.include('did not come from the console');
    });

    it('locks an account after repeated failures, even for the right password', async () => {
      await addStaffUser(core.store, { username: 'victim', role: 'auditor', password: PASSWORD }, 'test', NOW);
      const c = client();
      for (let i = 0; i < 5; i += 1) await c.login('victim', `wrong-pass${i}`);
      const locked = await c.login('victim', PASSWORD);
      expect(locked.status).to.equal(401);
      expect(locked.text).to.include('锁定');
      expect((await auditOf(core, 'victim')).map((r) => r.action)).to.include('console-login-failed');
    });

    it('ends the session at logout: the cookie no longer opens a page', async () => {
      const c = await as('auditor');
      const stolen = c.cookies.get('gb_console')!;
      const out = await c.post('/console/logout', {}, { csrf: true });
      expect(out.status).to.equal(303);
      const replay = new ConsoleClient(core.server.url);
      replay.cookies.set('gb_console', stolen);
      expect((await replay.get('/console/')).headers.get('location')).to.equal('/console/login');
    });

    it('switches to English and back', async () => {
      const c = await as('clerk');
      await c.get('/console/lang/en?back=/console/billing');
      expect((await c.get('/console/billing')).text).to.include('Start a bill run');
      const evil = await c.get('/console/lang/zh?back=//evil.example/');
      expect(evil.headers.get('location')).to.equal('/console/');
    });
  });

  describe('role matrix and CSRF', () => {
    it('refuses a clerk the staff page and an administrator action with a 403 page, and audits the attempt', async () => {
      const c = await as('clerk');
      const page = await c.get('/console/staff');
      expect(page.status).to.equal(403);
      expect(page.text).to.include('STAFF_FORBIDDEN');
      const post = await c.post('/console/staff', { username: 'mallory', role: 'administrator', password: 'mallory2026' }, { csrf: true });
      expect(post.status).to.equal(403);
      expect(await core.store.db.selectFrom('staff_users').select('id').where('username', '=', 'mallory').executeTakeFirst()).to.equal(undefined);
      expect((await auditOf(core, 'clerk')).some((r) => r.action === 'console-refused' && r.subject === '/console/staff')).to.equal(true);
      expect((await c.get('/console/')).text).to.not.include('/console/staff"');
    });

    it('refuses a post without the CSRF token, or with another session\'s', async () => {
      const c = await as('clerk');
      const bare = await c.post('/console/billing/run', { period: '2026-09' });
      expect(bare.status).to.equal(403);
      expect(bare.text).to.include('CONSOLE_CSRF_INVALID');
      const other = await as('clerk');
      const foreign = await c.post('/console/billing/run', { period: '2026-09' }, { csrf: await other.csrf('/console/') });
      expect(foreign.status).to.equal(403);
      expect(await core.store.db.selectFrom('bill_runs').select('id').executeTakeFirst()).to.equal(undefined);
    });

    it('refuses a form larger than the limit and a content type that is not a form', async () => {
      const c = await as('clerk');
      const big = await c.post('/console/billing/run', { period: 'x'.repeat(70_000) }, { csrf: true });
      expect(big.status).to.equal(400);
      const json = await c.request('POST', '/console/billing/run', '{}', 'application/json');
      expect(json.status).to.equal(400);
    });
  });

  describe('pages', () => {
    it('searches customers, escaping what it shows', async () => {
      await core.store.db.updateTable('customers').set({ name: '<script>alert(1)</script>' }).where('customer_no', '=', (await firstCustomerNo(core))).execute();
      const c = await as('clerk');
      const page = await c.get('/console/customers?q=%3Cscript');
      expect(page.status).to.equal(200);
      expect(page.text).to.include('&lt;script&gt;alert(1)&lt;/script&gt;').and.not.include('<script>alert');
      const wildcard = await c.get('/console/customers?q=%25%25');
      expect(wildcard.text).to.include('没有符合条件的客户');
    });

    it('creates a customer and installs a meter, audited under the clerk', async () => {
      const c = await as('clerk');
      const created = await c.post('/console/customers', {
        customerNo: '3301999000001', name: '柜台新户', category: 'residential', voltage: 'below-1kv', address: '杭州市西湖区 1 号', phone: '13800001111',
        households: '1', tariffCode: 'zj-residential-ladder', paymentMode: 'postpaid', ladderYearStartMonth: '1', meterNo: 'M-CONSOLE-1', ctRatio: '1', ptRatio: '1',
        installedOn: '2026-10-01', digits: '6', rollover: 'on', registers: 'total:10.5',
      }, { csrf: true });
      expect(created.status, created.text).to.equal(303);
      const file = await c.get(created.headers.get('location')!);
      expect(file.text).to.include('M-CONSOLE-1').and.include('已立户');
      const installed = await c.post('/console/customers/3301999000001/meters', {
        meterNo: 'M-CONSOLE-2', ctRatio: '1', ptRatio: '1', installedOn: '2026-10-02', digits: '6', registers: 'total:0',
      }, { csrf: true });
      expect(installed.status, installed.text).to.equal(303);
      expect((await auditOf(core, 'clerk')).map((r) => r.action)).to.include.members(['customer-create', 'meter-install']);
      const bad = await c.post('/console/customers/3301999000001/meters', { meterNo: 'M-3', ctRatio: '1', ptRatio: '1', installedOn: '2026-13-40', digits: '6', registers: 'total:0' }, { csrf: true });
      expect(bad.status).to.equal(400);
      expect(bad.text).to.include('VALIDATION_FAILED').and.include('installedOn');
    });

    it('uploads a readings CSV and lists each bad row by line and column', async () => {
      const c = await as('clerk');
      const form = new FormData();
      form.set('file', new Blob(['meter_no,register,read_on,value,source\nNO-SUCH-METER,total,2026-10-31,12.5,actual\nM-CONSOLE-1,total,2026-10-31,1x,actual\n']), 'october.csv');
      const page = await c.postMultipart('/console/readings', form);
      expect(page.status).to.equal(200);
      expect(page.text).to.include('row-errors').and.include('<td class="num">2</td>').and.include('<td class="num">3</td>');
    });

    it('runs billing with a JSON progress view, resolves an exception and issues the bills', async () => {
      const c = await as('clerk');
      const start = await c.post('/console/billing/run', { period: '2026-09' }, { csrf: true });
      expect(start.status).to.equal(303);
      const runPath = start.headers.get('location')!;
      let run: { status: string; bills: number; held: number } = { status: 'running', bills: 0, held: 0 };
      while (run.status === 'running') run = JSON.parse((await c.get(`${runPath}.json`)).text) as typeof run;
      expect(run.status).to.equal('finished');
      expect((await c.get(runPath)).text).to.include('已完成');
      const queue = await c.get('/console/billing/exceptions?period=2026-09&status=open');
      const id = /data-exception="(\d+)"/.exec(queue.text)?.[1];
      expect(id, 'an open exception').to.be.a('string');
      const decided = await c.post(`/console/billing/exceptions/${id}`, { decision: 'accepted', note: '已核实', back: '/console/billing/exceptions?period=2026-09&status=open' }, { csrf: true });
      expect(decided.status).to.equal(303);
      expect((await c.get(decided.headers.get('location')!)).text).to.include('异常已处理').and.not.include(`data-exception="${id}"`);
      const issued = await c.post('/console/billing/issue', { period: '2026-09', dueDays: '15' }, { csrf: true });
      expect(issued.status).to.equal(200);
      expect(Number(/data-field="issued">(\d+)/.exec(issued.text)?.[1])).to.be.greaterThan(0);
      expect((await auditOf(core, 'clerk')).map((r) => r.action)).to.include.members(['bill-run-start', 'exception-accepted', 'issue-bills']);
    });

    it('shows tariffs to everyone and publishes only for an administrator, dry run first', async () => {
      const auditor = await as('auditor');
      expect((await auditor.get('/console/tariffs')).text).to.include('zj-residential');
      const doc = (await core.store.db.selectFrom('tariffs').select('document').executeTakeFirstOrThrow()).document;
      const form = () => {
        const f = new FormData();
        f.set('file', new Blob([doc]), 'tariff.json');
        f.set('dryRun', 'on');
        return f;
      };
      expect((await auditor.postMultipart('/console/tariffs', form())).status).to.equal(403);
      const admin = await as('admin');
      const dry = await admin.postMultipart('/console/tariffs', form());
      expect(dry.status).to.equal(200);
      expect(dry.text).to.include('tariff-result');
    });

    it('lets an administrator register, disable and rotate a channel; an operator only sees them', async () => {
      const admin = await as('admin');
      const added = await admin.post('/console/channels', {
        code: 'console-bank', name: '控制台银行', kind: 'bank', operations: 'QueryArrears,Pay', password: 'console-bank-secret',
      }, { csrf: true });
      expect(added.status, added.text).to.equal(303);
      expect((await admin.post('/console/channels/console-bank/disable', {}, { csrf: true })).status).to.equal(303);
      expect((await admin.post('/console/channels/console-bank/rotate', { password: 'short' }, { csrf: true })).text).to.include('CHANNEL_INVALID');
      const operator = await as('operator');
      const list = await operator.get('/console/channels');
      expect(list.text).to.include('console-bank').and.include('停用').and.not.include('/console/channels/console-bank/enable');
      expect((await auditOf(core, 'admin')).map((r) => r.action)).to.include.members(['channel-add', 'channel-disable']);
      expect((await operator.get('/console/')).text).to.include('channel-chart');
      expect((await operator.get('/console/reconciliation')).status).to.equal(403);
    });

    it('lets an administrator add and disable staff; a disabled user\'s session ends at once', async () => {
      const admin = await as('admin');
      expect((await admin.post('/console/staff', { username: 'temp', role: 'billing-clerk', password: 'temp2026x' }, { csrf: true })).status).to.equal(303);
      const temp = client();
      expect((await temp.login('temp', 'temp2026x')).status).to.equal(303);
      expect((await admin.post('/console/staff/temp/disable', {}, { csrf: true })).status).to.equal(303);
      expect((await temp.get('/console/')).status).to.equal(303);
      expect((await admin.post('/console/staff', { username: 'temp', role: 'auditor', password: 'temp2026x' }, { csrf: true })).text).to.include('STAFF_EXISTS');
      expect((await admin.post('/console/staff', { username: 'Bad Name', role: 'auditor', password: 'temp2026x' }, { csrf: true })).text).to.include('STAFF_INVALID');
      expect((await admin.post('/console/staff/nobody/enable', {}, { csrf: true })).text).to.include('STAFF_NOT_FOUND');
    });

    it('shows the audit log to an auditor with an intact hash chain', async () => {
      const auditor = await as('auditor');
      const page = await auditor.get('/console/audit?verify=1');
      expect(page.text).to.include('哈希链完整').and.include('console-login');
      expect((await verifyAuditChain(core.store)).kind).to.equal('intact');
    });

    it('serves chart.js and its own assets, and nothing else under /console/assets', async () => {
      const c = client();
      const chart = await c.get('/console/assets/chart.umd.js');
      expect(chart.status).to.equal(200);
      expect(chart.text).to.include('Chart');
      expect((await c.get('/console/assets/console.js')).headers.get('content-type')).to.include('javascript');
      expect((await c.get('/console/assets/..%2F..%2Fpackage.json')).status).to.equal(404);
    });

    it('answers an unknown console path with a 404 page', async () => {
      const c = await as('operator');
      expect((await c.get('/console/nowhere')).status).to.equal(404);
    });

    it('lets an operator approve a pending disconnect, once; a clerk may not', async () => {
      const id = await pendingDisconnect(core, 'CMD-CONSOLE-1');
      const clerk = await as('clerk');
      expect((await clerk.post(`/console/control/${id}/approve`, {}, { csrf: true })).status).to.equal(403);
      const operator = await as('operator');
      const list = await operator.get('/console/control');
      expect(list.text).to.include('CMD-CONSOLE-1').and.include(`/console/control/${id}/approve`);
      const approved = await operator.post(`/console/control/${id}/approve`, {}, { csrf: true });
      expect(approved.status).to.equal(303);
      expect((await operator.get(approved.headers.get('location')!)).text).to.include('指令已批准').and.not.include('CMD-CONSOLE-1');
      const row = await core.store.db.selectFrom('control_commands').select(['status', 'approved_by']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).to.deep.equal({ status: 'APPROVED', approved_by: 'operator' });
      const admin = await as('admin');
      expect((await admin.post(`/console/control/${id}/approve`, {}, { csrf: true })).text).to.include('CONTROL_COMMAND_NOT_PENDING');
    });
  });
});

/** The customer's September readings repeat August's: the bill run finds zero consumption (an exception to review). */
function withoutSeptemberConsumption(customer: NewCustomerInput): NewCustomerInput {
  return {
    ...customer,
    meters: customer.meters.map((m) => ({
      ...m,
      registers: m.registers.map((r) => {
        const readings = [...r.readings];
        const last = readings.length - 1;
        readings[last] = { ...readings[last]!, valueHundredths: readings[last - 1]!.valueHundredths };
        return { ...r, readings };
      }),
    })),
  };
}

async function firstCustomerNo(core: TestCore): Promise<string> {
  return (await core.store.db.selectFrom('customers').select('customer_no').orderBy('customer_no').executeTakeFirstOrThrow()).customer_no;
}
