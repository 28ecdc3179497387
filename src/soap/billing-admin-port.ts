// BillingAdminService (wsdl/BillingAdminService.wsdl): parse → use case → map, for the internal
// systems that keep customers, meters, readings and tariffs and drive the monthly billing cycle.
// Every value is held to its schema type here (wire-values.ts): no gateway stands in front of an
// internal service. The caller is the authenticated channel; `operator` names the person or job
// acting, for the audit log.
//
// RunBilling does not hold the request for the minutes a run takes: it claims the period, answers
// the run's id at once, and the run goes on in this core; GetBillRun tells its progress and, at
// the end, its summary. RunEstimation runs the smart-payment estimation of a day in the request (a
// run of every ended slot of the day; a repeat charges nobody twice). OpenOnlineBanking has no
// handler yet (the endpoint answers UNAVAILABLE).

import { businessTimestamp } from '../clock.ts';
import { formatRate, formatYuan } from '../domain/money.ts';
import { CUSTOMER_CATEGORIES, VOLTAGE_LEVELS } from '../domain/tariffs/tariff.ts';
import { POWER_FACTOR_STANDARDS } from '../domain/power-factor.ts';
import { LIMITS } from '../limits.ts';
import type { Logger } from '../ops/logger.ts';
import type { Store } from '../store/database.ts';
import type { ReadingSource, RegisterKind } from '../store/meter.table.ts';
import type { BasicChargeBasis, PaymentMode } from '../store/customer.table.ts';
import type { Acting } from '../usecases/create-customer.ts';
import { createCustomer } from '../usecases/create-customer.ts';
import { getBill } from '../usecases/get-bill.ts';
import { getBillRun, type BillRunView } from '../usecases/get-bill-run.ts';
import { importTariffDocument } from '../usecases/import-tariff.ts';
import { installMeter } from '../usecases/install-meter.ts';
import { issueBills } from '../usecases/issue-bills.ts';
import { listBillExceptions } from '../usecases/list-exceptions.ts';
import { READING_SOURCES, REGISTER_KINDS } from '../usecases/parse-reading-row.ts';
import type { NewMeterInput } from '../usecases/register-customer.ts';
import { replaceMeter } from '../usecases/replace-meter.ts';
import { resolveBillException } from '../usecases/resolve-exception.ts';
import { SEGMENTS, startBilling, type Segment } from '../usecases/run-billing.ts';
import { submitReadings } from '../usecases/submit-readings.ts';
import { updateCustomer, type CustomerChange } from '../usecases/update-customer.ts';
import { GridbillError } from '../errors.ts';
import { addDays } from '../domain/dates.ts';
import { CONTROL_COMMAND_STATUSES } from '../domain/estimation.ts';
import { runEstimation } from '../usecases/run-estimation.ts';
import { listControlCommands } from '../usecases/list-control-commands.ts';
import type { OperationContext, ServicePort } from './soap-endpoint.ts';
import type { Args, ServiceContract } from './service-contract.ts';
import type { XmlFields } from './soap-xml.ts';
import { group, opt, WIRE } from './wire-values.ts';

const SEGMENT_NAMES = Object.keys(SEGMENTS) as Segment[];
const PAYMENT_MODES: readonly PaymentMode[] = ['postpaid', 'smart-prepaid'];
const BASES: readonly BasicChargeBasis[] = ['capacity', 'contract-demand', 'actual-demand'];
/** Due dates default to the CLI's: issue date + 15 days. */
const DUE_DAYS_DEFAULT = 15;
const PAGE_SIZE_MAX = 500;
const RECORD_ID_MAX = Number.MAX_SAFE_INTEGER;
/** The response's repeated elements and free text, as the contract bounds them. */
const RULE_COUNTS_MAX = 100;
const PROBLEM_TEXT_CHARS_MAX = 500;

export interface BillingAdminDependencies {
  readonly store: Store;
  readonly logger: Logger;
}

/** Who acts and when: the operator from the body, the request's time in UTC, its business date. */
function acting(args: Args, context: OperationContext): Acting {
  return { actor: WIRE.operator(args.one('operator')), now: utc(context.now), today: context.now.slice(0, 10) };
}

/** Stored times are UTC ISO 8601; `now` carries the business offset. */
function utc(timestamp: string): string {
  return new Date(timestamp).toISOString();
}

