// The bill run's inserts: on SQLite inside a transaction they go through reused prepared
// statements on the raw connection, elsewhere through Kysely. Both must map ids by bill number
// and land (or roll back) with the transaction around them.

import { expect } from 'chai';
import { describeOnEveryStore } from '../support/stores.ts';
import { inTransaction, type Store } from '../../src/store/database.ts';
import { insertCustomer } from '../../src/store/customer.repository.ts';
import {
  exceptionsOfBill, findBillByNo, insertBillExceptions, insertBillLines, insertBillRun, insertBills, linesOfBill,
} from '../../src/store/bill.repository.ts';
import type { NewBill } from '../../src/store/bill.table.ts';

const NOW = '2026-11-02T01:00:00.000Z';

function draft(customerId: number, runId: number, i: number, period: string): NewBill {
  return {
    bill_no: `${period.replace('-', '')}${String(i).padStart(6, '0')}`, customer_id: customerId, run_id: runId, period, status: 'draft',
    energy_kwh: i, amount_fen: i * 100, tariff_id: null, tariff_code: 't', multiplier: 1, estimated: 0, estimated_streak: 0,
    issued_at: null, due_on: null, created_at: NOW,
  };
}

/** Stores `count` drafts with one line and one exception each, in one transaction. */
async function storeDrafts(store: Store, customerId: number, runId: number, count: number, period: string): Promise<Map<string, number>> {
  return inTransaction(store, async (tx) => {
    const bills = Array.from({ length: count }, (_, i) => draft(customerId, runId, i + 1, period));
    const ids = await insertBills(tx, bills);
    await insertBillLines(tx, bills.map((b) => ({
      bill_id: ids.get(b.bill_no)!, seq: 1, kind: 'energy', code: 'energy.single', label: '电量电费',
      quantity: String(b.energy_kwh), unit: 'kWh', rate_micros: 100_000_000, amount_fen: b.amount_fen,
    })));
    await insertBillExceptions(tx, bills.map((b) => ({
      run_id: runId, bill_id: ids.get(b.bill_no)!, customer_id: customerId, period, rule: 'VER_TEST',
      detail: JSON.stringify({ bill: b.bill_no }), status: 'open' as const, resolved_by: null, resolved_at: null, resolution: null,
    })));
    return ids;
  });
}

describeOnEveryStore('bill run inserts', (h) => {
  let customerId = 0;
  let runId = 0;
  before(async () => {
    customerId = await insertCustomer(h.store, {
      customer_no: '3300000000901', name: '测试用户', category: 'residential', voltage: 'below-1kv', address: '杭州市',
      phone: null, id_number: null, credit_code: null, households: 1, tariff_code: 't', time_of_use: 0, capacity_kva: null,
      contract_demand_kw: null, basic_basis: null, pf_standard: null, status: 'active', created_at: NOW,
    });
    runId = await insertBillRun(h.store, { period: '2026-10', segment: null, startedAt: NOW });
  });

  it('maps every id to its bill number, across full and partial insert chunks', async () => {
    // 205 rows: two full multi-row statements and five single-row ones on SQLite.
    const ids = await storeDrafts(h.store, customerId, runId, 205, '2026-10');
    expect(ids.size).to.equal(205);
    for (const i of [1, 100, 101, 200, 201, 205]) {
      const billNo = `202610${String(i).padStart(6, '0')}`;
      const bill = await findBillByNo(h.store, billNo);
      expect(bill, billNo).to.include({ id: ids.get(billNo), energy_kwh: i, amount_fen: i * 100, multiplier: 1, run_id: runId });
      const lines = await linesOfBill(h.store, bill!.id);
      expect(lines.map((l) => [l.seq, l.quantity, l.amount_fen, l.rate_micros])).to.deep.equal([[1, String(i), i * 100, 100_000_000]]);
      const exceptions = await exceptionsOfBill(h.store, bill!.id);
      expect(exceptions.map((e) => [e.rule, e.detail, e.resolved_by])).to.deep.equal([['VER_TEST', JSON.stringify({ bill: billNo }), null]]);
    }
  });

  it('rolls back bills, lines and exceptions together when the batch fails', async () => {
    const count = async (table: 'bills' | 'bill_lines' | 'bill_exceptions'): Promise<number> =>
      Number((await h.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = [await count('bills'), await count('bill_lines'), await count('bill_exceptions')];
    const failing = inTransaction(h.store, async (tx) => {
      await storeDrafts(tx, customerId, runId, 150, '2026-11');
      throw new Error('batch failed after its inserts');
    });
    await failing.then(() => expect.fail('the batch should fail'), (error: Error) => expect(error.message).to.equal('batch failed after its inserts'));
    expect([await count('bills'), await count('bill_lines'), await count('bill_exceptions')]).to.deep.equal(before);
    expect(await findBillByNo(h.store, '202611000001')).to.equal(undefined);
  });

  it('refuses a duplicate bill number and stores nothing of that batch', async () => {
    const failing = storeDrafts(h.store, customerId, runId, 3, '2026-10');
    await failing.then(() => expect.fail('a duplicate bill number should fail'), () => undefined);
    const bill = await findBillByNo(h.store, '202610000001');
    expect(bill!.energy_kwh).to.equal(1);
  });
});
