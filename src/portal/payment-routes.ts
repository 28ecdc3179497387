// Paying bills through the customer's online bank (CustomerService.PayOnline): choose the bills
// and the bank account, confirm the amount, see the receipt.
//
// Nothing is charged twice. Each payment form gets its own request id (the core's idempotency
// key), kept in the portal session; whatever is sent again with that form — a double click, a
// reload, the back button, "check the result" after a bank timeout — goes to the core with the
// same id and the same content, and the core answers the first payment again. The same id is
// never sent with other content: a form already sent with other bills gets a fresh form.
// When the portal gets no answer from the core for a PayOnline the payment may have happened, so
// the result is shown as not yet known (like the bank's UNKNOWN), never as failed.

import { businessTimestamp } from '../clock.ts';
import { html, type Html } from '../web/html.ts';
import { redirect, sendPage } from './http-kit.ts';
import type { Answer } from './customer-service-client.ts';
import { page, postForm, yuan, type PageContext } from './layout.ts';
import { isMessageKey, t, type Lang, type MessageKey } from './messages.ts';
import { addMonths, ask, call, CoreUnavailable, pageContext, today, type Portal, type Reached, type SignedInRq } from './portal-context.ts';
import { PortalSessions, type PaymentForm, type PaymentOrder } from './portal-sessions.ts';
import { fromFen, isAmount, toFen } from './yuan.ts';

const BILL_NO = /^[0-9A-Z]{6,32}$/;
const BANK_ACCOUNT = /^[0-9]{10,30}$/;
const BILLS_MAX = 100;
const MONTHS_BACK = 59;

function maskAccount(account: string): string {
  return `${account.slice(0, 4)} **** ${account.slice(-4)}`;
}

async function unpaidBills(portal: Portal, rq: SignedInRq): Promise<Answer[]> {
  const month = today(portal).slice(0, 7);
  const answer = await ask(portal, rq, 'QueryBills', { fromPeriod: addMonths(month, -MONTHS_BACK), toPeriod: month, unpaidOnly: 'true' });
  return answer.all('bill').filter((b) => b.text('paid') !== 'true' && b.text('paid') !== '1');
}

function notice(rq: SignedInRq, kind: 'ok' | 'error' | 'info', key: MessageKey): void {
  rq.session.notice = { kind, text: t(rq.lang, key) };
}

function pendingList(lang: Lang, forms: Iterable<PaymentForm>): Html {
  const pending = [...forms].filter((f) => f.order !== undefined && f.result?.outcome === 'UNKNOWN');
  if (pending.length === 0) return html``;
  return html`<section class="card"><h2>${t(lang, 'receiptUnknown')}</h2><ul>${pending.map((f) =>
    html`<li><a href="/pay/receipt/${f.requestId}">${yuan(f.order?.amount)} · ${f.requestId}</a></li>`)}</ul></section>`;
}

export async function showPay(portal: Portal, rq: SignedInRq): Promise<void> {
  const bills = await unpaidBills(portal, rq);
  const form = PortalSessions.issuePaymentForm(rq.session);
  const ctx = pageContext(portal, rq);
  const { lang } = ctx;
  const demo = portal.dev === undefined ? '' : html`<small>${t(lang, 'bankAccountDemo', { example: rq.session.customerNo.padStart(15, '0') })}</small>`;
  const choices = bills.map((b) => html`<label class="choice"><input type="checkbox" name="billNo" value="${b.text('billNo')}" checked>
<span>${b.text('period')}</span><span class="num">${yuan(b.text('amountDue'))}</span></label>`);
  const body = bills.length === 0 ? html`<section class="card"><p class="muted">${t(lang, 'noArrears')}</p></section>` : html`<section class="card">${postForm(ctx, '/pay/confirm', html`
<input type="hidden" name="requestId" value="${form.requestId}"><fieldset><legend>${t(lang, 'payChoose')}</legend>${choices}</fieldset>
<label for="bankAccount">${t(lang, 'bankAccount')}</label>
<input id="bankAccount" name="bankAccount" inputmode="numeric" autocomplete="off" pattern="[0-9]{10,30}" maxlength="30" required aria-describedby="bankAccount-hint">
<small id="bankAccount-hint">${t(lang, 'bankAccountHint')}</small>${demo}
<button type="submit" class="primary" id="pay-next">${t(lang, 'payNext')}</button>`, { id: 'pay-form' })}</section>`;
  sendPage(rq.res, 200, page(ctx, t(lang, 'payTitle'), html`${body}${pendingList(lang, rq.session.payments.values())}`));
}

type Chosen = { readonly kind: 'ok'; readonly form: PaymentForm; readonly billNos: string[]; readonly bankAccount: string } | { readonly kind: 'done' };

