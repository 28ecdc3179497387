// CustomerService (wsdl/CustomerService.wsdl) for the online business hall and the app: parse →
// use case → map. The calling channel (the portal) is authenticated by WS-Security like any
// other; the customer is the session token in the body, checked by every use case after Login.
// Amounts leave as decimal strings (formatYuan), response elements in schema order. PayOnline is
// written elsewhere (pay-online-operation.ts) and plugged in through `more`; without it the
// endpoint answers it UNAVAILABLE.

import { formatRate, formatYuan } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import type { Store } from '../store/database.ts';
import { estimateFee } from '../usecases/estimate-fee.ts';
import { getProfile } from '../usecases/get-profile.ts';
import { login } from '../usecases/login.ts';
import { logout } from '../usecases/logout.ts';
import { queryBills, type CustomerBill, type CustomerBillLine } from '../usecases/query-bills.ts';
import { queryConsumption, type Granularity } from '../usecases/query-consumption.ts';
import { requestLoginCode } from '../usecases/request-login-code.ts';
import { updateProfile } from '../usecases/update-profile.ts';
import type { OperationContext, OperationHandler, ServicePort } from './soap-endpoint.ts';
import type { Args, ServiceContract } from './service-contract.ts';
import type { XmlFields } from './soap-xml.ts';

function booleanArg(args: Args, name: string): boolean {
  const value = args.optional(name);
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new GridbillError('VALIDATION_FAILED', `${name}: true or false`);
}

function kwhArg(args: Args, name: string): number | undefined {
  const value = args.optional(name);
  if (value === undefined) return undefined;
  if (!/^\+?[0-9]{1,12}$/.test(value)) throw new GridbillError('VALIDATION_FAILED', `${name}: whole kWh, 0 to 999999999999`);
  return Number(value);
}

function granularityArg(args: Args): Granularity {
  const value = args.one('granularity');
  if (value !== 'MONTHLY' && value !== 'DAILY') throw new GridbillError('VALIDATION_FAILED', 'granularity: MONTHLY or DAILY');
  return value;
}

/** tns:BillLine, in schema order. */
function lineFields(line: CustomerBillLine | { kind: string; code: string; label: string; quantity: string; unit: string; rateMicros?: number | null; amountFen: number }): XmlFields {
  return [
    ['kind', line.kind],
    ['code', line.code],
    ['label', line.label],
    ['quantity', line.quantity],
    ['unit', line.unit],
    ['rate', line.rateMicros === undefined || line.rateMicros === null ? undefined : formatRate(line.rateMicros)],
    ['amount', formatYuan(line.amountFen)],
  ];
}

function billFields(bill: CustomerBill): XmlFields {
  return [
    ['billNo', bill.billNo],
    ['period', bill.period],
    ['energyKwh', String(bill.energyKwh)],
    ['amount', formatYuan(bill.amountFen)],
    ['lateFee', formatYuan(bill.lateFeeFen)],
    ['amountDue', formatYuan(bill.amountDueFen)],
    ['issuedOn', bill.issuedOn],
    ['dueDate', bill.dueDate],
    ['paid', String(bill.paid)],
    ...bill.lines.map((line) => ['line', lineFields(line)] as const),
  ];
}

function operations(store: Store): Record<string, OperationHandler> {
  return {
    async RequestLoginCode(args: Args, context: OperationContext) {
      const answer = await requestLoginCode(store, { customerNo: args.one('customerNo'), now: context.now });
      return [['sentTo', answer.sentTo], ['expiresAt', answer.expiresAt], ['resendAfterSeconds', String(answer.resendAfterSeconds)]];
    },

    async Login(args: Args, context: OperationContext) {
      const answer = await login(store, {
        customerNo: args.one('customerNo'), password: args.one('password'), smsCode: args.one('smsCode'), channelCode: context.channel, now: context.now,
      });
      return [['sessionToken', answer.sessionToken], ['expiresAt', answer.expiresAt], ['customerNo', answer.customerNo], ['customerName', answer.customerName]];
    },

    async Logout(args: Args, context: OperationContext) {
      return [['loggedOutAt', (await logout(store, { sessionToken: args.one('sessionToken'), now: context.now })).loggedOutAt]];
    },

    async GetProfile(args: Args, context: OperationContext) {
      const p = await getProfile(store, { sessionToken: args.one('sessionToken'), now: context.now });
      return [
        ['customerNo', p.customerNo], ['name', p.name], ['address', p.address], ['phone', p.phone], ['email', p.email],
        ['category', p.category], ['voltage', p.voltage], ['paymentMode', p.paymentMode], ['timeOfUse', String(p.timeOfUse)],
        ...p.meterNos.map((meterNo) => ['meterNo', meterNo] as const),
        ['prepaidBalance', formatYuan(p.prepaidBalanceFen)], ['totalDue', formatYuan(p.totalDueFen)],
      ];
    },

    async UpdateProfile(args: Args, context: OperationContext) {
      const answer = await updateProfile(store, {
        sessionToken: args.one('sessionToken'), email: args.optional('email'), newPhone: args.optional('newPhone'), phoneCode: args.optional('phoneCode'),
        currentPassword: args.optional('currentPassword'), newPassword: args.optional('newPassword'), now: context.now,
      });
      return [['status', answer.status], ['phone', answer.phone], ['email', answer.email]];
    },

    async QueryConsumption(args: Args, context: OperationContext) {
      const answer = await queryConsumption(store, {
        sessionToken: args.one('sessionToken'), granularity: granularityArg(args), from: args.one('from'), to: args.one('to'), now: context.now,
      });
      return [
        ...answer.months.map((m) => ['month', [['period', m.period], ['kwh', String(m.kwh)], ['amount', formatYuan(m.amountFen)]]] as const),
        ...answer.days.map((d) => ['day', [['date', d.date], ['kwh', String(d.kwh)]]] as const),
        ['totalKwh', String(answer.totalKwh)],
      ];
    },

    async QueryBills(args: Args, context: OperationContext) {
      const answer = await queryBills(store, {
        sessionToken: args.one('sessionToken'), fromPeriod: args.one('fromPeriod'), toPeriod: args.one('toPeriod'),
        unpaidOnly: booleanArg(args, 'unpaidOnly'), withLines: booleanArg(args, 'withLines'), now: context.now,
      });
      return [...answer.bills.map((bill) => ['bill', billFields(bill)] as const), ['totalDue', formatYuan(answer.totalDueFen)]];
    },

    async EstimateFee(args: Args, context: OperationContext) {
      const kwh = kwhArg(args, 'kwh');
      const e = await estimateFee(store, { sessionToken: args.one('sessionToken'), period: args.one('period'), ...(kwh === undefined ? {} : { kwh }), now: context.now });
      return [
        ['period', e.period], ['basis', e.basis], ['kwh', String(e.kwh)], ['amount', formatYuan(e.amountFen)],
        ['tier', e.tier === undefined ? undefined : String(e.tier)], ['kwhLeftInTier', e.kwhLeftInTier === undefined ? undefined : String(e.kwhLeftInTier)],
        ...e.lines.map((line) => ['line', lineFields({ ...line, rateMicros: line.rateMicros ?? null })] as const),
      ];
    },
  };
}

/** `more`: operations served by other modules (PayOnline: pay-online-operation.ts), plugged in by the core. */
export function customerPort(contract: ServiceContract, store: Store, more: Readonly<Record<string, OperationHandler>> = {}): ServicePort {
  return { contract, operations: { ...operations(store), ...more } };
}
