// The checks a meter must pass before it is stored (CreateCustomer, InstallMeter, ReplaceMeter):
// each register kind once, its digits configured, every reading fitting its dial, dated between
// the installation and today, once per day; and no stored meter with the same number.

import { GridbillError } from '../errors.ts';
import { findMetersWithRegisters } from '../store/meter.repository.ts';
import type { Store } from '../store/database.ts';
import type { NewMeterInput } from './register-customer.ts';

function dialFits(valueHundredths: number, digits: number): boolean {
  return valueHundredths >= 0 && valueHundredths < 10 ** digits * 100;
}

/** Throws METER_INVALID or READING_INVALID naming the first problem of the meter as given. */
export function checkNewMeter(meter: NewMeterInput, today: string): void {
  const kinds = new Set<string>();
  if (meter.installedOn > today) throw new GridbillError('METER_INVALID', `meter ${meter.meterNo}: installed on ${meter.installedOn}, after today`);
  for (const register of meter.registers) {
    if (kinds.has(register.kind)) throw new GridbillError('METER_INVALID', `meter ${meter.meterNo}: register ${register.kind} twice`);
    kinds.add(register.kind);
    const days = new Set<string>();
    for (const reading of register.readings) {
      const what = `meter ${meter.meterNo} ${register.kind} on ${reading.readOn}`;
      if (!dialFits(reading.valueHundredths, register.digits)) {
        throw new GridbillError('READING_INVALID', `${what}: more integer digits than the register's ${register.digits}`);
      }
      if (reading.readOn < meter.installedOn || reading.readOn > today) {
        throw new GridbillError('READING_INVALID', `${what}: not between the installation (${meter.installedOn}) and today`);
      }
      if (days.has(reading.readOn)) throw new GridbillError('READING_INVALID', `${what}: two readings of one day`);
      days.add(reading.readOn);
    }
  }
}

/** Refuses meter numbers given twice or already stored (for any customer). */
export async function assertMeterNumbersFree(store: Store, meterNos: readonly string[]): Promise<void> {
  const twice = meterNos.find((no, i) => meterNos.indexOf(no) !== i);
  if (twice !== undefined) throw new GridbillError('METER_INVALID', `meter ${twice} given twice`);
  const stored = await findMetersWithRegisters(store, meterNos);
  if (stored.length > 0) throw new GridbillError('METER_EXISTS', `meter ${stored[0]!.meter_no}`);
}
