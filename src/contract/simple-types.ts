// Checking one simple value against its type: the built-in's lexical space, then every facet of
// every restriction step, as XML Schema 1.0 Part 2 defines them. Values are never converted to a
// JavaScript number: decimals and integers are compared digit by digit (decimal.ts).
//
// Decisions where the specification leaves room or where our contracts want it said:
// - whitespace: `string` is preserved (a customer number with a space does not match its pattern);
//   every other built-in is collapsed first, so ` 19.5 ` is the decimal 19.5 and is kept as `19.5`;
// - decimals: `1e3`, `0x10`, `NaN`, `INF`, `1,5` are not decimals; `.5`, `5.`, `+5`, `007.50` are
//   (their values are 0.5, 5, 5, 7.5) and are kept exactly as sent;
// - digit facets count the value: `19.500` has one fraction digit, like `19.5` (libxml2 agrees);
// - length facets count characters (code points), octets for base64Binary;
// - reasons never quote the value, so a hostile value is not echoed into faults and logs.

import {
  compareDecimal, fractionDigits, isIntegerLexical, parseDecimal, totalDigits, type DecimalParts,
} from './decimal.ts';
import type { Builtin, FacetStep, Primitive, SimpleType, WhiteSpace } from './schema.ts';

interface BuiltinSpec {
  readonly primitive: Primitive;
  readonly integer: boolean;
  readonly min?: string;
  readonly max?: string;
}

export const BUILTINS: Readonly<Record<Builtin, BuiltinSpec>> = {
  string: { primitive: 'string', integer: false },
  boolean: { primitive: 'boolean', integer: false },
  decimal: { primitive: 'decimal', integer: false },
  integer: { primitive: 'decimal', integer: true },
  long: { primitive: 'decimal', integer: true, min: '-9223372036854775808', max: '9223372036854775807' },
  int: { primitive: 'decimal', integer: true, min: '-2147483648', max: '2147483647' },
  short: { primitive: 'decimal', integer: true, min: '-32768', max: '32767' },
  byte: { primitive: 'decimal', integer: true, min: '-128', max: '127' },
  date: { primitive: 'date', integer: false },
  dateTime: { primitive: 'dateTime', integer: false },
  base64Binary: { primitive: 'base64Binary', integer: false },
};

export function isBuiltin(name: string): name is Builtin {
  return Object.hasOwn(BUILTINS, name);
}

export function normalizeWhiteSpace(value: string, mode: WhiteSpace): string {
  if (mode === 'preserve') return value;
  const replaced = value.replace(/[\t\n\r]/g, ' ');
  return mode === 'replace' ? replaced : replaced.replace(/ {2,}/g, ' ').replace(/^ | $/g, '');
}

const ZONE = '(Z|[+-][0-9]{2}:[0-9]{2})?';
const DATE = new RegExp(`^-?([0-9]{4,})-([0-9]{2})-([0-9]{2})${ZONE}$`);
const DATE_TIME = new RegExp(`^-?([0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.([0-9]+))?${ZONE}$`);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function validZone(zone: string | undefined): boolean {
  if (zone === undefined || zone === 'Z') return true;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  return minutes <= 59 && (hours < 14 || (hours === 14 && minutes === 0));
}

