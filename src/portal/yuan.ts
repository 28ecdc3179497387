// Amounts as the contract writes them (`88.00`, `-3.20`: yuan with at most two fraction digits)
// added exactly, in integer fen held as bigint: never through a JavaScript float.

const AMOUNT = /^(-?)(\d{1,15})(?:\.(\d{1,2}))?$/;

export function toFen(amount: string): bigint {
  const m = AMOUNT.exec(amount);
  if (!m) throw new RangeError(`not an amount: ${amount}`);
  const fen = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -fen : fen;
}

export function fromFen(fen: bigint): string {
  const abs = fen < 0n ? -fen : fen;
  return `${fen < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

export function sumYuan(amounts: readonly string[]): string {
  return fromFen(amounts.reduce((sum, amount) => sum + toFen(amount), 0n));
}

export function isAmount(value: string): boolean {
  return AMOUNT.test(value);
}
