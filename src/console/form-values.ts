// Form values held to the same rules as the contract's types (wsdl/common.xsd) before any use
// case sees them. A wrong value is VALIDATION_FAILED naming the field; nothing is guessed.

import { GridbillError } from '../errors.ts';
import type { RequestContext } from './console-route.ts';
import { field } from './console-route.ts';

function invalid(name: string, why: string): GridbillError {
  return new GridbillError('VALIDATION_FAILED', `${name}: ${why}`);
}

function matching(ctx: RequestContext, name: string, pattern: RegExp, why: string): string {
  const value = field(ctx, name);
  if (!pattern.test(value)) throw invalid(name, why);
  return value;
}

export const FORM = {
  customerNo: (ctx: RequestContext, name = 'customerNo') => matching(ctx, name, /^[0-9]{10,13}$/, '10 to 13 digits'),
  meterNo: (ctx: RequestContext, name = 'meterNo') => matching(ctx, name, /^[0-9A-Za-z][0-9A-Za-z-]{0,31}$/, '1 to 32 letters, digits or "-"'),
  tariffCode: (ctx: RequestContext) => matching(ctx, 'tariffCode', /^[a-z0-9][a-z0-9.-]{0,63}$/, 'a published tariff code'),
  period: (ctx: RequestContext, name = 'period') => matching(ctx, name, /^[0-9]{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM'),
  date: (ctx: RequestContext, name: string) => {
    const value = matching(ctx, name, /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'YYYY-MM-DD');
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw invalid(name, 'not a calendar date');
    return value;
  },
  phone: (ctx: RequestContext, name = 'phone') => matching(ctx, name, /^1[3-9][0-9]{9}$/, 'an 11-digit mainland mobile number'),
  text: (ctx: RequestContext, name: string, charsMax: number) => {
    const value = field(ctx, name);
    // eslint-disable-next-line no-control-regex
    if (value === '' || [...value].length > charsMax || /[\u0000-\u001F\u007F]/.test(value)) throw invalid(name, `1 to ${charsMax} characters on one line`);
    return value;
  },
  integer: (ctx: RequestContext, name: string, min: number, max: number) => {
    const value = field(ctx, name);
    if (!/^[0-9]{1,15}$/.test(value) || Number(value) < min || Number(value) > max) throw invalid(name, `a whole number from ${min} to ${max}`);
    return Number(value);
  },
  oneOf: <T extends string>(ctx: RequestContext, name: string, allowed: readonly T[]): T => {
    const value = field(ctx, name);
    const found = allowed.find((a) => a === value);
    if (found === undefined) throw invalid(name, `one of ${allowed.join(', ')}`);
    return found;
  },
  checked: (ctx: RequestContext, name: string) => ctx.form.fields.has(name),
  /** A capacity (kVA, kW) with at most 2 decimals; not money, so a number is exact enough. */
  capacity: (ctx: RequestContext, name: string) => {
    const value = field(ctx, name);
    if (value === '') return null;
    if (!/^[0-9]{1,10}(\.[0-9]{1,2})?$/.test(value)) throw invalid(name, 'a number with at most 2 decimals');
    return Number(value);
  },
} as const;

/** A dial reading with at most 12 integer and 2 fraction digits, as hundredths (exact: no float arithmetic). */
export function readingHundredths(value: string, name: string): number {
  const m = /^([0-9]{1,12})(?:\.([0-9]{1,2}))?$/.exec(value.trim());
  if (m === null) throw invalid(name, 'a reading with at most 2 decimals, e.g. 12345.67');
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Optional: '' is absent. */
export function optional<T>(ctx: RequestContext, name: string, read: (ctx: RequestContext, name: string) => T): T | undefined {
  return field(ctx, name) === '' ? undefined : read(ctx, name);
}
