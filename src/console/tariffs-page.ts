// Tariffs: every stored version (current or superseded), one version's document, and importing
// a tariff document (format: fixtures/tariffs/README.md) with a dry run first, as
// `gridbill tariff import` and PublishTariff do. Publishing is for administrators only.

import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { importTariffDocument } from '../usecases/import-tariff.ts';
import { tariffDocument, tariffVersions } from '../usecases/list-tariffs.ts';
import { html, type Html } from '../web/html.ts';
import { page, type Outcome, type RequestContext } from './console-route.ts';
import { csrfField } from './layout.ts';
import { may } from './permissions.ts';

function importForm(ctx: RequestContext): Html {
  const { t } = ctx;
  return html`<form method="post" action="/console/tariffs" enctype="multipart/form-data" class="card">${csrfField(ctx.csrf)}
    <h2>${t('tariff.import')}</h2><label>${t('tariff.file')}<input type="file" name="file" accept=".json,application/json" required></label>
    <label class="check"><input type="checkbox" name="dryRun" checked>${t('read.dryRun')}</label>
    <button type="submit">${t('tariff.publish')}</button></form>`;
}

export async function tariffsPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const rows = await tariffVersions(ctx.deps.store);
  const body = html`<table class="grid" id="tariffs"><thead><tr><th>${t('col.tariff')}</th><th>${t('col.name')}</th><th>${t('tariff.kind')}</th>
    <th>${t('tariff.version')}</th><th>${t('tariff.from')}</th><th>${t('tariff.to')}</th><th>${t('col.state')}</th></tr></thead><tbody>
    ${rows.map((r) => html`<tr><td><a href="/console/tariffs/${r.code}/${r.version}">${r.code}</a></td><td>${r.name}</td><td>${r.kind}</td>
      <td class="num">${r.version}</td><td>${r.effectiveFrom}</td><td>${r.effectiveTo ?? '—'}</td>
      <td>${r.current ? t('tariff.current') : t('tariff.superseded')}</td></tr>`)}</tbody></table>
    ${may(ctx.who.role, 'tariffs.publish') ? importForm(ctx) : ''}`;
  return page(t('nav.tariffs'), body);
}

export async function tariffVersionPage(ctx: RequestContext): Promise<Outcome> {
  const { view, document } = await tariffDocument(ctx.deps.store, ctx.params[0]!, Number(ctx.params[1]));
  const body = html`<p>${view.name} · ${view.kind} · ${view.effectiveFrom} – ${view.effectiveTo ?? ''}</p><pre class="doc">${document}</pre>`;
  return page(`${view.code} v${view.version}`, body);
}

export async function importTariffAction(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const file = ctx.form.files.get('file');
  if (file === undefined || file.data.length === 0) throw new GridbillError('TARIFF_INVALID', 'choose a tariff document (JSON)');
  const text = file.data.toString('utf8');
  if (text.length > LIMITS.tariffDocumentCharsMax) throw new GridbillError('TARIFF_INVALID', `longer than ${LIMITS.tariffDocumentCharsMax} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GridbillError('TARIFF_INVALID', 'document: not JSON');
  }
  const dryRun = ctx.form.fields.has('dryRun');
  const result = await importTariffDocument(ctx.deps.store, value, 'document', { dryRun, actor: ctx.who.username, now: ctx.now });
  const body = html`<section id="tariff-result"><p>${result.code}: ${dryRun ? t('tariff.wouldStore') : t('tariff.stored')}
    ${result.stored.length === 0 ? '—' : result.stored.map((v) => `v${v.version} (${v.effectiveFrom})`).join(', ')};
    ${t('tariff.unchanged')} ${result.unchanged.length === 0 ? '—' : result.unchanged.join(', ')}</p>
    ${dryRun ? html`<p class="hint">${t('tariff.dryRunHint')}</p>` : ''}<p><a href="/console/tariffs">${t('nav.tariffs')}</a></p></section>
    ${importForm(ctx)}`;
  return page(t('tariff.import'), body);
}
