// Operations dashboard: every channel's calls and failures today (business day, UTC+8), with a
// chart drawn by chart.js from the table's own figures (data-* attributes read by console.js: no
// inline script); the month's channel assessment (渠道考评), day by day for a chosen channel
// (?channel=); the terminals that are not online; the alerts not yet cleared.

import { businessDate, businessTimestamp } from '../clock.ts';
import { formatYuan } from '../domain/money.ts';
import { LIMITS } from '../limits.ts';
import { channelStatus, type ChannelStatusView } from '../usecases/channel-activity.ts';
import { assessChannel, type AssessmentFigures } from '../usecases/channel-assessment.ts';
import { listAlerts } from '../usecases/list-alerts.ts';
import { terminalStatus, type TerminalView } from '../usecases/terminal-status.ts';
import { html, type Html } from '../web/html.ts';
import type { Translator } from './i18n.ts';
import { ASSETS } from './layout.ts';
import { page, type Outcome, type RequestContext } from './console-route.ts';

/** Channels assessed on the page: each costs a few grouped queries. */
const ASSESSED_CHANNELS_MAX = 50;
/** Terminals of each state listed: the rest is one search away (GetTerminalStatus). */
const TERMINALS_LISTED = 20;

const time = (utc: string) => businessTimestamp(new Date(utc)).slice(0, 19).replace('T', ' ');
const rate = (bp: number) => `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`;

function channelTable(t: Translator, rows: readonly ChannelStatusView[]): Html {
  return html`<table class="grid" id="channel-status"><thead><tr><th>${t('col.channel')}</th><th>${t('col.name')}</th><th>${t('col.state')}</th>
      <th class="num">${t('col.calls')}</th><th class="num">${t('col.failures')}</th><th>${t('col.lastSeen')}</th></tr></thead><tbody>
    ${rows.map((r) => html`<tr data-channel="${r.code}" data-calls="${r.calls}" data-failures="${r.failures}">
      <td>${r.code}</td><td>${r.name}</td><td>${r.enabled ? t('state.enabled') : t('state.disabled')}</td>
      <td class="num">${r.calls}</td><td class="num">${r.failures}</td><td>${r.lastSeen === null ? '—' : time(r.lastSeen)}</td></tr>`)}
    </tbody></table>
    <div class="chart"><canvas id="channel-chart" data-label-calls="${t('col.calls')}" data-label-failures="${t('col.failures')}"></canvas></div>
    <script src="${ASSETS}/chart.umd.js" defer></script>`;
}

function figureCells(f: AssessmentFigures): Html {
  return html`<td class="num">${f.calls}</td><td class="num">${rate(f.successRateBp)}</td><td class="num">${rate(f.availabilityBp)}</td>
    <td class="num">${f.p95LatencyMs}</td><td class="num">${f.payments}</td><td class="num">${formatYuan(f.paymentAmountFen)}</td>
    <td class="num">${f.reversals}</td><td class="num">${f.daysReconciled}</td><td class="num">${f.discrepancies}</td>`;
}

function figureHeads(t: Translator): Html {
  return html`<th class="num">${t('col.calls')}</th><th class="num">${t('col.successRate')}</th><th class="num">${t('col.availability')}</th>
    <th class="num">${t('col.p95')}</th><th class="num">${t('col.payments')}</th><th class="num">${t('col.paymentAmount')}</th>
    <th class="num">${t('col.reversals')}</th><th class="num">${t('col.daysReconciled')}</th><th class="num">${t('col.discrepancies')}</th>`;
}

