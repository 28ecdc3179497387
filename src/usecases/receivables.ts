// A customer's receivables as the channels see them: per issued bill, the energy charge still
// outstanding and the late fee to a date. Shared by QueryArrears and Pay, so a channel is asked to
// pay exactly what it was shown.
//
// Outstanding = the bill's amount − the energy allocations of posted (not reversed) payments. A
// bill is a receivable while its outstanding amount is above zero (a credit bill never is).
//
// Late fee (domain `lateFee`, parameters from the late-fee terms of the tariff version the bill
// was priced with: bills.tariff_id → tariffs.document → its one version; a bill without one uses
// the version of its tariff code in force on its due date). Residential and shared residential
// customers pay the residential rate, everyone else the current-year/cross-year rates.
//
// Segments: the fee runs on the outstanding amount from the day after the due date. A payment
// changes the outstanding amount, so each payment that touches a bill closes the open segment:
// the days up to the payment date are settled into the bill's state (penalty_through, the exact
// fee accrued so far, and what of it is charged but unpaid: penalty_carried). The next segment
// starts the day after penalty_through, on the new outstanding amount, so no day is ever charged
// twice. Each segment is rounded half up to the fen once (by `lateFee`).
//
// The 1-yuan minimum is per bill over its whole life, never per settlement: once any overdue day
// has been charged on a bill, the bill's cumulative late fee is max(exact cumulative fee,
// minimum). Penalty to date = carried + charged(accrued + open segment) − charged(accrued), so a
// bill paid in two parts pays the minimum at most once, and a bill whose exact fee outgrows the
// minimum pays exactly the exact fee in total.

import { lateFee, lateFeeParamsOf, type LateFeeCategory, type LateFeeParams } from '../domain/late-fee.ts';
import type { LateFeeTerms } from '../domain/tariffs/tariff.ts';
import { parseTariff } from '../domain/tariffs/parse-tariff.ts';
import { GridbillError } from '../errors.ts';
import type { CustomerCategory } from '../store/customer.table.ts';
import type { Store } from '../store/database.ts';
import { databaseIdentity } from '../store/prepared-query.ts';
import { issuedBillsWithPaid, tariffRowsById, type PenaltyState, type ReceivableBillRow } from '../store/payment.repository.ts';
import { findTariffInForce } from '../store/tariff.repository.ts';
import type { TariffRow } from '../store/tariff.table.ts';
import { storedDocument } from './load-tariffs.ts';

export interface BillReceivable {
  readonly billId: number;
  readonly billNo: string;
  readonly period: string;
  readonly dueOn: string | null;
  readonly amountFen: number;
  /** Energy charge still owed. */
  readonly outstandingFen: number;
  /** Late fee owed as of the date: carried plus the open segment, the minimum applied once per bill. */
  readonly penaltyFen: number;
  /** The bill's penalty state as stored. */
  readonly before: PenaltyState;
  /** The state once the late fee to the date is settled into the bill (before anything is paid). */
  readonly settled: PenaltyState;
}

export function lateFeeCategoryOf(category: CustomerCategory): LateFeeCategory {
  return category === 'residential' || category === 'residential-shared' ? 'residential' : 'non-residential';
}

interface PenaltyInput {
  readonly period: string;
  readonly dueOn: string | null;
  readonly outstandingFen: number;
  readonly state: PenaltyState;
}

/** The late fee of one bill to a date, and the state that settles it; see the header for the rules. */
export function penaltyToDate(
  bill: PenaltyInput, category: LateFeeCategory, params: LateFeeParams, asOf: string,
): { readonly penaltyFen: number; readonly settled: PenaltyState } {
  const { state } = bill;
  if (bill.dueOn === null) return { penaltyFen: state.penaltyCarriedFen, settled: state };
  const owedBefore = state.penaltyThrough !== null && state.penaltyThrough > bill.dueOn;
  const from = owedBefore ? state.penaltyThrough! : bill.dueOn;
  const segment = bill.outstandingFen > 0 && asOf > from
    ? lateFee({ category, overdueFen: bill.outstandingFen, billMonth: bill.period, dueDate: from, paymentDate: asOf }, params)
    : null;
  if (segment === null) return { penaltyFen: state.penaltyCarriedFen, settled: state };
  const charged = (exactFen: number, owed: boolean): number => (owed ? Math.max(exactFen, params.minimumFen) : exactFen);
  const accruedFen = state.penaltyAccruedFen + segment.computedFen;
  const penaltyFen = state.penaltyCarriedFen + charged(accruedFen, true) - charged(state.penaltyAccruedFen, owedBefore);
  return { penaltyFen, settled: { penaltyThrough: asOf, penaltyAccruedFen: accruedFen, penaltyCarriedFen: penaltyFen } };
}

