// The customer's details (masked by the core), the e-mail address, a new mobile phone confirmed by
// the code sent to it, and the password. Every change is CustomerService.UpdateProfile; each post
// ends in a redirect back to the profile with a one-shot notice (post/redirect/get).

import { html, type Html } from '../web/html.ts';
import { redirect, sendPage } from './http-kit.ts';
import type { Answer } from './customer-service-client.ts';
import { page, postForm, type PageContext } from './layout.ts';
import { t, type Lang, type MessageKey } from './messages.ts';
import { ask, call, CoreUnavailable, pageContext, type Portal, type Reached, type SignedInRq } from './portal-context.ts';

const FAULTS: Readonly<Record<string, MessageKey>> = {
  PHONE_CODE_INVALID: 'phoneCodeInvalid', SMS_TOO_SOON: 'smsTooSoon', PASSWORD_WRONG: 'passwordWrong', PASSWORD_POLICY: 'passwordPolicy',
};
const FIELDS: Readonly<Record<string, MessageKey>> = {
  email: 'emailInvalid', newPhone: 'phoneInvalid', phoneCode: 'phoneCodeInvalid', currentPassword: 'passwordWrong', newPassword: 'passwordPolicy',
};

function details(lang: Lang, p: Answer): Html {
  const mode = p.text('paymentMode') === 'smart-prepaid' ? t(lang, 'modeSmartPrepaid') : t(lang, 'modePostpaid');
  const tou = p.text('timeOfUse') === 'true' || p.text('timeOfUse') === '1' ? t(lang, 'yes') : t(lang, 'no');
  const rows: ReadonlyArray<readonly [MessageKey, string]> = [
    ['customerNo', p.text('customerNo')], ['name', p.text('name')], ['address', p.text('address')], ['phone', p.optional('phone') ?? '—'],
    ['email', p.optional('email') ?? '—'], ['category', p.text('category')], ['voltage', p.text('voltage')], ['paymentMode', mode],
    ['timeOfUse', tou], ['meters', p.texts('meterNo').join(', ') || '—'],
  ];
  return html`<section class="card"><dl class="facts" id="profile">${rows.map(([k, v]) => html`<dt>${t(lang, k)}</dt><dd>${v}</dd>`)}</dl></section>`;
}

function forms(ctx: PageContext, pendingPhone: string | undefined, email: string | undefined): Html {
  const { lang } = ctx;
  const phoneForm = pendingPhone === undefined
    ? postForm(ctx, '/profile/phone', html`<label for="newPhone">${t(lang, 'newPhone')}</label>
<input id="newPhone" name="newPhone" inputmode="tel" autocomplete="tel" pattern="1[3-9][0-9]{9}" maxlength="11" required>
<button type="submit" class="secondary" id="send-phone-code">${t(lang, 'sendPhoneCode')}</button>`, { id: 'phone-form' })
    : postForm(ctx, '/profile/phone/confirm', html`<p>${t(lang, 'phoneCodeSent')}</p><input type="hidden" name="newPhone" value="${pendingPhone}">
<label for="phoneCode">${t(lang, 'phoneCode')}</label><input id="phoneCode" name="phoneCode" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit" class="primary" id="confirm-phone">${t(lang, 'confirmPhone')}</button>`, { id: 'phone-confirm-form' });
  return html`<section class="card"><h2>${t(lang, 'email')}</h2>${postForm(ctx, '/profile/email', html`<label for="email">${t(lang, 'email')}</label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" required value="${email ?? ''}">
<button type="submit" class="secondary" id="save-email">${t(lang, 'save')}</button>`, { id: 'email-form' })}</section>
<section class="card"><h2>${t(lang, 'changePhone')}</h2>${phoneForm}</section>
<section class="card"><h2>${t(lang, 'changePassword')}</h2>${postForm(ctx, '/profile/password', html`
<label for="currentPassword">${t(lang, 'currentPassword')}</label><input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password" minlength="8" maxlength="128" required>
<label for="newPassword">${t(lang, 'newPassword')}</label><input id="newPassword" name="newPassword" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<label for="repeatPassword">${t(lang, 'repeatPassword')}</label><input id="repeatPassword" name="repeatPassword" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<button type="submit" class="secondary" id="change-password">${t(lang, 'changePassword')}</button>`, { id: 'password-form' })}</section>`;
}

export async function showProfile(portal: Portal, rq: SignedInRq): Promise<void> {
  const profile = await ask(portal, rq, 'GetProfile', {});
  const ctx = pageContext(portal, rq);
  sendPage(rq.res, 200, page(ctx, t(ctx.lang, 'profileTitle'), html`${details(ctx.lang, profile)}${forms(ctx, rq.session.pendingPhone, profile.optional('email'))}`));
}

/** The notice for an UpdateProfile outcome other than an answer; throws for one no page explains. */
function refusal(result: Exclude<Reached, { kind: 'answer' }>): MessageKey {
  const key = result.kind === 'fault' ? FAULTS[result.code] : result.kind === 'invalid' ? FIELDS[result.field] : undefined;
  if (key === undefined) throw new CoreUnavailable(result.kind === 'fault' ? `UpdateProfile fault ${result.code}` : `UpdateProfile ${result.kind}`);
  return key;
}

async function update(portal: Portal, rq: SignedInRq, fields: Readonly<Record<string, string>>, done: (answer: Answer) => MessageKey): Promise<void> {
  const result = await call(portal, rq, 'UpdateProfile', fields);
  const ok = result.kind === 'answer';
  const key = ok ? done(result.answer) : refusal(result);
  rq.session.notice = { kind: ok ? 'ok' : 'error', text: t(rq.lang, key) };
  redirect(rq.res, '/profile');
}

function field(rq: SignedInRq, name: string): string {
  return (rq.form?.get(name) ?? '').trim();
}

export function postEmail(portal: Portal, rq: SignedInRq): Promise<void> {
  return update(portal, rq, { email: field(rq, 'email') }, () => 'emailSaved');
}

export function postPhone(portal: Portal, rq: SignedInRq): Promise<void> {
  const newPhone = field(rq, 'newPhone');
  return update(portal, rq, { newPhone }, (answer) => {
    rq.session.pendingPhone = answer.text('status') === 'CODE_SENT' ? newPhone : undefined;
    return answer.text('status') === 'CODE_SENT' ? 'phoneCodeSent' : 'phoneChanged';
  });
}

export function confirmPhone(portal: Portal, rq: SignedInRq): Promise<void> {
  return update(portal, rq, { newPhone: field(rq, 'newPhone'), phoneCode: field(rq, 'phoneCode') }, () => {
    rq.session.pendingPhone = undefined;
    return 'phoneChanged';
  });
}

export async function postPassword(portal: Portal, rq: SignedInRq): Promise<void> {
  const newPassword = rq.form?.get('newPassword') ?? '';
  if (newPassword !== (rq.form?.get('repeatPassword') ?? '')) {
    rq.session.notice = { kind: 'error', text: t(rq.lang, 'passwordMismatch') };
    return redirect(rq.res, '/profile');
  }
  return update(portal, rq, { currentPassword: rq.form?.get('currentPassword') ?? '', newPassword }, () => 'passwordChanged');
}