/** The posted form's request id, bills and account, checked; otherwise the browser is sent back to /pay. */
function chosen(rq: SignedInRq): Chosen {
  const posted = rq.form!;
  const form = rq.session.payments.get(posted.get('requestId') ?? '');
  const billNos = posted.getAll('billNo');
  const bankAccount = (posted.get('bankAccount') ?? '').replace(/\s/g, '');
  const problem: MessageKey | undefined = form === undefined ? 'payFormExpired'
    : billNos.length === 0 || billNos.length > BILLS_MAX || !billNos.every((b) => BILL_NO.test(b)) || new Set(billNos).size !== billNos.length ? 'payNothingChosen'
      : !BANK_ACCOUNT.test(bankAccount) ? 'bankAccountInvalid' : undefined;
  if (problem !== undefined || form === undefined) {
    notice(rq, 'error', problem ?? 'payFormExpired');
    redirect(rq.res, '/pay');
    return { kind: 'done' };
  }
  return { kind: 'ok', form, billNos, bankAccount };
}

/** The amount due now for the chosen bills, or undefined when one of them is not payable any more. */
async function dueFor(portal: Portal, rq: SignedInRq, billNos: readonly string[]): Promise<string | undefined> {
  const unpaid = new Map((await unpaidBills(portal, rq)).map((b) => [b.text('billNo'), b.text('amountDue')]));
  let total = 0n;
  for (const billNo of billNos) {
    const due = unpaid.get(billNo);
    if (due === undefined) return undefined;
    total += toFen(due);
  }
  return fromFen(total);
}

function confirmPage(rq: SignedInRq, ctx: PageContext, form: PaymentForm, order: PaymentOrder): void {
  const { lang } = ctx;
  const body = html`<section class="card">${postForm(ctx, '/pay/submit', html`
<p>${t(lang, 'payConfirmText', { amount: order.amount, account: maskAccount(order.bankAccount) })}</p>
<ul class="bills">${order.billNos.map((b) => html`<li>${b}<input type="hidden" name="billNo" value="${b}"></li>`)}</ul>
<p class="figure"><span>${t(lang, 'paidAmount')}</span><strong id="confirm-amount">${yuan(order.amount)}</strong></p>
<input type="hidden" name="requestId" value="${form.requestId}"><input type="hidden" name="bankAccount" value="${order.bankAccount}">
<input type="hidden" name="amount" value="${order.amount}">
<button type="submit" class="primary" id="pay-confirm" data-once="1">${t(lang, 'payConfirm')}</button> <a href="/pay" class="button secondary">${t(lang, 'payBack')}</a>`, { id: 'confirm-form' })}</section>`;
  sendPage(rq.res, 200, page(ctx, t(lang, 'payConfirmTitle'), body));
}

export async function confirmPay(portal: Portal, rq: SignedInRq): Promise<void> {
  const c = chosen(rq);
  if (c.kind === 'done') return;
  if (c.form.order !== undefined) return redirect(rq.res, `/pay/receipt/${c.form.requestId}`);
  const amount = await dueFor(portal, rq, c.billNos);
  if (amount === undefined) {
    notice(rq, 'error', 'payBillGone');
    return redirect(rq.res, '/pay');
  }
  confirmPage(rq, pageContext(portal, rq), c.form, { billNos: c.billNos, bankAccount: c.bankAccount, amount });
}

const REFUSALS: Readonly<Record<string, MessageKey>> = {
  PAYMENT_AMOUNT_MISMATCH: 'payAmountChanged', BILL_NOT_PAYABLE: 'payBillGone', ONLINE_PAYMENT_PENDING: 'payPending',
  BANK_UNAVAILABLE: 'bankUnavailable', TXN_ID_CONFLICT: 'payFormUsed',
};

/** Sends the form's order to PayOnline and keeps what came back; a refused order frees the form. */
async function sendOrder(portal: Portal, rq: SignedInRq, form: PaymentForm, order: PaymentOrder): Promise<void> {
  let result: Reached;
  try {
    result = await call(portal, rq, 'PayOnline', { requestId: form.requestId, billNo: order.billNos, bankAccount: order.bankAccount, amount: order.amount });
  } catch (error) {
    if (!(error instanceof CoreUnavailable)) throw error;
    form.result = { outcome: 'UNKNOWN', amount: order.amount, bankAccount: maskAccount(order.bankAccount), at: businessTime(portal) };
    return redirect(rq.res, `/pay/receipt/${form.requestId}`);
  }
  if (result.kind !== 'answer') {
    const key = result.kind === 'fault' ? REFUSALS[result.code] : undefined;
    if (key === undefined) throw new CoreUnavailable(result.kind === 'fault' ? `PayOnline fault ${result.code}` : `PayOnline ${result.kind}`);
    // The core refused the request before any debit: the form may be sent again, corrected.
    if (result.kind === 'fault' && result.code !== 'TXN_ID_CONFLICT') form.order = undefined;
    notice(rq, 'error', key);
    return redirect(rq.res, '/pay');
  }
  const a = result.answer;
  form.result = {
    outcome: a.text('outcome') as 'SUCCESS' | 'FAILED' | 'UNKNOWN', amount: a.text('amount'), bankAccount: a.text('bankAccount'),
    totalDue: a.text('totalDue'), at: businessTime(portal),
    ...(a.optional('failure') === undefined ? {} : { failure: a.optional('failure') }),
    ...(a.optional('platformTxnId') === undefined ? {} : { platformTxnId: a.optional('platformTxnId') }),
  };
  redirect(rq.res, `/pay/receipt/${form.requestId}`);
}

