// A person's approval of a disconnect (停电审批): PENDING_APPROVAL → APPROVED, audited. Approval
// does not send the command: the dispatcher sends an approved disconnect only outside protected
// hours, holidays and protected customers (holding it until then). Approving a command already
// approved by the same person answers it again; anything else not pending is refused.

import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { findControlCommand, updateControlCommand } from '../store/control.repository.ts';
import type { ControlCommandRow } from '../store/smart-payment.table.ts';

export async function approveControlCommand(store: Store, id: number, actor: string, now: string): Promise<ControlCommandRow> {
  return inTransaction(store, async (tx) => {
    const command = await findControlCommand(tx, id);
    if (command === undefined) throw new GridbillError('CONTROL_COMMAND_NOT_FOUND', String(id));
    if (command.status === 'APPROVED' && command.approved_by === actor) return command;
    if (command.status !== 'PENDING_APPROVAL' || !await updateControlCommand(tx, id, 'PENDING_APPROVAL', { status: 'APPROVED', approved_by: actor, approved_at: now })) {
      throw new GridbillError('CONTROL_COMMAND_NOT_PENDING', `${command.command_id} is ${command.status}`);
    }
    await appendAudit(tx, { at: now, actor, action: 'approve-control-command', subject: `control-command:${id}`, detail: { commandId: command.command_id, kind: command.kind } });
    return (await findControlCommand(tx, id))!;
  });
}
