// The admin console (internal zone), served by the core under /console/: staff log in, and each
// page calls the use cases directly. Every request goes through the same steps, in order:
// assets and the language switch (no session), login, the session cookie, the route, the role
// (permissions.ts: 403 otherwise), the form and its CSRF token (POST), the handler. Every action
// is audited under the staff user's name, by its use case or here; so is every refusal of a
// POST by role.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { businessDate } from '../clock.ts';
import { ERRORS, isGridbillError, type ErrorCode } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { recordConsoleAction, staffSession, type StaffIdentity } from '../usecases/staff-session.ts';
import { html } from '../web/html.ts';
import { csrfToken, csrfValid, readCookies, sessionCookie } from '../web/security.ts';
import { serveAsset } from './console-assets.ts';
import { BodyRefused, readForm, redirect, sendConsoleJson, sendPage, type PostedForm } from './console-http.ts';
import type { ConsoleDependencies, Outcome, RequestContext, Route } from './console-route.ts';
import { translator, type Lang } from './i18n.ts';
import { layout, type Shell } from './layout.ts';
import { loginRoutes, SESSION_COOKIE } from './login-page.ts';
import { may } from './permissions.ts';
import { ROUTES } from './routes.ts';

export type { ConsoleDependencies } from './console-route.ts';

const LANG_COOKIE = 'gb_console_lang';
const COOKIE_PATH = '/console';
const EMPTY_FORM: PostedForm = { fields: new Map(), files: new Map() };

function langOf(req: IncomingMessage): Lang {
  return readCookies(req.headers.cookie).get(LANG_COOKIE) === 'en' ? 'en' : 'zh';
}

/** Only a console path may be gone back to (no open redirect). */
export function safeBack(value: string | null): string {
  return value !== null && /^\/console\/[^\\]*$/.test(value) && !value.startsWith('//') ? value : '/console/';
}

function statusOf(code: ErrorCode): number {
  const spec = ERRORS[code];
  if (spec.httpStatus !== 500) return spec.httpStatus;
  return spec.fault === 'Client' ? 400 : 500;
}

/** The page for a refused or failed request: the code, the catalogue's message, the detail. */
function errorPage(res: ServerResponse, shell: Shell, code: ErrorCode, detail?: string): void {
  const { t } = shell;
  const body = html`<section class="error" role="alert"><p><strong>${t('error.title')}</strong> <code>${code}</code></p>
    <p>${ERRORS[code].message}${detail ? html`: <span class="detail">${detail}</span>` : ''}</p>
    <p><a href="/console/" data-back>${t('action.back')}</a> · <a href="/console/">${t('nav.dashboard')}</a></p></section>`;
  sendPage(res, statusOf(code), layout(shell, t('error.title'), body));
}

interface Matched {
  readonly route: Route;
  readonly params: string[];
}

function match(method: string, path: string): Matched | 'wrong-method' | undefined {
  let found: 'wrong-method' | undefined;
  for (const route of ROUTES) {
    const m = route.path.exec(path);
    if (m === null) continue;
    if (route.method === method) return { route, params: m.slice(1) };
    found = 'wrong-method';
  }
  return found;
}

async function identify(req: IncomingMessage, deps: ConsoleDependencies): Promise<StaffIdentity | null> {
  const token = readCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (token === undefined) return null;
  try {
    return await staffSession(deps.store, token, deps.clock().toISOString());
  } catch (error) {
    if (isGridbillError(error) && error.code === 'STAFF_SESSION_INVALID') return null;
    throw error;
  }
}

function write(res: ServerResponse, shell: Shell, outcome: Outcome): void {
  switch (outcome.kind) {
    case 'page': return sendPage(res, outcome.status ?? 200, layout(shell, outcome.title, outcome.body));
    case 'redirect': return redirect(res, outcome.to);
    case 'json': return sendConsoleJson(res, 200, outcome.value);
  }
}

async function postedForm(req: IncomingMessage, res: ServerResponse, shell: Shell): Promise<PostedForm | null> {
  try {
    return await readForm(req);
  } catch (error) {
    if (!(error instanceof BodyRefused)) throw error;
    errorPage(res, shell, 'VALIDATION_FAILED', error.status === 413 ? `${shell.t('error.tooLarge')} (${LIMITS.consoleUploadBytesMax} B)` : error.message);
    req.resume();
    return null;
  }
}

