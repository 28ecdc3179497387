// A new customer from an internal system (BillingAdminService.CreateCustomer): the checks a
// person at the counter would make — the number is free, the tariff is published, each meter is
// well formed and not installed elsewhere — then registration in one transaction with its audit
// record. The audit names what was created, never the customer's personal data.

import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { listTariffVersions } from '../store/tariff.repository.ts';
import { assertMeterNumbersFree, checkNewMeter } from './check-meter.ts';
import { registerCustomer, type NewCustomerInput } from './register-customer.ts';

export interface Acting {
  readonly actor: string;
  /** Stored as the record's time. */
  readonly now: string;
  /** The business date: no reading or installation after it. */
  readonly today: string;
}

export async function assertTariffPublished(store: Store, code: string): Promise<void> {
  if ((await listTariffVersions(store, code)).length === 0) {
    throw new GridbillError('TARIFF_NOT_FOUND', `tariff ${code} is not published`, { hint: 'publish it first (PublishTariff)' });
  }
}

export function createCustomer(store: Store, input: NewCustomerInput, acting: Acting): Promise<number> {
  for (const meter of input.meters) checkNewMeter(meter, acting.today);
  return inTransaction(store, async (tx) => {
    if (await findCustomerByNo(tx, input.customerNo)) throw new GridbillError('CUSTOMER_EXISTS', input.customerNo);
    await assertTariffPublished(tx, input.tariffCode);
    await assertMeterNumbersFree(tx, input.meters.map((m) => m.meterNo));
    const customerId = await registerCustomer(tx, input, acting.now);
    await appendAudit(tx, {
      at: acting.now, actor: acting.actor, action: 'customer-create', subject: input.customerNo,
      detail: { category: input.category, tariffCode: input.tariffCode, meters: input.meters.map((m) => m.meterNo) },
    });
    return customerId;
  });
}
