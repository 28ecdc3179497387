// Sends remote switch commands to the head-end and confirms them (the dispatcher, run by the
// scheduler and right after a payment-triggered reconnect is created).
//
// - A RECONNECT is sent at once. An approved DISCONNECT is sent only inside the segment's cut-off
//   hours, on a day that is not a calendar holiday, to a customer who is not protected; otherwise
//   it is HELD (with the reason) and looked at again on every dispatch.
// - A command is confirmed by reading the meter's switch state: DONE once the state is the one
//   commanded (the customer is told by SMS), SENT while the head-end has only accepted it.
// - A head-end that cannot be reached, or a command unconfirmed, is retried on later dispatches
//   with the same commandId (the head-end's idempotency key); after controlAttemptsMax attempts,
//   or when the head-end rejects it, the command FAILED and an alert is raised.

import { BUSINESS_UTC_OFFSET_MINUTES, businessDate } from '../clock.ts';
import type { ControlCommandStatus } from '../domain/estimation.ts';
import { LIMITS } from '../limits.ts';
import type { Store } from '../store/database.ts';
import { commandsInStatus, insertAlert, isHoliday, isProtected, updateControlCommand } from '../store/control.repository.ts';
import type { ControlCommandRow } from '../store/smart-payment.table.ts';
import { loadSegmentSettings } from './estimation-settings.ts';
import type { MeterControl, SwitchState } from './meter-control.ts';
import { SEGMENTS, type Segment } from './run-billing.ts';
import { queueSms } from './sms-messages.ts';

export interface DispatchSummary {
  sent: number;
  done: number;
  held: number;
  failed: number;
}

const QUEUE_BATCH = 200;

function expectedState(command: ControlCommandRow): SwitchState {
  return command.kind === 'DISCONNECT' ? 'DISCONNECTED' : 'CONNECTED';
}

function businessTime(now: string): string {
  return new Date(Date.parse(now) + BUSINESS_UTC_OFFSET_MINUTES * 60_000).toISOString().slice(11, 16);
}

async function customerOf(store: Store, customerId: number) {
  return store.db.selectFrom('customers').innerJoin('meters', 'meters.customer_id', 'customers.id')
    .select(['customers.customer_no', 'customers.category', 'customers.phone', 'meters.meter_no', 'meters.id as meter_id'])
    .where('customers.id', '=', customerId).execute();
}

/** Why a disconnect may not be sent now, or undefined when it may. */
async function heldBecause(store: Store, command: ControlCommandRow, category: string, now: string): Promise<string | undefined> {
  const segment = (Object.keys(SEGMENTS) as Segment[]).find((s) => (SEGMENTS[s] as readonly string[]).includes(category));
  const settings = segment === undefined ? undefined : (await loadSegmentSettings(store)).get(segment);
  const time = businessTime(now);
  const day = businessDate(new Date(now));
  if (settings !== undefined && (time < settings.cutoffFrom || time >= settings.cutoffTo)) return `protected hours (cut-offs ${settings.cutoffFrom}–${settings.cutoffTo})`;
  if (await isHoliday(store, day)) return `holiday ${day}`;
  if (await isProtected(store, command.customer_id, day)) return 'protected customer';
  return undefined;
}

async function fail(store: Store, command: ControlCommandRow, from: ControlCommandStatus, reason: string, now: string): Promise<void> {
  await updateControlCommand(store, command.id, from, { status: 'FAILED', completed_at: now, last_error: reason.slice(0, 200) });
  await insertAlert(store, { kind: 'control-command-failed', subject: `control-command:${command.command_id}`, message: `${command.kind} ${command.command_id}: ${reason}`.slice(0, 500), created_at: now });
}

async function complete(store: Store, command: ControlCommandRow, from: ControlCommandStatus, now: string): Promise<void> {
  if (!await updateControlCommand(store, command.id, from, { status: 'DONE', completed_at: now })) return;
  const [customer] = await customerOf(store, command.customer_id);
  if (customer?.phone) {
    const message = command.kind === 'DISCONNECT' ? { template: 'disconnected' as const, customerNo: customer.customer_no } : { template: 'reconnected' as const, customerNo: customer.customer_no };
    await queueSms(store, { phone: customer.phone, customerId: command.customer_id, message, at: now });
  }
}

/** One attempt at a command in status `from` (APPROVED, HELD or SENT); updates its row. */
async function attempt(store: Store, control: MeterControl, command: ControlCommandRow, from: ControlCommandStatus, now: string, summary: DispatchSummary): Promise<void> {
  const rows = await customerOf(store, command.customer_id);
  const customer = rows[0];
  const meter = rows.find((m) => m.meter_id === command.meter_id);
  if (customer === undefined || meter === undefined) return fail(store, command, from, 'meter no longer exists', now);
  if (command.kind === 'DISCONNECT' && from !== 'SENT') {
    const held = await heldBecause(store, command, customer.category, now);
    if (held !== undefined) {
      await updateControlCommand(store, command.id, from, { status: 'HELD', last_error: held });
      summary.held += 1;
      return;
    }
  }
  const attempts = Number(command.attempts) + 1;
  try {
    const state = from === 'SENT' ? await control.switchState(meter.meter_no)
      : await sendAndRead(control, command, meter.meter_no);
    if (state === 'REJECTED') {
      summary.failed += 1;
      return fail(store, command, from, 'rejected by the head-end', now);
    }
    if (state === expectedState(command)) {
      await updateControlCommand(store, command.id, from, { attempts, sent_at: command.sent_at ?? now });
      summary.done += 1;
      return complete(store, command, from, now);
    }
    await updateControlCommand(store, command.id, from, { status: 'SENT', attempts, sent_at: command.sent_at ?? now, last_error: `switch state ${state}` });
    summary.sent += 1;
  } catch (error) {
    if (attempts >= LIMITS.controlAttemptsMax) {
      summary.failed += 1;
      return fail(store, command, from, (error as Error).message, now);
    }
    await updateControlCommand(store, command.id, from, { attempts, last_error: (error as Error).message.slice(0, 200) });
  }
}

async function sendAndRead(control: MeterControl, command: ControlCommandRow, meterNo: string): Promise<SwitchState | 'REJECTED'> {
  const answer = await control.send({ commandId: command.command_id, meterNo, kind: command.kind, reason: command.reason });
  if (answer.ack === 'REJECTED') return 'REJECTED';
  // The answer's state is the head-end's word when it answered; the meter's own state confirms it.
  return control.switchState(meterNo);
}

export async function dispatchControlCommands(store: Store, control: MeterControl, now: string): Promise<DispatchSummary> {
  const summary: DispatchSummary = { sent: 0, done: 0, held: 0, failed: 0 };
  // The queues are read first, so a command moved from one to another is attempted once.
  const queues = await Promise.all((['APPROVED', 'HELD', 'SENT'] as const).map(async (status) => ({ status, commands: await commandsInStatus(store, status, QUEUE_BATCH) })));
  for (const { status, commands } of queues) {
    for (const command of commands) await attempt(store, control, command, status, now, summary);
  }
  return summary;
}
