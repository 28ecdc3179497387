// The online business hall's entry point (external zone). It has no database: everything it
// shows comes from CustomerService (through the gateway in a deployment), called as the portal's
// channel. This file routes requests and applies what every page needs: the language, the
// session (an HttpOnly SameSite cookie holding only a random portal session id), the CSRF check of
// every post, the security headers, and the pages for a refused form, an ended session and an
// unavailable core.

import { randomBytes } from 'node:crypto';
import type { Handler } from '../ops/http-server.ts';
import { healthHandler } from '../ops/health.ts';
import { metricsHandler, recordPortalRequest } from '../ops/metrics.ts';

/** The portal's own first path segments, the only route labels its request counter uses. */
const PORTAL_ROUTES: ReadonlySet<string> = new Set(['/', '/login', '/logout', '/home', '/bills', '/estimate', '/pay', '/profile', '/lang', '/assets']);
import type { Logger } from '../ops/logger.ts';
import { VERSION } from '../version.ts';
import { html } from '../web/html.ts';
import { clearedCookie, csrfValid, readCookies, sessionCookie } from '../web/security.ts';
import { loadAssets, serveAsset } from './assets.ts';
import { postEstimate, showBill, showBills, showEstimate, showHome } from './account-routes.ts';
import { CustomerServiceClient } from './customer-service-client.ts';
import { localPath, readForm, redirect, sendPage, sendText } from './http-kit.ts';
import { page } from './layout.ts';
import { LoginRateLimit } from './login-rate-limit.ts';
import { logIn, logOut, requestCode, SESSION_COOKIE, showLogin } from './login-routes.ts';
import { LANGS, t, type Lang } from './messages.ts';
import { checkPay, confirmPay, showPay, showReceipt, submitPay } from './payment-routes.ts';
import { CoreUnavailable, pageContext, SessionEnded, type Portal, type Rq, type SignedInRq } from './portal-context.ts';
import { PortalSessions } from './portal-sessions.ts';
import { confirmPhone, postEmail, postPassword, postPhone, showProfile } from './profile-routes.ts';

export interface PortalOptions {
  /** The CustomerService endpoint (the gateway's in a deployment). */
  readonly upstreamUrl: string;
  readonly channel: string;
  readonly channelPassword: string;
  /** Browsers reach the portal over HTTPS: cookies are marked Secure. */
  readonly secureCookies: boolean;
  readonly logger?: Logger;
  /** Development: the core's SMS outbox page to link from the login page, and demo hints. */
  readonly dev?: { readonly smsOutboxUrl?: string };
  /** Epoch ms; tests move it to expire sessions. */
  readonly now?: () => number;
  /** Upstream call timeout (LIMITS.portalUpstreamTimeoutMs by default). */
  readonly upstreamTimeoutMs?: number;
}

export interface PortalApp {
  readonly handler: Handler;
  /** Closes the upstream sockets (at shutdown). */
  close(): void;
}

const PRE_COOKIE = 'gb_pre';
const LANG_COOKIE = 'gb_lang';
const LANG_COOKIE_SECONDS = 365 * 86_400;

type Route = readonly [method: 'GET' | 'POST', path: RegExp, handler: (portal: Portal, rq: Rq) => Promise<void>, signedIn: boolean];

const signedIn = (fn: (portal: Portal, rq: SignedInRq) => Promise<void>) => (portal: Portal, rq: Rq) => fn(portal, rq as SignedInRq);

const ROUTES: readonly Route[] = [
  ['GET', /^\/login$/, showLogin, false],
  ['POST', /^\/login\/code$/, requestCode, false],
  ['POST', /^\/login$/, logIn, false],
  ['POST', /^\/logout$/, signedIn(logOut), true],
  ['GET', /^\/home$/, signedIn(showHome), true],
  ['GET', /^\/bills$/, signedIn(showBills), true],
  ['GET', /^\/bills\/([0-9A-Z]{6,32})$/, signedIn(showBill), true],
  ['GET', /^\/estimate$/, signedIn(showEstimate), true],
  ['POST', /^\/estimate$/, signedIn(postEstimate), true],
  ['GET', /^\/pay$/, signedIn(showPay), true],
  ['POST', /^\/pay\/confirm$/, signedIn(confirmPay), true],
  ['POST', /^\/pay\/submit$/, signedIn(submitPay), true],
  ['POST', /^\/pay\/check$/, signedIn(checkPay), true],
  ['GET', /^\/pay\/receipt\/([0-9A-Za-z_-]{1,64})$/, signedIn(showReceipt), true],
  ['GET', /^\/profile$/, signedIn(showProfile), true],
  ['POST', /^\/profile\/email$/, signedIn(postEmail), true],
  ['POST', /^\/profile\/phone$/, signedIn(postPhone), true],
  ['POST', /^\/profile\/phone\/confirm$/, signedIn(confirmPhone), true],
  ['POST', /^\/profile\/password$/, signedIn(postPassword), true],
];

function langOf(cookies: ReadonlyMap<string, string>): Lang {
  const value = cookies.get(LANG_COOKIE);
  return (LANGS as readonly string[]).includes(value ?? '') ? (value as Lang) : 'zh-CN';
}

function errorPage(portal: Portal, rq: Rq, status: number, text: string): void {
  const ctx = { ...pageContext(portal, rq), notice: { kind: 'error' as const, text } };
  const back = rq.session === undefined ? '/login' : '/home';
  sendPage(rq.res, status, page(ctx, t(rq.lang, 'appName'), html`<p><a href="${back}">${t(rq.lang, 'backHome')}</a></p>`), rq.cookies);
}

