// Billing: start a bill run and watch it (the page polls a small JSON view of the run from
// console.js), its summary, the exception queue (resolve or accept, with a note), and issuing the
// period's bills. Bill runs go on in this core after the answer, as RunBilling's do.

import { addMonths, monthOf } from '../domain/dates.ts';
import { formatYuan } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { getBillRun, type BillRunView } from '../usecases/get-bill-run.ts';
import { issueBills } from '../usecases/issue-bills.ts';
import { listBillExceptions } from '../usecases/list-exceptions.ts';
import { resolveBillException } from '../usecases/resolve-exception.ts';
import { SEGMENTS, startBilling, type Segment } from '../usecases/run-billing.ts';
import { recordConsoleAction } from '../usecases/staff-session.ts';
import { html, type Html } from '../web/html.ts';
import { done, field, page, query, type Outcome, type RequestContext } from './console-route.ts';
import { FORM, optional } from './form-values.ts';
import { csrfField } from './layout.ts';
import { may } from './permissions.ts';

const SEGMENT_NAMES = Object.keys(SEGMENTS) as Segment[];
const DUE_DAYS_DEFAULT = 15;
const PERIOD = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
const EXCEPTION_STATUSES = ['open', 'resolved', 'accepted'] as const;

function segmentSelect(ctx: RequestContext): Html {
  return html`<select name="segment"><option value="">${ctx.t('bill.allSegments')}</option>
    ${SEGMENT_NAMES.map((s) => html`<option value="${s}">${s}</option>`)}</select>`;
}

export async function billingPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const lastMonth = addMonths(monthOf(ctx.today), -1);
  const body = html`<div class="forms">
    ${may(ctx.who.role, 'billing.run') ? html`<form method="post" action="/console/billing/run" class="card">${csrfField(ctx.csrf)}
      <h2>${t('bill.run')}</h2><label>${t('col.period')}<input name="period" value="${lastMonth}" pattern="[0-9]{4}-[0-9]{2}" required></label>
      <label>${t('bill.segment')}${segmentSelect(ctx)}</label><button type="submit">${t('bill.start')}</button></form>` : ''}
    <form method="get" action="/console/billing/exceptions" class="card"><h2>${t('bill.exceptions')}</h2>
      <label>${t('col.period')}<input name="period" value="${lastMonth}" pattern="[0-9]{4}-[0-9]{2}"></label>
      <input type="hidden" name="status" value="open"><button type="submit">${t('bill.review')}</button></form>
    ${may(ctx.who.role, 'billing.issue') ? html`<form method="post" action="/console/billing/issue" class="card">${csrfField(ctx.csrf)}
      <h2>${t('bill.issue')}</h2><label>${t('col.period')}<input name="period" value="${lastMonth}" pattern="[0-9]{4}-[0-9]{2}" required></label>
      <label>${t('bill.segment')}${segmentSelect(ctx)}</label>
      <label>${t('bill.dueDays')}<input name="dueDays" value="${DUE_DAYS_DEFAULT}" inputmode="numeric"></label>
      <button type="submit">${t('bill.issueNow')}</button></form>` : ''}</div>`;
  return page(t('nav.billing'), body);
}

export async function startRunAction(ctx: RequestContext): Promise<Outcome> {
  const period = FORM.period(ctx);
  const segment = optional(ctx, 'segment', (c, n) => FORM.oneOf(c, n, SEGMENT_NAMES));
  const run = await startBilling(ctx.deps.store, { period, segment, now: ctx.now });
  run.finished.catch((error: unknown) => ctx.deps.logger.error('bill run failed', { runId: run.runId, period, error }));
  await recordConsoleAction(ctx.deps.store, {
    actor: ctx.who.username, action: 'bill-run-start', subject: `bill-run:${run.runId}`, detail: { period, segment: segment ?? null }, now: ctx.now,
  });
  return { kind: 'redirect', to: `/console/billing/runs/${run.runId}` };
}

/** The run as the page's script reads it: figures only, money as decimal strings. */
export function runJson(run: BillRunView): Record<string, unknown> {
  return {
    runId: run.runId, period: run.period, segment: run.segment, status: run.status, customers: run.customers, bills: run.bills,
    held: run.held, alreadyIssued: run.alreadyIssued, notConnected: run.notConnected, energyKwh: run.energyKwh, amount: formatYuan(run.amountFen),
    exceptionsByRule: run.exceptionsByRule,
  };
}

export async function runJsonView(ctx: RequestContext): Promise<Outcome> {
  return { kind: 'json', value: runJson(await getBillRun(ctx.deps.store, Number(ctx.params[0]), new Date(ctx.now))) };
}

