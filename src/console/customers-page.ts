// Customers at the counter: search, create on application, a customer's file, install and
// replace meters, open online banking, sign direct debit for a bank. Each change goes through
// the same use case as BillingAdminService, with the staff user as the audited actor.

import { CUSTOMER_CATEGORIES, VOLTAGE_LEVELS } from '../domain/tariffs/tariff.ts';
import { POWER_FACTOR_STANDARDS } from '../domain/power-factor.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { createCustomer, type Acting } from '../usecases/create-customer.ts';
import { installMeter } from '../usecases/install-meter.ts';
import { openOnlineBanking } from '../usecases/open-online-banking.ts';
import { REGISTER_KINDS } from '../usecases/parse-reading-row.ts';
import type { NewMeterInput } from '../usecases/register-customer.ts';
import { replaceMeter } from '../usecases/replace-meter.ts';
import { customerFile, searchCustomers } from '../usecases/search-customers.ts';
import { signWithholding } from '../usecases/sign-withholding.ts';
import { recordConsoleAction } from '../usecases/staff-session.ts';
import { html, type Html } from '../web/html.ts';
import { done, field, page, query, type Outcome, type RequestContext } from './console-route.ts';
import { FORM, optional, readingHundredths } from './form-values.ts';
import { csrfField } from './layout.ts';
import { may } from './permissions.ts';

const REGISTER_DIGITS_DEFAULT = 6;

function acting(ctx: RequestContext): Acting {
  return { actor: ctx.who.username, now: ctx.now, today: ctx.today };
}

