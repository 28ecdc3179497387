// The online business hall against a real core (demo customers, billed and issued; the bank
// simulator behind the real bank client), driven over HTTP like a browser without script:
// logging in with the SMS code, every page, paying (once, whatever is sent again), the bank's
// refusals and timeouts explained, the profile changes, and every refusal: a wrong code, a form
// without its CSRF token, an expired or ended session, too many attempts, oversized forms.

import { expect } from 'chai';
import { CONTENT_SECURITY_POLICY } from '../../src/web/security.ts';
import { businessDate } from '../../src/clock.ts';
import { queryArrears } from '../../src/usecases/query-arrears.ts';
import { LIMITS } from '../../src/limits.ts';
import { DEMO_PASSWORD, startPortalFixture, type DemoResident, type PortalFixture } from './portal-fixture.ts';
import { csrfIn, inputValue, WebClient, type WebPage } from './web-client.ts';

async function logIn(fixture: PortalFixture, resident: DemoResident, password = DEMO_PASSWORD): Promise<WebClient> {
  const client = new WebClient(fixture.portalUrl);
  const login = await client.get('/login');
  const asked = await client.post('/login/code', [['_csrf', csrfIn(login.text)], ['customerNo', resident.customerNo]]);
  expect(asked.status, asked.text).to.equal(200);
  const code = await fixture.lastCode(resident.phone);
  const done = await client.post('/login', [
    ['_csrf', csrfIn(asked.text)], ['customerNo', resident.customerNo], ['password', password], ['smsCode', code],
  ]);
  expect(done.status, done.text).to.equal(303);
  expect(done.location).to.equal('/home');
  return client;
}

function dueOf(page: WebPage): string {
  const due = /id="total-due">¥([0-9.]+)</.exec(page.text)?.[1];
  if (due === undefined) throw new Error(`no total due on ${page.text.slice(0, 400)}`);
  return due;
}

/** Chooses every unpaid bill, confirms, and pays; returns the confirm page's form fields and the receipt. */
async function pay(client: WebClient, resident: DemoResident): Promise<{ readonly fields: [string, string][]; readonly receipt: WebPage }> {
  const form = await client.get('/pay');
  const billNos = [...form.text.matchAll(/name="billNo" value="([0-9A-Z]+)"/g)].map((m) => m[1]!);
  expect(billNos.length).to.be.greaterThan(0);
  const confirm = await client.post('/pay/confirm', [
    ['_csrf', csrfIn(form.text)], ['requestId', inputValue(form.text, 'requestId')!], ...billNos.map((b) => ['billNo', b] as [string, string]),
    ['bankAccount', resident.bankAccount],
  ]);
  expect(confirm.status, confirm.text).to.equal(200);
  const fields: [string, string][] = [
    ['_csrf', csrfIn(confirm.text)], ['requestId', inputValue(confirm.text, 'requestId')!], ...billNos.map((b) => ['billNo', b] as [string, string]),
    ['bankAccount', resident.bankAccount], ['amount', inputValue(confirm.text, 'amount')!],
  ];
  const submitted = await client.post('/pay/submit', fields);
  expect(submitted.status, submitted.text).to.equal(303);
  expect(submitted.location).to.match(/^\/pay\/receipt\/WEB[0-9A-F]+$/);
  return { fields, receipt: await client.get(submitted.location!) };
}

