// The audit log's newest records for the console's auditors, and whether the hash chain holds.

import { verifyAuditChain, type AuditVerdict } from '../store/audit.repository.ts';
import type { AuditRow } from '../store/audit.table.ts';
import { latestAuditRecords } from '../store/console-view.repository.ts';
import type { Store } from '../store/database.ts';

export function latestAudit(store: Store, filter: { readonly actor?: string; readonly limit: number }): Promise<AuditRow[]> {
  return latestAuditRecords(store, filter);
}

export function auditChainVerdict(store: Store): Promise<AuditVerdict> {
  return verifyAuditChain(store);
}