/** A stored UTC time as the contract's t:Timestamp, at the business offset (+08:00). */
function wireTime(stored: string): string {
  return businessTimestamp(new Date(stored));
}

function meterSpec(args: Args): NewMeterInput {
  const installedOn = WIRE.date(args.one('installedOn'), 'installedOn');
  return {
    meterNo: WIRE.meterNo(args.one('meterNo')),
    ctRatio: WIRE.integer(args.one('ctRatio'), 'ctRatio', 1, 100_000),
    ptRatio: WIRE.integer(args.one('ptRatio'), 'ptRatio', 1, 100_000),
    installedOn,
    registers: args.groups('register').map((r) => ({
      kind: WIRE.oneOf<RegisterKind>(r.one('kind'), 'kind', REGISTER_KINDS),
      digits: WIRE.integer(r.one('digits'), 'digits', 1, 12),
      rolloverAllowed: WIRE.boolean(r.one('rolloverAllowed'), 'rolloverAllowed'),
      readings: r.groups('reading').map((reading) => ({
        readOn: WIRE.date(reading.one('readOn'), 'readOn'),
        valueHundredths: WIRE.readingHundredths(reading.one('value')),
        source: WIRE.oneOf<ReadingSource>(reading.one('source'), 'source', READING_SOURCES),
      })),
    })),
  };
}

function customerChange(args: Args): CustomerChange {
  const change: CustomerChange = {
    name: opt(args, 'name', (v) => WIRE.text(v, 'name', 100, 1)),
    category: opt(args, 'category', (v) => WIRE.oneOf(v, 'category', CUSTOMER_CATEGORIES)),
    voltage: opt(args, 'voltage', (v) => WIRE.oneOf(v, 'voltage', VOLTAGE_LEVELS)),
    address: opt(args, 'address', (v) => WIRE.text(v, 'address', 200, 1)),
    phone: opt(args, 'phone', WIRE.phone),
    households: opt(args, 'households', (v) => WIRE.integer(v, 'households', 1, 9_999)),
    tariffCode: opt(args, 'tariffCode', WIRE.tariffCode),
    timeOfUse: opt(args, 'timeOfUse', (v) => WIRE.boolean(v, 'timeOfUse')),
    paymentMode: opt(args, 'paymentMode', (v) => WIRE.oneOf(v, 'paymentMode', PAYMENT_MODES)),
    capacityKva: opt(args, 'capacityKva', (v) => WIRE.capacity(v, 'capacityKva')),
    contractDemandKw: opt(args, 'contractDemandKw', (v) => WIRE.capacity(v, 'contractDemandKw')),
    basicChargeBasis: opt(args, 'basicChargeBasis', (v) => WIRE.oneOf(v, 'basicChargeBasis', BASES)),
    powerFactorStandard: opt(args, 'powerFactorStandard', (v) => WIRE.oneOf(v, 'powerFactorStandard', POWER_FACTOR_STANDARDS)),
    status: opt(args, 'status', (v) => WIRE.oneOf(v, 'status', ['active', 'closed'] as const)),
  };
  return change;
}

async function createCustomerOp(store: Store, args: Args, context: OperationContext): Promise<XmlFields> {
  const who = acting(args, context);
  const change = customerChange(args);
  const customerNo = WIRE.customerNo(args.one('customerNo'));
  await createCustomer(store, {
    customerNo, name: change.name!, category: change.category!, voltage: change.voltage!, address: change.address!,
    phone: change.phone ?? null, idNumber: opt(args, 'idNumber', WIRE.idNumber) ?? null, creditCode: opt(args, 'creditCode', WIRE.creditCode) ?? null,
    households: change.households!, tariffCode: change.tariffCode!, timeOfUse: change.timeOfUse!, paymentMode: change.paymentMode!,
    ladderYearStartMonth: WIRE.integer(args.one('ladderYearStartMonth'), 'ladderYearStartMonth', 1, 12),
    capacityKva: change.capacityKva ?? null, contractDemandKw: change.contractDemandKw ?? null,
    basicChargeBasis: change.basicChargeBasis ?? null, powerFactorStandard: change.powerFactorStandard ?? null,
    meters: args.groups('meter').map((m) => meterSpec(m)),
  }, who);
  return [['customerNo', customerNo], ['createdAt', context.now]];
}

