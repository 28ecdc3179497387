// Channels: register a bank, payment channel or internal system, rotate its password, enable or
// disable it (administrators); reconciliation results with their one-sided items (长款/短款) and
// amount mismatches. Passwords are sealed by the use case and never shown again.

import { formatYuan } from '../domain/money.ts';
import { LIMITS } from '../limits.ts';
import { addChannel, channelViews, rotateChannelSecret, setChannelEnabled } from '../usecases/manage-channels.ts';
import { reconciliationDay, reconciliationDays } from '../usecases/list-reconciliations.ts';
import { html, type Html } from '../web/html.ts';
import { done, field, page, type Outcome, type RequestContext } from './console-route.ts';
import { FORM } from './form-values.ts';
import { csrfField } from './layout.ts';
import { may } from './permissions.ts';

const KINDS = ['bank', 'third-party', 'portal', 'internal'] as const;

function registerForm(ctx: RequestContext): Html {
  const { t } = ctx;
  return html`<form method="post" action="/console/channels" class="card">${csrfField(ctx.csrf)}<h2>${t('chan.register')}</h2>
    <label>${t('col.channel')}<input name="code" required maxlength="32" pattern="[a-z0-9][a-z0-9-]{1,31}"></label>
    <label>${t('col.name')}<input name="name" required maxlength="100"></label>
    <label>${t('chan.kind')}<select name="kind">${KINDS.map((k) => html`<option value="${k}">${k}</option>`)}</select></label>
    <label>${t('chan.operations')}<input name="operations" required maxlength="2000" placeholder="QueryArrears,Pay"></label>
    <label>${t('chan.password')}<input name="password" type="password" required minlength="12" maxlength="128" autocomplete="new-password"></label>
    <label>${t('chan.reversalDays')}<input name="reversalDays" inputmode="numeric"></label>
    <button type="submit">${t('chan.register')}</button></form>`;
}

function manageCell(ctx: RequestContext, code: string, enabled: boolean): Html {
  const { t } = ctx;
  if (!may(ctx.who.role, 'channels.manage')) return html``;
  const base = `/console/channels/${code}`;
  return html`<form method="post" action="${base}/${enabled ? 'disable' : 'enable'}" class="inline">${csrfField(ctx.csrf)}
      <button type="submit">${enabled ? t('chan.disable') : t('chan.enable')}</button></form>
    <form method="post" action="${base}/rotate" class="inline">${csrfField(ctx.csrf)}
      <input name="password" type="password" required minlength="12" maxlength="128" autocomplete="new-password" aria-label="${t('chan.password')}">
      <button type="submit">${t('chan.rotate')}</button></form>`;
}

export async function channelsPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const channels = await channelViews(ctx.deps.store);
  const body = html`<table class="grid" id="channels"><thead><tr><th>${t('col.channel')}</th><th>${t('col.name')}</th><th>${t('chan.kind')}</th>
    <th>${t('col.state')}</th><th>${t('chan.operations')}</th><th></th></tr></thead><tbody>
    ${channels.map((c) => html`<tr data-channel="${c.code}"><td>${c.code}</td><td>${c.name}</td><td>${c.kind}</td>
      <td>${c.enabled ? t('state.enabled') : t('state.disabled')}</td><td class="ops">${c.operations.join(', ')}</td>
      <td>${manageCell(ctx, c.code, c.enabled)}</td></tr>`)}</tbody></table>
    ${may(ctx.who.role, 'channels.manage') ? registerForm(ctx) : ''}`;
  return page(t('nav.channels'), body);
}

export async function registerChannelAction(ctx: RequestContext): Promise<Outcome> {
  const reversal = field(ctx, 'reversalDays');
  await addChannel(ctx.deps.store, ctx.deps.secrets(), {
    code: field(ctx, 'code'), name: field(ctx, 'name'), kind: field(ctx, 'kind'), password: ctx.form.fields.get('password') ?? '',
    operations: field(ctx, 'operations').split(/[,\s]+/).filter((s) => s !== ''),
    reversalDays: reversal === '' ? null : FORM.integer(ctx, 'reversalDays', 0, LIMITS.reversalDaysMax),
  }, ctx.who.username, ctx.now);
  return done('/console/channels', 'channel-registered');
}

export function toggleChannelAction(enabled: boolean) {
  return async (ctx: RequestContext): Promise<Outcome> => {
    await setChannelEnabled(ctx.deps.store, ctx.params[0]!, enabled, ctx.who.username, ctx.now);
    return done('/console/channels', enabled ? 'channel-enabled' : 'channel-disabled');
  };
}

export async function rotateChannelAction(ctx: RequestContext): Promise<Outcome> {
  await rotateChannelSecret(ctx.deps.store, ctx.deps.secrets(), ctx.params[0]!, ctx.form.fields.get('password') ?? '', ctx.who.username, ctx.now);
  return done('/console/channels', 'channel-rotated');
}

const fen = (value: number | null) => (value === null ? '—' : formatYuan(value));

export async function reconciliationPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const days = await reconciliationDays(ctx.deps.store, LIMITS.consoleRowsListedMax);
  const body = html`<table class="grid" id="reconciliation"><thead><tr><th>${t('col.channel')}</th><th>${t('recon.date')}</th><th>${t('col.state')}</th>
    <th class="num">${t('recon.total')}</th><th class="num">${t('recon.matched')}</th><th class="num">${t('recon.channelOnly')}</th>
    <th class="num">${t('recon.platformOnly')}</th><th class="num">${t('recon.mismatch')}</th></tr></thead><tbody>
    ${days.map((d) => html`<tr><td>${d.channel_code}</td><td><a href="/console/reconciliation/${d.id}">${d.accounting_date}</a></td><td>${d.status}</td>
      <td class="num">${d.total_count} / ${formatYuan(d.total_amount_fen)}</td><td class="num">${d.matched_count ?? '—'}</td>
      <td class="num">${d.channel_only_count ?? '—'}</td><td class="num">${d.platform_only_count ?? '—'}</td><td class="num">${d.amount_mismatch_count ?? '—'}</td></tr>`)}
    </tbody></table>${days.length === 0 ? html`<p>${t('recon.none')}</p>` : ''}`;
  return page(t('nav.reconciliation'), body);
}

export async function reconciliationDayPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const { day, items } = await reconciliationDay(ctx.deps.store, Number(ctx.params[0]), LIMITS.consoleRowsListedMax);
  const body = html`<p>${day.channel_code} · ${day.accounting_date} · ${day.status} · ${t('recon.matched')} ${day.matched_count ?? '—'}
    (${fen(day.matched_amount_fen)})</p>
    <table class="grid" id="discrepancies"><thead><tr><th>${t('recon.kind')}</th><th>${t('recon.txn')}</th><th>${t('col.customerNo')}</th>
    <th class="num">${t('recon.channelAmount')}</th><th class="num">${t('recon.platformAmount')}</th><th>${t('col.state')}</th></tr></thead><tbody>
    ${items.map((i) => html`<tr><td>${t(`recon.${i.kind}`)}</td><td>${i.channel_txn_id}</td><td>${i.customer_no}</td>
      <td class="num">${fen(i.channel_amount_fen)}</td><td class="num">${fen(i.platform_amount_fen)}</td><td>${i.review_status}</td></tr>`)}
    </tbody></table>${items.length === 0 ? html`<p>${t('recon.noItems')}</p>` : ''}`;
  return page(`${t('nav.reconciliation')} ${day.channel_code} ${day.accounting_date}`, body);
}
