// Readings: a CSV file uploaded through the browser, imported exactly as `gridbill readings
// import` does (same format, same per-meter all-or-nothing rule), with every rejected row listed
// by line and column. The upload is written to a private temporary folder for the importer,
// which streams files, and removed when the import ends.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GridbillError } from '../errors.ts';
import { importReadings, type ReadingsImportSummary } from '../usecases/import-readings.ts';
import { html, type Html } from '../web/html.ts';
import { page, type Outcome, type RequestContext } from './console-route.ts';
import { csrfField } from './layout.ts';

function uploadForm(ctx: RequestContext): Html {
  const { t } = ctx;
  return html`<form method="post" action="/console/readings" enctype="multipart/form-data" class="card">${csrfField(ctx.csrf)}
    <label>${t('read.file')}<input type="file" name="file" accept=".csv,text/csv" required></label>
    <label class="check"><input type="checkbox" name="dryRun">${t('read.dryRun')}</label>
    <p class="hint">${t('read.hint')}</p><button type="submit">${t('read.upload')}</button></form>`;
}

export async function readingsPage(ctx: RequestContext): Promise<Outcome> {
  return page(ctx.t('nav.readings'), uploadForm(ctx));
}

function summaryView(ctx: RequestContext, s: ReadingsImportSummary): Html {
  const { t } = ctx;
  return html`<section id="import-result"><h2>${s.dryRun ? t('read.checked') : t('read.imported')}</h2>
    <table class="grid narrow"><tbody>
      <tr><th>${t('read.rowsRead')}</th><td class="num">${s.rowsRead}</td></tr>
      <tr><th>${t('read.rowsStored')}</th><td class="num">${s.rowsStored}</td></tr>
      <tr><th>${t('read.rowsUnchanged')}</th><td class="num">${s.rowsUnchanged}</td></tr>
      <tr><th>${t('read.rowsRejected')}</th><td class="num">${s.rowsRejected}</td></tr>
      <tr><th>${t('read.metersStored')}</th><td class="num">${s.metersStored}</td></tr>
      <tr><th>${t('read.metersRejected')}</th><td class="num">${s.metersRejected}</td></tr></tbody></table>
    ${s.errors.length === 0 ? '' : html`<h3>${t('read.errors')}</h3><table class="grid" id="row-errors"><thead><tr>
      <th class="num">${t('col.line')}</th><th>${t('col.field')}</th><th>${t('col.problem')}</th></tr></thead><tbody>
      ${s.errors.map((e) => html`<tr><td class="num">${e.line}</td><td>${e.field ?? '—'}</td><td>${e.message}</td></tr>`)}</tbody></table>
      ${s.errorsNotListed > 0 ? html`<p>${t('read.notListed')}: ${s.errorsNotListed}</p>` : ''}`}</section>`;
}

export async function uploadReadingsAction(ctx: RequestContext): Promise<Outcome> {
  const file = ctx.form.files.get('file');
  if (file === undefined || file.data.length === 0) throw new GridbillError('INPUT_INVALID', 'choose a CSV file');
  const dir = await mkdtemp(join(tmpdir(), 'gridbill-console-'));
  try {
    // The file name is shown in the audit record only, and never used as a path.
    const path = join(dir, 'upload.csv');
    await writeFile(path, file.data, { mode: 0o600 });
    const summary = await importReadings(ctx.deps.store, path, { today: ctx.today, now: ctx.now, dryRun: ctx.form.fields.has('dryRun'), actor: ctx.who.username });
    return page(ctx.t('nav.readings'), html`${summaryView(ctx, summary)}${uploadForm(ctx)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
