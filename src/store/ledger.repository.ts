// The double-entry ledger. A transaction's entries sum to zero or nothing is written; entries are
// never updated or deleted: a correction is a new transaction. Balances are sums of entries.

import { GridbillError } from '../errors.ts';
import { inTransaction, type Store } from './database.ts';
import { PreparedInsert, preparedQuery } from './prepared-query.ts';

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

const transactionInsert = preparedQuery<{
  kind: string; refKind: string | null; refId: number | null; accountingDate: string; createdAt: string;
}, { id: number | string }>((db, param, dialect) => {
  const insert = db.insertInto('ledger_transactions').values({
    kind: param('kind'), ref_kind: param('refKind'), ref_id: param('refId'), accounting_date: param('accountingDate'), created_at: param('createdAt'),
  });
  return dialect === 'mssql' ? insert.output('inserted.id') : insert.returning('id');
});

/** Postings have two to four legs as a rule (a payment: clearing, receivable, late fee, prepaid). */
const entryInsert = new PreparedInsert('ledger_entries', ['txn_id', 'account_code', 'customer_id', 'amount_fen'], 6);

/** Posts one balanced transaction and returns its id. */
export async function postLedgerTransaction(store: Store, posting: LedgerPosting): Promise<number> {
  assertBalanced(posting.legs);
  return inTransaction(store, async (tx) => {
    const row = await transactionInsert.executeTakeFirst(tx, {
      kind: posting.kind, refKind: posting.refKind, refId: posting.refId, accountingDate: posting.accountingDate, createdAt: posting.createdAt,
    });
    const txnId = Number(row!.id);
    await entryInsert.run(tx, posting.legs.map((leg) => ({
      txn_id: txnId,
      account_code: leg.accountCode,
      customer_id: leg.customerId,
      amount_fen: leg.amountFen,
    })));
    return txnId;
  });
}

const customerBalance = preparedQuery<{ accountCode: string; customerId: number }, { total: number | string | null }>((db, param) =>
  db.selectFrom('ledger_entries')
    .select((eb) => eb.fn.sum<number | string | null>('amount_fen').as('total'))
    .where('account_code', '=', param('accountCode')).where('customer_id', '=', param('customerId')));

/** Balance of an account, optionally for one customer (debit positive). */
export async function accountBalance(store: Store, accountCode: string, customerId?: number): Promise<number> {
  if (customerId !== undefined) {
    // A customer's balance is read on every QueryArrears and Pay: prepared.
    const row = await customerBalance.executeTakeFirst(store, { accountCode, customerId });
    return Number(row?.total ?? 0);
  }
  const row = await store.db.selectFrom('ledger_entries')
    .select((eb) => eb.fn.sum<number | string | null>('amount_fen').as('total'))
    .where('account_code', '=', accountCode)
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/** Sum of every entry ever posted: zero in a consistent ledger. */
export async function ledgerTotal(store: Store): Promise<number> {
  const row = await store.db.selectFrom('ledger_entries')
    .select((eb) => eb.fn.sum<number | string | null>('amount_fen').as('total'))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}
