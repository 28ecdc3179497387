// The double-entry ledger. A transaction's entries sum to zero or nothing is written; entries are
// never updated or deleted: a correction is a new transaction. Balances are sums of entries.

import { GridbillError } from '../errors.ts';
import { inTransaction, type Store } from './database.ts';
import { insertReturningId } from './insert-id.ts';

export interface LedgerLeg {
  readonly accountCode: string;
  readonly customerId: number | null;
  /** Debit positive, credit negative, integer fen. */
  readonly amountFen: number;
}

export interface LedgerPosting {
  readonly kind: string;
  readonly refKind: string | null;
  readonly refId: number | null;
  readonly accountingDate: string;
  readonly createdAt: string;
  readonly legs: readonly LedgerLeg[];
}

export function assertBalanced(legs: readonly LedgerLeg[]): void {
  let sum = 0n;
  for (const leg of legs) {
    if (!Number.isSafeInteger(leg.amountFen)) {
      throw new GridbillError('LEDGER_UNBALANCED', `${leg.accountCode}: ${leg.amountFen} is not an integer amount of fen`);
    }
    sum += BigInt(leg.amountFen);
  }
  if (legs.length < 2 || sum !== 0n) {
    throw new GridbillError('LEDGER_UNBALANCED', `${legs.length} legs summing to ${sum} fen`);
  }
}

/** Posts one balanced transaction and returns its id. */
export async function postLedgerTransaction(store: Store, posting: LedgerPosting): Promise<number> {
  assertBalanced(posting.legs);
  return inTransaction(store, async (tx) => {
    const txnId = await insertReturningId(tx, 'ledger_transactions', {
      kind: posting.kind,
      ref_kind: posting.refKind,
      ref_id: posting.refId,
      accounting_date: posting.accountingDate,
      created_at: posting.createdAt,
    });
    await tx.db.insertInto('ledger_entries').values(posting.legs.map((leg) => ({
      txn_id: txnId,
      account_code: leg.accountCode,
      customer_id: leg.customerId,
      amount_fen: leg.amountFen,
    }))).execute();
    return txnId;
  });
}

/** Balance of an account, optionally for one customer (debit positive). */
export async function accountBalance(store: Store, accountCode: string, customerId?: number): Promise<number> {
  let query = store.db.selectFrom('ledger_entries')
    .select((eb) => eb.fn.sum<number | string | null>('amount_fen').as('total'))
    .where('account_code', '=', accountCode);
  if (customerId !== undefined) query = query.where('customer_id', '=', customerId);
  const row = await query.executeTakeFirst();
  return Number(row?.total ?? 0);
}

/** Sum of every entry ever posted: zero in a consistent ledger. */
export async function ledgerTotal(store: Store): Promise<number> {
  const row = await store.db.selectFrom('ledger_entries')
    .select((eb) => eb.fn.sum<number | string | null>('amount_fen').as('total'))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}
