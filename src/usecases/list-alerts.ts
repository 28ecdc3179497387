// Alerts for operations (OperationsService.ListAlerts, the console). The alerts table has a kind,
// not a severity: the severity of each kind is decided here, in one table, so that it can be
// filtered on in the query (minSeverity) and changed without touching stored rows. A kind not in
// the table is a WARNING: a new alert nobody classified yet must not be missed, nor page anyone.
// The contract has no acknowledge operation; an alert is cleared when acknowledged_at is set.

import { pageOfAlerts } from '../store/alert.repository.ts';
import type { Store } from '../store/database.ts';
import type { AlertRow } from '../store/smart-payment.table.ts';

export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';
export const SEVERITIES: readonly Severity[] = ['INFO', 'WARNING', 'CRITICAL'];

/** Severity per alert kind; others are WARNING. */
export const ALERT_SEVERITY: Readonly<Record<string, Severity>> = {
  // A switch command the head-end did not carry out: a paid-up customer may be left without power.
  'control-command-failed': 'CRITICAL',
  // A bill left to the customer after its debits failed: a reminder's matter, nobody is cut off.
  'direct-debit-failed': 'WARNING',
};

export function severityOf(kind: string): Severity {
  return ALERT_SEVERITY[kind] ?? 'WARNING';
}

export interface AlertView {
  readonly id: number;
  readonly severity: Severity;
  readonly kind: string;
  readonly subject: string;
  readonly message: string;
  /** UTC ISO 8601. */
  readonly raisedAt: string;
  readonly clearedAt: string | null;
}

export interface AlertListQuery {
  readonly minSeverity?: Severity;
  /** UTC ISO 8601. */
  readonly since?: string;
  readonly activeOnly?: boolean;
  readonly afterId?: number;
  readonly limit: number;
}

function kindsFilter(min: Severity | undefined): { kinds?: string[]; notKinds?: string[] } {
  const kindsOf = (s: Severity) => Object.entries(ALERT_SEVERITY).filter(([, v]) => v === s).map(([k]) => k);
  switch (min) {
    case undefined: case 'INFO': return {};
    case 'WARNING': return { notKinds: kindsOf('INFO') };
    case 'CRITICAL': return { kinds: kindsOf('CRITICAL') };
  }
}

function view(row: AlertRow): AlertView {
  return {
    id: Number(row.id), severity: severityOf(row.kind), kind: row.kind, subject: row.subject, message: row.message,
    raisedAt: row.created_at, clearedAt: row.acknowledged_at,
  };
}

/** Alerts by id, oldest first, filtered; `more` when another page follows. */
export async function listAlerts(store: Store, query: AlertListQuery): Promise<{ alerts: AlertView[]; more: boolean }> {
  const rows = await pageOfAlerts(store, {
    ...kindsFilter(query.minSeverity),
    ...(query.since === undefined ? {} : { since: query.since }),
    ...(query.activeOnly === undefined ? {} : { activeOnly: query.activeOnly }),
    ...(query.afterId === undefined ? {} : { afterId: query.afterId }),
    limit: query.limit + 1,
  });
  return { alerts: rows.slice(0, query.limit).map(view), more: rows.length > query.limit };
}
