// Data the console suites (integration and browser) share.

import { insertControlCommand } from '../../src/store/control.repository.ts';
import type { TestCore } from '../support/test-core.ts';

/** A disconnect waiting for approval, for the first customer's first meter. */
export async function pendingDisconnect(core: TestCore, commandId: string): Promise<number> {
  const customer = await core.store.db.selectFrom('customers').innerJoin('meters', 'meters.customer_id', 'customers.id')
    .select(['customers.id as customer_id', 'meters.id as meter_id']).orderBy('customers.id').executeTakeFirstOrThrow();
  return insertControlCommand(core.store, {
    command_id: commandId, customer_id: customer.customer_id, meter_id: customer.meter_id, kind: 'DISCONNECT', status: 'PENDING_APPROVAL',
    reason: '余额不足且超过宽限期', created_at: '2026-11-01T02:00:00.000Z', approved_by: null, approved_at: null, sent_at: null, completed_at: null, last_error: null,
  });
}

