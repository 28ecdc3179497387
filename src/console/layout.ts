// The page shell every console page shares: the navigation (only what the role may open), the
// language switch, the logout form, and the "done" note of the last action. Styles and scripts
// come from /console/assets only (the CSP allows nothing inline).

import { html, type Html } from '../web/html.ts';
import type { StaffIdentity } from '../usecases/staff-session.ts';
import { isMessageKey, type Lang, type MessageKey, type Translator } from './i18n.ts';
import { may, type Permission } from './permissions.ts';

export const ASSETS = '/console/assets';

const NAV: ReadonlyArray<readonly [path: string, label: MessageKey, permission: Permission]> = [
  ['/console/', 'nav.dashboard', 'dashboard.view'],
  ['/console/customers', 'nav.customers', 'customers.view'],
  ['/console/readings', 'nav.readings', 'readings.upload'],
  ['/console/billing', 'nav.billing', 'billing.view'],
  ['/console/tariffs', 'nav.tariffs', 'tariffs.view'],
  ['/console/channels', 'nav.channels', 'channels.view'],
  ['/console/reconciliation', 'nav.reconciliation', 'reconciliation.view'],
  ['/console/control', 'nav.control', 'control.view'],
  ['/console/audit', 'nav.audit', 'audit.view'],
  ['/console/staff', 'nav.staff', 'staff.manage'],
];

export interface Shell {
  readonly lang: Lang;
  readonly t: Translator;
  readonly who: StaffIdentity | null;
  readonly csrf: string;
  /** The current path and query, for the language switch to come back to. */
  readonly here: string;
  /** The ?done= key of the action just completed. */
  readonly done?: string;
}

function header(shell: Shell): Html {
  const { t, who } = shell;
  const other: Lang = shell.lang === 'zh' ? 'en' : 'zh';
  const switchTo = html`<a class="lang" href="/console/lang/${other}?back=${encodeURIComponent(shell.here)}">${other === 'en' ? 'English' : '中文'}</a>`;
  const user = who === null ? '' : html`<span class="who">${who.displayName} · ${t(`role.${who.role}`)}</span>
    <form method="post" action="/console/logout" class="inline"><input type="hidden" name="csrf" value="${shell.csrf}">
    <button type="submit" class="link">${t('action.logout')}</button></form>`;
  return html`<header><span class="brand">${t('app.title')}</span>${user}${switchTo}</header>`;
}

function nav(shell: Shell): Html {
  const { who, t } = shell;
  if (who === null) return html``;
  const items = NAV.filter(([, , permission]) => may(who.role, permission))
    .map(([path, label]) => html`<li><a href="${path}">${t(label)}</a></li>`);
  return html`<nav><ul>${items}</ul></nav>`;
}

export function layout(shell: Shell, title: string, body: Html): Html {
  const doneKey = shell.done === undefined ? undefined : `done.${shell.done}`;
  const note = doneKey !== undefined && isMessageKey(doneKey) ? html`<p class="note ok" role="status">${shell.t(doneKey)}</p>` : '';
  return html`<!doctype html>
<html lang="${shell.lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${shell.t('app.title')}</title>
<link rel="stylesheet" href="${ASSETS}/console.css">
<script src="${ASSETS}/console.js" defer></script>
</head><body>
${header(shell)}
<div class="frame">${nav(shell)}<main><h1>${title}</h1>${note}${body}</main></div>
</body></html>
`;
}

/** A hidden CSRF field for a form. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}
