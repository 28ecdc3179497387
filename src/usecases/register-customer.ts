// Registers a customer with its account, meters, registers and initial readings, all in one
// transaction: a customer is never half-created.

import { inTransaction, type Store } from '../store/database.ts';
import { insertAccount, insertCustomer } from '../store/customer.repository.ts';
import { insertMeter, insertReadings, insertRegisters } from '../store/meter.repository.ts';
import type { BasicChargeBasis, CustomerCategory, PaymentMode, PowerFactorStandard, VoltageLevel } from '../store/customer.table.ts';
import type { ReadingSource, RegisterKind } from '../store/meter.table.ts';

export interface NewRegisterInput {
  readonly kind: RegisterKind;
  readonly digits: number;
  readonly rolloverAllowed: boolean;
  readonly readings: ReadonlyArray<{ readonly readOn: string; readonly valueHundredths: number; readonly source: ReadingSource }>;
}

export interface NewMeterInput {
  readonly meterNo: string;
  readonly ctRatio: number;
  readonly ptRatio: number;
  readonly installedOn: string;
  readonly registers: readonly NewRegisterInput[];
}

export interface NewCustomerInput {
  readonly customerNo: string;
  readonly name: string;
  readonly category: CustomerCategory;
  readonly voltage: VoltageLevel;
  readonly address: string;
  readonly phone: string | null;
  readonly idNumber: string | null;
  readonly creditCode: string | null;
  readonly households: number;
  readonly tariffCode: string;
  readonly timeOfUse: boolean;
  readonly paymentMode: PaymentMode;
  readonly ladderYearStartMonth: number;
  readonly capacityKva: number | null;
  readonly contractDemandKw: number | null;
  readonly basicChargeBasis: BasicChargeBasis | null;
  readonly powerFactorStandard: PowerFactorStandard | null;
  readonly meters: readonly NewMeterInput[];
}

/** Stores a meter with its registers and their readings; the caller holds the transaction. */
export async function registerMeter(tx: Store, customerId: number, meter: NewMeterInput, now: string): Promise<void> {
  const meterId = await insertMeter(tx, {
    meter_no: meter.meterNo,
    customer_id: customerId,
    ct_ratio: meter.ctRatio,
    pt_ratio: meter.ptRatio,
    installed_on: meter.installedOn,
    removed_on: null,
    status: 'installed',
  });
  const registerIds = await insertRegisters(tx, meter.registers.map((r) => ({
    meter_id: meterId,
    kind: r.kind,
    digits: r.digits,
    rollover_allowed: r.rolloverAllowed ? 1 : 0,
  })));
  await insertReadings(tx, meter.registers.flatMap((r, i) => r.readings.map((reading) => ({
    register_id: registerIds[i]!,
    read_on: reading.readOn,
    value_hundredths: reading.valueHundredths,
    source: reading.source,
    recorded_at: now,
  }))));
}

export function registerCustomer(store: Store, input: NewCustomerInput, now: string): Promise<number> {
  return inTransaction(store, async (tx) => {
    const customerId = await insertCustomer(tx, {
      customer_no: input.customerNo,
      name: input.name,
      category: input.category,
      voltage: input.voltage,
      address: input.address,
      phone: input.phone,
      id_number: input.idNumber,
      credit_code: input.creditCode,
      households: input.households,
      tariff_code: input.tariffCode,
      time_of_use: input.timeOfUse ? 1 : 0,
      capacity_kva: input.capacityKva,
      contract_demand_kw: input.contractDemandKw,
      basic_basis: input.basicChargeBasis,
      pf_standard: input.powerFactorStandard,
      status: 'active',
      created_at: now,
    });
    await insertAccount(tx, {
      customer_id: customerId,
      payment_mode: input.paymentMode,
      ladder_year_start_month: input.ladderYearStartMonth,
      status: 'open',
      opened_at: now,
    });
    for (const meter of input.meters) await registerMeter(tx, customerId, meter, now);
    return customerId;
  });
}
