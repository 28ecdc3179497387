// The customer's account pages: home (amount due or prepaid balance, this year's ladder tier and
// the kWh left in it, twelve months of consumption, and daily consumption for smart-payment
// customers), the bills with every line, and the fee estimate. Each page is made of
// CustomerService answers; amounts stay the decimal strings the core wrote.

import { html, type Html } from '../web/html.ts';
import { sendPage } from './http-kit.ts';
import type { Answer } from './customer-service-client.ts';
import { barChart, page, postForm, yuan, type PageContext } from './layout.ts';
import { t, type Lang, type MessageKey } from './messages.ts';
import { sumYuan } from './yuan.ts';
import { addDays, addMonths, ask, call, pageContext, today, type Portal, type SignedInRq } from './portal-context.ts';

const DAILY_DAYS = 30;
const BILL_MONTHS = 24;

function ladder(lang: Lang, estimate: Answer | undefined): Html {
  const tier = estimate?.optional('tier');
  const left = estimate?.optional('kwhLeftInTier');
  const text = tier === undefined ? t(lang, 'ladderNone')
    : `${t(lang, 'ladderTier', { tier })}${lang === 'en' ? '; ' : '，'}${left === undefined ? t(lang, 'ladderOpen') : t(lang, 'ladderLeft', { kwh: left })}`;
  return html`<section class="card" id="ladder"><h2>${t(lang, 'ladderTitle')}</h2><p>${text}</p></section>`;
}

function summary(lang: Lang, profile: Answer): Html {
  const prepaid = profile.text('paymentMode') === 'smart-prepaid';
  const due = profile.text('totalDue');
  const dueLine = html`<p class="figure"><span>${t(lang, 'amountDue')}</span><strong id="total-due">${yuan(due)}</strong></p>`;
  const balance = html`<p class="figure"><span>${t(lang, 'prepaidBalance')}</span><strong id="prepaid-balance">${yuan(profile.text('prepaidBalance'))}</strong></p>`;
  const action = /^0+(\.0+)?$/.test(due) ? html`<p class="muted">${t(lang, 'noArrears')}</p>` : html`<a class="button primary" href="/pay">${t(lang, 'payNow')}</a>`;
  return html`<section class="card summary">${prepaid ? balance : ''}${dueLine}${action}</section>`;
}

export async function showHome(portal: Portal, rq: SignedInRq): Promise<void> {
  const day = today(portal);
  const month = day.slice(0, 7);
  const [profile, estimate, monthly] = await Promise.all([
    ask(portal, rq, 'GetProfile', {}),
    call(portal, rq, 'EstimateFee', { period: month, kwh: '0' }),
    ask(portal, rq, 'QueryConsumption', { granularity: 'MONTHLY', from: `${addMonths(month, -11)}-01`, to: day }),
  ]);
  const prepaid = profile.text('paymentMode') === 'smart-prepaid';
  const daily = prepaid ? await ask(portal, rq, 'QueryConsumption', { granularity: 'DAILY', from: addDays(day, 1 - DAILY_DAYS), to: day }) : undefined;
  const ctx = pageContext(portal, rq);
  const { lang } = ctx;
  const months = monthly.all('month');
  const monthChart = months.length === 0 ? html`<p class="muted">${t(lang, 'noUsage')}</p>`
    : barChart('monthly-chart', t(lang, 'monthlyChart'), months.map((m) => m.text('period')), months.map((m) => m.text('kwh')), [t(lang, 'month'), t(lang, 'kwh')]);
  const days = daily?.all('day') ?? [];
  const dayChart = daily === undefined ? '' : days.length === 0 ? html`<p class="muted">${t(lang, 'noUsage')}</p>`
    : barChart('daily-chart', t(lang, 'dailyChart'), days.map((d) => d.text('date').slice(5)), days.map((d) => d.text('kwh')), [t(lang, 'date'), t(lang, 'kwh')]);
  const body = html`${summary(lang, profile)}${ladder(lang, estimate.kind === 'answer' ? estimate.answer : undefined)}
<section class="card">${monthChart}</section>${daily === undefined ? '' : html`<section class="card">${dayChart}</section>`}`;
  sendPage(rq.res, 200, page(ctx, t(lang, 'welcome', { name: rq.session.customerName }), body));
}

