// Fixtures for the smart-payment tests: interval data, the calendar and protection list.

import type { Store } from '../../src/store/database.ts';
import { addHoliday as storeHoliday, protectCustomer as storeProtect } from '../../src/store/control.repository.ts';
import { insertMeterIntervals } from '../../src/store/estimation.repository.ts';

export async function addHoliday(store: Store, day: string, name: string): Promise<void> {
  await storeHoliday(store, day, name);
}

export async function protectCustomer(store: Store, customerId: number, reason: string, untilDay: string | null): Promise<void> {
  await storeProtect(store, { customer_id: customerId, reason, until_day: untilDay, created_at: new Date().toISOString() });
}

/** One interval an hour over the Beijing day, each of `hundredths` kWh/100. */
export async function insertMeterIntervalsFor(store: Store, meterNo: string, date: string, hundredths: number): Promise<void> {
  const meter = await store.db.selectFrom('meters').select('id').where('meter_no', '=', meterNo).executeTakeFirstOrThrow();
  const start = Date.parse(`${date}T00:00:00.000+08:00`);
  await insertMeterIntervals(store, Array.from({ length: 24 }, (_, hour) => ({
    meter_id: Number(meter.id), starts_at: new Date(start + hour * 3_600_000).toISOString(), kwh_hundredths: hundredths,
  })));
}
