// A real browser for the end-to-end suites (online business hall, admin console): Debian's
// chromium driven by playwright-core, headless. Generic on purpose: launch, a new page, a
// screenshot under test-artifacts/<suite>/<name>.png, close. Suites know nothing of chromium's
// path or flags.
//
// Without /usr/bin/chromium the suite is skipped with the package to install, except under CI
// (env CI set), where a missing browser is a failure: CI installs it (.ci/run).

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

/** Skips the suite (or fails it under CI) when chromium is not installed. Call in `before`. */
export function requireChromium(context: Mocha.Context): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const message = `end-to-end tests need ${CHROMIUM_PATH}: apt-get install -y chromium fonts-noto-cjk`;
  if (process.env.CI) throw new Error(`${message} (CI is set: the browser is required)`);
  console.warn(`      skipped: ${message}`);
  context.skip();
}

export interface BrowserSession {
  readonly browser: Browser;
  /** A fresh context (its own cookies) with one page. */
  newPage(options?: { readonly viewport?: { width: number; height: number }; readonly locale?: string }): Promise<Page>;
  /** Saves a full-page PNG as test-artifacts/<suite>/<name>.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** A phone-sized screen: the online business hall doubles as the app channel. */
export const PHONE_VIEWPORT = { width: 390, height: 844 } as const;
export const DESKTOP_VIEWPORT = { width: 1280, height: 900 } as const;

export async function launchBrowser(suite: string): Promise<BrowserSession> {
  if (!/^[a-z0-9-]+$/.test(suite)) throw new Error(`suite name ${suite}: lower-case letters, digits and -`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
  const dir = join(ARTIFACTS, suite);
  mkdirSync(dir, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP_VIEWPORT, locale: options.locale ?? 'zh-CN' });
      contexts.push(context);
      return context.newPage();
    },
    async screenshot(page, name) {
      if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`screenshot name ${name}: letters, digits, _ and -`);
      const path = join(dir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close();
    },
  };
}
