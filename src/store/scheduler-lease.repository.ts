// Database leases of scheduled jobs (scheduler_leases, migration 0008): one row per job, naming the
// core that holds it and until when, and the key of the job's last occurrence that ran.
//
// Taking a lease is one conditional UPDATE — the row changes only when the lease is free (expired,
// or the caller's own) and the occurrence has not run — so of several cores asking at once exactly
// one sees a row changed, on SQLite, PostgreSQL and SQL Server alike. A job's first lease is an
// INSERT; the primary key lets only one core's insert through. Times are UTC ISO 8601 strings,
// which compare as text.

import type { Store } from './database.ts';
import { isUniqueViolation } from './payment.repository.ts';
import type { SchedulerLeaseTable } from './smart-payment.table.ts';

export interface LeaseClaim {
  readonly job: string;
  readonly holder: string;
  /** The occurrence the lease is taken for: not taken when it is the job's last run key. */
  readonly runKey: string;
  readonly now: string;
  readonly expiresAt: string;
}

/** Takes the job's lease for an occurrence; answers whether the caller now holds it. */
export async function acquireLease(store: Store, claim: LeaseClaim): Promise<boolean> {
  const result = await store.db.updateTable('scheduler_leases').set({ holder: claim.holder, expires_at: claim.expiresAt })
    .where('job', '=', claim.job)
    .where((eb) => eb.or([eb('holder', '=', claim.holder), eb('expires_at', '<=', claim.now)]))
    .where((eb) => eb.or([eb('last_run_key', 'is', null), eb('last_run_key', '<>', claim.runKey)]))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return true;
  if (await leaseOf(store, claim.job) !== undefined) return false;
  try {
    await store.db.insertInto('scheduler_leases').values({ job: claim.job, holder: claim.holder, expires_at: claim.expiresAt, last_run_key: null }).execute();
    return true;
  } catch (error) {
    // Another core inserted the job's first lease at the same moment: it holds it.
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Extends a lease the caller holds; false when it holds it no longer (it expired and was taken). */
export async function renewLease(store: Store, job: string, holder: string, expiresAt: string): Promise<boolean> {
  const result = await store.db.updateTable('scheduler_leases').set({ expires_at: expiresAt })
    .where('job', '=', job).where('holder', '=', holder).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a held lease up at `now`, recording the occurrence as run when it did (a failed run is not). */
export async function releaseLease(store: Store, job: string, holder: string, now: string, ranKey: string | null): Promise<boolean> {
  const change: Partial<SchedulerLeaseTable> = ranKey === null ? { expires_at: now } : { expires_at: now, last_run_key: ranKey };
  const result = await store.db.updateTable('scheduler_leases').set(change)
    .where('job', '=', job).where('holder', '=', holder).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function leaseOf(store: Store, job: string): Promise<SchedulerLeaseTable | undefined> {
  return store.db.selectFrom('scheduler_leases').selectAll().where('job', '=', job).executeTakeFirst();
}