async function replaceMeterOp(store: Store, args: Args, context: OperationContext): Promise<XmlFields> {
  const who = acting(args, context);
  const customerNo = WIRE.customerNo(args.one('customerNo'));
  const oldMeterNo = WIRE.meterNo(args.one('oldMeterNo'), 'oldMeterNo');
  const removedOn = WIRE.date(args.one('removedOn'), 'removedOn');
  const newMeter = meterSpec(group(args, 'newMeter'));
  await replaceMeter(store, {
    customerNo, oldMeterNo, removedOn, newMeter,
    removalReadings: args.groups('removalReading').map((r) => ({
      kind: WIRE.oneOf<RegisterKind>(r.one('kind'), 'kind', REGISTER_KINDS), valueHundredths: WIRE.readingHundredths(r.one('value')),
    })),
  }, who);
  return [['customerNo', customerNo], ['oldMeterNo', oldMeterNo], ['newMeterNo', newMeter.meterNo], ['replacedOn', removedOn]];
}

async function submitReadingsOp(store: Store, args: Args, context: OperationContext): Promise<XmlFields> {
  const who = acting(args, context);
  // Values are checked as a readings file's are (parse-reading-row.ts), each problem reported
  // with its reading's index rather than refusing the whole request.
  const readings = args.groups('reading').map((r) => ({
    meterNo: r.one('meterNo'), register: r.one('register'), readOn: r.one('readOn'), value: r.one('value'), source: r.one('source'),
  }));
  const summary = await submitReadings(store, readings, { today: who.today, now: who.now, actor: who.actor });
  return [
    ['accepted', String(summary.accepted)],
    ['rejected', String(summary.rejected)],
    ...summary.problems.map((p) => ['problem', [
      ['index', String(p.index)],
      ['meterNo', p.meterNo !== undefined && /^[0-9A-Za-z][0-9A-Za-z-]{0,31}$/.test(p.meterNo) ? p.meterNo : undefined],
      ['field', p.field === null ? undefined : FIELD_NAMES[p.field]],
      ['message', wireText(p.message)],
    ]] as const),
  ];
}

const FIELD_NAMES = { meter_no: 'meterNo', register: 'register', read_on: 'readOn', value: 'value', source: 'source' } as const;

/** A message as t:Text: one line, no markup characters, at most 500 characters. */
function wireText(message: string): string {
  return [...message.replace(/[\p{Cc}<>]/gu, ' ')].slice(0, PROBLEM_TEXT_CHARS_MAX).join('');
}

async function publishTariffOp(store: Store, args: Args, context: OperationContext): Promise<XmlFields> {
  const who = acting(args, context);
  const document = args.one('document');
  const dryRun = opt(args, 'dryRun', (v) => WIRE.boolean(v, 'dryRun')) ?? false;
  let value: unknown;
  try {
    value = JSON.parse(document);
  } catch {
    throw new GridbillError('TARIFF_INVALID', 'document: not JSON');
  }
  const result = await importTariffDocument(store, value, 'document', { dryRun, actor: who.actor, now: who.now });
  return [
    ['code', result.code],
    ['dryRun', String(result.dryRun)],
    ...result.stored.map((v) => ['stored', [
      ['version', String(v.version)], ['effectiveFrom', v.effectiveFrom], ['effectiveTo', v.effectiveTo ?? undefined],
    ]] as const),
    ...result.unchanged.map((d) => ['unchanged', d] as const),
  ];
}

function billRunFields(run: BillRunView): XmlFields {
  const rules = Object.entries(run.exceptionsByRule).sort(([a], [b]) => a.localeCompare(b)).slice(0, RULE_COUNTS_MAX);
  return [
    ['runId', String(run.runId)],
    ['period', run.period],
    ['segment', run.segment ?? undefined],
    ['status', run.status],
    ['startedAt', wireTime(run.startedAt)],
    ['finishedAt', run.finishedAt === null ? undefined : wireTime(run.finishedAt)],
    ['customers', String(run.customers)],
    ['bills', String(run.bills)],
    ['held', String(run.held)],
    ['alreadyIssued', String(run.alreadyIssued)],
    ['notConnected', String(run.notConnected)],
    ['energyKwh', String(run.energyKwh)],
    ['amount', formatYuan(run.amountFen)],
    ...rules.map(([rule, count]) => ['exceptions', [['rule', rule], ['count', String(count)]]] as const),
  ];
}

