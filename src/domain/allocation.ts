// Allocating a payment over a customer's receivables (销账).
//
// Order: older bills before newer (bill month, then bill no), and within the settlement the
// penalty before the energy charge. Two readings of "penalty first" exist in practice, so the
// policy is a parameter:
// - 'bill-by-bill' (default): the oldest bill's penalty, then its energy charge, then the next
//   bill. Clearing a whole bill first stops its penalty from accruing.
// - 'penalties-first': every listed bill's penalty (oldest first), then energy charges (oldest
//   first).
// A payment can be restricted to a listed set of bill nos (a channel paying named receivables);
// whatever the selected receivables do not absorb goes to the prepaid balance. Exact: the lines
// plus the prepaid amount always equal the paid amount.

import { isIsoMonth, type IsoMonth } from './dates.ts';
import type { Fen } from './money.ts';

export interface Receivable {
  readonly billNo: string;
  readonly month: IsoMonth;
  /** Outstanding energy charge in fen (≥ 0). */
  readonly energyFen: Fen;
  /** Penalty accrued to the payment date in fen (≥ 0). */
  readonly penaltyFen: Fen;
}

export type AllocationPolicy = 'bill-by-bill' | 'penalties-first';

export interface AllocationRequest {
  readonly paidFen: Fen;
  readonly receivables: readonly Receivable[];
  /** When given, only these bills are settled; each must be among the receivables. */
  readonly billNos?: readonly string[];
  readonly policy?: AllocationPolicy;
}

export interface AllocationLine {
  readonly billNo: string;
  readonly kind: 'penalty' | 'energy';
  readonly amountFen: Fen;
}

export type AllocationError =
  | { readonly kind: 'amount-not-positive'; readonly paidFen: Fen }
  | { readonly kind: 'unknown-bill'; readonly billNo: string }
  | { readonly kind: 'duplicate-bill'; readonly billNo: string };

export type AllocationResult =
  | { readonly ok: true; readonly lines: readonly AllocationLine[]; readonly prepaidFen: Fen }
  | { readonly ok: false; readonly error: AllocationError };

/** Bills are few per customer; a longer list is a data error, not a customer. */
export const RECEIVABLES_MAX = 1_000;

export function allocatePayment(request: AllocationRequest): AllocationResult {
  assertReceivables(request.receivables);
  if (!Number.isSafeInteger(request.paidFen) || request.paidFen <= 0) {
    return { ok: false, error: { kind: 'amount-not-positive', paidFen: request.paidFen } };
  }
  const selected = selectReceivables(request.receivables, request.billNos);
  if (!selected.ok) return selected;
  const ordered = [...selected.receivables].sort(olderFirst);
  const lines: AllocationLine[] = [];
  let remainingFen = request.paidFen;
  for (const item of settlementOrder(ordered, request.policy ?? 'bill-by-bill')) {
    if (remainingFen === 0) break;
    const amountFen = Math.min(remainingFen, item.amountFen);
    if (amountFen === 0) continue;
    lines.push({ billNo: item.billNo, kind: item.kind, amountFen });
    remainingFen -= amountFen;
  }
  return { ok: true, lines, prepaidFen: remainingFen };
}

/** Outstanding items in the order they are settled. */
export function settlementOrder(ordered: readonly Receivable[], policy: AllocationPolicy): AllocationLine[] {
  const penalty = (r: Receivable): AllocationLine => ({ billNo: r.billNo, kind: 'penalty', amountFen: r.penaltyFen });
  const energy = (r: Receivable): AllocationLine => ({ billNo: r.billNo, kind: 'energy', amountFen: r.energyFen });
  switch (policy) {
    case 'bill-by-bill':
      return ordered.flatMap((r) => [penalty(r), energy(r)]);
    case 'penalties-first':
      return [...ordered.map(penalty), ...ordered.map(energy)];
  }
}

function olderFirst(a: Receivable, b: Receivable): number {
  if (a.month !== b.month) return a.month < b.month ? -1 : 1;
  return a.billNo < b.billNo ? -1 : a.billNo > b.billNo ? 1 : 0;
}

function selectReceivables(
  receivables: readonly Receivable[], billNos: readonly string[] | undefined,
): { readonly ok: true; readonly receivables: readonly Receivable[] } | { readonly ok: false; readonly error: AllocationError } {
  if (billNos === undefined) return { ok: true, receivables };
  const byNo = new Map(receivables.map((r) => [r.billNo, r]));
  const seen = new Set<string>();
  const selected: Receivable[] = [];
  for (const billNo of billNos) {
    if (seen.has(billNo)) return { ok: false, error: { kind: 'duplicate-bill', billNo } };
    seen.add(billNo);
    const receivable = byNo.get(billNo);
    if (receivable === undefined) return { ok: false, error: { kind: 'unknown-bill', billNo } };
    selected.push(receivable);
  }
  return { ok: true, receivables: selected };
}

/** The receivables come from our own ledger: a malformed one is a programmer error. */
function assertReceivables(receivables: readonly Receivable[]): void {
  if (receivables.length > RECEIVABLES_MAX) throw new RangeError(`more than ${RECEIVABLES_MAX} receivables`);
  const billNos = new Set<string>();
  for (const r of receivables) {
    if (billNos.has(r.billNo)) throw new RangeError(`receivable ${r.billNo} listed twice`);
    billNos.add(r.billNo);
    // Months order the settlement as strings, so they must be canonical 'YYYY-MM'.
    if (!isIsoMonth(r.month)) throw new RangeError(`receivable ${r.billNo}: not an ISO month: ${r.month}`);
    for (const amount of [r.energyFen, r.penaltyFen]) {
      if (!Number.isSafeInteger(amount) || amount < 0) {
        throw new RangeError(`receivable ${r.billNo}: amounts must be non-negative integers of fen, got ${amount}`);
      }
    }
  }
}
