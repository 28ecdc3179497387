// Exact money for the billing domain.
//
// Amounts are integer fen (分). Rates are exact decimals of at most six fraction digits, held as
// integer micro-yuan (1 yuan = 1,000,000 micro-yuan) so that 0.538 yuan/kWh is 538000. Products
// are formed in bigint and rounded once, half away from zero, to the fen: a float never touches a
// money path.

/** Integer fen. */
export type Fen = number;
/** A rate in micro-yuan per unit (kWh, kVA·month, kW·month). */
export type RateMicros = number;

const MICROS_PER_FEN = 10_000n;
const DECIMAL_PATTERN = /^([+-]?)(\d{1,15})(?:\.(\d+))?$/;

export class MoneyFormatError extends Error {
  readonly kind = 'money-format';
  constructor(readonly input: string, readonly reason: string) {
    super(`"${input}" is not a valid amount: ${reason}`);
  }
}

/** Divides n by d (d > 0), rounding half away from zero. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('divisor must be positive');
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = (abs * 2n + d) / (2n * d);
  return negative ? -q : q;
}

function toSafeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${what} out of range: ${value}`);
  }
  return Number(value);
}

/** Parses an exact decimal string into an integer scaled by 10^scale; refuses more fraction digits. */
export function parseScaled(input: string, scale: number): bigint {
  const m = DECIMAL_PATTERN.exec(input);
  if (!m) throw new MoneyFormatError(input, 'expected digits with an optional decimal point');
  const [, sign, whole = '', fraction = ''] = m;
  if (fraction.length > scale) {
    throw new MoneyFormatError(input, `at most ${scale} fraction digits`);
  }
  const digits = BigInt(whole + fraction.padEnd(scale, '0'));
  return sign === '-' ? -digits : digits;
}

/** Formats an integer scaled by 10^scale as a decimal string with exactly `scale` fraction digits. */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  const body = scale === 0 ? whole : `${whole}.${fraction}`;
  return negative ? `-${body}` : body;
}

/** "19.50" → 1950. Two fraction digits at most; the wire format of every amount. */
export function parseYuan(input: string): Fen {
  return toSafeNumber(parseScaled(input, 2), 'amount');
}

/** 1950 → "19.50". */
export function formatYuan(fen: Fen): string {
  assertFen(fen);
  return formatScaled(BigInt(fen), 2);
}

/** "0.538" → 538000. Six fraction digits at most. */
export function parseRate(input: string): RateMicros {
  return toSafeNumber(parseScaled(input, 6), 'rate');
}

/** 538000 → "0.538000"; trailing zeros are kept so the text is the exact stored value. */
export function formatRate(micros: RateMicros): string {
  return formatScaled(BigInt(micros), 6);
}

/**
 * quantity × rate, rounded once to the fen. The quantity is an integer count of units scaled by
 * 10^quantityScale (whole kWh: scale 0; kVA·month prorated by days can use a larger scale).
 */
export function charge(quantity: number, rate: RateMicros, quantityScale = 0): Fen {
  assertInteger(quantity, 'quantity');
  assertInteger(rate, 'rate');
  const product = BigInt(quantity) * BigInt(rate);
  const divisor = MICROS_PER_FEN * 10n ** BigInt(quantityScale);
  return toSafeNumber(divRoundHalfUp(product, divisor), 'charge');
}

/** amount × basisPoints / 10,000, rounded to the fen (1 bp = 0.01 %). */
export function percentOf(amount: Fen, basisPoints: number): Fen {
  assertFen(amount);
  assertInteger(basisPoints, 'basis points');
  return toSafeNumber(divRoundHalfUp(BigInt(amount) * BigInt(basisPoints), 10_000n), 'percentage');
}

/** Sums fen exactly; refuses a non-integer, so a float cannot slip into a total. */
export function sumFen(amounts: readonly Fen[]): Fen {
  let total = 0n;
  for (const a of amounts) {
    assertFen(a);
    total += BigInt(a);
  }
  return toSafeNumber(total, 'sum');
}

export function assertFen(value: number): void {
  assertInteger(value, 'amount in fen');
}

function assertInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer, got ${value}`);
}
