// Readers for untrusted JSON that report every problem with its JSON path instead of stopping at
// the first, so the author of a tariff file can fix them all in one go. Presence is checked by
// `readObject` (required/optional keys); the field readers are silent about absent values.

import { isIsoDate, type IsoDate } from '../dates.ts';
import { parseScaled, type RateMicros } from '../money.ts';

export interface JsonIssue {
  readonly path: string;
  readonly message: string;
}

/** More issues than this is a wrong file, not a list worth reading. */
export const ISSUES_MAX = 50;

export class Issues {
  readonly list: JsonIssue[] = [];
  add(path: string, message: string): void {
    if (this.list.length < ISSUES_MAX) this.list.push({ path, message });
  }
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `path`, after reporting missing required and unknown keys. */
export function readObject(
  value: unknown, path: string, issues: Issues, required: readonly string[], optional: readonly string[] = [],
): JsonObject | undefined {
  if (!isJsonObject(value)) {
    issues.add(path, 'must be an object');
    return undefined;
  }
  for (const key of required) {
    if (value[key] === undefined) issues.add(`${path}.${key}`, 'is required');
  }
  for (const key of Object.keys(value)) {
    if (!required.includes(key) && !optional.includes(key)) issues.add(`${path}.${key}`, 'is not a known property');
  }
  return value;
}

export function readString(
  obj: JsonObject, key: string, path: string, issues: Issues, charsMax: number, pattern?: RegExp,
): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  const at = `${path}.${key}`;
  if (typeof value !== 'string' || value.trim() === '') {
    issues.add(at, 'must be a non-empty string');
    return undefined;
  }
  if (value.length > charsMax) {
    issues.add(at, `must be at most ${charsMax} characters`);
    return undefined;
  }
  if (pattern !== undefined && !pattern.test(value)) {
    issues.add(at, `must match ${pattern.source}`);
    return undefined;
  }
  return value;
}

export function readOneOf<T extends string>(
  obj: JsonObject, key: string, path: string, issues: Issues, allowed: readonly T[],
): T | undefined {
  return checkOneOf(obj[key], `${path}.${key}`, issues, allowed);
}

export function checkOneOf<T extends string>(
  value: unknown, at: string, issues: Issues, allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (found === undefined) issues.add(at, `must be one of ${allowed.join(', ')}`);
  return found;
}

export function readBoolean(obj: JsonObject, key: string, path: string, issues: Issues): boolean | undefined {
  const value = obj[key];
  if (value === undefined || typeof value === 'boolean') return value;
  issues.add(`${path}.${key}`, 'must be true or false');
  return undefined;
}

export function readInteger(
  obj: JsonObject, key: string, path: string, issues: Issues, min: number, max: number,
): number | undefined {
  return checkInteger(obj[key], `${path}.${key}`, issues, min, max);
}

export function checkInteger(value: unknown, at: string, issues: Issues, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    issues.add(at, `must be an integer from ${min} to ${max}`);
    return undefined;
  }
  return value;
}

export function readDate(obj: JsonObject, key: string, path: string, issues: Issues): IsoDate | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isIsoDate(value)) {
    issues.add(`${path}.${key}`, 'must be a date YYYY-MM-DD');
    return undefined;
  }
  return value;
}

export function readArray(
  obj: JsonObject, key: string, path: string, issues: Issues, min: number, max: number,
): readonly unknown[] | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  const at = `${path}.${key}`;
  if (!Array.isArray(value)) {
    issues.add(at, 'must be an array');
    return undefined;
  }
  if (value.length < min || value.length > max) {
    issues.add(at, `must have ${min} to ${max} entries, has ${value.length}`);
    return undefined;
  }
  return value as readonly unknown[];
}

const DECIMAL = /^\d{1,9}(?:\.\d+)?$/;

/**
 * A non-negative exact decimal string scaled by 10^scale. A JSON number is refused even when it
 * looks exact, because a parser on the way may already have turned 0.1 into 0.1000000000000000055.
 */
export function readDecimal(
  obj: JsonObject, key: string, path: string, issues: Issues, scale: number,
): bigint | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  const at = `${path}.${key}`;
  if (typeof value === 'number') {
    issues.add(at, 'must be a decimal string such as "0.538", not a JSON number');
    return undefined;
  }
  if (typeof value !== 'string' || !DECIMAL.test(value) || (value.split('.')[1]?.length ?? 0) > scale) {
    issues.add(at, `must be a non-negative decimal string with at most ${scale} fraction digits`);
    return undefined;
  }
  return parseScaled(value, scale);
}

/** A price in yuan per unit, six fraction digits at most. */
export function readRate(obj: JsonObject, key: string, path: string, issues: Issues): RateMicros | undefined {
  const micros = readDecimal(obj, key, path, issues, 6);
  return micros === undefined ? undefined : Number(micros);
}

/** A ratio such as "1.49" or "0.40", as basis points (four fraction digits at most). */
export function readRatioBp(obj: JsonObject, key: string, path: string, issues: Issues): number | undefined {
  const bp = readDecimal(obj, key, path, issues, 4);
  return bp === undefined ? undefined : Number(bp);
}

/** Reports the second and later occurrences of the same key among entries. */
export function reportDuplicates(keys: readonly (string | number | undefined)[], at: (i: number) => string, issues: Issues): void {
  const seen = new Set<string | number>();
  keys.forEach((key, i) => {
    if (key === undefined) return;
    if (seen.has(key)) issues.add(at(i), `duplicates an earlier entry (${key})`);
    seen.add(key);
  });
}

/** The string or number under `key` of each raw entry, for duplicate checks on entries that are otherwise invalid. */
export function rawKeys(raw: readonly unknown[], key: string): (string | number | undefined)[] {
  return raw.map((entry) => {
    const value = isJsonObject(entry) ? entry[key] : undefined;
    return typeof value === 'string' || typeof value === 'number' ? value : undefined;
  });
}
