// OperationsService (wsdl/OperationsService.wsdl), for the platform's operators:
// - GetChannelStatus: per registered channel its calls and failures of today (the business day,
//   UTC+8, from 00:00) and when it was last seen;
// - GetChannelAssessment: a channel's quality over a range of days, in total, per month and per
//   day (channel-assessment.ts);
// - GetTerminalStatus: meters as terminals with reading age, switch state and failed commands,
//   paged by meter number (terminal-status.ts);
// - ListAlerts: the alerts, filtered and paged by id (list-alerts.ts).
// Call counts are the platform's, summed over every core (channel-activity.ts), this core's not
// yet written included. The service is internal (no gateway in front): every value is held to its
// contract type here.

import { businessDate, businessTimestamp } from '../clock.ts';
import { formatYuan } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import type { Store } from '../store/database.ts';
import { channelStatus, type ChannelActivity } from '../usecases/channel-activity.ts';
import { assessChannel, type AssessmentFigures } from '../usecases/channel-assessment.ts';
import { listAlerts, SEVERITIES } from '../usecases/list-alerts.ts';
import { terminalStatus, TERMINAL_STATES } from '../usecases/terminal-status.ts';
import type { OperationContext, ServicePort } from './soap-endpoint.ts';
import type { XmlFields } from './soap-xml.ts';
import type { Args, ServiceContract } from './service-contract.ts';
import { matching, opt, WIRE } from './wire-values.ts';

const LABEL_CHARS_MAX = 200;
const TEXT_CHARS_MAX = 500;
const PAGE_SIZE_MAX = 500;
const RECORD_ID_MAX = Number.MAX_SAFE_INTEGER;
/** tns:Milliseconds' maxInclusive. */
const MILLISECONDS_MAX = 3_600_000;

/** Free text as t:Label / t:Text: markup and control characters never go out. */
function oneLine(text: string, maxChars: number): string {
  return [...text.replace(/[\p{Cc}<>]/gu, ' ')].slice(0, maxChars).join('');
}

/** t:Timestamp: xsd:dateTime with an offset, at most milliseconds; as a UTC instant. */
function timestamp(value: string, field: string): string {
  const ok = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?(Z|[+-][0-9]{2}:[0-9]{2})$/.test(value);
  const ms = Date.parse(value);
  if (!ok || Number.isNaN(ms)) throw new GridbillError('VALIDATION_FAILED', `${field}: not a date-time with an offset`);
  return new Date(ms).toISOString();
}

/** Hundredths of a percent as t:Percent (two fraction digits). */
function percent(bp: number): string {
  return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;
}

const milliseconds = (ms: number) => String(Math.min(ms, MILLISECONDS_MAX));

function assessmentFields(f: AssessmentFigures): XmlFields {
  return [
    ['calls', String(f.calls)], ['failures', String(f.failures)], ['successRate', percent(f.successRateBp)],
    ['p50LatencyMs', milliseconds(f.p50LatencyMs)], ['p99LatencyMs', milliseconds(f.p99LatencyMs)],
    ['payments', String(f.payments)], ['paymentAmount', formatYuan(f.paymentAmountFen)], ['reversals', String(f.reversals)],
    ['unknownOutcomes', String(f.unknownOutcomes)], ['daysReconciled', String(f.daysReconciled)], ['discrepancies', String(f.discrepancies)],
  ];
}

/** A day or month of an assessment, in tns:AssessmentPeriod's order. */
function periodFields(from: string, to: string, f: AssessmentFigures): XmlFields {
  return [
    ['from', from], ['to', to], ['calls', String(f.calls)], ['failures', String(f.failures)], ['successRate', percent(f.successRateBp)],
    ['availability', percent(f.availabilityBp)], ['p50LatencyMs', milliseconds(f.p50LatencyMs)], ['p95LatencyMs', milliseconds(f.p95LatencyMs)],
    ['p99LatencyMs', milliseconds(f.p99LatencyMs)], ['payments', String(f.payments)], ['paymentAmount', formatYuan(f.paymentAmountFen)],
    ['reversals', String(f.reversals)], ['unknownOutcomes', String(f.unknownOutcomes)], ['reconciled', String(f.daysReconciled > 0)],
    ['discrepancies', String(f.discrepancies)],
  ];
}

async function getChannelStatus(deps: OperationsDeps, args: Args, context: OperationContext): Promise<XmlFields> {
  const day = businessDate(new Date(context.now));
  const channels = await channelStatus(deps.store, deps.activity, { day, channelCode: opt(args, 'channelCode', WIRE.channelCode) });
  return [
    ['since', `${day}T00:00:00.000+08:00`],
    ...channels.map((c) => ['channel', [
      ['channelCode', c.code],
      ['name', oneLine(c.name, LABEL_CHARS_MAX)],
      ['enabled', String(c.enabled)],
      ['calls', String(c.calls)],
      ['failures', String(c.failures)],
      ['lastSeen', c.lastSeen === null ? undefined : businessTimestamp(new Date(c.lastSeen))],
    ]] as const),
  ];
}

