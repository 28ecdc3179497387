// Alerts for operations (OperationsService.ListAlerts, the console), filtered and paged by id.
// Alerts are raised by smart payment and direct debit (control.repository.ts insertAlert).

import { firstRows, type Store } from './database.ts';
import type { AlertRow } from './smart-payment.table.ts';

export interface AlertQuery {
  /** Only these kinds (an empty list: none). */
  readonly kinds?: readonly string[];
  /** Not these kinds. */
  readonly notKinds?: readonly string[];
  /** Raised at or after this UTC instant. */
  readonly since?: string;
  /** Not yet acknowledged only. */
  readonly activeOnly?: boolean;
  readonly afterId?: number;
  readonly limit: number;
}

export function pageOfAlerts(store: Store, query: AlertQuery): Promise<AlertRow[]> {
  if (query.kinds !== undefined && query.kinds.length === 0) return Promise.resolve([]);
  let page = store.db.selectFrom('alerts').selectAll();
  if (query.kinds !== undefined) page = page.where('kind', 'in', [...query.kinds]);
  if (query.notKinds !== undefined && query.notKinds.length > 0) page = page.where('kind', 'not in', [...query.notKinds]);
  if (query.since !== undefined) page = page.where('created_at', '>=', query.since);
  if (query.activeOnly === true) page = page.where('acknowledged_at', 'is', null);
  if (query.afterId !== undefined) page = page.where('id', '>', query.afterId);
  return firstRows(store, page.orderBy('id'), query.limit).execute();
}
