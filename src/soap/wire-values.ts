// The simple types of wsdl/common.xsd as the core reads them. BillingAdminService is internal: no
// gateway validates its requests against the schema first, so the port holds every value it uses
// to its type here — pattern, bounds, enumeration — and a value outside it is VALIDATION_FAILED
// naming the field. Values stay strings until they are parsed exactly (no float on any path).

import { isIsoDate, isIsoMonth } from '../domain/dates.ts';
import { parseScaled } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import type { Args } from './service-contract.ts';

function invalid(field: string, rule: string): GridbillError {
  return new GridbillError('VALIDATION_FAILED', `${field}: ${rule}`);
}

/** A value that must match `pattern` (anchored here) and be at most `maxChars` characters. */
export function matching(value: string, field: string, pattern: RegExp, maxChars: number): string {
  if ([...value].length > maxChars || !new RegExp(`^(?:${pattern.source})$`, 'u').test(value)) throw invalid(field, `not a valid ${field}`);
  return value;
}

const FREE_TEXT = /[^\p{Cc}<>]*/u;

export const WIRE = {
  customerNo: (v: string, field = 'customerNo') => matching(v, field, /[0-9]{10,13}/, 13),
  meterNo: (v: string, field = 'meterNo') => matching(v, field, /[0-9A-Za-z][0-9A-Za-z-]{0,31}/, 32),
  operator: (v: string) => matching(v, 'operator', /[A-Za-z0-9][A-Za-z0-9._@-]{0,63}/, 64),
  tariffCode: (v: string) => matching(v, 'tariffCode', /[a-z0-9][a-z0-9.-]{0,63}/, 64),
  channelCode: (v: string) => matching(v, 'channelCode', /[A-Za-z0-9][A-Za-z0-9_-]{0,31}/, 32),
  billNo: (v: string) => matching(v, 'billNo', /[0-9A-Z]{6,32}/, 32),
  ruleCode: (v: string) => matching(v, 'rule', /[A-Z][A-Z0-9_]{0,63}/, 64),
  phone: (v: string) => matching(v, 'phone', /1[3-9][0-9]{9}/, 11),
  idNumber: (v: string) => matching(v, 'idNumber', /[0-9]{17}[0-9X]/, 18),
  creditCode: (v: string) => matching(v, 'creditCode', /[0-9A-Z]{18}/, 18),
  /** t:PersonName, t:Address, t:Text: one line, no control characters, no markup. */
  text: (v: string, field: string, maxChars: number, minChars = 0) => {
    if ([...v].length < minChars) throw invalid(field, 'required');
    return matching(v, field, FREE_TEXT, maxChars);
  },
  date: (v: string, field: string) => {
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(v) || !isIsoDate(v)) throw invalid(field, 'not a date YYYY-MM-DD');
    return v;
  },
  period: (v: string, field = 'period') => {
    if (!/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(v) || !isIsoMonth(v)) throw invalid(field, 'not a month YYYY-MM');
    return v;
  },
  /** xsd:int / xsd:long within [min, max]: an optional sign, digits; never `1e3` or `12abc`. */
  integer: (v: string, field: string, min: number, max: number) => {
    if (!/^[+-]?[0-9]{1,18}$/.test(v)) throw invalid(field, 'not an integer');
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(field, `not between ${min} and ${max}`);
    return n;
  },
  boolean: (v: string, field: string) => {
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw invalid(field, 'not a boolean');
  },
  oneOf: <T extends string>(v: string, field: string, allowed: readonly T[]): T => {
    const found = allowed.find((a) => a === v);
    if (found === undefined) throw invalid(field, `not one of ${allowed.join(', ')}`);
    return found;
  },
  /** t:ReadingValue: at most 12 integer and 2 fraction digits, as hundredths. */
  readingHundredths: (v: string, field = 'value') => {
    if (!/^[0-9]{1,12}(\.[0-9]{1,2})?$/.test(v)) throw invalid(field, 'not a reading with at most 12 integer and 2 fraction digits');
    return Number(parseScaled(v, 2));
  },
  /** t:Capacity: kVA or kW, at most 2 decimals; not money, so a number is exact enough. */
  capacity: (v: string, field: string) => {
    if (!/^[+]?[0-9]{1,10}(\.[0-9]{1,2})?$/.test(v)) throw invalid(field, 'not a capacity with at most 2 decimals');
    return Number(v);
  },
} as const;

/** An optional value read with a WIRE reader. */
export function opt<T>(args: Args, name: string, read: (v: string) => T): T | undefined {
  const value = args.optional(name);
  return value === undefined ? undefined : read(value);
}

/** A required complex element. */
export function group(args: Args, name: string): Args {
  const [first] = args.groups(name);
  if (first === undefined) throw invalid(name, 'required');
  return first;
}
