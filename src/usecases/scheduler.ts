// The core's in-process scheduler: every LIMITS.schedulerTickMs it asks each job whether an
// occurrence is due (a run key: the day and slot of an estimation window, the number of an
// interval …) and runs it if it can take the job's database lease for that occurrence.
//
// Safe with several cores on one database: a job runs only in the core holding its lease
// (scheduler-lease.repository.ts: an atomic conditional update), and the lease records the last
// occurrence that ran, so each occurrence runs once whichever core gets there first. The holder
// renews the lease every third of LIMITS.schedulerLeaseMs while the job runs; a core that dies
// mid-run stops renewing, its lease expires, and another core runs the occurrence again (every
// job is idempotent: estimation per account and period, debits per id, settlement per bill). A
// run that fails is not recorded and is tried again at the next tick.
//
// Jobs run one after another within a tick (they share one database; on SQLite one writer), and a
// tick does not start while the previous one runs. Time comes from the injected clock, so tests
// travel in time by calling tick() themselves; the timer is unref'd and stop() waits for the
// running job before the database is closed.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LIMITS } from '../limits.ts';
import type { Logger } from '../ops/logger.ts';
import type { Store } from '../store/database.ts';
import { acquireLease, releaseLease, renewLease } from '../store/scheduler-lease.repository.ts';

export interface ScheduledJob {
  /** At most 64 characters: the lease row's key. */
  readonly name: string;
  /** The key of the occurrence due at `now`, or undefined when none is. */
  occurrence(now: Date): string | undefined | Promise<string | undefined>;
  run(now: Date, runKey: string): Promise<unknown>;
}

export interface SchedulerOptions {
  readonly store: Store;
  readonly jobs: readonly ScheduledJob[];
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** This core's name in the lease rows (host, process and a random part by default). */
  readonly holder?: string;
  readonly tickMs?: number;
  readonly leaseMs?: number;
}

export interface TickReport {
  /** Jobs this tick ran, with their run keys. */
  readonly ran: string[];
  /** Jobs that failed (not recorded as run: tried again next tick). */
  readonly failed: string[];
}

export function defaultHolder(): string {
  return `${hostname().slice(0, 32)}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export class Scheduler {
  readonly holder: string;
  private readonly clock: () => Date;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<TickReport> | undefined;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    this.holder = (options.holder ?? defaultHolder()).slice(0, 64);
    this.clock = options.clock ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? LIMITS.schedulerLeaseMs;
    for (const job of options.jobs) if (job.name.length > 64) throw new RangeError(`job name longer than 64 characters: ${job.name}`);
  }

  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? LIMITS.schedulerTickMs);
    this.timer.unref();
    this.options.logger.info('scheduler started', { holder: this.holder, jobs: this.options.jobs.map((j) => j.name) });
  }

  /** Runs every due job whose lease this core gets; a tick asked for while one runs waits for it. */
  tick(): Promise<TickReport> {
    if (this.current !== undefined) return this.current;
    if (this.stopped) return Promise.resolve({ ran: [], failed: [] });
    this.current = this.runDue().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  /** Stops the timer and waits for the running job; no job starts afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.current?.catch(() => undefined);
  }

  private async runDue(): Promise<TickReport> {
    const report: TickReport = { ran: [], failed: [] };
    for (const job of this.options.jobs) {
      if (this.stopped) break;
      try {
        const now = this.clock();
        const key = await job.occurrence(now);
        if (key === undefined) continue;
        const expiresAt = new Date(now.getTime() + this.leaseMs).toISOString();
        if (!await acquireLease(this.options.store, { job: job.name, holder: this.holder, runKey: key, now: now.toISOString(), expiresAt })) continue;
        if (await this.runHeld(job, now, key)) report.ran.push(`${job.name}@${key}`);
        else report.failed.push(job.name);
      } catch (error) {
        this.options.logger.warn('scheduled job not started', { job: job.name, error: (error as Error).message });
        report.failed.push(job.name);
      }
    }
    return report;
  }

  /** Runs a job whose lease is held, renewing the lease meanwhile; answers whether it succeeded. */
  private async runHeld(job: ScheduledJob, now: Date, key: string): Promise<boolean> {
    const { store, logger } = this.options;
    const renew = setInterval(() => {
      const until = new Date(this.clock().getTime() + this.leaseMs).toISOString();
      renewLease(store, job.name, this.holder, until).then((held) => {
        if (!held) logger.warn('scheduled job lost its lease while running', { job: job.name, runKey: key });
      }, (error: unknown) => logger.warn('scheduled job lease not renewed', { job: job.name, error: (error as Error).message }));
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    renew.unref();
    let ok = false;
    try {
      const result = await job.run(now, key);
      ok = true;
      logger.info('scheduled job ran', { job: job.name, runKey: key, result });
    } catch (error) {
      logger.warn('scheduled job failed; tried again at the next tick', { job: job.name, runKey: key, error: (error as Error).message });
    } finally {
      clearInterval(renew);
      await releaseLease(store, job.name, this.holder, this.clock().toISOString(), ok ? key : null)
        .catch((error: unknown) => logger.warn('scheduled job lease not released', { job: job.name, error: (error as Error).message }));
    }
    return ok;
  }
}
