// Automatic reconnection (复电): a disconnected smart-payment customer whose available balance is
// above zero again — after a payment through any channel, or a settlement in their favour — gets
// a RECONNECT command that needs no approval and is sent at once (DOMAIN.md: "restore promptly").
//
// Pay itself is not changed: it runs for every channel and must stay fast. The scheduler runs
// this every controlDispatchMs, and a caller that has just posted a payment may run it for that
// one customer (`customerIds`) to reconnect within the request.

import type { Store } from '../store/database.ts';
import { disconnectedCustomers, insertControlCommand, switchMeterOf } from '../store/control.repository.ts';
import { commandId } from './balance-rules.ts';
import { dispatchControlCommands, type DispatchSummary } from './dispatch-control-commands.ts';
import type { MeterControl } from './meter-control.ts';
import { prepaidBalanceOf } from './pay.ts';

const BATCH = 500;

async function createReconnect(store: Store, customerId: number, now: string): Promise<boolean> {
  const balanceFen = await prepaidBalanceOf(store, customerId);
  if (balanceFen <= 0) return false;
  const meter = await switchMeterOf(store, customerId);
  if (meter === undefined) return false;
  await insertControlCommand(store, {
    command_id: commandId('R', customerId, now), customer_id: customerId, meter_id: meter.id, kind: 'RECONNECT', status: 'APPROVED',
    reason: '已交费，自动复电', created_at: now, approved_by: 'system', approved_at: now, sent_at: null, completed_at: null, last_error: null,
  });
  return true;
}

export async function reconnectPaidUp(
  store: Store, control: MeterControl, now: string, customerIds?: readonly number[],
): Promise<{ readonly created: number; readonly dispatch: DispatchSummary }> {
  let created = 0;
  if (customerIds !== undefined) {
    const disconnected = new Set(await disconnectedCustomers(store, 0, Number.MAX_SAFE_INTEGER));
    for (const id of customerIds) if (disconnected.has(id) && await createReconnect(store, id, now)) created += 1;
  } else {
    for (let after = 0; ;) {
      const ids = await disconnectedCustomers(store, after, BATCH);
      if (ids.length === 0) break;
      for (const id of ids) if (await createReconnect(store, id, now)) created += 1;
      after = ids[ids.length - 1]!;
    }
  }
  return { created, dispatch: await dispatchControlCommands(store, control, now) };
}
