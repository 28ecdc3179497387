// The admin console in a real browser (Debian's chromium through playwright-core): a clerk runs
// billing, resolves an exception and issues the bills; an operator approves a disconnect; a clerk
// is refused an administrator page; a form posted without its CSRF token is refused. Every page
// is screenshotted under test-artifacts/console/, and no page breaks its Content-Security-Policy.

import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { registerCustomer, type NewCustomerInput } from '../../src/usecases/register-customer.ts';
import { addStaffUser } from '../../src/usecases/staff-accounts.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { pendingDisconnect } from '../console/console-fixtures.ts';
import { launchBrowser, requireChromium, type BrowserSession } from './browser.ts';

const NOW = '2026-11-01T02:00:00.000Z';
const PASSWORD = 'console2026';

/** September repeats August for one customer: zero consumption, an exception to review. */
function flatSeptember(customer: NewCustomerInput): NewCustomerInput {
  return {
    ...customer,
    meters: customer.meters.map((m) => ({
      ...m,
      registers: m.registers.map((r) => {
        const readings = [...r.readings];
        readings[readings.length - 1] = { ...readings.at(-1)!, valueHundredths: readings.at(-2)!.valueHundredths };
        return { ...r, readings };
      }),
    })),
  };
}

describe('admin console in a browser', function () {
  this.timeout(120_000);
  let core: TestCore;
  let browser: BrowserSession;
  const cspViolations: string[] = [];

  before(async function () {
    requireChromium(this);
    core = await startTestCore(async (store) => {
      for (const [username, role] of [['admin', 'administrator'], ['clerk', 'billing-clerk'], ['operator', 'operator']] as const) {
        await addStaffUser(store, { username, role, password: PASSWORD }, 'test', NOW);
      }
      for (const [i, c] of [...generateDemo({ customers: 8, months: 4, seed: 9, endMonth: '2026-09' })].entries()) {
        await registerCustomer(store, i === 0 ? flatSeptember(c) : c, NOW);
      }
    });
    browser = await launchBrowser('console');
  });
  after(async () => {
    await browser?.close();
    await core?.stop();
  });

  async function loggedIn(user: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(`${core.server.url}/console/`);
    expect(page.url()).to.match(/\/console\/login$/);
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/console\/$/);
    return page;
  }

  it('a clerk runs billing, resolves an exception and issues the bills', async () => {
    const page = await loggedIn('clerk');
    await browser.screenshot(page, 'dashboard');
    await page.click('nav >> text=电费核算');
    await browser.screenshot(page, 'billing');
    await page.fill('form[action="/console/billing/run"] input[name=period]', '2026-09');
    await page.click('form[action="/console/billing/run"] button[type=submit]');
    await page.waitForURL(/\/console\/billing\/runs\/\d+$/);
    // console.js polls the run and reloads the page once it has finished.
    await page.waitForSelector('#run[data-status="finished"]', { timeout: 60_000 });
    expect(await page.textContent('[data-field="status"]')).to.equal('已完成');
    await browser.screenshot(page, 'bill-run');
    await page.click('text=审核异常');
    const row = page.locator('tr[data-exception]').first();
    const id = await row.getAttribute('data-exception');
    await row.locator('input[name=note]').fill('已现场核实，表计正常');
    await row.locator('button[value=accepted]').click();
    await page.waitForSelector('.note.ok');
    expect(await page.locator(`tr[data-exception="${id}"]`).count()).to.equal(0);
    await browser.screenshot(page, 'exceptions');
    await page.goto(`${core.server.url}/console/billing`);
    await page.fill('form[action="/console/billing/issue"] input[name=period]', '2026-09');
    await page.click('form[action="/console/billing/issue"] button[type=submit]');
    const issued = Number(await page.textContent('[data-field="issued"]'));
    expect(issued).to.be.greaterThan(0);
    await browser.screenshot(page, 'issued');
    const bills = await core.store.db.selectFrom('bills').select('status').where('period', '=', '2026-09').where('status', '=', 'issued').execute();
    expect(bills.length).to.equal(issued);
  });

  it('a clerk trying an administrator page is refused with a 403 page', async () => {
    const page = await loggedIn('clerk');
    const response = await page.goto(`${core.server.url}/console/staff`);
    expect(response?.status()).to.equal(403);
    expect(await page.textContent('.error')).to.include('STAFF_FORBIDDEN');
    expect(await page.locator('nav a[href="/console/staff"]').count()).to.equal(0);
    await browser.screenshot(page, 'forbidden');
  });

  it('a form posted without its CSRF token is refused', async () => {
    const page = await loggedIn('clerk');
    await page.goto(`${core.server.url}/console/billing`);
    // A string, run in the page: this file is type-checked without the DOM library.
    await page.evaluate('document.querySelector(\'form[action="/console/billing/run"] input[name=csrf]\').remove()');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/console/billing/run')),
      page.click('form[action="/console/billing/run"] button[type=submit]'),
    ]);
    expect(response.status()).to.equal(403);
    expect(await page.textContent('.error')).to.include('CONSOLE_CSRF_INVALID');
    await browser.screenshot(page, 'csrf-refused');
  });

  it('an operator approves a disconnect', async () => {
    const id = await pendingDisconnect(core, 'CMD-E2E-1');
    const page = await loggedIn('operator');
    await page.click('nav >> text=智能交费');
    await browser.screenshot(page, 'control');
    await page.click(`tr[data-command="${id}"] button[type=submit]`);
    await page.waitForSelector('.note.ok');
    expect(await page.locator(`tr[data-command="${id}"]`).count()).to.equal(0);
    const row = await core.store.db.selectFrom('control_commands').select(['status', 'approved_by']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).to.deep.equal({ status: 'APPROVED', approved_by: 'operator' });
    await browser.screenshot(page, 'control-approved');
  });

  it('an administrator opens every page, in Chinese and in English, within the CSP', async () => {
    const page = await loggedIn('admin');
    await page.goto(`${core.server.url}/console/channels`);
    await page.fill('form[action="/console/channels"] input[name=code]', 'e2e-bank');
    await page.fill('form[action="/console/channels"] input[name=name]', '端到端银行');
    await page.fill('form[action="/console/channels"] input[name=operations]', 'QueryArrears,Pay');
    await page.fill('form[action="/console/channels"] input[name=password]', 'e2e-bank-secret-1');
    await page.click('form[action="/console/channels"] button[type=submit]');
    await page.waitForSelector('tr[data-channel="e2e-bank"]');
    await page.goto(`${core.server.url}/console/`);
    await page.waitForFunction("typeof Chart === 'function' && document.querySelector('#channel-chart').height > 0");
    await browser.screenshot(page, 'dashboard-chart');
    const customerNo = (await core.store.db.selectFrom('customers').select('customer_no').executeTakeFirstOrThrow()).customer_no;
    for (const [path, name] of [
      [`/console/customers?q=${customerNo.slice(0, 6)}`, 'customers'], [`/console/customers/${customerNo}`, 'customer-file'],
      ['/console/customers/new', 'customer-new'], ['/console/readings', 'readings'], ['/console/tariffs', 'tariffs'],
      ['/console/channels', 'channels'], ['/console/reconciliation', 'reconciliation'], ['/console/audit?verify=1', 'audit'], ['/console/staff', 'staff'],
    ] as const) {
      const response = await page.goto(`${core.server.url}${path}`);
      expect(response?.status(), path).to.equal(200);
      await browser.screenshot(page, name);
    }
    await page.click('header a.lang');
    expect(await page.textContent('h1')).to.equal('Staff');
    await browser.screenshot(page, 'staff-en');
    expect(cspViolations).to.deep.equal([]);
  });
});
