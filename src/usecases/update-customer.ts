// Changes a customer's master data: only what the caller names. A change of tariff, category or
// multiplier takes effect from the next bill run, where verification flags it (VER_TARIFF_CHANGED
// and the like); issued bills are never touched. The audit record names the fields changed, not
// their values, which may be personal data.

import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { setPaymentMode, updateCustomerRow } from '../store/customer-admin.repository.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import type { BasicChargeBasis, CustomerCategory, CustomerTable, PaymentMode, PowerFactorStandard, VoltageLevel } from '../store/customer.table.ts';
import { inTransaction, type Store } from '../store/database.ts';
import type { Updateable } from 'kysely';
import { assertTariffPublished, type Acting } from './create-customer.ts';

export interface CustomerChange {
  readonly name?: string;
  readonly category?: CustomerCategory;
  readonly voltage?: VoltageLevel;
  readonly address?: string;
  readonly phone?: string;
  readonly households?: number;
  readonly tariffCode?: string;
  readonly timeOfUse?: boolean;
  readonly paymentMode?: PaymentMode;
  readonly capacityKva?: number;
  readonly contractDemandKw?: number;
  readonly basicChargeBasis?: BasicChargeBasis;
  readonly powerFactorStandard?: PowerFactorStandard;
  readonly status?: 'active' | 'closed';
}

function columnsOf(change: CustomerChange): Updateable<CustomerTable> {
  const columns: Updateable<CustomerTable> = {
    name: change.name, category: change.category, voltage: change.voltage, address: change.address, phone: change.phone,
    households: change.households, tariff_code: change.tariffCode,
    time_of_use: change.timeOfUse === undefined ? undefined : change.timeOfUse ? 1 : 0,
    capacity_kva: change.capacityKva, contract_demand_kw: change.contractDemandKw, basic_basis: change.basicChargeBasis,
    pf_standard: change.powerFactorStandard, status: change.status,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined)) as Updateable<CustomerTable>;
}

export function updateCustomer(store: Store, customerNo: string, change: CustomerChange, acting: Acting): Promise<void> {
  return inTransaction(store, async (tx) => {
    const customer = await findCustomerByNo(tx, customerNo);
    if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', customerNo);
    if (change.tariffCode !== undefined) await assertTariffPublished(tx, change.tariffCode);
    await updateCustomerRow(tx, customer.id, columnsOf(change));
    if (change.paymentMode !== undefined) await setPaymentMode(tx, customer.id, change.paymentMode);
    const fields = Object.keys(change).filter((k) => change[k as keyof CustomerChange] !== undefined);
    await appendAudit(tx, { at: acting.now, actor: acting.actor, action: 'customer-update', subject: customerNo, detail: { fields } });
  });
}