async function getChannelAssessment(deps: OperationsDeps, args: Args): Promise<XmlFields> {
  const assessment = await assessChannel(deps.store, deps.activity, {
    channelCode: WIRE.channelCode(args.one('channelCode')), from: WIRE.date(args.one('from'), 'from'), to: WIRE.date(args.one('to'), 'to'),
  });
  return [
    ['channelCode', assessment.channelCode], ['from', assessment.from], ['to', assessment.to], ...assessmentFields(assessment.total),
    ['p95LatencyMs', milliseconds(assessment.total.p95LatencyMs)], ['availability', percent(assessment.total.availabilityBp)],
    ...assessment.months.map((m) => ['month', periodFields(m.from, m.to, m)] as const),
    ...assessment.days.map((d) => ['day', periodFields(d.day, d.day, d)] as const),
  ];
}

async function getTerminalStatus(deps: OperationsDeps, args: Args, context: OperationContext): Promise<XmlFields> {
  const terminalId = (v: string, field: string) => matching(v, field, /[A-Za-z0-9][A-Za-z0-9_-]{0,31}/, 32);
  const page = await terminalStatus(deps.store, {
    ...(args.optional('terminalId') === undefined ? {} : { meterNo: terminalId(args.one('terminalId'), 'terminalId') }),
    ...(args.optional('status') === undefined ? {} : { status: WIRE.oneOf(args.one('status'), 'status', TERMINAL_STATES) }),
    ...(args.optional('afterTerminalId') === undefined ? {} : { afterMeterNo: terminalId(args.one('afterTerminalId'), 'afterTerminalId') }),
    limit: WIRE.integer(args.one('pageSize'), 'pageSize', 1, PAGE_SIZE_MAX),
    today: businessDate(new Date(context.now)),
  });
  return [
    ...page.terminals.map((t) => ['terminal', [
      ['terminalId', t.meterNo], ['kind', 'meter'], ['status', t.status], ['meters', '1'],
      ['lastSeen', t.lastRecordedAt === null ? undefined : businessTimestamp(new Date(t.lastRecordedAt))],
      ['readingAgeDays', t.readingAgeDays === null ? undefined : String(Math.max(0, t.readingAgeDays))],
      ['switchState', t.switchState === 'off' ? 'OFF' : 'ON'], ['failedCommands', String(t.failedCommands)],
    ]] as const),
    ['more', String(page.more)],
  ];
}

async function listAlertsOp(deps: OperationsDeps, args: Args): Promise<XmlFields> {
  const page = await listAlerts(deps.store, {
    ...(args.optional('minSeverity') === undefined ? {} : { minSeverity: WIRE.oneOf(args.one('minSeverity'), 'minSeverity', SEVERITIES) }),
    ...(args.optional('since') === undefined ? {} : { since: timestamp(args.one('since'), 'since') }),
    ...(args.optional('activeOnly') === undefined ? {} : { activeOnly: WIRE.boolean(args.one('activeOnly'), 'activeOnly') }),
    ...(args.optional('afterId') === undefined ? {} : { afterId: WIRE.integer(args.one('afterId'), 'afterId', 1, RECORD_ID_MAX) }),
    limit: WIRE.integer(args.one('pageSize'), 'pageSize', 1, PAGE_SIZE_MAX),
  });
  return [
    ...page.alerts.map((a) => ['alert', [
      ['alertId', String(a.id)], ['severity', a.severity], ['source', oneLine(a.kind, LABEL_CHARS_MAX)],
      ['message', oneLine(a.message, TEXT_CHARS_MAX)], ['raisedAt', businessTimestamp(new Date(a.raisedAt))],
      ['clearedAt', a.clearedAt === null ? undefined : businessTimestamp(new Date(a.clearedAt))],
    ]] as const),
    ['more', String(page.more)],
  ];
}

interface OperationsDeps {
  readonly store: Store;
  readonly activity: ChannelActivity;
}

export function operationsPort(contract: ServiceContract, deps: OperationsDeps): ServicePort {
  return {
    contract,
    operations: {
      GetChannelStatus: (args, context) => getChannelStatus(deps, args, context),
      GetChannelAssessment: (args) => getChannelAssessment(deps, args),
      GetTerminalStatus: (args, context) => getTerminalStatus(deps, args, context),
      ListAlerts: (args) => listAlertsOp(deps, args),
    },
  };
}
