// Smart payment: remote disconnect and reconnect commands (停复电指令). Disconnects wait for a
// person's approval; approving does not send one at once: the dispatcher sends it outside
// protected hours, holidays and protected customers (approve-control-command.ts).

import { businessTimestamp } from '../clock.ts';
import { CONTROL_COMMAND_STATUSES, type ControlCommandStatus } from '../domain/estimation.ts';
import { LIMITS } from '../limits.ts';
import { approveControlCommand } from '../usecases/approve-control-command.ts';
import { listControlCommands } from '../usecases/list-control-commands.ts';
import { html, type Html } from '../web/html.ts';
import { done, page, query, type Outcome, type RequestContext } from './console-route.ts';
import { csrfField } from './layout.ts';
import { may } from './permissions.ts';

const when = (stored: string | null) => (stored === null ? '—' : businessTimestamp(new Date(stored)).slice(0, 16).replace('T', ' '));

function statusLinks(ctx: RequestContext, current: ControlCommandStatus): Html {
  return html`<p class="bar">${CONTROL_COMMAND_STATUSES.map((s) => s === current
    ? html`<strong>${s}</strong> `
    : html`<a href="/console/control?status=${s}">${s}</a> `)}</p>`;
}

export async function controlPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const asked = query(ctx, 'status');
  const status = CONTROL_COMMAND_STATUSES.find((s) => s === asked) ?? 'PENDING_APPROVAL';
  const { commands, more } = await listControlCommands(ctx.deps.store, { status, limit: LIMITS.consoleRowsListedMax });
  const approve = may(ctx.who.role, 'control.approve');
  const body = html`${statusLinks(ctx, status)}
    <table class="grid" id="control-commands"><thead><tr><th>${t('control.command')}</th><th>${t('control.kind')}</th><th>${t('col.customerNo')}</th>
    <th>${t('col.meterNo')}</th><th>${t('control.reason')}</th><th>${t('control.created')}</th><th>${t('col.state')}</th><th>${t('control.approvedBy')}</th><th></th></tr></thead><tbody>
    ${commands.map((c) => html`<tr data-command="${c.id}"><td>${c.command_id}</td><td>${t(c.kind === 'DISCONNECT' ? 'control.disconnect' : 'control.reconnect')}</td>
      <td><a href="/console/customers/${c.customer_no}">${c.customer_no}</a></td><td>${c.meter_no}</td><td class="detail">${c.reason}</td>
      <td>${when(c.created_at)}</td><td>${c.status}</td><td>${c.approved_by ?? '—'}</td>
      <td>${approve && c.status === 'PENDING_APPROVAL' ? html`<form method="post" action="/console/control/${c.id}/approve" class="inline">${csrfField(ctx.csrf)}
        <button type="submit">${t('control.approve')}</button></form>` : ''}</td></tr>`)}</tbody></table>
    ${commands.length === 0 ? html`<p>${t('control.none')}</p>` : ''}${more ? html`<p class="hint">${t('control.more')}</p>` : ''}`;
  return page(t('nav.control'), body);
}

export async function approveCommandAction(ctx: RequestContext): Promise<Outcome> {
  await approveControlCommand(ctx.deps.store, Number(ctx.params[0]), ctx.who.username, ctx.now);
  return done('/console/control', 'command-approved');
}