/** The portal's time in UTC+8, to the second, as a customer reads it. */
function businessTime(portal: Portal): string {
  return businessTimestamp(new Date(portal.now())).slice(0, 19).replace('T', ' ');
}

function sameOrder(a: PaymentOrder, b: PaymentOrder): boolean {
  return a.bankAccount === b.bankAccount && a.amount === b.amount && [...a.billNos].sort().join() === [...b.billNos].sort().join();
}

export async function submitPay(portal: Portal, rq: SignedInRq): Promise<void> {
  const c = chosen(rq);
  if (c.kind === 'done') return;
  const posted = { billNos: c.billNos, bankAccount: c.bankAccount, amount: (rq.form?.get('amount') ?? '').trim() };
  const sent = c.form.order;
  if (sent !== undefined) {
    if (!sameOrder(sent, posted)) {
      notice(rq, 'error', 'payFormUsed');
      return redirect(rq.res, '/pay');
    }
    // The same form again (a double click, a reload): the same request, answered by the core as the first time.
    return sendOrder(portal, rq, c.form, sent);
  }
  const amount = await dueFor(portal, rq, c.billNos);
  if (amount === undefined) {
    notice(rq, 'error', 'payBillGone');
    return redirect(rq.res, '/pay');
  }
  if (!isAmount(posted.amount) || toFen(posted.amount) !== toFen(amount)) {
    const ctx = pageContext(portal, rq);
    return confirmPage(rq, { ...ctx, notice: { kind: 'error', text: t(rq.lang, 'payAmountChanged') } }, c.form, { ...posted, amount });
  }
  const order: PaymentOrder = { ...posted, amount };
  c.form.order = order;
  await sendOrder(portal, rq, c.form, order);
}

export async function checkPay(portal: Portal, rq: SignedInRq): Promise<void> {
  const form = rq.session.payments.get(rq.form?.get('requestId') ?? '');
  if (form?.order === undefined) {
    notice(rq, 'error', 'payFormExpired');
    return redirect(rq.res, '/pay');
  }
  await sendOrder(portal, rq, form, form.order);
}

function receiptBody(ctx: PageContext, form: PaymentForm): Html {
  const { lang } = ctx;
  const result = form.result!;
  const heading: MessageKey = result.outcome === 'SUCCESS' ? 'receiptSuccess' : result.outcome === 'FAILED' ? 'receiptFailed' : 'receiptUnknown';
  const reason = result.failure === undefined ? '' : `failure${result.failure}`;
  const explained = result.outcome === 'UNKNOWN' ? t(lang, 'unknownExplained') : reason !== '' && isMessageKey(reason) ? t(lang, reason) : '';
  const facts: ReadonlyArray<readonly [MessageKey, string | undefined]> = [
    ['receiptNo', result.platformTxnId], ['paidAmount', yuan(result.amount)], ['bankAccount', result.bankAccount],
    ['remainingDue', result.totalDue === undefined ? undefined : yuan(result.totalDue)], ['payAt', result.at], ['billNo', form.order?.billNos.join(', ')],
  ];
  const check = result.outcome !== 'UNKNOWN' ? '' : postForm(ctx, '/pay/check', html`<input type="hidden" name="requestId" value="${form.requestId}">
<button type="submit" class="primary" id="check-again">${t(lang, 'checkAgain')}</button>`);
  return html`<section class="card receipt outcome-${result.outcome.toLowerCase()}" id="receipt" data-outcome="${result.outcome}">
<h2>${t(lang, heading)}</h2>${explained === '' ? '' : html`<p class="explain" id="failure" data-failure="${result.failure ?? ''}">${explained}</p>`}
<dl class="facts">${facts.filter(([, v]) => v !== undefined).map(([k, v]) => html`<dt>${t(lang, k)}</dt><dd>${v}</dd>`)}</dl>${check}
<p><a href="/home">${t(lang, 'backHome')}</a></p></section>`;
}

export async function showReceipt(portal: Portal, rq: SignedInRq): Promise<void> {
  const form = rq.session.payments.get(rq.param ?? '');
  const ctx = pageContext(portal, rq);
  if (form?.result === undefined) return sendPage(rq.res, 404, page(ctx, t(ctx.lang, 'notFound'), html`<p><a href="/pay">${t(ctx.lang, 'navPay')}</a></p>`));
  sendPage(rq.res, 200, page(ctx, t(ctx.lang, 'receiptTitle'), receiptBody(ctx, form)));
}
