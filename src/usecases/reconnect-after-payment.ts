// A payment's reconnect (DOMAIN.md: "after a payment that brings the balance above zero: automatic
// reconnect"): the SOAP ports call this after a posted Pay or a successful PayOnline, off the
// payment's path — the answer never waits for it and never fails because of it. Payments are many
// and disconnected customers few, so the customer's latest commands are looked at first (one
// indexed read from the customer no, prepared: it runs for every payment on the core that took
// it) and only a customer whose meter is switched off goes on to reconnectPaidUp, which creates
// the RECONNECT (when the balance is above zero) and sends it at once.
//
// One core's reconnects run one after another, so two payments of one customer in quick
// succession create one command; the scheduler's `reminders` job catches whatever a core that
// stopped in between left undone.

import { recentCommandsOfCustomerNo } from '../store/control.repository.ts';
import type { Store } from '../store/database.ts';
import type { MeterControl } from './meter-control.ts';
import { reconnectPaidUp } from './reconnect-paid-up.ts';

const STILL_OPEN = new Set(['PENDING_APPROVAL', 'APPROVED', 'HELD', 'SENT', 'DONE']);

/** Of a customer's latest commands, newest first: whether the meter was switched off and no reconnect is open or done since. */
function switchedOff(commands: readonly { readonly kind: string; readonly status: string }[]): boolean {
  for (const command of commands) {
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
    const commands = await recentCommandsOfCustomerNo(this.store, customerNo);
    // A customer never switched off has no commands: the usual case ends here.
    if (!switchedOff(commands)) return;
    await reconnectPaidUp(this.store, this.control, this.clock().toISOString(), [commands[0]!.customer_id]);
  }
}
