// Channel payments, their allocations over bills, their reversals, and the bill penalty state the
// payments move. Everything here runs inside the use case's transaction; the per-customer lock
// (lockCustomerForPayment) is what keeps concurrent payments of one customer exact on engines
// whose transactions do not serialise writers by themselves.

import { sql } from 'kysely';
import type { Store } from './database.ts';
import type { BillRow } from './bill.table.ts';
import type { NewPayment, NewPaymentAllocation, PaymentAllocationRow, PaymentRow } from './payment.table.ts';
import type { TariffRow } from './tariff.table.ts';
import { insertReturningId } from './insert-id.ts';
import { PreparedInsert, preparedQuery } from './prepared-query.ts';

/** A bill's late-fee state (migration 0002): what a payment changes and a reversal restores. */
export interface PenaltyState {
  readonly penaltyThrough: string | null;
  readonly penaltyAccruedFen: number;
  readonly penaltyCarriedFen: number;
}

export type ReceivableBillRow = Pick<BillRow, 'id' | 'bill_no' | 'period' | 'amount_fen' | 'due_on' | 'tariff_id' | 'tariff_code'
  | 'penalty_through' | 'penalty_accrued_fen' | 'penalty_carried_fen'> & {
  /** Energy allocations of posted (not reversed) payments. */
  readonly paid_energy_fen: number;
};

const customerPaymentLock = preparedQuery<{ customerId: number }, { id: number }>((db, param) =>
  db.selectFrom('customers').select('id').where('id', '=', param('customerId')).forNoKeyUpdate());

/**
 * Serialises payments and reversals of one customer until the transaction ends. SQLite has one
 * writer at a time already; PostgreSQL takes the customer row (NO KEY UPDATE, so foreign keys to
 * the customer are not blocked); SQL Server takes an application lock named after the customer.
 */
export async function lockCustomerForPayment(store: Store, customerId: number): Promise<void> {
  switch (store.dialect) {
    case 'sqlite': return;
    case 'postgres':
      await customerPaymentLock.run(store, { customerId });
      return;
    case 'mssql':
      await sql`exec sp_getapplock @Resource = ${`gridbill_customer_${customerId}`}, @LockMode = 'Exclusive', @LockOwner = 'Transaction'`
        .execute(store.db);
      return;
  }
}

const issuedBillsWithPaidQuery = preparedQuery<{ customerId: number }, Omit<ReceivableBillRow, 'paid_energy_fen'> & {
  readonly paid_energy_fen: number | string | null;
}>((db, param) => db.selectFrom('bills')
  .select(['bills.id', 'bills.bill_no', 'bills.period', 'bills.amount_fen', 'bills.due_on', 'bills.tariff_id', 'bills.tariff_code',
    'bills.penalty_through', 'bills.penalty_accrued_fen', 'bills.penalty_carried_fen'])
  .select((eb) => eb.selectFrom('payment_allocations')
    .innerJoin('payments', 'payments.id', 'payment_allocations.payment_id')
    .select((e) => e.fn.coalesce(e.fn.sum<number | string | null>('payment_allocations.amount_fen'), e.lit(0)).as('s'))
    .whereRef('payment_allocations.bill_id', '=', 'bills.id')
    .where('payment_allocations.kind', '=', 'energy')
    .where('payments.status', '=', 'posted')
    .as('paid_energy_fen'))
  .where('bills.customer_id', '=', param('customerId'))
  .where('bills.status', '=', 'issued')
  .orderBy('bills.period').orderBy('bills.bill_no'));

/** Issued bills of a customer with what posted payments paid of their energy charge, oldest first. */
export async function issuedBillsWithPaid(store: Store, customerId: number): Promise<ReceivableBillRow[]> {
  const rows = await issuedBillsWithPaidQuery.execute(store, { customerId });
  return rows.map((r) => ({ ...r, paid_energy_fen: Number(r.paid_energy_fen ?? 0) }));
}

