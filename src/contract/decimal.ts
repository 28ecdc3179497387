// Exact decimals as XML Schema reads them: the lexical form is kept as sent, and comparisons and
// digit counts are made on the value (`19.50` is 19.5: three total digits, one fraction digit;
// `007` is 7), never through a JavaScript number. Integers are decimals without a fraction.

/** `+019.50` → sign, digits without leading zeros, fraction without trailing zeros. */
export interface DecimalParts {
  readonly negative: boolean;
  readonly whole: string;
  readonly fraction: string;
}

const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/;
const INTEGER = /^[+-]?[0-9]+$/;

/** The parts of an xsd:decimal lexical form, or undefined when it is not one (`1e3`, `0x10`, `NaN`, `.`). */
export function parseDecimal(lexical: string): DecimalParts | undefined {
  const m = DECIMAL.exec(lexical);
  if (!m) return undefined;
  const [, sign = '', whole = '', fraction = ''] = m;
  if (whole === '' && fraction === '') return undefined;
  const w = whole.replace(/^0+/, '');
  const f = fraction.replace(/0+$/, '');
  // -0 is 0: one value, one sign
  return { negative: sign === '-' && (w !== '' || f !== ''), whole: w, fraction: f };
}

export function isIntegerLexical(lexical: string): boolean {
  return INTEGER.test(lexical);
}

/** Total digits of the value (at least 1: zero has one digit). */
export function totalDigits(d: DecimalParts): number {
  return Math.max(1, d.whole.length + d.fraction.length);
}

export function fractionDigits(d: DecimalParts): number {
  return d.fraction.length;
}

function compareMagnitude(a: DecimalParts, b: DecimalParts): number {
  if (a.whole.length !== b.whole.length) return a.whole.length < b.whole.length ? -1 : 1;
  if (a.whole !== b.whole) return a.whole < b.whole ? -1 : 1;
  const width = Math.max(a.fraction.length, b.fraction.length);
  const fa = a.fraction.padEnd(width, '0');
  const fb = b.fraction.padEnd(width, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** -1, 0 or 1 as a is below, equal to or above b. */
export function compareDecimal(a: DecimalParts, b: DecimalParts): number {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const magnitude = compareMagnitude(a, b);
  return a.negative ? -magnitude : magnitude;
}
