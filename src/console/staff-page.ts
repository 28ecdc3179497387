// Staff users (administrators only): who may log in with which role; add, disable, enable.

import { setStaffUserEnabled, STAFF_ROLES, addStaffUser, staffUsers } from '../usecases/staff-accounts.ts';
import { html } from '../web/html.ts';
import { done, field, page, type Outcome, type RequestContext } from './console-route.ts';
import { csrfField } from './layout.ts';

export async function staffPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const users = await staffUsers(ctx.deps.store);
  const body = html`<table class="grid" id="staff"><thead><tr><th>${t('login.user')}</th><th>${t('col.name')}</th><th>${t('staff.role')}</th>
    <th>${t('col.state')}</th><th>${t('staff.lastLogin')}</th><th></th></tr></thead><tbody>
    ${users.map((u) => html`<tr data-user="${u.username}"><td>${u.username}</td><td>${u.displayName}</td><td>${t(`role.${u.role}`)}</td>
      <td>${u.enabled ? t('state.enabled') : t('state.disabled')}</td><td>${u.lastLoginAt ?? '—'}</td>
      <td>${u.username === ctx.who.username ? '' : html`<form method="post" action="/console/staff/${u.username}/${u.enabled ? 'disable' : 'enable'}" class="inline">
        ${csrfField(ctx.csrf)}<button type="submit">${u.enabled ? t('chan.disable') : t('chan.enable')}</button></form>`}</td></tr>`)}</tbody></table>
    <form method="post" action="/console/staff" class="card">${csrfField(ctx.csrf)}<h2>${t('staff.add')}</h2>
      <label>${t('login.user')}<input name="username" required maxlength="32" pattern="[a-z][a-z0-9._-]{1,31}"></label>
      <label>${t('col.name')}<input name="displayName" maxlength="100"></label>
      <label>${t('staff.role')}<select name="role">${STAFF_ROLES.map((r) => html`<option value="${r}">${t(`role.${r}`)}</option>`)}</select></label>
      <label>${t('login.password')}<input name="password" type="password" required minlength="8" maxlength="128" autocomplete="new-password"></label>
      <button type="submit">${t('staff.add')}</button></form>`;
  return page(t('nav.staff'), body);
}

export async function addStaffAction(ctx: RequestContext): Promise<Outcome> {
  const displayName = field(ctx, 'displayName');
  await addStaffUser(ctx.deps.store, {
    username: field(ctx, 'username'), role: field(ctx, 'role'), password: ctx.form.fields.get('password') ?? '',
    ...(displayName === '' ? {} : { displayName }),
  }, ctx.who.username, ctx.now);
  return done('/console/staff', 'staff-added');
}

export function toggleStaffAction(enabled: boolean) {
  return async (ctx: RequestContext): Promise<Outcome> => {
    await setStaffUserEnabled(ctx.deps.store, ctx.params[0]!, enabled, ctx.who.username, ctx.now);
    return done('/console/staff', enabled ? 'staff-enabled' : 'staff-disabled');
  };
}