async function dispatch(portal: Portal, rq: Rq, route: Route): Promise<void> {
  const [method, path, handler, needsSession] = route;
  if (needsSession && rq.session === undefined) {
    const hadCookie = readCookies(rq.req.headers.cookie).has(SESSION_COOKIE);
    return redirect(rq.res, hadCookie ? '/login?expired=1' : '/login', rq.cookies);
  }
  let current = rq;
  if (method === 'POST') {
    const read = await readForm(rq.req);
    if (read.kind === 'refused') return sendText(rq.res, read.status, read.status === 413 ? 'form too large\n' : 'unsupported form encoding\n');
    if (!csrfValid(portal.csrfKey, rq.session?.id ?? `pre:${rq.preId}`, read.form.get('_csrf') ?? undefined)) {
      portal.logger?.warn('form refused', { code: 'PORTAL_CSRF_INVALID', path: rq.url.pathname });
      return errorPage(portal, rq, 403, t(rq.lang, 'csrfInvalid'));
    }
    current = { ...rq, form: read.form };
  }
  const param = path.exec(rq.url.pathname)?.[1];
  await handler(portal, param === undefined ? current : { ...current, param });
}

function switchLanguage(portal: Portal, rq: Rq): void {
  const to = rq.url.searchParams.get('to');
  const lang: Lang = (LANGS as readonly string[]).includes(to ?? '') ? (to as Lang) : 'zh-CN';
  const cookie = sessionCookie(LANG_COOKIE, lang, { secure: portal.secureCookies, maxAgeSeconds: LANG_COOKIE_SECONDS });
  redirect(rq.res, localPath(rq.url.searchParams.get('back'), '/'), [...rq.cookies, cookie]);
}

function request(portal: Portal, req: Parameters<Handler>[0], res: Parameters<Handler>[1]): Rq {
  const cookies = readCookies(req.headers.cookie);
  const cookiesOut: string[] = [];
  let preId = cookies.get(PRE_COOKIE);
  if (preId === undefined || !/^[A-Za-z0-9_-]{22,64}$/.test(preId)) {
    preId = randomBytes(18).toString('base64url');
    cookiesOut.push(sessionCookie(PRE_COOKIE, preId, { secure: portal.secureCookies }));
  }
  const session = portal.sessions.get(cookies.get(SESSION_COOKIE));
  return {
    req, res, url: new URL(req.url ?? '/', 'http://portal.invalid'), lang: langOf(cookies), preId, cookies: cookiesOut,
    ...(session === undefined ? {} : { session }),
  };
}

async function route(portal: Portal, rq: Rq): Promise<void> {
  const method = rq.req.method ?? 'GET';
  const path = rq.url.pathname;
  if (path === '/' && method === 'GET') return redirect(rq.res, rq.session === undefined ? '/login' : '/home', rq.cookies);
  if (path === '/lang' && method === 'GET') return switchLanguage(portal, rq);
  const matching = ROUTES.filter(([, pattern]) => pattern.test(path));
  const found = matching.find(([m]) => m === method || (m === 'GET' && method === 'HEAD'));
  if (found !== undefined) return dispatch(portal, rq, found);
  if (matching.length > 0) return sendText(rq.res, 405, 'method not allowed\n', { Allow: [...new Set(matching.map(([m]) => m))].join(', ') });
  errorPage(portal, rq, 404, t(rq.lang, 'notFound'));
}

export function portalApp(options: PortalOptions): PortalApp {
  const now = options.now ?? (() => Date.now());
  const client = new CustomerServiceClient({
    url: options.upstreamUrl, channel: options.channel, password: options.channelPassword,
    ...(options.logger ? { logger: options.logger } : {}), ...(options.upstreamTimeoutMs ? { timeoutMs: options.upstreamTimeoutMs } : {}),
  });
  const portal: Portal = {
    client, sessions: new PortalSessions(now), rateLimit: new LoginRateLimit(now),
    // Sessions live in this process's memory, so the key that binds forms to them can too.
    csrfKey: randomBytes(32), secureCookies: options.secureCookies, now,
    ...(options.logger ? { logger: options.logger } : {}), ...(options.dev ? { dev: options.dev } : {}),
  };
  const assets = loadAssets();
  const health = healthHandler({ role: 'portal', version: VERSION, checks: {} });
  const handler: Handler = async (req, res) => {
    if (await health(req, res) || await metricsHandler(req, res)) return;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.once('finish', () => recordPortalRequest(req.method ?? 'GET', path, res.statusCode, PORTAL_ROUTES));
    if (serveAsset(assets, path, req.method ?? 'GET', res)) return;
    const rq = request(portal, req, res);
    try {
      await route(portal, rq);
    } catch (error) {
      if (res.headersSent) throw error;
      if (error instanceof SessionEnded) return redirect(res, '/login?expired=1', [...rq.cookies, clearedCookie(SESSION_COOKIE, { secure: portal.secureCookies })]);
      if (!(error instanceof CoreUnavailable)) throw error;
      options.logger?.warn('CustomerService unavailable', { detail: error.message });
      errorPage(portal, rq, 503, t(rq.lang, 'unavailable'));
    }
  };
  return { handler, close: () => client.close() };
}