describe('online business hall (portal) against a real core', function () {
  this.timeout(120_000);
  let fixture: PortalFixture;
  let postpaid: DemoResident[];
  /** A resident no test has logged in yet: the core sends one login code a minute per customer. */
  const fresh = (): DemoResident => {
    const resident = postpaid.shift();
    if (resident === undefined) throw new Error('not enough demo residents');
    return resident;
  };

  before(async () => {
    fixture = await startPortalFixture({ bankTimeoutMs: 1_000 });
    postpaid = (await fixture.residents()).filter((r) => r.paymentMode === 'postpaid' && !r.customerNo.endsWith('0'));
    expect(postpaid.length).to.be.at.least(14);
  });

  after(async () => {
    await fixture?.stop();
  });

  it('serves the login page in Chinese with the security headers, cookies and no inline script', async () => {
    const client = new WebClient(fixture.portalUrl);
    const root = await client.get('/');
    expect(root.status).to.equal(303);
    expect(root.location).to.equal('/login');
    expect(root.setCookies.join('\n')).to.match(/^gb_pre=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict$/m);
    const login = await client.get('/login');
    expect(login.status).to.equal(200);
    expect(login.text).to.include('<html lang="zh-CN">').and.include('登录网上营业厅').and.include('获取验证码');
    expect(login.headers.get('content-security-policy')).to.equal(CONTENT_SECURITY_POLICY);
    expect(login.headers.get('content-security-policy')).to.not.include('unsafe-inline');
    expect(login.headers.get('x-frame-options')).to.equal('DENY');
    expect(login.text).to.not.match(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/i);
    expect(login.text).to.include(`href="${fixture.outboxUrl}"`);
    const assets = await Promise.all(['/assets/portal.css', '/assets/portal.js', '/assets/chart.umd.js'].map((p) => client.get(p)));
    expect(assets.map((a) => a.status)).to.deep.equal([200, 200, 200]);
    expect(assets[2]!.text).to.include('Chart');
  });

  it('switches to English and back, and never redirects off the site', async () => {
    const client = new WebClient(fixture.portalUrl);
    const switched = await client.get('/lang?to=en&back=%2Flogin');
    expect(switched.location).to.equal('/login');
    const login = await client.get('/login');
    expect(login.text).to.include('<html lang="en">').and.include('Log in to the online business hall').and.include('中文');
    for (const back of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      expect((await client.get(`/lang?to=zh-CN&back=${encodeURIComponent(back)}`)).location, back).to.equal('/');
    }
    expect((await client.get('/login')).text).to.include('<html lang="zh-CN">');
  });

  it('logs a resident in with password and SMS code; the cookie holds only a portal session id', async () => {
    const resident = fresh();
    const client = new WebClient(fixture.portalUrl);
    const login = await client.get('/login');
    const asked = await client.post('/login/code', [['_csrf', csrfIn(login.text)], ['customerNo', resident.customerNo]]);
    expect(asked.text).to.match(/验证码已发送至 1[3-9][0-9]\*\*\*\*[0-9]{4}/);
    const outbox = await fetch(fixture.outboxUrl);
    const code = await fixture.lastCode(resident.phone);
    expect(await outbox.text()).to.include(`验证码为${code}`);
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await client.post('/login', [
      ['_csrf', csrfIn(asked.text)], ['customerNo', resident.customerNo], ['password', DEMO_PASSWORD], ['smsCode', wrong],
    ]);
    expect(refused.status).to.equal(401);
    expect(refused.text).to.include('户号、密码或验证码错误');
    expect(client.cookies.has('gb_session')).to.equal(false);
    const done = await client.post('/login', [
      ['_csrf', csrfIn(refused.text)], ['customerNo', resident.customerNo], ['password', DEMO_PASSWORD], ['smsCode', code],
    ]);
    expect(done.status, done.text).to.equal(303);
    const cookie = done.setCookies.find((c) => c.startsWith('gb_session='))!;
    expect(cookie).to.match(/^gb_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const session = await fixture.store.db.selectFrom('customer_sessions').select('token_hash').execute();
    expect(session.length).to.be.greaterThan(0);
    const home = await client.get('/home');
    expect(home.status).to.equal(200);
    expect(home.text).to.include('当前应缴').and.include('年度阶梯').and.include('近 12 个月用电量');
    expect(home.text).to.match(/data-labels="\[&quot;\d{4}-\d{2}&quot;/);
  });

  it('shows a smart-payment customer the prepaid balance and the daily consumption', async () => {
    const smart = (await fixture.residents()).find((r) => r.paymentMode === 'smart-prepaid')!;
    const home = await (await logIn(fixture, smart)).get('/home');
    expect(home.status).to.equal(200);
    expect(home.text).to.include('id="prepaid-balance"').and.include('预存余额');
    expect(home.text).to.match(/近 30 天日用电量|暂无用电记录/);
  });

  it('lists the bills and shows one with every line, grouped by kind', async () => {
    const client = await logIn(fixture, fresh());
    const bills = await client.get('/bills');
    expect(bills.status).to.equal(200);
    const billNo = /href="\/bills\/([0-9A-Z]+)"/.exec(bills.text)?.[1];
    expect(billNo, bills.text.slice(0, 500)).to.be.a('string');
    const bill = await client.get(`/bills/${billNo}`);
    expect(bill.status).to.equal(200);
    expect(bill.text).to.include(`账单 ${billNo}`).and.include('电度电费').and.include('data-kind="energy"').and.include('合计');
    const other = postpaid[0]!.customerNo;
    expect((await client.get(`/bills/${billNo!.slice(0, 6)}${other}`)).status).to.equal(404);
  });

  it('estimates a fee for a given energy and explains a bad month', async () => {
    const client = await logIn(fixture, fresh());
    const form = await client.get('/estimate');
    const month = businessDate().slice(0, 7);
    const estimate = await client.post('/estimate', [['_csrf', csrfIn(form.text)], ['period', month], ['kwh', '200']]);
    expect(estimate.status, estimate.text).to.equal(200);
    expect(estimate.text).to.include('id="estimate-result"').and.include('200 kWh').and.include('按输入电量');
    const bad = await client.post('/estimate', [['_csrf', csrfIn(form.text)], ['period', '2026-13'], ['kwh', '']]);
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('YYYY-MM');
  });

  it('refuses a post without its CSRF token, or with the token of another session', async () => {
    const client = await logIn(fixture, fresh());
    const other = new WebClient(fixture.portalUrl);
    const otherToken = csrfIn((await other.get('/login')).text);
    for (const fields of [[], [['_csrf', otherToken]], [['_csrf', 'x']]] as [string, string][][]) {
      const refused = await client.post('/estimate', [...fields, ['period', businessDate().slice(0, 7)], ['kwh', '1']]);
      expect(refused.status).to.equal(403);
      expect(refused.text).to.include('页面已过期或不是从本站提交的');
    }
    const anonymous = await new WebClient(fixture.portalUrl).post('/login', [['customerNo', postpaid[0]!.customerNo]]);
    expect(anonymous.status).to.equal(403);
    expect(fixture.logLines.some((l) => l.includes('PORTAL_CSRF_INVALID'))).to.equal(true);
  });

  it('pays the chosen bills once, however often the form is sent, and the arrears drop to zero', async () => {
    const resident = fresh();
    const client = await logIn(fixture, resident);
    const dueBefore = dueOf(await client.get('/home'));
    expect(Number(dueBefore)).to.be.greaterThan(0);
    const balance = fixture.sim.balanceOf(resident.bankAccount) ?? 500_000;
    const { fields, receipt } = await pay(client, resident);
    expect(receipt.text).to.include('data-outcome="SUCCESS"').and.include('交费成功').and.include(`¥${dueBefore}`);
    const debits = fixture.sim.debitCount();
    const again = await client.post('/pay/submit', fields);
    expect(again.status).to.equal(303);
    expect((await client.get(again.location!)).text).to.include('data-outcome="SUCCESS"');
    expect(fixture.sim.debitCount()).to.equal(debits);
    expect(fixture.sim.balanceOf(resident.bankAccount)).to.equal(balance - Math.round(Number(dueBefore) * 100));
    expect(dueOf(await client.get('/home'))).to.equal('0.00');
    const arrears = await queryArrears(fixture.store, { customerNo: resident.customerNo, asOfDate: businessDate() });
    expect(arrears.receivables).to.have.length(0);
    // The same form with other content is never sent under the same request id.
    const changed = await client.post('/pay/submit', fields.map(([k, v]) => [k, k === 'amount' ? '1.00' : v] as [string, string]));
    expect(changed.location).to.equal('/pay');
    expect((await client.get('/pay')).text).to.include('该交费单已提交过其他内容');
  });

  it('explains an insufficient bank balance, and nothing is debited', async () => {
    const resident = fresh();
    const client = await logIn(fixture, resident);
    fixture.sim.setBalance(resident.bankAccount, 1);
    const { receipt } = await pay(client, resident);
    expect(receipt.text).to.include('data-outcome="FAILED"').and.include('交费未成功，未扣款').and.include('银行卡余额不足');
    expect(fixture.sim.balanceOf(resident.bankAccount)).to.equal(1);
    expect(Number(dueOf(await client.get('/home')))).to.be.greaterThan(0);
  });

  it('explains a bank timeout, and learns the result with the same request: debited once', async () => {
    const resident = fresh();
    const client = await logIn(fixture, resident);
    fixture.sim.misbehave('Debit', { kind: 'lose-answer' }, LIMITS.bankDebitSendsMax);
    const debits = fixture.sim.debitCount();
    const { receipt } = await pay(client, resident);
    expect(receipt.text).to.include('data-outcome="UNKNOWN"').and.include('交费结果待确认').and.include('绝不会重复扣款');
    const requestId = inputValue(receipt.text, 'requestId')!;
    const checked = await client.post('/pay/check', [['_csrf', csrfIn(receipt.text)], ['requestId', requestId]], { follow: true });
    expect(checked.text).to.include('data-outcome="SUCCESS"');
    expect(fixture.sim.debitCount()).to.equal(debits + 1);
    expect(dueOf(await client.get('/home'))).to.equal('0.00');
  });

  it('changes the e-mail, confirms a new phone by its code, and refuses a wrong code', async () => {
    const resident = fresh();
    const client = await logIn(fixture, resident);
    const profile = await client.get('/profile');
    expect(profile.text).to.include('我的信息').and.include('用电地址');
    const saved = await client.post('/profile/email', [['_csrf', csrfIn(profile.text)], ['email', 'li.si@example.cn']], { follow: true });
    expect(saved.text).to.include('电子邮箱已更新').and.include('li.si@example.cn');
    const newPhone = '13912345678';
    const sent = await client.post('/profile/phone', [['_csrf', csrfIn(saved.text)], ['newPhone', newPhone]], { follow: true });
    expect(sent.text).to.include('验证码已发送至新手机号').and.include('id="phone-confirm-form"');
    const code = await fixture.lastCode(newPhone);
    const wrong = await client.post('/profile/phone/confirm', [['_csrf', csrfIn(sent.text)], ['newPhone', newPhone], ['phoneCode', code === '000000' ? '111111' : '000000']], { follow: true });
    expect(wrong.text).to.include('验证码错误或已过期');
    const done = await client.post('/profile/phone/confirm', [['_csrf', csrfIn(wrong.text)], ['newPhone', newPhone], ['phoneCode', code]], { follow: true });
    expect(done.text).to.include('手机号已更换').and.include('139****5678');
  });

  it('changes the password, refusing a mistyped repeat and a wrong current password', async () => {
    const resident = fresh();
    const client = await logIn(fixture, resident);
    const profile = await client.get('/profile');
    const change = (current: string, repeat: string) => [
      ['_csrf', csrfIn(profile.text)], ['currentPassword', current], ['newPassword', 'newSecret2027'], ['repeatPassword', repeat],
    ] as [string, string][];
    expect((await client.post('/profile/password', change(DEMO_PASSWORD, 'other2027x'), { follow: true })).text).to.include('两次输入的新密码不一致');
    expect((await client.post('/profile/password', change('notMyPassword1', 'newSecret2027'), { follow: true })).text).to.include('当前密码错误');
    const changed = await client.post('/profile/password', change(DEMO_PASSWORD, 'newSecret2027'), { follow: true });
    expect(changed.status).to.equal(200);
    expect(changed.text).to.include('密码已修改');
  });

  it('sends a customer whose core session ended back to the login page', async () => {
    const client = await logIn(fixture, fresh());
    expect((await client.get('/bills')).status).to.equal(200);
    // As when the password is changed elsewhere or the core's hour is over: the core ends it.
    await fixture.store.db.updateTable('customer_sessions').set({ ended_at: new Date().toISOString() }).where('ended_at', 'is', null).execute();
    const ended = await client.get('/bills');
    expect(ended.status).to.equal(303);
    expect(ended.location).to.equal('/login?expired=1');
    expect((await client.get('/login?expired=1')).text).to.include('登录已过期');
    expect((await client.get('/home')).location).to.equal('/login');
  });

  it('ends a session unused for longer than the idle limit', async () => {
    const client = await logIn(fixture, fresh());
    expect((await client.get('/bills')).status).to.equal(200);
    fixture.advance(LIMITS.portalSessionIdleMs + 1_000);
    const expired = await client.get('/bills');
    expect(expired.status).to.equal(303);
    expect(expired.location).to.equal('/login?expired=1');
    const post = await client.post('/logout', [['_csrf', 'whatever']]);
    expect(post.location).to.equal('/login?expired=1');
  });

  it('logs out: the session is gone and its cookie cleared', async () => {
    const client = await logIn(fixture, fresh());
    const home = await client.get('/home');
    const out = await client.post('/logout', [['_csrf', csrfIn(home.text)]]);
    expect(out.location).to.equal('/login?bye=1');
    expect(out.setCookies.join('\n')).to.match(/gb_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    expect((await client.get('/home')).location).to.equal('/login');
  });

  it('refuses oversized and non-form bodies unread', async () => {
    const client = new WebClient(fixture.portalUrl);
    const login = await client.get('/login');
    const big = await client.post('/login', [['_csrf', csrfIn(login.text)], ['customerNo', 'x'.repeat(LIMITS.portalFormBytesMax)]]);
    expect(big.status).to.equal(413);
    const json = await client.post('/login', [['a', 'b']], { contentType: 'application/json' });
    expect(json.status).to.equal(415);
    expect((await client.get('/nowhere')).status).to.equal(404);
    expect((await client.get('/logout')).status).to.equal(405);
  });

  it('limits login attempts per customer number (PORTAL_RATE_LIMITED)', async () => {
    const resident = fresh();
    const client = new WebClient(fixture.portalUrl);
    let page = await client.get('/login');
    const statuses: number[] = [];
    for (let i = 0; i <= LIMITS.portalLoginAttemptsPerCustomerMax; i += 1) {
      page = await client.post('/login', [['_csrf', csrfIn(page.text)], ['customerNo', resident.customerNo], ['password', 'wrong-password-1'], ['smsCode', '123456']]);
      statuses.push(page.status);
    }
    expect(statuses.slice(0, -1).every((s) => s === 401)).to.equal(true);
    expect(statuses.at(-1)).to.equal(429);
    expect(page.text).to.include('尝试次数过多');
    expect(fixture.logLines.some((l) => l.includes('PORTAL_RATE_LIMITED'))).to.equal(true);
  });
});
