// Console login and logout. The login form is protected against login CSRF by a double-submit
// token: a random value in a short-lived HttpOnly SameSite=Strict cookie that the form must echo
// (another site can neither read nor set it). A successful login sets the session cookie
// (HttpOnly, SameSite=Strict, path /console, Secure under TLS) and drops the login cookie.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isGridbillError, ERRORS } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { staffLogin, staffLogout, type StaffIdentity } from '../usecases/staff-session.ts';
import { html } from '../web/html.ts';
import { clearedCookie, readCookies, sessionCookie } from '../web/security.ts';
import { BodyRefused, readForm, redirect, sendPage } from './console-http.ts';
import type { ConsoleDependencies } from './console-route.ts';
import { translator, type Lang } from './i18n.ts';
import { layout } from './layout.ts';

export const SESSION_COOKIE = 'gb_console';
const LOGIN_COOKIE = 'gb_console_login';
const LOGIN_COOKIE_SECONDS = 1_800;
const PATH = '/console';

function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length || a.length === 0) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function loginPage(res: ServerResponse, lang: Lang, secure: boolean, problem?: { status: number; message: string }): void {
  const t = translator(lang);
  const token = randomBytes(24).toString('base64url');
  const body = html`${problem ? html`<p class="note bad" role="alert">${problem.message}</p>` : ''}
  <form method="post" action="/console/login" class="card narrow" autocomplete="off">
    <input type="hidden" name="csrf" value="${token}">
    <label>${t('login.user')}<input name="username" required maxlength="32" autocomplete="username" autofocus></label>
    <label>${t('login.password')}<input name="password" type="password" required maxlength="128" autocomplete="current-password"></label>
    <button type="submit">${t('login.submit')}</button>
  </form>`;
  const cookie = sessionCookie(LOGIN_COOKIE, token, { secure, path: PATH, maxAgeSeconds: LOGIN_COOKIE_SECONDS });
  sendPage(res, problem?.status ?? 200, layout({ lang, t, who: null, csrf: '', here: '/console/login' }, t('login.title'), body), { 'Set-Cookie': cookie });
}

async function login(req: IncomingMessage, res: ServerResponse, deps: ConsoleDependencies, lang: Lang): Promise<void> {
  const t = translator(lang);
  const secure = deps.secure ?? false;
  let fields: ReadonlyMap<string, string>;
  try {
    fields = (await readForm(req)).fields;
  } catch (error) {
    if (!(error instanceof BodyRefused)) throw error;
    req.resume();
    return loginPage(res, lang, secure, { status: error.status, message: t('error.tooLarge') });
  }
  if (!sameToken(fields.get('csrf'), readCookies(req.headers.cookie).get(LOGIN_COOKIE))) {
    return loginPage(res, lang, secure, { status: 403, message: ERRORS.CONSOLE_CSRF_INVALID.message });
  }
  try {
    const session = await staffLogin(deps.store, { username: fields.get('username') ?? '', password: fields.get('password') ?? '', now: deps.clock().toISOString() });
    const seconds = Math.floor(LIMITS.consoleSessionLifetimeMs / 1000);
    redirect(res, '/console/', {
      'Set-Cookie': [sessionCookie(SESSION_COOKIE, session.token, { secure, path: PATH, maxAgeSeconds: seconds }), clearedCookie(LOGIN_COOKIE, { secure, path: PATH })],
    });
  } catch (error) {
    if (!isGridbillError(error) || (error.code !== 'STAFF_LOGIN_FAILED' && error.code !== 'STAFF_LOCKED')) throw error;
    loginPage(res, lang, secure, { status: 401, message: t(error.code === 'STAFF_LOCKED' ? 'login.locked' : 'login.failed') });
  }
}

export interface LoginRoutes {
  /** Answers GET and POST /console/login; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, lang: Lang): Promise<boolean>;
  logout(req: IncomingMessage, res: ServerResponse, who: StaffIdentity, csrfOk: (token: string | undefined) => boolean): Promise<void>;
}

export function loginRoutes(deps: ConsoleDependencies): LoginRoutes {
  const secure = deps.secure ?? false;
  return {
    async handle(req, res, url, lang) {
      if (url.pathname !== '/console/login') return false;
      if (req.method === 'POST') await login(req, res, deps, lang);
      else loginPage(res, lang, secure);
      return true;
    },
    async logout(req, res, who, csrfOk) {
      let token: string | undefined;
      try {
        token = (await readForm(req)).fields.get('csrf');
      } catch (error) {
        if (!(error instanceof BodyRefused)) throw error;
        req.resume();
      }
      // A logout posted from elsewhere is ignored rather than obeyed: it would only annoy.
      if (!csrfOk(token)) return redirect(res, '/console/');
      await staffLogout(deps.store, who, deps.clock().toISOString());
      redirect(res, '/console/login', { 'Set-Cookie': clearedCookie(SESSION_COOKIE, { secure, path: PATH }) });
    },
  };
}
