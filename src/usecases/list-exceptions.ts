// The verification exceptions of bill runs for review, filtered and paged in id order: the
// caller passes the last id it saw as afterId, and `more` says whether another page follows.

import { pageOfExceptions, type ExceptionPageFilter, type ReviewedException } from '../store/bill-review.repository.ts';
import type { Store } from '../store/database.ts';

export interface ExceptionPage {
  readonly exceptions: readonly ReviewedException[];
  readonly more: boolean;
}

export async function listBillExceptions(store: Store, filter: ExceptionPageFilter): Promise<ExceptionPage> {
  // One row more than asked tells whether there is a next page without counting them all.
  const rows = await pageOfExceptions(store, { ...filter, limit: filter.limit + 1 });
  return { exceptions: rows.slice(0, filter.limit), more: rows.length > filter.limit };
}