export async function runPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const run = await getBillRun(ctx.deps.store, Number(ctx.params[0]), new Date(ctx.now));
  const cell = (key: string, value: string | number) => html`<td class="num" data-field="${key}">${value}</td>`;
  const rules = Object.entries(run.exceptionsByRule).sort(([a], [b]) => a.localeCompare(b));
  const body = html`<section id="run" data-run-url="/console/billing/runs/${run.runId}.json" data-status="${run.status}">
    <p>${t('col.period')} ${run.period}${run.segment === null ? '' : ` · ${run.segment}`} · ${t('col.state')}:
      <strong data-field="status">${t(`run.${run.status}`)}</strong></p>
    <progress data-field="progress"${run.status === 'running' ? '' : html` value="1" max="1"`}></progress>
    <table class="grid narrow"><tbody>
      <tr><th>${t('run.customers')}</th>${cell('customers', run.customers)}</tr><tr><th>${t('run.bills')}</th>${cell('bills', run.bills)}</tr>
      <tr><th>${t('run.held')}</th>${cell('held', run.held)}</tr><tr><th>${t('run.alreadyIssued')}</th>${cell('alreadyIssued', run.alreadyIssued)}</tr>
      <tr><th>${t('run.notConnected')}</th>${cell('notConnected', run.notConnected)}</tr>
      <tr><th>${t('run.energy')}</th>${cell('energyKwh', run.energyKwh)}</tr><tr><th>${t('run.amount')}</th>${cell('amount', formatYuan(run.amountFen))}</tr>
    </tbody></table>
    <h2>${t('bill.exceptions')}</h2><ul data-field="exceptionsByRule">${rules.map(([rule, n]) => html`<li>${rule}: ${n}</li>`)}</ul>
    <p><a class="button" href="/console/billing/exceptions?period=${run.period}&amp;status=open">${t('bill.review')}</a></p></section>`;
  return page(`${t('run.title')} #${run.runId}`, body);
}

function exceptionRow(ctx: RequestContext, e: Awaited<ReturnType<typeof listBillExceptions>>['exceptions'][number], back: string): Html {
  const { t } = ctx;
  const decide = e.status === 'open' && may(ctx.who.role, 'billing.review') ? html`<form method="post" action="/console/billing/exceptions/${e.id}" class="decide">
      ${csrfField(ctx.csrf)}<input type="hidden" name="back" value="${back}">
      <input name="note" required maxlength="500" placeholder="${t('exc.note')}" aria-label="${t('exc.note')}">
      <button type="submit" name="decision" value="resolved">${t('exc.resolve')}</button>
      <button type="submit" name="decision" value="accepted">${t('exc.accept')}</button></form>` : html`${e.resolved_by ?? ''} ${e.resolution ?? ''}`;
  return html`<tr data-exception="${e.id}"><td class="num">${e.id}</td><td>${e.period}</td><td><a href="/console/customers/${e.customer_no}">${e.customer_no}</a></td>
    <td>${e.bill_no ?? '—'}</td><td><code>${e.rule}</code></td><td class="detail">${e.detail}</td><td>${t(`exc.${e.status}`)}</td><td>${decide}</td></tr>`;
}

export async function exceptionsPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const period = query(ctx, 'period');
  if (period !== '' && !PERIOD.test(period)) throw new GridbillError('VALIDATION_FAILED', 'period: YYYY-MM');
  const filter = {
    period: period === '' ? undefined : period,
    status: (EXCEPTION_STATUSES as readonly string[]).includes(query(ctx, 'status')) ? query(ctx, 'status') as (typeof EXCEPTION_STATUSES)[number] : undefined,
    afterId: /^[0-9]{1,15}$/.test(query(ctx, 'after')) ? Number(query(ctx, 'after')) : undefined,
    limit: LIMITS.consoleRowsListedMax,
  };
  const result = await listBillExceptions(ctx.deps.store, filter);
  const back = ctx.url.pathname + ctx.url.search;
  const last = result.exceptions.at(-1);
  const next = new URLSearchParams(ctx.url.searchParams);
  next.delete('done');
  if (last !== undefined) next.set('after', String(last.id));
  const body = html`<table class="grid" id="exceptions"><thead><tr><th>#</th><th>${t('col.period')}</th><th>${t('col.customerNo')}</th>
    <th>${t('col.billNo')}</th><th>${t('col.rule')}</th><th>${t('col.detail')}</th><th>${t('col.state')}</th><th></th></tr></thead><tbody>
    ${result.exceptions.map((e) => exceptionRow(ctx, e, back))}</tbody></table>
    ${result.exceptions.length === 0 ? html`<p>${t('exc.none')}</p>` : ''}
    ${result.more ? html`<p><a href="/console/billing/exceptions?${next.toString()}">${t('action.more')}</a></p>` : ''}`;
  return page(t('bill.exceptions'), body);
}

export async function decideExceptionAction(ctx: RequestContext): Promise<Outcome> {
  await resolveBillException(ctx.deps.store, {
    exceptionId: Number(ctx.params[0]), decision: FORM.oneOf(ctx, 'decision', ['resolved', 'accepted'] as const),
    resolution: FORM.text(ctx, 'note', 500), actor: ctx.who.username, now: ctx.now,
  });
  const back = field(ctx, 'back');
  return done(back.startsWith('/console/billing/exceptions') ? back.replace(/([?&])done=[^&]*&?/, '$1') : '/console/billing/exceptions', 'exception-closed');
}

export async function issueAction(ctx: RequestContext): Promise<Outcome> {
  const period = FORM.period(ctx);
  const summary = await issueBills(ctx.deps.store, {
    period, issueDate: ctx.today, dueDays: FORM.integer(ctx, 'dueDays', 0, 90), now: ctx.now, actor: ctx.who.username,
    segment: optional(ctx, 'segment', (c, n) => FORM.oneOf(c, n, SEGMENT_NAMES)),
  });
  const { t } = ctx;
  const body = html`<section id="issued"><p>${t('col.period')} ${period}: ${t('issue.issued')} <strong data-field="issued">${summary.issued}</strong>,
    ${t('issue.held')} <strong data-field="held">${summary.held}</strong>, ${t('run.amount')} ${formatYuan(summary.amountFen)},
    ${t('issue.due')} ${summary.dueOn}</p><p><a href="/console/billing">${t('nav.billing')}</a></p></section>`;
  return page(t('bill.issue'), body);
}