/** Tariff version rows by id (the bills' pricing versions, which carry the late-fee terms). */
export async function tariffRowsById(store: Store, ids: readonly number[]): Promise<TariffRow[]> {
  if (ids.length === 0) return [];
  return store.db.selectFrom('tariffs').selectAll().where('id', 'in', [...ids]).execute();
}

const billPenaltyStateUpdate = preparedQuery<{ billId: number; through: string | null; accruedFen: number; carriedFen: number }, never>((db, param) =>
  db.updateTable('bills')
    .set({ penalty_through: param('through'), penalty_accrued_fen: param('accruedFen'), penalty_carried_fen: param('carriedFen') })
    .where('id', '=', param('billId')));

export async function updateBillPenaltyState(store: Store, billId: number, state: PenaltyState): Promise<void> {
  await billPenaltyStateUpdate.run(store, { billId, through: state.penaltyThrough, accruedFen: state.penaltyAccruedFen, carriedFen: state.penaltyCarriedFen });
}

const paymentByTxn = preparedQuery<{ channelId: number; txnId: string }, PaymentRow>((db, param) =>
  db.selectFrom('payments').selectAll().where('channel_id', '=', param('channelId')).where('channel_txn_id', '=', param('txnId')));

const paymentByReversalTxn = preparedQuery<{ channelId: number; txnId: string }, PaymentRow>((db, param) =>
  db.selectFrom('payments').selectAll().where('channel_id', '=', param('channelId')).where('reversal_txn_id', '=', param('txnId')));

/** A payment that used a channel's transaction id: as its own id (`is_payment` 1) or as its reversal's (0). */
export interface TxnIdUse {
  readonly is_payment: number | string;
  readonly request_hash: string;
  readonly response: string;
}

// Pay asks both questions of every request (was the id posted? was it a reversal's?): one
// statement, and only the columns the answer needs. Whether a row matched as the payment is the
// database's own comparison, so it agrees with the unique index on every engine's collation.
const txnIdUses = preparedQuery<{ channelId: number; txnId: string; one: number; zero: number }, TxnIdUse>((db, param) =>
  db.selectFrom('payments')
    .select(['request_hash', 'response'])
    .select((eb) => eb.case().when('channel_txn_id', '=', param('txnId')).then(param('one')).else(param('zero')).end().as('is_payment'))
    .where('channel_id', '=', param('channelId'))
    .where((eb) => eb.or([eb('channel_txn_id', '=', param('txnId')), eb('reversal_txn_id', '=', param('txnId'))])));

/** The payments of a channel that used a transaction id, as a payment's or as a reversal's (at most one each). */
export function findTxnIdUses(store: Store, channelId: number, txnId: string): Promise<TxnIdUse[]> {
  return txnIdUses.execute(store, { channelId, txnId, one: 1, zero: 0 });
}

export function findPaymentByTxn(store: Store, channelId: number, channelTxnId: string): Promise<PaymentRow | undefined> {
  return paymentByTxn.executeTakeFirst(store, { channelId, txnId: channelTxnId });
}

export function findPaymentByReversalTxn(store: Store, channelId: number, reversalTxnId: string): Promise<PaymentRow | undefined> {
  return paymentByReversalTxn.executeTakeFirst(store, { channelId, txnId: reversalTxnId });
}

const PAYMENT_COLUMNS = [
  'channel_id', 'channel_txn_id', 'customer_id', 'amount_fen', 'accounting_date', 'status', 'request_hash', 'response', 'created_at',
] as const;
type PaymentValues = { readonly [K in (typeof PAYMENT_COLUMNS)[number]]: NewPayment[K] };

