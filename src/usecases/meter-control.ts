// The meter head-end as the use cases see it (MeterControlService: Disconnect, Reconnect,
// GetSwitchState). The SOAP client implements it; tests pass a fake. A call that cannot reach the
// head-end or gets no answer throws; the dispatcher retries it with the same commandId, which the
// head-end answers with its first answer.

import type { ControlCommandKind } from '../domain/estimation.ts';

export type SwitchState = 'CONNECTED' | 'DISCONNECTED' | 'UNKNOWN';

export interface CommandAnswer {
  readonly ack: 'ACCEPTED' | 'DONE' | 'REJECTED';
  readonly switchState: SwitchState;
  readonly message?: string;
}

export interface MeterControl {
  send(command: { readonly commandId: string; readonly meterNo: string; readonly kind: ControlCommandKind; readonly reason: string }): Promise<CommandAnswer>;
  switchState(meterNo: string): Promise<SwitchState>;
}

/** A core without a head-end: every command stays queued and is retried until one is configured. */
export const NO_METER_CONTROL: MeterControl = {
  send: () => Promise.reject(new Error('no meter head-end is configured')),
  switchState: () => Promise.reject(new Error('no meter head-end is configured')),
};
