// The online business hall in a real browser (Debian's chromium, headless, on a phone-sized
// screen): a resident asks for a login code, reads it on the development SMS outbox page, logs in,
// sees the consumption chart (drawn by chart.js under the CSP) and a bill with its lines, pays it
// through the bank simulator, sees the receipt, and the arrears drop to zero. A wrong SMS code,
// an expired session and a form posted without its CSRF token are refused. Every page is saved
// as a screenshot under test-artifacts/portal/.

import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { LIMITS } from '../../src/limits.ts';
import { DEMO_PASSWORD, startPortalFixture, type DemoResident, type PortalFixture } from '../portal/portal-fixture.ts';
import { launchBrowser, PHONE_VIEWPORT, requireChromium, type BrowserSession } from './browser.ts';

describe('online business hall in a browser (e2e)', function () {
  this.timeout(180_000);
  let fixture: PortalFixture;
  let browser: BrowserSession;
  let residents: DemoResident[];
  const cspViolations: string[] = [];

  before(async function () {
    requireChromium(this);
    fixture = await startPortalFixture();
    residents = (await fixture.residents()).filter((r) => r.paymentMode === 'postpaid' && !r.customerNo.endsWith('0'));
    browser = await launchBrowser('portal');
  });

  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: PHONE_VIEWPORT });
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  }

  /** Asks for a code, reads it on the core's development outbox page, and logs in (or tries to). */
  async function logIn(page: Page, resident: DemoResident, options: { readonly wrongCode?: boolean; readonly shots?: boolean } = {}): Promise<void> {
    await page.goto(`${fixture.portalUrl}/`);
    if (options.shots) await browser.screenshot(page, '01-login');
    await page.fill('#customerNo', resident.customerNo);
    await Promise.all([page.waitForLoadState('load'), page.click('#request-code')]);
    expect(await page.locator('.notice').textContent()).to.match(/验证码已发送至/);
    const outbox = await page.context().newPage();
    await outbox.goto(await page.getAttribute('#dev-outbox', 'href') ?? '');
    if (options.shots) await browser.screenshot(outbox, '02-sms-outbox');
    const newest = await outbox.locator('#sms-outbox tbody tr').first().locator('.sms-body').textContent();
    const code = /验证码为(\d{6})/.exec(newest ?? '')?.[1];
    expect(code, newest ?? '').to.be.a('string');
    await outbox.close();
    await page.fill('#password', DEMO_PASSWORD);
    await page.fill('#smsCode', options.wrongCode ? (code === '000000' ? '111111' : '000000') : code!);
    await Promise.all([page.waitForLoadState('load'), page.click('#login')]);
  }

  async function totalDue(page: Page): Promise<string> {
    await page.goto(`${fixture.portalUrl}/home`);
    return (await page.locator('#total-due').textContent())!.replace('¥', '');
  }

  it('a resident logs in with the SMS code, sees the chart and a bill, pays it, sees the receipt, and the arrears drop', async () => {
    const resident = residents[0]!;
    const page = await newPage();
    await logIn(page, resident, { shots: true });
    expect(new URL(page.url()).pathname).to.equal('/home');
    await page.waitForSelector('#monthly-chart[data-drawn]');
    expect(Number(await page.getAttribute('#monthly-chart', 'data-drawn'))).to.be.greaterThan(0);
    await browser.screenshot(page, '03-home');
    const before = await totalDue(page);
    expect(Number(before)).to.be.greaterThan(0);

    await page.click('nav a[href="/bills"]');
    await page.waitForSelector('#bills');
    await browser.screenshot(page, '04-bills');
    await Promise.all([page.waitForLoadState('load'), page.locator('#bills a').first().click()]);
    expect(await page.locator('#lines tr[data-kind="energy"]').count()).to.be.greaterThan(0);
    await browser.screenshot(page, '05-bill');

    await page.goto(`${fixture.portalUrl}/pay`);
    await page.fill('#bankAccount', resident.bankAccount);
    await browser.screenshot(page, '06-pay');
    await Promise.all([page.waitForLoadState('load'), page.click('#pay-next')]);
    expect(await page.locator('#confirm-amount').textContent()).to.equal(`¥${before}`);
    await browser.screenshot(page, '07-pay-confirm');
    // Page scripts are strings: the tests are compiled without the DOM library.
    const sent = await page.evaluate<Array<[string, string]>>("[...new FormData(document.querySelector('#confirm-form'))]");
    await Promise.all([page.waitForURL(/\/pay\/receipt\//), page.click('#pay-confirm')]);
    expect(await page.getAttribute('#receipt', 'data-outcome')).to.equal('SUCCESS');
    await browser.screenshot(page, '08-receipt');
    // Back and confirm again (a second click, a resubmitted form): the same payment, not another.
    const debits = fixture.sim.debitCount();
    await Promise.all([page.waitForURL(/\/pay\/receipt\//), page.evaluate(`(() => {
      const form = Object.assign(document.createElement('form'), { method: 'post', action: '/pay/submit' });
      for (const [name, value] of ${JSON.stringify(sent)}) form.append(Object.assign(document.createElement('input'), { type: 'hidden', name, value }));
      document.body.append(form);
      form.submit();
    })()`)]);
    expect(await page.getAttribute('#receipt', 'data-outcome')).to.equal('SUCCESS');
    expect(fixture.sim.debitCount()).to.equal(debits);

    expect(await totalDue(page)).to.equal('0.00');
    await browser.screenshot(page, '09-home-after');
    for (const [path, name] of [['/estimate', '10-estimate'], ['/profile', '11-profile']] as const) {
      await page.goto(`${fixture.portalUrl}${path}`);
      await browser.screenshot(page, name);
    }
    await page.click('#lang-switch');
    await page.waitForSelector('html[lang="en"]');
    await browser.screenshot(page, '12-profile-english');
    expect(cspViolations).to.deep.equal([]);
  });

  it('refuses a wrong SMS code', async () => {
    const page = await newPage();
    await logIn(page, residents[1]!, { wrongCode: true });
    expect(new URL(page.url()).pathname).to.equal('/login');
    expect(await page.locator('.notice-error').textContent()).to.include('户号、密码或验证码错误');
    await browser.screenshot(page, '13-login-wrong-code');
    await page.goto(`${fixture.portalUrl}/home`);
    expect(new URL(page.url()).pathname).to.equal('/login');
  });

  it('refuses an expired session and a form posted without its CSRF token', async () => {
    const page = await newPage();
    await logIn(page, residents[2]!);
    expect(new URL(page.url()).pathname).to.equal('/home');
    // A form as another site would post it: every field but the token.
    await page.goto(`${fixture.portalUrl}/estimate`);
    await page.evaluate(`document.querySelector('form[action="/estimate"] input[name="_csrf"]').remove()`);
    await Promise.all([page.waitForLoadState('load'), page.click('#estimate')]);
    expect(await page.locator('.notice-error').textContent()).to.include('页面已过期或不是从本站提交的');
    await browser.screenshot(page, '14-csrf-refused');

    fixture.advance(LIMITS.portalSessionIdleMs + 1_000);
    await page.goto(`${fixture.portalUrl}/bills`);
    expect(new URL(page.url()).pathname).to.equal('/login');
    expect(await page.locator('.notice').textContent()).to.include('登录已过期');
    await browser.screenshot(page, '15-session-expired');
  });
});
