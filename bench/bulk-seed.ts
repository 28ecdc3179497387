// Loads demo customers straight through better-sqlite3 prepared statements, for benchmarks that
// need a million customers before they start. Setup only: the product registers customers through
// src/usecases/register-customer.ts. Columns mirror src/store/migrations/0001-initial.ts.

import type BetterSqlite3 from 'better-sqlite3';
import { generateDemo, type DemoOptions } from '../fixtures/demo/generator.ts';

const CUSTOMERS_PER_TRANSACTION = 5_000;

export function bulkSeed(db: BetterSqlite3.Database, options: DemoOptions, now: string): number {
  const customer = db.prepare(`insert into customers (id, customer_no, name, category, voltage, address, phone, id_number, credit_code,
    households, tariff_code, time_of_use, capacity_kva, contract_demand_kw, basic_basis, pf_standard, status, created_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)`);
  const account = db.prepare(`insert into accounts (customer_id, payment_mode, ladder_year_start_month, status, opened_at) values (?, ?, ?, 'open', ?)`);
  const meter = db.prepare(`insert into meters (id, meter_no, customer_id, ct_ratio, pt_ratio, installed_on, removed_on, status) values (?, ?, ?, ?, ?, ?, null, 'installed')`);
  const register = db.prepare(`insert into registers (id, meter_id, kind, digits, rollover_allowed) values (?, ?, ?, ?, ?)`);
  const reading = db.prepare(`insert into readings (register_id, read_on, value_hundredths, source, recorded_at) values (?, ?, ?, ?, ?)`);
  let ids = { customer: 0, meter: 0, register: 0 };
  const source = generateDemo(options);
  let done = false;
  const batch = db.transaction(() => {
    for (let n = 0; n < CUSTOMERS_PER_TRANSACTION; n += 1) {
      const next = source.next();
      if (next.done) { done = true; return; }
      const c = next.value;
      ids = { ...ids, customer: ids.customer + 1 };
      customer.run(ids.customer, c.customerNo, c.name, c.category, c.voltage, c.address, c.phone, c.idNumber, c.creditCode,
        c.households, c.tariffCode, c.timeOfUse ? 1 : 0, c.capacityKva, c.contractDemandKw, c.basicChargeBasis, c.powerFactorStandard, now);
      account.run(ids.customer, c.paymentMode, c.ladderYearStartMonth, now);
      for (const m of c.meters) {
        ids.meter += 1;
        meter.run(ids.meter, m.meterNo, ids.customer, m.ctRatio, m.ptRatio, m.installedOn);
        for (const r of m.registers) {
          ids.register += 1;
          register.run(ids.register, ids.meter, r.kind, r.digits, r.rolloverAllowed ? 1 : 0);
          for (const v of r.readings) reading.run(ids.register, v.readOn, v.valueHundredths, v.source, now);
        }
      }
    }
  });
  while (!done) batch();
  return ids.customer;
}