export function billingAdminPort(contract: ServiceContract, deps: BillingAdminDependencies): ServicePort {
  const { store, logger } = deps;
  return {
    contract,
    textCharsMax: { PublishTariff: { document: LIMITS.tariffDocumentCharsMax } },
    operations: {
      CreateCustomer: (args, context) => createCustomerOp(store, args, context),

      async UpdateCustomer(args, context) {
        const customerNo = WIRE.customerNo(args.one('customerNo'));
        await updateCustomer(store, customerNo, customerChange(args), acting(args, context));
        return [['customerNo', customerNo], ['updatedAt', context.now]];
      },

      async InstallMeter(args, context) {
        const who = acting(args, context);
        const customerNo = WIRE.customerNo(args.one('customerNo'));
        const meter = meterSpec(group(args, 'meter'));
        await installMeter(store, customerNo, meter, who);
        return [['customerNo', customerNo], ['meterNo', meter.meterNo], ['installedOn', meter.installedOn]];
      },

      ReplaceMeter: (args, context) => replaceMeterOp(store, args, context),
      SubmitReadings: (args, context) => submitReadingsOp(store, args, context),
      PublishTariff: (args, context) => publishTariffOp(store, args, context),

      async RunBilling(args, context) {
        const who = acting(args, context);
        const period = WIRE.period(args.one('period'));
        const segment = opt(args, 'segment', (v) => WIRE.oneOf(v, 'segment', SEGMENT_NAMES));
        const run = await startBilling(store, { period, segment, now: who.now });
        run.finished.catch((error: unknown) => logger.error('bill run failed', { runId: run.runId, period, error }));
        return [['run', billRunFields(await getBillRun(store, run.runId, new Date()))]];
      },

      async GetBillRun(args) {
        const runId = WIRE.integer(args.one('runId'), 'runId', 1, RECORD_ID_MAX);
        return [['run', billRunFields(await getBillRun(store, runId, new Date()))]];
      },

      ListExceptions: (args) => listExceptionsOp(store, args),

      async ResolveException(args, context) {
        const who = acting(args, context);
        const closed = await resolveBillException(store, {
          exceptionId: WIRE.integer(args.one('exceptionId'), 'exceptionId', 1, RECORD_ID_MAX),
          decision: WIRE.oneOf(args.one('decision'), 'decision', ['resolved', 'accepted'] as const),
          resolution: WIRE.text(args.one('resolution'), 'resolution', 500), actor: who.actor, now: who.now,
        });
        return [['exceptionId', String(closed.exceptionId)], ['status', closed.status], ['resolvedAt', wireTime(closed.resolvedAt)]];
      },

      async IssueBills(args, context) {
        const who = acting(args, context);
        const period = WIRE.period(args.one('period'));
        const summary = await issueBills(store, {
          period, issueDate: who.today, dueDays: DUE_DAYS_DEFAULT, now: who.now, actor: who.actor,
          segment: opt(args, 'segment', (v) => WIRE.oneOf(v, 'segment', SEGMENT_NAMES)),
          dueOn: opt(args, 'dueDate', (v) => WIRE.date(v, 'dueDate')),
        });
        return [['period', period], ['issued', String(summary.issued)], ['held', String(summary.held)], ['amount', formatYuan(summary.amountFen)]];
      },

      GetBill: (args) => getBillOp(store, args),
      RunEstimation: (args, context) => runEstimationOp(store, args, context),
      ListControlCommands: (args) => listControlCommandsOp(store, args),
    },
  };
}

async function listExceptionsOp(store: Store, args: Args): Promise<XmlFields> {
  const page = await listBillExceptions(store, {
    runId: opt(args, 'runId', (v) => WIRE.integer(v, 'runId', 1, RECORD_ID_MAX)),
    period: opt(args, 'period', WIRE.period),
    status: opt(args, 'status', (v) => WIRE.oneOf(v, 'status', ['open', 'resolved', 'accepted'] as const)),
    rule: opt(args, 'rule', WIRE.ruleCode),
    customerNo: opt(args, 'customerNo', WIRE.customerNo),
    afterId: opt(args, 'afterId', (v) => WIRE.integer(v, 'afterId', 1, RECORD_ID_MAX)),
    limit: WIRE.integer(args.one('pageSize'), 'pageSize', 1, PAGE_SIZE_MAX),
  });
  return [
    ...page.exceptions.map((e) => ['exception', [
      ['exceptionId', String(e.id)],
      ['runId', String(e.run_id)],
      ['period', e.period],
      ['customerNo', e.customer_no],
      ['billNo', e.bill_no ?? undefined],
      ['rule', e.rule],
      ['detail', e.detail],
      ['status', e.status],
      ['resolvedBy', e.resolved_by ?? undefined],
      ['resolvedAt', e.resolved_at === null ? undefined : wireTime(e.resolved_at)],
      ['resolution', e.resolution === null ? undefined : wireText(e.resolution)],
    ]] as const),
    ['more', String(page.more)],
  ];
}

