// Closing a verification exception: `resolved` (the cause was fixed; the next run of the period
// computes the bill again) or `accepted` (the bill stands as computed and can be issued). The
// same decision sent again — a caller that timed out and retries — is answered as the first
// time; another decision on a closed exception is refused, since the first one may already
// have let a bill be issued.

import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { resolveException } from '../store/bill.repository.ts';
import { findException } from '../store/bill-review.repository.ts';
import type { ExceptionStatus } from '../store/bill.table.ts';
import { inTransaction, type Store } from '../store/database.ts';

export interface ExceptionDecision {
  readonly exceptionId: number;
  readonly decision: 'resolved' | 'accepted';
  readonly resolution: string;
  readonly actor: string;
  readonly now: string;
}

export interface ClosedException {
  readonly exceptionId: number;
  readonly status: ExceptionStatus;
  readonly resolvedAt: string;
}

export function resolveBillException(store: Store, input: ExceptionDecision): Promise<ClosedException> {
  return inTransaction(store, async (tx) => {
    const row = await findException(tx, input.exceptionId);
    if (row === undefined) throw new GridbillError('NOT_FOUND', `exception ${input.exceptionId}`);
    if (row.status !== 'open') {
      const same = row.status === input.decision && row.resolution === input.resolution && row.resolved_by === input.actor;
      if (!same || row.resolved_at === null) {
        throw new GridbillError('EXCEPTION_CLOSED', `exception ${input.exceptionId} is ${row.status}`, { hint: 'run the period again to review it anew' });
      }
      return { exceptionId: row.id, status: row.status, resolvedAt: row.resolved_at };
    }
    const decided = { status: input.decision, by: input.actor, at: input.now, resolution: input.resolution };
    if (!(await resolveException(tx, row.id, decided))) {
      throw new GridbillError('EXCEPTION_CLOSED', `exception ${input.exceptionId} was closed meanwhile`);
    }
    await appendAudit(tx, {
      at: input.now, actor: input.actor, action: `exception-${input.decision}`, subject: String(row.id), detail: { note: input.resolution },
    });
    return { exceptionId: row.id, status: input.decision, resolvedAt: input.now };
  });
}
