// Logging in and out. A login takes the customer number, the password and the 6-digit code the
// core sends by SMS (RequestLoginCode). Before the core is asked, each attempt (a code request
// or a login) is counted per client address and per customer number (login-rate-limit.ts).
// The answer to a code request has the same shape whether the number exists or not, as the
// core's does. A successful login starts a new portal session with a new id (never the id of
// the anonymous visitor: no session fixation); the core's token stays in the portal's memory.

import { html } from '../web/html.ts';
import { clearedCookie, sessionCookie } from '../web/security.ts';
import { LIMITS } from '../limits.ts';
import { clientAddress, redirect, sendPage } from './http-kit.ts';
import { page, postForm, type PageContext } from './layout.ts';
import { t, type MessageKey } from './messages.ts';
import { pageContext, type Portal, type Rq, type SignedInRq } from './portal-context.ts';

export const SESSION_COOKIE = 'gb_session';

const LOGIN_FAULTS: Readonly<Record<string, MessageKey>> = {
  LOGIN_FAILED: 'loginFailed', SMS_CODE_EXPIRED: 'codeExpired', ACCOUNT_LOCKED: 'accountLocked',
};
const FIELD_MESSAGES: Readonly<Record<string, MessageKey>> = {
  customerNo: 'customerNoInvalid', password: 'passwordMissing', smsCode: 'smsCodeInvalid',
};

interface LoginView {
  readonly customerNo?: string;
  readonly status?: number;
}

function loginPage(portal: Portal, rq: Rq, ctx: PageContext, view: LoginView = {}): void {
  const { lang } = ctx;
  const outbox = portal.dev?.smsOutboxUrl;
  const body = html`<section class="card">${postForm(ctx, '/login', html`
<label for="customerNo">${t(lang, 'customerNo')}</label>
<input id="customerNo" name="customerNo" inputmode="numeric" autocomplete="username" maxlength="13" pattern="[0-9]{10,13}" required value="${view.customerNo ?? ''}" aria-describedby="customerNo-hint">
<small id="customerNo-hint">${t(lang, 'customerNoHint')}</small>
<label for="password">${t(lang, 'password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" minlength="8" maxlength="128" required>
<label for="smsCode">${t(lang, 'smsCode')}</label>
<div class="inline"><input id="smsCode" name="smsCode" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" required>
<button type="submit" id="request-code" class="secondary" formaction="/login/code" formnovalidate>${t(lang, 'requestCode')}</button></div>
<button type="submit" id="login" class="primary">${t(lang, 'login')}</button>`, { id: 'login-form' })}
${outbox === undefined ? '' : html`<p class="dev"><a id="dev-outbox" href="${outbox}" target="_blank" rel="noopener noreferrer">${t(lang, 'devOutbox')}</a></p>`}</section>`;
  sendPage(rq.res, view.status ?? 200, page(ctx, t(lang, 'loginTitle'), body), rq.cookies);
}

function notice(rq: Rq, kind: 'ok' | 'error' | 'info', text: string): PageContext['notice'] {
  return { kind, text };
}

export async function showLogin(portal: Portal, rq: Rq): Promise<void> {
  const ctx = pageContext(portal, rq);
  const flag = rq.url.searchParams.get('expired') !== null ? 'sessionExpired' : rq.url.searchParams.get('bye') !== null ? 'loggedOut' : undefined;
  loginPage(portal, rq, flag === undefined ? ctx : { ...ctx, notice: notice(rq, 'info', t(rq.lang, flag)) });
}

/** Counts the attempt; false (and the page answered 429) when the address or the number is over its limit. */
function withinRateLimit(portal: Portal, rq: Rq, customerNo: string): boolean {
  const allowed = portal.rateLimit.attempt([
    [`ip:${clientAddress(rq.req)}`, LIMITS.portalLoginAttemptsPerIpMax],
    [`customer:${customerNo}`, LIMITS.portalLoginAttemptsPerCustomerMax],
  ]);
  if (!allowed) {
    portal.logger?.warn('login attempts over the limit', { code: 'PORTAL_RATE_LIMITED' });
    const ctx = pageContext(portal, rq);
    loginPage(portal, rq, { ...ctx, notice: notice(rq, 'error', t(rq.lang, 'rateLimited')) }, { customerNo, status: 429 });
  }
  return allowed;
}

export async function requestCode(portal: Portal, rq: Rq): Promise<void> {
  const customerNo = (rq.form?.get('customerNo') ?? '').trim();
  const ctx = pageContext(portal, rq);
  if (!/^[0-9]{10,13}$/.test(customerNo)) {
    return loginPage(portal, rq, { ...ctx, notice: notice(rq, 'error', t(rq.lang, 'customerNoInvalid')) }, { customerNo, status: 400 });
  }
  if (!withinRateLimit(portal, rq, customerNo)) return;
  const result = await portal.client.call('RequestLoginCode', { customerNo });
  if (result.kind !== 'answer') {
    return loginPage(portal, rq, { ...ctx, notice: notice(rq, 'error', t(rq.lang, 'unavailable')) }, { customerNo, status: 503 });
  }
  const sentTo = result.answer.optional('sentTo');
  const minutes = Math.round(LIMITS.loginCodeLifetimeMs / 60_000);
  const text = `${sentTo === undefined ? t(rq.lang, 'codeMaybeSent') : t(rq.lang, 'codeSentTo', { phone: sentTo, minutes })} `
    + t(rq.lang, 'resendAfter', { seconds: result.answer.text('resendAfterSeconds') });
  loginPage(portal, rq, { ...ctx, notice: notice(rq, 'info', text) }, { customerNo });
}

export async function logIn(portal: Portal, rq: Rq): Promise<void> {
  const form = rq.form!;
  const customerNo = (form.get('customerNo') ?? '').trim();
  const ctx = pageContext(portal, rq);
  const fail = (key: MessageKey, status: number) => loginPage(portal, rq, { ...ctx, notice: notice(rq, 'error', t(rq.lang, key)) }, { customerNo, status });
  if (!withinRateLimit(portal, rq, /^[0-9]{10,13}$/.test(customerNo) ? customerNo : 'invalid')) return;
  const result = await portal.client.call('Login', { customerNo, password: form.get('password') ?? '', smsCode: (form.get('smsCode') ?? '').trim() });
  if (result.kind === 'invalid') return fail(FIELD_MESSAGES[result.field] ?? 'loginFailed', 400);
  if (result.kind === 'unavailable') return fail('unavailable', 503);
  if (result.kind === 'fault') {
    if (LOGIN_FAULTS[result.code] === undefined) portal.logger?.warn('unexpected Login fault', { code: result.code });
    return fail(LOGIN_FAULTS[result.code] ?? 'loginFailed', 401);
  }
  const answer = result.answer;
  const session = portal.sessions.create({
    coreToken: answer.text('sessionToken'), customerNo: answer.text('customerNo'), customerName: answer.text('customerName'),
    coreExpiresAtMs: Date.parse(answer.text('expiresAt')),
  });
  redirect(rq.res, '/home', [...rq.cookies, sessionCookie(SESSION_COOKIE, session.id, { secure: portal.secureCookies })]);
}

export async function logOut(portal: Portal, rq: SignedInRq): Promise<void> {
  // Whatever the core answers (the session may have ended there already), it ends here.
  await portal.client.call('Logout', { sessionToken: rq.session.coreToken });
  portal.sessions.end(rq.session.id);
  redirect(rq.res, '/login?bye=1', [clearedCookie(SESSION_COOKIE, { secure: portal.secureCookies })]);
}