async function assessmentSection(ctx: RequestContext, day: string, channels: readonly ChannelStatusView[]): Promise<Html> {
  const { t } = ctx;
  const from = `${day.slice(0, 7)}-01`;
  const assessed = channels.slice(0, ASSESSED_CHANNELS_MAX);
  const months = await Promise.all(assessed.map((c) => assessChannel(ctx.deps.store, ctx.deps.activity, { channelCode: c.code, from, to: day })));
  const chosen = months.find((m) => m.channelCode === ctx.url.searchParams.get('channel'));
  return html`<section><h2>${t('dash.assessment')} <small>${from} – ${day}</small></h2>
    <table class="grid" id="channel-assessment"><thead><tr><th>${t('col.channel')}</th>${figureHeads(t)}</tr></thead><tbody>
    ${months.map((m) => html`<tr data-channel="${m.channelCode}"><td><a href="?channel=${encodeURIComponent(m.channelCode)}">${m.channelCode}</a></td>${figureCells(m.total)}</tr>`)}
    </tbody></table>
    ${chosen === undefined ? '' : html`<h3>${t('dash.assessmentDays')}: ${chosen.channelCode}</h3>
    <table class="grid" id="channel-assessment-days"><thead><tr><th>${t('col.day')}</th>${figureHeads(t)}</tr></thead><tbody>
    ${chosen.days.map((d) => html`<tr data-day="${d.day}"><td>${d.day}</td>${figureCells(d)}</tr>`)}
    </tbody></table>`}
  </section>`;
}

function terminalRows(t: Translator, terminals: readonly TerminalView[]): Html {
  return html`${terminals.map((m) => html`<tr data-meter="${m.meterNo}" data-status="${m.status}"><td>${m.meterNo}</td><td>${m.customerNo}</td>
    <td>${m.status}</td><td class="num">${m.readingAgeDays ?? '—'}</td><td>${t(m.switchState === 'on' ? 'switch.on' : 'switch.off')}</td>
    <td class="num">${m.failedCommands}</td></tr>`)}`;
}

async function terminalsSection(ctx: RequestContext, day: string): Promise<Html> {
  const { t } = ctx;
  const [degraded, offline] = await Promise.all((['DEGRADED', 'OFFLINE'] as const).map((status) =>
    terminalStatus(ctx.deps.store, { status, limit: TERMINALS_LISTED, today: day })));
  const shown = [...degraded!.terminals, ...offline!.terminals];
  return html`<section><h2>${t('dash.terminalsAttention')}</h2>
    ${shown.length === 0 ? html`<p>${t('dash.noTerminals')}</p>` : html`<table class="grid" id="terminals"><thead><tr><th>${t('col.meter')}</th>
      <th>${t('col.customer')}</th><th>${t('col.terminalStatus')}</th><th class="num">${t('col.readingAge')}</th><th>${t('col.switch')}</th>
      <th class="num">${t('col.failedCommands')}</th></tr></thead><tbody>${terminalRows(t, shown)}</tbody></table>`}
  </section>`;
}

async function alertsSection(ctx: RequestContext): Promise<Html> {
  const { t } = ctx;
  const { alerts } = await listAlerts(ctx.deps.store, { activeOnly: true, limit: LIMITS.consoleRowsListedMax });
  return html`<section><h2>${t('dash.alerts')}</h2>
    ${alerts.length === 0 ? html`<p>${t('dash.noAlerts')}</p>` : html`<table class="grid" id="alerts"><thead><tr><th>${t('col.severity')}</th>
      <th>${t('col.source')}</th><th>${t('col.message')}</th><th>${t('col.raisedAt')}</th></tr></thead><tbody>
    ${alerts.map((a) => html`<tr data-severity="${a.severity}"><td>${a.severity}</td><td>${a.kind}</td><td>${a.message}</td><td>${time(a.raisedAt)}</td></tr>`)}
    </tbody></table>`}
  </section>`;
}

export async function dashboardPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const day = businessDate(new Date(ctx.now));
  const rows = await channelStatus(ctx.deps.store, ctx.deps.activity, { day });
  const body = html`<section><h2>${t('dash.channels')} <small>${day}</small></h2>
    ${rows.length === 0 ? html`<p>${t('dash.noChannels')}</p>` : channelTable(t, rows)}
  </section>
  ${rows.length === 0 ? '' : await assessmentSection(ctx, day, rows)}
  ${await terminalsSection(ctx, day)}
  ${await alertsSection(ctx)}`;
  return page(t('nav.dashboard'), body);
}
