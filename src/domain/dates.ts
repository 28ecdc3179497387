// Calendar arithmetic on ISO dates ('YYYY-MM-DD') and billing months ('YYYY-MM').
// Pure: dates are values passed in, never read from a clock. UTC arithmetic is used only to count
// days between two calendar dates, which is the same in every time zone.

export type IsoDate = string;
export type IsoMonth = string;

const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

const DASH = 0x2d;
const ZERO = 0x30;

/**
 * 'YYYY-MM-DD' as the number YYYYMMDD, or -1 when the text is not four, two and two ASCII digits
 * joined by dashes. By hand rather than by a regular expression: the bill run parses millions of
 * dates.
 */
function packedDigits(value: string): number {
  if (value.length !== 10 || value.charCodeAt(4) !== DASH || value.charCodeAt(7) !== DASH) return -1;
  let packed = 0;
  for (let i = 0; i < 10; i += 1) {
    if (i === 4 || i === 7) continue;
    const digit = value.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    packed = packed * 10 + digit;
  }
  return packed;
}

export function isIsoDate(value: string): boolean {
  const packed = packedDigits(value);
  if (packed < 0) return false;
  const [y, mo, d] = [Math.floor(packed / 10_000), Math.floor(packed / 100) % 100, packed % 100];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

export function isIsoMonth(value: string): boolean {
  const m = MONTH_PATTERN.exec(value);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Date.UTC reads years 0–99 as 1900–1999; over four-digit years from 100 on the Gregorian rules
 * below agree with it, and are much cheaper than building a Date.
 */
const FIRST_PLAIN_YEAR = 100;
const LAST_PLAIN_YEAR = 9_999;

export function daysInMonth(year: number, month: number): number {
  if (Number.isInteger(year) && year >= FIRST_PLAIN_YEAR && year <= LAST_PLAIN_YEAR && Number.isInteger(month) && month >= 1 && month <= 12) {
    return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  }
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01 of a Gregorian date (year 100–9999), as Date.UTC / 86,400,000 counts them. */
function civilToEpochDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function toEpochDay(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`not an ISO date: ${date}`);
  const packed = packedDigits(date);
  const [y, m, d] = [Math.floor(packed / 10_000), Math.floor(packed / 100) % 100, packed % 100];
  if (y >= FIRST_PLAIN_YEAR) return civilToEpochDay(y, m, d);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

function fromEpochDay(day: number): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

export function monthOf(date: IsoDate): IsoMonth {
  return date.slice(0, 7);
}

/** First day of the month. */
export function monthStart(month: IsoMonth): IsoDate {
  if (!isIsoMonth(month)) throw new RangeError(`not an ISO month: ${month}`);
  return `${month}-01`;
}

/** First day of the following month: billing periods are half-open [start, next). */
export function nextMonthStart(month: IsoMonth): IsoDate {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

export function addMonths(month: IsoMonth, count: number): IsoMonth {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
