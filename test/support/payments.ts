// Fixtures for the channel payment use cases: channels, customers and issued bills with amounts
// and due dates chosen by the test, so every late fee can be worked out by hand. A bill is issued
// as issue-bills issues one: the bill row in status issued with its tariff version, and its
// receivable posted to the ledger.

import { expect } from 'chai';
import { GridbillError, type ErrorCode } from '../../src/errors.ts';
import type { Store } from '../../src/store/database.ts';
import type { CustomerCategory } from '../../src/store/customer.table.ts';
import { insertChannel } from '../../src/store/channel.repository.ts';
import { insertReturningId } from '../../src/store/insert-id.ts';
import { ledgerTotal, postLedgerTransaction } from '../../src/store/ledger.repository.ts';
import { findTariffInForce } from '../../src/store/tariff.repository.ts';
import { ACCOUNTS } from '../../src/usecases/issue-bills.ts';
import { registerCustomer } from '../../src/usecases/register-customer.ts';

/** 10:00 in Beijing on that date: the business date of the instant is `date`. */
export function nowOn(date: string): string {
  return `${date}T02:00:00.000Z`;
}

export async function addChannel(store: Store, code: string, enabled = true): Promise<number> {
  return insertChannel(store, {
    code, name: `channel ${code}`, kind: 'bank', secret_enc: 'sealed', operations: '["Pay"]', enabled: enabled ? 1 : 0,
    created_at: nowOn('2026-01-01'), updated_at: nowOn('2026-01-01'),
  });
}

const TARIFF_OF: Record<CustomerCategory, string> = {
  'residential': 'zj-residential-ladder',
  'residential-shared': 'zj-residential-shared',
  'industrial-commercial': 'zj-commercial-tou',
  'large-industry': 'zj-large-industry-two-part',
  'agricultural': 'zj-agricultural',
};

export async function addCustomer(store: Store, customerNo: string, category: CustomerCategory = 'residential'): Promise<number> {
  return registerCustomer(store, {
    customerNo, name: '张三丰', category, voltage: 'below-1kv', address: '杭州市西湖区文三路100号', phone: null, idNumber: null,
    creditCode: null, households: 1, tariffCode: TARIFF_OF[category], timeOfUse: false, paymentMode: 'postpaid',
    ladderYearStartMonth: 1, capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null, meters: [],
  }, nowOn('2026-01-01'));
}

export interface IssuedBill {
  readonly customerId: number;
  readonly billNo: string;
  readonly period: string;
  readonly amountFen: number;
  readonly dueOn: string;
  readonly category?: CustomerCategory;
}

export async function addIssuedBill(store: Store, bill: IssuedBill): Promise<number> {
  const code = TARIFF_OF[bill.category ?? 'residential'];
  const tariff = await findTariffInForce(store, code, `${bill.period}-01`);
  if (tariff === undefined) throw new Error(`no ${code} in force in ${bill.period}`);
  const billId = await insertReturningId(store, 'bills', {
    bill_no: bill.billNo, customer_id: bill.customerId, run_id: null, period: bill.period, status: 'issued', energy_kwh: 100,
    amount_fen: bill.amountFen, tariff_id: tariff.id, tariff_code: code, multiplier: 1, estimated: 0, estimated_streak: 0,
    issued_at: nowOn(bill.dueOn), due_on: bill.dueOn, created_at: nowOn(bill.dueOn),
  });
  await postLedgerTransaction(store, {
    kind: 'bill-issued', refKind: 'bill', refId: billId, accountingDate: bill.dueOn, createdAt: nowOn(bill.dueOn), legs: [
      { accountCode: ACCOUNTS.receivable, customerId: bill.customerId, amountFen: bill.amountFen },
      { accountCode: ACCOUNTS.energyRevenue, customerId: bill.customerId, amountFen: -bill.amountFen },
    ],
  });
  return billId;
}

/** Outstanding of a bill by the definition, independently of the code under test. */
export async function outstandingOf(store: Store, billNo: string): Promise<number> {
  const bill = await store.db.selectFrom('bills').select(['id', 'amount_fen']).where('bill_no', '=', billNo).executeTakeFirstOrThrow();
  const paid = await store.db.selectFrom('payment_allocations').innerJoin('payments', 'payments.id', 'payment_allocations.payment_id')
    .select('payment_allocations.amount_fen').where('payment_allocations.bill_id', '=', bill.id)
    .where('payment_allocations.kind', '=', 'energy').where('payments.status', '=', 'posted').execute();
  return bill.amount_fen - paid.reduce((s, r) => s + Number(r.amount_fen), 0);
}

export async function penaltyStateOf(store: Store, billNo: string): Promise<{ through: string | null; accrued: number; carried: number }> {
  const row = await store.db.selectFrom('bills').select(['penalty_through', 'penalty_accrued_fen', 'penalty_carried_fen'])
    .where('bill_no', '=', billNo).executeTakeFirstOrThrow();
  return { through: row.penalty_through, accrued: Number(row.penalty_accrued_fen), carried: Number(row.penalty_carried_fen) };
}

export async function countRows(store: Store, table: 'payments' | 'payment_allocations' | 'ledger_transactions' | 'audit_log'): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Awaits a promise that must fail with a catalogued code; returns the error. */
export async function expectFault(promise: Promise<unknown>, code: ErrorCode): Promise<GridbillError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error, `expected ${code}`).to.be.instanceOf(GridbillError);
  expect((error as GridbillError).code, (error as Error).message).to.equal(code);
  return error as GridbillError;
}

export async function expectLedgerBalanced(store: Store): Promise<void> {
  expect(await ledgerTotal(store), 'sum of every ledger entry').to.equal(0);
}
