// Operations dashboard: every channel's calls and failures today (business day, UTC+8), with a
// chart drawn by chart.js from the table's own figures (data-* attributes read by console.js:
// no inline script). Terminals and alerts join it when their services exist.

import { businessDate, businessTimestamp } from '../clock.ts';
import { channelStatus } from '../usecases/channel-activity.ts';
import { html } from '../web/html.ts';
import { ASSETS } from './layout.ts';
import { page, type Outcome, type RequestContext } from './console-route.ts';

export async function dashboardPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const day = businessDate(new Date(ctx.now));
  const rows = await channelStatus(ctx.deps.store, ctx.deps.activity, { day });
  const body = html`<section><h2>${t('dash.channels')} <small>${day}</small></h2>
    ${rows.length === 0 ? html`<p>${t('dash.noChannels')}</p>` : html`
    <table class="grid" id="channel-status"><thead><tr><th>${t('col.channel')}</th><th>${t('col.name')}</th><th>${t('col.state')}</th>
      <th class="num">${t('col.calls')}</th><th class="num">${t('col.failures')}</th><th>${t('col.lastSeen')}</th></tr></thead><tbody>
    ${rows.map((r) => html`<tr data-channel="${r.code}" data-calls="${r.calls}" data-failures="${r.failures}">
      <td>${r.code}</td><td>${r.name}</td><td>${r.enabled ? t('state.enabled') : t('state.disabled')}</td>
      <td class="num">${r.calls}</td><td class="num">${r.failures}</td><td>${r.lastSeen === null ? '—' : businessTimestamp(new Date(r.lastSeen)).slice(0, 19).replace('T', ' ')}</td></tr>`)}
    </tbody></table>
    <div class="chart"><canvas id="channel-chart" data-label-calls="${t('col.calls')}" data-label-failures="${t('col.failures')}"></canvas></div>
    <script src="${ASSETS}/chart.umd.js" defer></script>`}
  </section>
  <section><h2>${t('dash.terminals')}</h2><p class="muted">${t('dash.terminalsLater')}</p></section>`;
  return page(t('nav.dashboard'), body);
}
