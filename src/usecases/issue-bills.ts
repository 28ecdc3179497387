// Issuing (发行): drafts of a period without an open exception become issued bills with a due
// date, and each posts its receivable to the ledger — receivable debited, energy revenue and the
// government funds payable credited — in the same transaction as the status change.

import { addDays, isIsoDate, isIsoMonth } from '../domain/dates.ts';
import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import type { BillLineRow, BillRow } from '../store/bill.table.ts';
import { issuableDrafts, markIssued, runsOfPeriod } from '../store/bill.repository.ts';
import { countDrafts } from '../store/bill-review.repository.ts';
import { postLedgerTransaction, type LedgerLeg } from '../store/ledger.repository.ts';
import { SEGMENTS, type Segment } from './run-billing.ts';

export const ACCOUNTS = {
  receivable: 'receivable',
  energyRevenue: 'revenue:energy',
  lateFeeRevenue: 'revenue:late-fee',
  fundPayable: (code: string) => `payable:fund:${code}`,
} as const;

export interface IssueOptions {
  readonly period: string;
  /** The accounting date of the issue (YYYY-MM-DD). */
  readonly issueDate: string;
  /** Days from the issue date to the due date; penalties run from the day after. */
  readonly dueDays: number;
  /** The due date itself, instead of dueDays; not before the issue date. */
  readonly dueOn?: string;
  /** Only the drafts of this segment's customers. */
  readonly segment?: Segment;
  readonly now: string;
  readonly actor: string;
  readonly batchSize?: number;
}

export interface IssueSummary {
  readonly issued: number;
  /** Drafts of the period (and segment) left in draft: an exception of theirs is open. */
  readonly held: number;
  readonly amountFen: number;
  readonly dueOn: string;
}

/** The revenue side of a bill: where each line's money belongs. */
export function creditAccountOf(line: Pick<BillLineRow, 'kind' | 'code'>): string {
  switch (line.kind) {
    case 'fund': return ACCOUNTS.fundPayable(line.code.replace(/^fund\./, ''));
    case 'penalty': return ACCOUNTS.lateFeeRevenue;
    default: return ACCOUNTS.energyRevenue;
  }
}

export function billLegs(bill: Pick<BillRow, 'customer_id' | 'amount_fen'>, lines: readonly Pick<BillLineRow, 'kind' | 'code' | 'amount_fen'>[]): LedgerLeg[] {
  const credits = new Map<string, number>();
  for (const line of lines) {
    const account = creditAccountOf(line);
    credits.set(account, (credits.get(account) ?? 0) + line.amount_fen);
  }
  return [
    { accountCode: ACCOUNTS.receivable, customerId: bill.customer_id, amountFen: bill.amount_fen },
    ...[...credits].filter(([, amount]) => amount !== 0)
      .map(([accountCode, amount]) => ({ accountCode, customerId: bill.customer_id, amountFen: -amount })),
  ];
}

async function assertNoRunInProgress(store: Store, period: string): Promise<void> {
  const running = (await runsOfPeriod(store, period)).filter((r) => r.status === 'running');
  if (running.length > 0) {
    throw new GridbillError('BILL_RUN_IN_PROGRESS', `bill run ${running.map((r) => r.id).join(', ')} of ${period} is still running`, {
      hint: 'wait for the run to finish (or re-run the period if it died), then issue',
    });
  }
}

async function issueBatch(store: Store, drafts: readonly BillRow[], options: IssueOptions, dueOn: string): Promise<number> {
  return inTransaction(store, async (tx) => {
    const updated = await markIssued(tx, drafts.map((d) => d.id), options.now, dueOn);
    if (updated !== drafts.length) {
      throw new GridbillError('UNAVAILABLE', 'bills of this period are being issued by someone else', { hint: 'try again' });
    }
    const lines = await tx.db.selectFrom('bill_lines').select(['bill_id', 'kind', 'code', 'amount_fen'])
      .where('bill_id', 'in', drafts.map((d) => d.id)).execute();
    const byBill = new Map<number, typeof lines>();
    for (const line of lines) {
      const list = byBill.get(line.bill_id);
      if (list) list.push(line);
      else byBill.set(line.bill_id, [line]);
    }
    let amountFen = 0;
    for (const bill of drafts) {
      amountFen += bill.amount_fen;
      if (bill.amount_fen === 0 && (byBill.get(bill.id) ?? []).every((l) => l.amount_fen === 0)) continue;
      await postLedgerTransaction(tx, {
        kind: 'bill-issued', refKind: 'bill', refId: bill.id, accountingDate: options.issueDate, createdAt: options.now,
        legs: billLegs(bill, byBill.get(bill.id) ?? []),
      });
    }
    return amountFen;
  });
}

function dueDateOf(options: IssueOptions): string {
  if (options.dueOn === undefined) return addDays(options.issueDate, options.dueDays);
  if (!isIsoDate(options.dueOn) || options.dueOn < options.issueDate) {
    throw new GridbillError('DUE_DATE_INVALID', `due date ${options.dueOn}, issue date ${options.issueDate}`);
  }
  return options.dueOn;
}

export async function issueBills(store: Store, options: IssueOptions): Promise<IssueSummary> {
  if (!isIsoMonth(options.period)) throw new GridbillError('CLI_USAGE', `period ${options.period}: expected YYYY-MM`);
  if (!isIsoDate(options.issueDate)) throw new GridbillError('CLI_USAGE', `issue date ${options.issueDate}: expected YYYY-MM-DD`);
  const dueOn = dueDateOf(options);
  await assertNoRunInProgress(store, options.period);
  const categories = options.segment ? SEGMENTS[options.segment] : null;
  let issued = 0;
  let amountFen = 0;
  for (;;) {
    // Issued rows leave the draft set, so each pass starts from the first remaining draft.
    const drafts = await issuableDrafts(store, options.period, 0, options.batchSize ?? 500, categories);
    if (drafts.length === 0) break;
    amountFen += await issueBatch(store, drafts, options, dueOn);
    issued += drafts.length;
  }
  const held = await countDrafts(store, options.period, categories);
  await appendAudit(store, {
    at: options.now, actor: options.actor, action: 'issue-bills', subject: options.period,
    detail: { issued, held, amountFen, dueOn, ...(options.segment ? { segment: options.segment } : {}) },
  });
  return { issued, held, amountFen, dueOn };
}