async function getBillOp(store: Store, args: Args): Promise<XmlFields> {
  const { bill, lines } = await getBill(store, WIRE.billNo(args.one('billNo')));
  return [
    ['billNo', bill.bill_no],
    ['customerNo', bill.customer_no],
    ['period', bill.period],
    ['status', bill.status],
    ['tariffCode', bill.tariff_code],
    ['energyKwh', String(bill.energy_kwh)],
    ['amount', formatYuan(bill.amount_fen)],
    ['estimated', String(bill.estimated === 1)],
    ['runId', bill.run_id === null ? undefined : String(bill.run_id)],
    ['issuedAt', bill.issued_at === null ? undefined : wireTime(bill.issued_at)],
    ['dueDate', bill.due_on ?? undefined],
    ...lines.map((l) => ['line', [
      ['seq', String(l.seq)], ['kind', l.kind], ['code', l.code], ['label', l.label], ['quantity', l.quantity], ['unit', l.unit],
      ['rate', l.rate_micros === null ? undefined : formatRate(l.rate_micros)], ['amount', formatYuan(l.amount_fen)],
    ]] as const),
  ];
}

async function runEstimationOp(store: Store, args: Args, context: OperationContext): Promise<XmlFields> {
  const who = acting(args, context);
  const date = WIRE.date(args.one('date'), 'date');
  const segment = opt(args, 'segment', (v) => WIRE.oneOf(v, 'segment', SEGMENT_NAMES));
  const s = await runEstimation(store, { date, segment, now: who.now, actor: who.actor });
  return [
    ['date', s.date], ['accounts', String(s.accounts)], ['estimatedKwh', String(s.estimatedKwh)], ['estimatedAmount', formatYuan(s.amountFen)],
    ['reminders', String(s.reminders)], ['cutoffNotices', String(s.cutoffNotices)],
    ['disconnectCommands', String(s.disconnectCommands)], ['reconnectCommands', String(s.reconnectCommands)],
  ];
}

/** Midnight at the business offset of a date, as the stored UTC instant. */
function dayStart(date: string): string {
  return new Date(`${date}T00:00:00.000+08:00`).toISOString();
}

async function listControlCommandsOp(store: Store, args: Args): Promise<XmlFields> {
  const from = opt(args, 'from', (v) => WIRE.date(v, 'from'));
  const to = opt(args, 'to', (v) => WIRE.date(v, 'to'));
  const page = await listControlCommands(store, {
    status: opt(args, 'status', (v) => WIRE.oneOf(v, 'status', CONTROL_COMMAND_STATUSES)),
    customerNo: opt(args, 'customerNo', WIRE.customerNo),
    from: from === undefined ? undefined : dayStart(from),
    to: to === undefined ? undefined : dayStart(addDays(to, 1)),
    afterId: opt(args, 'afterId', (v) => WIRE.integer(v, 'afterId', 1, RECORD_ID_MAX)),
    limit: WIRE.integer(args.one('pageSize'), 'pageSize', 1, PAGE_SIZE_MAX),
  });
  return [
    ...page.commands.map((c) => ['command', [
      ['id', String(c.id)], ['commandId', c.command_id], ['customerNo', c.customer_no], ['meterNo', c.meter_no], ['kind', c.kind],
      ['status', c.status], ['reason', wireText(c.reason)], ['createdAt', wireTime(c.created_at)],
      ['approvedBy', c.approved_by ?? undefined],
      ['sentAt', c.sent_at === null ? undefined : wireTime(c.sent_at)],
      ['completedAt', c.completed_at === null ? undefined : wireTime(c.completed_at)],
    ]] as const),
    ['more', String(page.more)],
  ];
}
