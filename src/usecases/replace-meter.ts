// Meter exchange (换表, DOMAIN.md): the old meter is read and removed on one day, the new one
// installed and read the same day, so the period is billed as two segments — old start → removal
// reading, installation reading → new end — and nothing is lost or counted twice between them.
//
// Hence the rules: one removal reading for every register of the old meter (no more, no fewer),
// each fitting its dial; no reading of the old meter after the removal day (it would be billed on
// a meter that is gone); the new meter installed on the removal day with an installation reading
// on every register. A removal reading already stored with the same value is kept (the caller
// retried); another value is refused, since a correction is an adjustment, not a new reading.

import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { findMeterByNo, markMeterRemoved } from '../store/meter-exchange.repository.ts';
import { insertReadings, readingsOfRegisters, registersOfMeter } from '../store/meter.repository.ts';
import type { MeterRow, NewReading, RegisterKind, RegisterRow } from '../store/meter.table.ts';
import { assertMeterNumbersFree, checkNewMeter } from './check-meter.ts';
import type { Acting } from './create-customer.ts';
import { registerMeter, type NewMeterInput } from './register-customer.ts';

export interface MeterExchange {
  readonly customerNo: string;
  readonly oldMeterNo: string;
  readonly removedOn: string;
  readonly removalReadings: ReadonlyArray<{ readonly kind: RegisterKind; readonly valueHundredths: number }>;
  readonly newMeter: NewMeterInput;
}

function invalid(detail: string): GridbillError {
  return new GridbillError('METER_EXCHANGE_INVALID', detail);
}

function checkNewMeterSide(exchange: MeterExchange, today: string): void {
  const { newMeter, removedOn } = exchange;
  checkNewMeter(newMeter, today);
  if (removedOn > today) throw invalid(`removal on ${removedOn}, after today`);
  if (newMeter.installedOn !== removedOn) throw invalid(`the new meter is installed on ${newMeter.installedOn}, the old one removed on ${removedOn}`);
  const unread = newMeter.registers.find((r) => !r.readings.some((reading) => reading.readOn === removedOn));
  if (unread) throw invalid(`the new meter's ${unread.kind} register has no installation reading on ${removedOn}`);
}

/** The removal readings to store, one per register of the old meter, checked against it. */
async function removalReadings(tx: Store, old: MeterRow, exchange: MeterExchange, now: string): Promise<NewReading[]> {
  const { removedOn } = exchange;
  if (old.status !== 'installed' || old.removed_on !== null) throw invalid(`meter ${old.meter_no} was removed on ${old.removed_on ?? '?'}`);
  if (removedOn < old.installed_on) throw invalid(`removal on ${removedOn}, before the installation on ${old.installed_on}`);
  const registers = new Map<RegisterKind, RegisterRow>((await registersOfMeter(tx, old.id)).map((r) => [r.kind, r]));
  const given = exchange.removalReadings.map((r) => r.kind);
  if (given.length !== new Set(given).size || given.length !== registers.size || given.some((kind) => !registers.has(kind))) {
    throw invalid(`meter ${old.meter_no} has the registers ${[...registers.keys()].join(', ')}; removal readings were given for ${given.join(', ')}`);
  }
  const ids = [...registers.values()].map((r) => r.id);
  const stored = await readingsOfRegisters(tx, ids, removedOn, '9999-12-31');
  if (stored.some((r) => r.read_on > removedOn)) throw invalid(`meter ${old.meter_no} has readings after ${removedOn}`);
  const out: NewReading[] = [];
  for (const reading of exchange.removalReadings) {
    const register = registers.get(reading.kind)!;
    if (reading.valueHundredths >= 10 ** register.digits * 100) {
      throw new GridbillError('READING_INVALID', `meter ${old.meter_no} ${reading.kind}: more integer digits than the register's ${register.digits}`);
    }
    const before = stored.find((r) => r.register_id === register.id);
    if (before !== undefined && Number(before.value_hundredths) !== reading.valueHundredths) {
      throw invalid(`meter ${old.meter_no} ${reading.kind} on ${removedOn} is stored with another value`);
    }
    if (before === undefined) {
      out.push({ register_id: register.id, read_on: removedOn, value_hundredths: reading.valueHundredths, source: 'removal', recorded_at: now });
    }
  }
  return out;
}

export function replaceMeter(store: Store, exchange: MeterExchange, acting: Acting): Promise<void> {
  checkNewMeterSide(exchange, acting.today);
  return inTransaction(store, async (tx) => {
    const customer = await findCustomerByNo(tx, exchange.customerNo);
    if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', exchange.customerNo);
    const old = await findMeterByNo(tx, exchange.oldMeterNo);
    if (old === undefined || old.customer_id !== customer.id) {
      throw new GridbillError('METER_NOT_FOUND', `meter ${exchange.oldMeterNo} of customer ${exchange.customerNo}`);
    }
    const readings = await removalReadings(tx, old, exchange, acting.now);
    await assertMeterNumbersFree(tx, [exchange.newMeter.meterNo]);
    await insertReadings(tx, readings);
    if (!(await markMeterRemoved(tx, old.id, exchange.removedOn))) throw invalid(`meter ${old.meter_no} was removed meanwhile`);
    await registerMeter(tx, customer.id, exchange.newMeter, acting.now);
    await appendAudit(tx, {
      at: acting.now, actor: acting.actor, action: 'meter-replace', subject: exchange.customerNo,
      detail: { oldMeterNo: old.meter_no, newMeterNo: exchange.newMeter.meterNo, on: exchange.removedOn },
    });
  });
}