function options(values: readonly string[], selected?: string): Html[] {
  return values.map((v) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${v}</option>`);
}

export async function customersPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const q = query(ctx, 'q');
  const rows = q === '' ? [] : await searchCustomers(ctx.deps.store, q, LIMITS.consoleRowsListedMax);
  const body = html`<form method="get" action="/console/customers" class="bar">
      <input name="q" value="${q}" placeholder="${t('cust.searchHint')}" maxlength="64" aria-label="${t('cust.search')}">
      <button type="submit">${t('cust.search')}</button>
      ${may(ctx.who.role, 'customers.edit') ? html`<a class="button" href="/console/customers/new">${t('cust.new')}</a>` : ''}
    </form>
    ${q === '' ? '' : rows.length === 0 ? html`<p>${t('cust.none')}</p>` : html`<table class="grid"><thead><tr>
      <th>${t('col.customerNo')}</th><th>${t('col.name')}</th><th>${t('col.category')}</th><th>${t('col.address')}</th><th>${t('col.state')}</th></tr></thead><tbody>
      ${rows.map((c) => html`<tr><td><a href="/console/customers/${c.customer_no}">${c.customer_no}</a></td><td>${c.name}</td>
        <td>${c.category}</td><td>${c.address}</td><td>${c.status}</td></tr>`)}</tbody></table>`}`;
  return page(t('nav.customers'), body);
}

function meterFields(ctx: RequestContext, prefix = ''): Html {
  const { t } = ctx;
  return html`<fieldset><legend>${t('cust.meter')}</legend>
    <label>${t('col.meterNo')}<input name="${prefix}meterNo" required maxlength="32"></label>
    <label>CT<input name="${prefix}ctRatio" value="1" inputmode="numeric"></label>
    <label>PT<input name="${prefix}ptRatio" value="1" inputmode="numeric"></label>
    <label>${t('cust.installedOn')}<input name="${prefix}installedOn" type="date" value="${ctx.today}"></label>
    <label>${t('cust.digits')}<input name="${prefix}digits" value="${REGISTER_DIGITS_DEFAULT}" inputmode="numeric"></label>
    <label class="check"><input type="checkbox" name="${prefix}rollover" checked>${t('cust.rollover')}</label>
    <label>${t('cust.registers')}<input name="${prefix}registers" value="total:0" maxlength="200"></label>
    <p class="hint">${t('cust.registersHint')}</p></fieldset>`;
}

/** "total:123.45, peak:80" → register kinds with their installation readings. */
function registerReadings(text: string, name: string): Array<{ kind: (typeof REGISTER_KINDS)[number]; valueHundredths: number }> {
  const parts = text.split(/[,，\s]+/).filter((p) => p !== '');
  if (parts.length === 0 || parts.length > REGISTER_KINDS.length) throw new GridbillError('VALIDATION_FAILED', `${name}: kind:reading, separated by commas`);
  return parts.map((part) => {
    const [kind, value] = part.split(':');
    const found = REGISTER_KINDS.find((k) => k === kind);
    if (found === undefined || value === undefined) throw new GridbillError('VALIDATION_FAILED', `${name}: "${part}" is not kind:reading (${REGISTER_KINDS.join(', ')})`);
    return { kind: found, valueHundredths: readingHundredths(value, name) };
  });
}

function meterInput(ctx: RequestContext, prefix = ''): NewMeterInput {
  const installedOn = FORM.date(ctx, `${prefix}installedOn`);
  const digits = FORM.integer(ctx, `${prefix}digits`, 1, 12);
  const rolloverAllowed = FORM.checked(ctx, `${prefix}rollover`);
  return {
    meterNo: FORM.meterNo(ctx, `${prefix}meterNo`),
    ctRatio: FORM.integer(ctx, `${prefix}ctRatio`, 1, 100_000),
    ptRatio: FORM.integer(ctx, `${prefix}ptRatio`, 1, 100_000),
    installedOn,
    registers: registerReadings(field(ctx, `${prefix}registers`), `${prefix}registers`).map((r) => ({
      kind: r.kind, digits, rolloverAllowed, readings: [{ readOn: installedOn, valueHundredths: r.valueHundredths, source: 'install' as const }],
    })),
  };
}

export async function newCustomerPage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const body = html`<form method="post" action="/console/customers" class="card">${csrfField(ctx.csrf)}
    <label>${t('col.customerNo')}<input name="customerNo" required pattern="[0-9]{10,13}" maxlength="13"></label>
    <label>${t('col.name')}<input name="name" required maxlength="100"></label>
    <label>${t('col.category')}<select name="category">${options(CUSTOMER_CATEGORIES)}</select></label>
    <label>${t('cust.voltage')}<select name="voltage">${options(VOLTAGE_LEVELS)}</select></label>
    <label>${t('col.address')}<input name="address" required maxlength="200"></label>
    <label>${t('col.phone')}<input name="phone" maxlength="11" inputmode="tel"></label>
    <label>${t('cust.idNumber')}<input name="idNumber" maxlength="18"></label>
    <label>${t('cust.households')}<input name="households" value="1" inputmode="numeric"></label>
    <label>${t('col.tariff')}<input name="tariffCode" required maxlength="64"></label>
    <label class="check"><input type="checkbox" name="timeOfUse">${t('cust.tou')}</label>
    <label>${t('cust.paymentMode')}<select name="paymentMode">${options(['postpaid', 'smart-prepaid'])}</select></label>
    <label>${t('cust.ladderStart')}<input name="ladderYearStartMonth" value="1" inputmode="numeric"></label>
    <label>${t('cust.capacity')}<input name="capacityKva" inputmode="decimal"></label>
    <label>${t('cust.demand')}<input name="contractDemandKw" inputmode="decimal"></label>
    <label>${t('cust.basis')}<select name="basicChargeBasis"><option value=""></option>${options(['capacity', 'contract-demand', 'actual-demand'])}</select></label>
    <label>${t('cust.pf')}<select name="powerFactorStandard"><option value=""></option>${options(POWER_FACTOR_STANDARDS)}</select></label>
    ${meterFields(ctx)}
    <button type="submit">${t('cust.create')}</button></form>`;
  return page(t('cust.new'), body);
}

export async function createCustomerAction(ctx: RequestContext): Promise<Outcome> {
  const customerNo = FORM.customerNo(ctx);
  const opt = <T>(name: string, read: (c: RequestContext, n: string) => T): T | null => optional(ctx, name, read) ?? null;
  await createCustomer(ctx.deps.store, {
    customerNo, name: FORM.text(ctx, 'name', 100), category: FORM.oneOf(ctx, 'category', CUSTOMER_CATEGORIES),
    voltage: FORM.oneOf(ctx, 'voltage', VOLTAGE_LEVELS), address: FORM.text(ctx, 'address', 200),
    phone: opt('phone', (c, n) => FORM.phone(c, n)), idNumber: opt('idNumber', (c) => FORM.text(c, 'idNumber', 18)), creditCode: null,
    households: FORM.integer(ctx, 'households', 1, 9_999), tariffCode: FORM.tariffCode(ctx), timeOfUse: FORM.checked(ctx, 'timeOfUse'),
    paymentMode: FORM.oneOf(ctx, 'paymentMode', ['postpaid', 'smart-prepaid'] as const),
    ladderYearStartMonth: FORM.integer(ctx, 'ladderYearStartMonth', 1, 12),
    capacityKva: FORM.capacity(ctx, 'capacityKva'), contractDemandKw: FORM.capacity(ctx, 'contractDemandKw'),
    basicChargeBasis: opt('basicChargeBasis', (c, n) => FORM.oneOf(c, n, ['capacity', 'contract-demand', 'actual-demand'] as const)),
    powerFactorStandard: opt('powerFactorStandard', (c, n) => FORM.oneOf(c, n, POWER_FACTOR_STANDARDS)),
    meters: [meterInput(ctx)],
  }, acting(ctx));
  return done(`/console/customers/${customerNo}`, 'customer-created');
}

function meterTable(ctx: RequestContext, file: Awaited<ReturnType<typeof customerFile>>): Html {
  const { t } = ctx;
  return html`<table class="grid"><thead><tr><th>${t('col.meterNo')}</th><th>CT×PT</th><th>${t('cust.installedOn')}</th>
    <th>${t('cust.removedOn')}</th><th>${t('cust.registers')}</th></tr></thead><tbody>
    ${file.meters.map(({ meter, registers }) => html`<tr><td>${meter.meter_no}</td><td>${meter.ct_ratio}×${meter.pt_ratio}</td>
      <td>${meter.installed_on}</td><td>${meter.removed_on ?? '—'}</td><td>${registers.map((r) => `${r.kind}(${r.digits})`).join(', ')}</td></tr>`)}
    </tbody></table>`;
}

function actionForms(ctx: RequestContext, customerNo: string): Html {
  const { t } = ctx;
  const base = `/console/customers/${customerNo}`;
  return html`<div class="forms">
  <form method="post" action="${base}/meters" class="card">${csrfField(ctx.csrf)}<h3>${t('cust.install')}</h3>${meterFields(ctx)}
    <button type="submit">${t('cust.install')}</button></form>
  <form method="post" action="${base}/replace-meter" class="card">${csrfField(ctx.csrf)}<h3>${t('cust.replace')}</h3>
    <label>${t('cust.oldMeter')}<input name="oldMeterNo" required maxlength="32"></label>
    <label>${t('cust.removedOn')}<input name="removedOn" type="date" value="${ctx.today}"></label>
    <label>${t('cust.removal')}<input name="removalReadings" value="total:0" maxlength="200"></label>
    ${meterFields(ctx, 'new_')}<button type="submit">${t('cust.replace')}</button></form>
  <form method="post" action="${base}/online-banking" class="card">${csrfField(ctx.csrf)}<h3>${t('cust.online')}</h3>
    <label>${t('col.phone')}<input name="phone" maxlength="11" inputmode="tel"></label>
    <label>${t('cust.initialPassword')}<input name="password" type="password" maxlength="128" autocomplete="new-password"></label>
    <p class="hint">${t('cust.onlineHint')}</p><button type="submit">${t('cust.online')}</button></form>
  <form method="post" action="${base}/direct-debit" class="card">${csrfField(ctx.csrf)}<h3>${t('cust.debit')}</h3>
    <label>${t('col.channel')}<input name="channelCode" required maxlength="32"></label>
    <label>${t('cust.agreementId')}<input name="agreementId" required maxlength="40"></label>
    <label>${t('cust.bankAccount')}<input name="bankAccount" required maxlength="30" inputmode="numeric"></label>
    <label>${t('cust.holder')}<input name="accountHolderName" required maxlength="100"></label>
    <button type="submit">${t('cust.debit')}</button></form></div>`;
}

export async function customerFilePage(ctx: RequestContext): Promise<Outcome> {
  const { t } = ctx;
  const customerNo = ctx.params[0]!;
  const file = await customerFile(ctx.deps.store, customerNo);
  const c = file.customer;
  const body = html`<dl class="facts">
    <dt>${t('col.customerNo')}</dt><dd>${c.customer_no}</dd><dt>${t('col.name')}</dt><dd>${c.name}</dd>
    <dt>${t('col.category')}</dt><dd>${c.category} · ${c.voltage}</dd><dt>${t('col.address')}</dt><dd>${c.address}</dd>
    <dt>${t('col.phone')}</dt><dd>${c.phone ?? '—'}</dd><dt>${t('col.tariff')}</dt><dd>${c.tariff_code}${c.time_of_use === 1 ? ' · TOU' : ''}</dd>
    <dt>${t('cust.paymentMode')}</dt><dd>${file.account?.payment_mode ?? '—'}</dd><dt>${t('col.state')}</dt><dd>${c.status}</dd></dl>
    <h2>${t('cust.meters')}</h2>${meterTable(ctx, file)}
    ${may(ctx.who.role, 'customers.edit') ? actionForms(ctx, customerNo) : ''}`;
  return page(`${t('cust.file')} ${customerNo}`, body);
}

export async function installMeterAction(ctx: RequestContext): Promise<Outcome> {
  const customerNo = ctx.params[0]!;
  await installMeter(ctx.deps.store, customerNo, meterInput(ctx), acting(ctx));
  return done(`/console/customers/${customerNo}`, 'meter-installed');
}

export async function replaceMeterAction(ctx: RequestContext): Promise<Outcome> {
  const customerNo = ctx.params[0]!;
  const newMeter = meterInput(ctx, 'new_');
  await replaceMeter(ctx.deps.store, {
    customerNo, oldMeterNo: FORM.meterNo(ctx, 'oldMeterNo'), removedOn: FORM.date(ctx, 'removedOn'),
    removalReadings: registerReadings(field(ctx, 'removalReadings'), 'removalReadings'), newMeter,
  }, acting(ctx));
  return done(`/console/customers/${customerNo}`, 'meter-replaced');
}

export async function openOnlineBankingAction(ctx: RequestContext): Promise<Outcome> {
  const customerNo = ctx.params[0]!;
  const phone = optional(ctx, 'phone', (c, n) => FORM.phone(c, n));
  const password = field(ctx, 'password') === '' ? undefined : ctx.form.fields.get('password')!;
  const access = await openOnlineBanking(ctx.deps.store, {
    customerNo, now: ctx.now, actor: ctx.who.username, ...(phone === undefined ? {} : { phone }), ...(password === undefined ? {} : { password }),
  });
  return done(`/console/customers/${customerNo}`, access.status === 'OPENED' ? 'online-opened' : 'online-already');
}

export async function directDebitAction(ctx: RequestContext): Promise<Outcome> {
  const customerNo = ctx.params[0]!;
  const channelCode = FORM.text(ctx, 'channelCode', 32);
  const answer = await signWithholding(ctx.deps.store, {
    channelCode, agreementId: FORM.text(ctx, 'agreementId', 40), customerNo,
    bankAccount: field(ctx, 'bankAccount'), accountHolderName: FORM.text(ctx, 'accountHolderName', 100), now: ctx.now,
  });
  // The agreement is recorded as the bank's; who keyed it in at the counter is recorded here.
  await recordConsoleAction(ctx.deps.store, {
    actor: ctx.who.username, action: 'console-sign-withholding', subject: `customer:${customerNo}`,
    detail: { channel: channelCode, agreementId: answer.agreementId, bankAccount: answer.bankAccount }, now: ctx.now,
  });
  return done(`/console/customers/${customerNo}`, 'debit-signed');
}