async function handleRoute(req: IncomingMessage, res: ServerResponse, deps: ConsoleDependencies, who: StaffIdentity, url: URL): Promise<void> {
  const lang = langOf(req);
  const t = translator(lang);
  const csrf = csrfToken(Buffer.from(who.csrfKey, 'hex'), String(who.sessionId));
  const shell: Shell = { lang, t, who, csrf, here: url.pathname + url.search, ...(url.searchParams.has('done') ? { done: url.searchParams.get('done')! } : {}) };
  const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
  const found = match(method, url.pathname.slice(COOKIE_PATH.length));
  if (found === undefined) return errorPage(res, shell, 'NOT_FOUND');
  if (found === 'wrong-method') return errorPage(res, shell, 'NOT_FOUND', method);
  const now = deps.clock();
  if (!may(who.role, found.route.permission)) {
    if (method === 'POST') {
      await recordConsoleAction(deps.store, { actor: who.username, action: 'console-refused', subject: url.pathname, detail: { permission: found.route.permission }, now: now.toISOString() });
    }
    req.resume();
    return errorPage(res, shell, 'STAFF_FORBIDDEN', t(`perm.${found.route.permission}`));
  }
  let form = EMPTY_FORM;
  if (method === 'POST') {
    const posted = await postedForm(req, res, shell);
    if (posted === null) return;
    if (!csrfValid(Buffer.from(who.csrfKey, 'hex'), String(who.sessionId), posted.fields.get('csrf'))) return errorPage(res, shell, 'CONSOLE_CSRF_INVALID');
    form = posted;
  }
  const ctx: RequestContext = { deps, who, lang, t, url, params: found.params, form, csrf, now: now.toISOString(), today: businessDate(now) };
  try {
    write(res, shell, await found.route.handle(ctx));
  } catch (error) {
    if (!isGridbillError(error)) throw error;
    if (statusOf(error.code) >= 500) deps.logger.warn('console action failed', { code: error.code, path: url.pathname, actor: who.username });
    errorPage(res, shell, error.code, error.detail);
  }
}

/** The console's handler: answers (and returns true) for paths under /console, false otherwise. */
export function consoleApp(deps: ConsoleDependencies): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const login = loginRoutes(deps);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://core.invalid');
    if (url.pathname !== COOKIE_PATH && !url.pathname.startsWith(`${COOKIE_PATH}/`)) return false;
    const method = req.method ?? 'GET';
    if (url.pathname === COOKIE_PATH) return (redirect(res, '/console/'), true);
    if (url.pathname.startsWith('/console/assets/')) return (await serveAsset(req, res, url.pathname.slice('/console/assets/'.length)), true);
    const lang = /^\/console\/lang\/(zh|en)$/.exec(url.pathname)?.[1];
    if (lang !== undefined && method === 'GET') {
      const cookie = sessionCookie(LANG_COOKIE, lang, { secure: deps.secure ?? false, path: COOKIE_PATH, maxAgeSeconds: 365 * 86_400 });
      return (redirect(res, safeBack(url.searchParams.get('back')), { 'Set-Cookie': cookie }), true);
    }
    if (await login.handle(req, res, url, langOf(req))) return true;
    const who = await identify(req, deps);
    if (who === null) {
      req.resume();
      if (method === 'GET' && !url.pathname.endsWith('.json')) return (redirect(res, '/console/login'), true);
      const t = translator(langOf(req));
      return (errorPage(res, { lang: langOf(req), t, who: null, csrf: '', here: '/console/' }, 'STAFF_SESSION_INVALID'), true);
    }
    if (url.pathname === '/console/logout') {
      if (method !== 'POST') return (redirect(res, '/console/'), true);
      return (await login.logout(req, res, who, (token) => csrfValid(Buffer.from(who.csrfKey, 'hex'), String(who.sessionId), token)), true);
    }
    await handleRoute(req, res, deps, who, url);
    return true;
  };
}