// Parsing a tariff document is far dearer than reading it, and reading it (a few kB of text per
// version) dearer than the rest of a query. Versions are immutable once stored (published, never
// updated), so their terms are kept by document text, and by tariff id per database (ids are the
// database's): a bill's own version is read only the first time. Bounded: a handful of tariffs
// are in use at a time.
const TERMS_CACHE_ENTRIES_MAX = 64;
const termsByDocument = new Map<string, LateFeeTerms>();
const termsByDatabase = new WeakMap<object, Map<number, LateFeeTerms>>();

function lateFeeTermsOf(row: TariffRow): LateFeeTerms {
  const cached = termsByDocument.get(row.document);
  if (cached !== undefined) return cached;
  const parsed = parseTariff(storedDocument(row));
  // storedDocument has checked that it parses and holds exactly one version.
  if (!parsed.ok) throw new Error(`tariff ${row.code} v${row.version} does not parse`);
  const terms = parsed.value.versions[0]!.lateFee;
  if (termsByDocument.size >= TERMS_CACHE_ENTRIES_MAX) termsByDocument.clear();
  termsByDocument.set(row.document, terms);
  return terms;
}

/** The late-fee terms of tariff versions by id; ids not stored are absent. */
async function termsOfVersions(store: Store, ids: readonly number[]): Promise<Map<number, LateFeeTerms>> {
  const key = databaseIdentity(store);
  let cache = termsByDatabase.get(key);
  if (cache === undefined) termsByDatabase.set(key, cache = new Map());
  const terms = new Map<number, LateFeeTerms>();
  for (const id of ids) {
    const cached = cache.get(id);
    if (cached !== undefined) terms.set(id, cached);
  }
  for (const row of await tariffRowsById(store, ids.filter((id) => !terms.has(id)))) {
    const rowTerms = lateFeeTermsOf(row);
    terms.set(row.id, rowTerms);
    if (cache.size >= TERMS_CACHE_ENTRIES_MAX) cache.clear();
    cache.set(row.id, rowTerms);
  }
  return terms;
}

async function termsOfBills(store: Store, bills: readonly ReceivableBillRow[]): Promise<Map<number, LateFeeTerms>> {
  const ids = [...new Set(bills.flatMap((b) => (b.tariff_id === null ? [] : [b.tariff_id])))];
  const byVersion = await termsOfVersions(store, ids);
  const terms = new Map<number, LateFeeTerms>();
  for (const bill of bills) {
    let found = bill.tariff_id === null ? undefined : byVersion.get(bill.tariff_id);
    if (found === undefined) {
      const row = await findTariffInForce(store, bill.tariff_code, bill.due_on ?? `${bill.period}-01`);
      if (row === undefined) throw new GridbillError('TARIFF_NOT_FOUND', `bill ${bill.bill_no}: no version of ${bill.tariff_code} for its late fee`);
      found = lateFeeTermsOf(row);
    }
    terms.set(bill.id, found);
  }
  return terms;
}

/** The customer's receivables as of a date, oldest first (bill month, then bill no). */
export async function receivablesOf(
  store: Store, customer: { readonly id: number; readonly category: CustomerCategory }, asOf: string,
): Promise<BillReceivable[]> {
  const bills = (await issuedBillsWithPaid(store, customer.id)).filter((b) => b.amount_fen - b.paid_energy_fen > 0);
  const terms = await termsOfBills(store, bills);
  const category = lateFeeCategoryOf(customer.category);
  return bills.map((bill) => {
    const before: PenaltyState = {
      penaltyThrough: bill.penalty_through, penaltyAccruedFen: Number(bill.penalty_accrued_fen), penaltyCarriedFen: Number(bill.penalty_carried_fen),
    };
    const outstandingFen = bill.amount_fen - bill.paid_energy_fen;
    const { penaltyFen, settled } = penaltyToDate(
      { period: bill.period, dueOn: bill.due_on, outstandingFen, state: before }, category, lateFeeParamsOf(terms.get(bill.id)!), asOf,
    );
    return {
      billId: bill.id, billNo: bill.bill_no, period: bill.period, dueOn: bill.due_on, amountFen: bill.amount_fen,
      outstandingFen, penaltyFen, before, settled,
    };
  });
}