function billStatus(lang: Lang, bill: Answer, day: string): Html {
  if (bill.text('paid') === 'true' || bill.text('paid') === '1') return html`<span class="tag ok">${t(lang, 'paid')}</span>`;
  return bill.text('dueDate') < day ? html`<span class="tag bad">${t(lang, 'overdue')}</span>` : html`<span class="tag warn">${t(lang, 'unpaid')}</span>`;
}

export async function showBills(portal: Portal, rq: SignedInRq): Promise<void> {
  const day = today(portal);
  const month = day.slice(0, 7);
  const answer = await ask(portal, rq, 'QueryBills', { fromPeriod: addMonths(month, 1 - BILL_MONTHS), toPeriod: month });
  const ctx = pageContext(portal, rq);
  const { lang } = ctx;
  const bills = answer.all('bill');
  const rows = bills.map((b) => html`<tr><td><a href="/bills/${b.text('billNo')}">${b.text('period')}</a></td><td class="num">${b.text('energyKwh')}</td>
<td class="num">${yuan(b.text('amount'))}</td><td class="num">${yuan(b.text('amountDue'))}</td><td>${b.text('dueDate')}</td><td>${billStatus(lang, b, day)}</td></tr>`);
  const table = bills.length === 0 ? html`<p class="muted">${t(lang, 'noBills')}</p>` : html`<div class="scroll"><table class="data" id="bills">
<thead><tr><th>${t(lang, 'period')}</th><th>${t(lang, 'energy')}</th><th>${t(lang, 'amount')}</th><th>${t(lang, 'due')}</th><th>${t(lang, 'dueDate')}</th><th>${t(lang, 'status')}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  const body = html`<section class="card summary"><p class="figure"><span>${t(lang, 'totalDue')}</span><strong id="total-due">${yuan(answer.text('totalDue'))}</strong></p>
<a class="button primary" href="/pay">${t(lang, 'payNow')}</a></section><section class="card">${table}</section>`;
  sendPage(rq.res, 200, page(ctx, t(lang, 'billsTitle'), body));
}

const KIND_GROUPS: ReadonlyArray<readonly [MessageKey, readonly string[]]> = [
  ['kindEnergy', ['energy']], ['kindBasic', ['basic-capacity', 'basic-demand']], ['kindPowerFactor', ['power-factor']],
  ['kindFund', ['fund']], ['kindAdjustment', ['adjustment']], ['kindPenalty', ['penalty']],
];

/** Every line of a bill or an estimate, grouped by kind: tier and TOU parts, funds, basic charge, penalty. */
export function lineTable(lang: Lang, lines: readonly Answer[]): Html {
  const groups = KIND_GROUPS.map(([key, kinds]) => {
    const of = lines.filter((l) => kinds.includes(l.text('kind')));
    if (of.length === 0) return '';
    return html`<tbody class="group"><tr class="group-head"><th colspan="4">${t(lang, key)}</th></tr>${of.map((l) => html`<tr data-kind="${l.text('kind')}" data-code="${l.text('code')}">
<td>${l.text('label')}</td><td class="num">${l.text('quantity')} ${l.text('unit')}</td><td class="num">${l.optional('rate') ?? ''}</td><td class="num">${l.text('amount')}</td></tr>`)}</tbody>`;
  });
  return html`<div class="scroll"><table class="data lines" id="lines"><thead><tr><th>${t(lang, 'lineItem')}</th><th>${t(lang, 'quantity')}</th>
<th>${t(lang, 'rate')}</th><th>${t(lang, 'lineAmount')}</th></tr></thead>${groups}
<tfoot><tr><th colspan="3">${t(lang, 'total')}</th><td class="num" id="lines-total">${sumYuan(lines.map((l) => l.text('amount')))}</td></tr></tfoot></table></div>`;
}

export async function showBill(portal: Portal, rq: SignedInRq): Promise<void> {
  const billNo = rq.param ?? '';
  // A bill number is the period (YYYYMM) followed by the customer number.
  const period = `${billNo.slice(0, 4)}-${billNo.slice(4, 6)}`;
  const answer = /^[0-9]{6}/.test(billNo) ? await call(portal, rq, 'QueryBills', { fromPeriod: period, toPeriod: period, withLines: 'true' }) : undefined;
  const bill = answer?.kind === 'answer' ? answer.answer.all('bill').find((b) => b.text('billNo') === billNo) : undefined;
  const ctx = pageContext(portal, rq);
  const { lang } = ctx;
  if (bill === undefined) return sendPage(rq.res, 404, page(ctx, t(lang, 'notFound'), html`<p><a href="/bills">${t(lang, 'navBills')}</a></p>`));
  const facts: ReadonlyArray<readonly [MessageKey, string]> = [
    ['billNo', bill.text('billNo')], ['period', bill.text('period')], ['energy', `${bill.text('energyKwh')} kWh`], ['amount', yuan(bill.text('amount'))],
    ['lateFee', yuan(bill.text('lateFee'))], ['due', yuan(bill.text('amountDue'))], ['issuedOn', bill.text('issuedOn')], ['dueDate', bill.text('dueDate')],
  ];
  const unpaid = bill.text('paid') !== 'true' && bill.text('paid') !== '1';
  const body = html`<section class="card"><dl class="facts">${facts.map(([k, v]) => html`<dt>${t(lang, k)}</dt><dd>${v}</dd>`)}
<dt>${t(lang, 'status')}</dt><dd>${billStatus(lang, bill, today(portal))}</dd></dl>${unpaid ? html`<a class="button primary" href="/pay">${t(lang, 'payNow')}</a>` : ''}</section>
<section class="card">${lineTable(lang, bill.all('line'))}</section>`;
  sendPage(rq.res, 200, page(ctx, t(lang, 'billTitle', { billNo }), body));
}

function estimateForm(ctx: PageContext, period: string, kwh: string): Html {
  const { lang } = ctx;
  return postForm(ctx, '/estimate', html`<p>${t(lang, 'estimateIntro')}</p>
<label for="period">${t(lang, 'period')}</label><input id="period" name="period" type="month" required value="${period}">
<label for="kwh">${t(lang, 'estimateKwh')}</label><input id="kwh" name="kwh" inputmode="numeric" pattern="[0-9]{1,6}" maxlength="6" value="${kwh}">
<button type="submit" class="primary" id="estimate">${t(lang, 'estimate')}</button>`);
}

export async function showEstimate(portal: Portal, rq: SignedInRq): Promise<void> {
  const ctx = pageContext(portal, rq);
  sendPage(rq.res, 200, page(ctx, t(ctx.lang, 'estimateTitle'), html`<section class="card">${estimateForm(ctx, today(portal).slice(0, 7), '')}</section>`));
}

export async function postEstimate(portal: Portal, rq: SignedInRq): Promise<void> {
  const period = (rq.form?.get('period') ?? '').trim();
  const kwh = (rq.form?.get('kwh') ?? '').trim();
  const ctx = pageContext(portal, rq);
  const { lang } = ctx;
  const show = (status: number, result: Html | string, notice?: PageContext['notice']) => sendPage(rq.res, status,
    page(notice === undefined ? ctx : { ...ctx, notice }, t(lang, 'estimateTitle'), html`<section class="card">${estimateForm(ctx, period, kwh)}</section>${result}`));
  if (!/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(period)) return show(400, '', { kind: 'error', text: t(lang, 'periodInvalid') });
  if (kwh !== '' && !/^[0-9]{1,6}$/.test(kwh)) return show(400, '', { kind: 'error', text: t(lang, 'kwhInvalid') });
  const result = await call(portal, rq, 'EstimateFee', { period, kwh: kwh === '' ? undefined : kwh });
  if (result.kind === 'fault' && result.code === 'ESTIMATE_UNAVAILABLE') return show(422, '', { kind: 'error', text: t(lang, 'estimateUnavailable') });
  if (result.kind !== 'answer') return show(400, '', { kind: 'error', text: t(lang, 'periodInvalid') });
  const e = result.answer;
  const tier = e.optional('tier');
  const left = e.optional('kwhLeftInTier');
  const tierText = tier === undefined ? '' : `${t(lang, 'ladderTier', { tier })} · ${left === undefined ? t(lang, 'ladderOpen') : t(lang, 'ladderLeft', { kwh: left })}`;
  show(200, html`<section class="card" id="estimate-result"><h2>${t(lang, 'estimateResult', { period: e.text('period') })}</h2>
<p class="figure"><strong>${yuan(e.text('amount'))}</strong><span>${e.text('kwh')} kWh · ${t(lang, e.text('basis') === 'GIVEN' ? 'basisGiven' : 'basisProjected')}</span></p>
${tierText === '' ? '' : html`<p>${tierText}</p>`}${lineTable(lang, e.all('line'))}</section>`);
}
