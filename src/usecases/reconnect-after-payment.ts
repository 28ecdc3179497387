// A payment's reconnect (DOMAIN.md: "after a payment that brings the balance above zero: automatic
// reconnect"): the SOAP ports call this after a posted Pay or a successful PayOnline, off the
// payment's path — the answer never waits for it and never fails because of it. Payments are many
// and disconnected customers few, so the customer's latest commands are looked at first (two
// indexed reads) and only a customer whose meter is switched off goes on to reconnectPaidUp,
// which creates the RECONNECT (when the balance is above zero) and sends it at once.
//
// One core's reconnects run one after another, so two payments of one customer in quick
// succession create one command; the scheduler's `reminders` job catches whatever a core that
// stopped in between left undone.

import { commandsOfCustomer } from '../store/control.repository.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import type { Store } from '../store/database.ts';
import type { MeterControl } from './meter-control.ts';
import { reconnectPaidUp } from './reconnect-paid-up.ts';

const RECENT_COMMANDS = 20;
const STILL_OPEN = new Set(['PENDING_APPROVAL', 'APPROVED', 'HELD', 'SENT', 'DONE']);

/** Whether the customer's meter was switched off and no reconnect is open or done since. */
export async function isDisconnected(store: Store, customerId: number): Promise<boolean> {
  for (const command of await commandsOfCustomer(store, customerId, RECENT_COMMANDS)) {
    if (command.kind === 'RECONNECT' && STILL_OPEN.has(command.status)) return false;
    if (command.kind === 'DISCONNECT' && command.status === 'DONE') return true;
  }
  return false;
}

export class PaymentReconnects {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly control: MeterControl,
    private readonly clock: () => Date,
    private readonly onError: (customerNo: string, error: Error) => void,
  ) {}

  /** Queues the customer's reconnect check; returns at once. */
  paid(customerNo: string): void {
    this.queue = this.queue.then(() => this.reconnect(customerNo)).catch((error: unknown) => {
      this.onError(customerNo, error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** Resolves once every queued check has run (tests; shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async reconnect(customerNo: string): Promise<void> {
    const customer = await findCustomerByNo(this.store, customerNo);
    if (customer === undefined || !await isDisconnected(this.store, customer.id)) return;
    await reconnectPaidUp(this.store, this.control, this.clock().toISOString(), [customer.id]);
  }
}