const paymentInsert = preparedQuery<PaymentValues, { id: number | string }>((db, param, dialect) => {
  const insert = db.insertInto('payments').values({
    channel_id: param('channel_id'), channel_txn_id: param('channel_txn_id'), customer_id: param('customer_id'),
    amount_fen: param('amount_fen'), accounting_date: param('accounting_date'), status: param('status'),
    request_hash: param('request_hash'), response: param('response'), created_at: param('created_at'),
  });
  return dialect === 'mssql' ? insert.output('inserted.id') : insert.returning('id');
});

/** A payment as posted (no reversal yet) is inserted prepared; one with other columns set, built. */
export async function insertPayment(store: Store, payment: NewPayment): Promise<number> {
  if (Object.keys(payment).some((column) => !(PAYMENT_COLUMNS as readonly string[]).includes(column))) {
    return insertReturningId(store, 'payments', payment);
  }
  const row = await paymentInsert.executeTakeFirst(store, payment);
  return Number(row!.id);
}

const paymentResponseUpdate = preparedQuery<{ paymentId: number; response: string }, never>((db, param) =>
  db.updateTable('payments').set({ response: param('response') }).where('id', '=', param('paymentId')));

export async function setPaymentResponse(store: Store, paymentId: number, response: string): Promise<void> {
  await paymentResponseUpdate.run(store, { paymentId, response });
}

/** A payment allocates to a bill or two and the prepaid balance, so up to 8 rows go prepared. */
const allocationInsert = new PreparedInsert('payment_allocations', [
  'payment_id', 'bill_id', 'kind', 'amount_fen', 'penalty_through_before', 'penalty_accrued_before_fen', 'penalty_carried_before_fen',
], 8);

export async function insertAllocations(store: Store, rows: readonly NewPaymentAllocation[]): Promise<void> {
  await allocationInsert.run(store, rows);
}

export function allocationsOfPayment(store: Store, paymentId: number): Promise<PaymentAllocationRow[]> {
  return store.db.selectFrom('payment_allocations').selectAll().where('payment_id', '=', paymentId).orderBy('id').execute();
}

/** Marks a posted payment reversed with its reversal; false when it was not posted any more. */
export async function markPaymentReversed(
  store: Store, paymentId: number,
  reversal: { reversalTxnId: string; accountingDate: string; requestHash: string; response: string; reversedAt: string },
): Promise<boolean> {
  const result = await store.db.updateTable('payments').set({
    status: 'reversed', reversal_txn_id: reversal.reversalTxnId, reversal_accounting_date: reversal.accountingDate,
    reversal_request_hash: reversal.requestHash, reversal_response: reversal.response, reversed_at: reversal.reversedAt,
  }).where('id', '=', paymentId).where('status', '=', 'posted').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stores the reversal's answer once the balances it left are known (same transaction as the mark). */
export async function setReversalResponse(store: Store, paymentId: number, response: string): Promise<void> {
  await store.db.updateTable('payments').set({ reversal_response: response }).where('id', '=', paymentId).execute();
}

/** Whether a posted payment after this one allocated anything to one of these bills. */
export async function laterPaymentTouches(store: Store, paymentId: number, billIds: readonly number[]): Promise<boolean> {
  if (billIds.length === 0) return false;
  const row = await store.db.selectFrom('payment_allocations')
    .innerJoin('payments', 'payments.id', 'payment_allocations.payment_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('payment_allocations.bill_id', 'in', [...billIds])
    .where('payments.id', '>', paymentId)
    .where('payments.status', '=', 'posted')
    .executeTakeFirstOrThrow();
  return Number(row.n) > 0;
}

const UNIQUE_VIOLATION = {
  sqlite: new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']),
  postgres: '23505',
  mssql: new Set([2601, 2627]),
} as const;

/** Whether a driver error is a unique-constraint violation (each engine says it its own way). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, number } = error as { code?: unknown; number?: unknown };
  if (typeof code === 'string' && (UNIQUE_VIOLATION.sqlite.has(code) || code === UNIQUE_VIOLATION.postgres)) return true;
  return typeof number === 'number' && UNIQUE_VIOLATION.mssql.has(number);
}