function validDate(yearText: string, monthText: string, dayText: string): boolean {
  if (/^0+$/.test(yearText) || (yearText.length > 4 && yearText.startsWith('0'))) return false;
  const year = Number(yearText.slice(-4));
  const month = Number(monthText);
  const day = Number(dayText);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function checkDate(value: string): string | undefined {
  const m = DATE.exec(value);
  if (!m || !validDate(m[1]!, m[2]!, m[3]!) || !validZone(m[4])) return 'not a valid date';
  return undefined;
}

function checkDateTime(value: string): string | undefined {
  const m = DATE_TIME.exec(value);
  if (!m || !validDate(m[1]!, m[2]!, m[3]!) || !validZone(m[8])) return 'not a valid date and time';
  const [hours, minutes, seconds] = [Number(m[4]), Number(m[5]), Number(m[6])];
  const endOfDay = hours === 24 && minutes === 0 && seconds === 0 && /^0*$/.test(m[7] ?? '');
  if ((hours > 23 && !endOfDay) || minutes > 59 || seconds > 59) return 'not a valid date and time';
  return undefined;
}

/** The decimal value of a decimal-based built-in, or the reason the lexical form is refused. */
function checkNumber(value: string, builtin: Builtin): DecimalParts | string {
  const spec = BUILTINS[builtin];
  if (spec.integer && !isIntegerLexical(value)) return `not a valid ${builtin}`;
  const parts = parseDecimal(value);
  if (parts === undefined) return `not a valid ${builtin}`;
  if (spec.min !== undefined && compareDecimal(parts, parseDecimal(spec.min)!) < 0) return `not a valid ${builtin}: out of range`;
  if (spec.max !== undefined && compareDecimal(parts, parseDecimal(spec.max)!) > 0) return `not a valid ${builtin}: out of range`;
  return parts;
}

/** The lexical check of the built-in; for decimals also the parsed value the facets need. */
export function checkLexical(value: string, builtin: Builtin): { reason?: string; decimal?: DecimalParts } {
  switch (BUILTINS[builtin].primitive) {
    case 'string': return {};
    case 'boolean': return /^(true|false|1|0)$/.test(value) ? {} : { reason: 'not a valid boolean' };
    case 'date': return { reason: checkDate(value) };
    case 'dateTime': return { reason: checkDateTime(value) };
    case 'base64Binary': return BASE64.test(value.replace(/ /g, '')) ? {} : { reason: 'not valid base64' };
    case 'decimal': {
      const parsed = checkNumber(value, builtin);
      return typeof parsed === 'string' ? { reason: parsed } : { decimal: parsed };
    }
  }
}

function lengthOf(value: string, primitive: Primitive): number {
  if (primitive !== 'base64Binary') return [...value].length;
  const compact = value.replace(/ /g, '');
  return (compact.length / 4) * 3 - (compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0);
}

function checkLengths(step: FacetStep, length: number): string | undefined {
  if (step.length !== undefined && length !== step.length) return `length must be ${step.length}`;
  if (step.minLength !== undefined && length < step.minLength) return `shorter than ${step.minLength}`;
  if (step.maxLength !== undefined && length > step.maxLength) return `longer than ${step.maxLength}`;
  return undefined;
}

function checkDecimalFacets(step: FacetStep, d: DecimalParts): string | undefined {
  if (step.totalDigits !== undefined && totalDigits(d) > step.totalDigits) return `more than ${step.totalDigits} digits`;
  if (step.fractionDigits !== undefined && fractionDigits(d) > step.fractionDigits) {
    return `more than ${step.fractionDigits} fraction digits`;
  }
  if (step.minInclusive && compareDecimal(d, step.minInclusive) < 0) return `below the minimum ${step.bounds.minInclusive}`;
  if (step.maxInclusive && compareDecimal(d, step.maxInclusive) > 0) return `above the maximum ${step.bounds.maxInclusive}`;
  if (step.minExclusive && compareDecimal(d, step.minExclusive) <= 0) return `not above ${step.bounds.minExclusive}`;
  if (step.maxExclusive && compareDecimal(d, step.maxExclusive) >= 0) return `not below ${step.bounds.maxExclusive}`;
  return undefined;
}

function sameValue(a: string, b: string, decimal: DecimalParts | undefined): boolean {
  if (decimal === undefined) return a === b;
  const other = parseDecimal(b);
  return other !== undefined && compareDecimal(decimal, other) === 0;
}

function checkStep(type: SimpleType, step: FacetStep, value: string, decimal: DecimalParts | undefined): string | undefined {
  // lengths first: a pattern never runs on a value longer than the type allows
  const lengths = checkLengths(step, lengthOf(value, type.primitive));
  if (lengths) return lengths;
  if (decimal) {
    const reason = checkDecimalFacets(step, decimal);
    if (reason) return reason;
  }
  if (step.enumeration && !step.enumeration.some((e) => sameValue(value, e, decimal))) return 'not one of the allowed values';
  if (step.patterns.length > 0 && !step.patterns.some((p) => p.test(value))) return 'does not match the pattern';
  return undefined;
}

/** The value as the type reads it (whitespace handled), or the reason it is not one of the type's. */
export function checkSimple(type: SimpleType, raw: string): { readonly text: string } | { readonly reason: string } {
  const text = normalizeWhiteSpace(raw, type.whiteSpace);
  const lexical = checkLexical(text, type.builtin);
  if (lexical.reason !== undefined) return { reason: lexical.reason };
  for (const step of type.steps) {
    const reason = checkStep(type, step, text, lexical.decimal);
    if (reason !== undefined) return { reason: `${reason} (${type.name})` };
  }
  return { text };
}
