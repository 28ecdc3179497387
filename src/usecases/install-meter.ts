// An additional meter for an existing customer (a new metering point); a meter that replaces
// another is ReplaceMeter's, which also removes the old one.

import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { assertMeterNumbersFree, checkNewMeter } from './check-meter.ts';
import type { Acting } from './create-customer.ts';
import { registerMeter, type NewMeterInput } from './register-customer.ts';

export function installMeter(store: Store, customerNo: string, meter: NewMeterInput, acting: Acting): Promise<void> {
  checkNewMeter(meter, acting.today);
  return inTransaction(store, async (tx) => {
    const customer = await findCustomerByNo(tx, customerNo);
    if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', customerNo);
    await assertMeterNumbersFree(tx, [meter.meterNo]);
    await registerMeter(tx, customer.id, meter, acting.now);
    await appendAudit(tx, {
      at: acting.now, actor: acting.actor, action: 'meter-install', subject: customerNo,
      detail: { meterNo: meter.meterNo, installedOn: meter.installedOn },
    });
  });
}
