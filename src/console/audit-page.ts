// The audit log for auditors: the newest records (optionally of one actor) and whether the hash
// chain is intact from the first record on.

import { businessTimestamp } from '../clock.ts';
import { LIMITS } from '../limits.ts';
import { auditChainVerdict, latestAudit } from '../usecases/list-audit.ts';
import { html } from '../web/html.ts';
import { page, query, type Outcome, type RequestContext } from './console-route.ts';

const ACTOR = /^[\p{L}\p{N}:._@-]{1,64}$/u;

export async function auditPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const actor = query(ctx, 'actor');
  const rows = await latestAudit(ctx.deps.store, { ...(ACTOR.test(actor) ? { actor } : {}), limit: LIMITS.consoleRowsListedMax });
  const verdict = ctx.url.searchParams.has('verify') ? await auditChainVerdict(ctx.deps.store) : undefined;
  const body = html`<form method="get" action="/console/audit" class="bar"><input name="actor" value="${actor}" maxlength="64" placeholder="${t('audit.actor')}" aria-label="${t('audit.actor')}">
    <button type="submit">${t('cust.search')}</button><button type="submit" name="verify" value="1">${t('audit.verify')}</button></form>
    ${verdict === undefined ? '' : html`<p class="note ${verdict.kind === 'intact' ? 'ok' : 'bad'}" id="audit-verdict">${verdict.kind === 'intact'
      ? `${t('audit.intact')} (${verdict.records})` : `${t('audit.broken')} #${verdict.firstBrokenId}: ${verdict.reason}`}</p>`}
    <table class="grid" id="audit"><thead><tr><th>#</th><th>${t('audit.at')}</th><th>${t('audit.actor')}</th><th>${t('audit.action')}</th>
    <th>${t('audit.subject')}</th><th>${t('col.detail')}</th></tr></thead><tbody>
    ${rows.map((r) => html`<tr><td class="num">${r.id}</td><td>${businessTimestamp(new Date(r.at)).slice(0, 19).replace('T', ' ')}</td><td>${r.actor}</td>
      <td>${r.action}</td><td>${r.subject}</td><td class="detail">${r.detail}</td></tr>`)}</tbody></table>`;
  return page(t('nav.audit'), body);
}
