// The in-process scheduler with an injected clock: several cores on one database run each
// occurrence once; a job that fails is tried again; a core that died mid-run leaves its job to
// another once its lease expires; the estimation job follows the segment's window and slots; stop()
// waits for the running job and starts nothing more.

import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../src/ops/logger.ts';
import { acquireLease, leaseOf } from '../../src/store/scheduler-lease.repository.ts';
import { Scheduler, type ScheduledJob } from '../../src/usecases/scheduler.ts';
import { estimationJob, intervalJob, scheduledJobs } from '../../src/usecases/scheduled-jobs.ts';
import { NO_METER_CONTROL } from '../../src/usecases/meter-control.ts';
import { NO_BANK } from '../../src/usecases/bank-gateway.ts';
import { describeOnEveryStore } from '../support/stores.ts';

/** Beijing wall-clock time on a date. */
function at(date: string, hhmm: string): Date {
  return new Date(`${date}T${hhmm}:00.000+08:00`);
}

function quietLogger(lines: string[] = []) {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return createLogger({ level: 'info', role: 'core', stream });
}

class Clock {
  constructor(public now: Date) {}
  readonly read = (): Date => this.now;
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

describeOnEveryStore('scheduler', (h) => {
  it('runs each occurrence once across several cores, and the next occurrence again', async () => {
    const clock = new Clock(at('2026-11-12', '10:00'));
    const runs: string[] = [];
    const job = intervalJob('count', 60_000, async (now) => runs.push(now.toISOString()));
    const cores = ['core-a', 'core-b', 'core-c'].map((holder) => new Scheduler({ store: h.store, jobs: [job], logger: quietLogger(), clock: clock.read, holder }));
    await Promise.all(cores.map((c) => c.tick()));
    await Promise.all(cores.map((c) => c.tick()));
    expect(runs).to.have.length(1);
    clock.advance(60_000);
    const reports = await Promise.all(cores.map((c) => c.tick()));
    expect(runs).to.have.length(2);
    expect(reports.flatMap((r) => r.ran)).to.have.length(1);
  });

  it('tries a failed run again at the next tick and records it only once it succeeds', async () => {
    const clock = new Clock(at('2026-11-12', '10:00'));
    const lines: string[] = [];
    let failures = 1;
    const job: ScheduledJob = {
      name: 'flaky', occurrence: () => 'once', run: async () => {
        if (failures-- > 0) throw new Error('database busy');
        return 'done';
      },
    };
    const scheduler = new Scheduler({ store: h.store, jobs: [job], logger: quietLogger(lines), clock: clock.read, holder: 'core-a' });
    expect(await scheduler.tick()).to.deep.equal({ ran: [], failed: ['flaky'] });
    expect(lines.join('\n')).to.include('database busy');
    expect(await scheduler.tick()).to.deep.equal({ ran: ['flaky@once'], failed: [] });
    expect(await scheduler.tick()).to.deep.equal({ ran: [], failed: [] });
    expect(await leaseOf(h.store, 'flaky')).to.include({ last_run_key: 'once' });
  });

  it('leaves the job of a core that died mid-run to another once the lease has expired', async () => {
    const clock = new Clock(at('2026-11-12', '10:00'));
    const runs: string[] = [];
    const job: ScheduledJob = { name: 'orphan', occurrence: () => 'k', run: async () => runs.push('b') };
    // core-a took the lease and died before finishing: it never released it.
    expect(await acquireLease(h.store, { job: 'orphan', holder: 'core-a', runKey: 'k', now: clock.now.toISOString(), expiresAt: new Date(clock.now.getTime() + 300_000).toISOString() })).to.equal(true);
    const b = new Scheduler({ store: h.store, jobs: [job], logger: quietLogger(), clock: clock.read, holder: 'core-b', leaseMs: 300_000 });
    await b.tick();
    expect(runs).to.deep.equal([]);
    clock.advance(300_000);
    await b.tick();
    expect(runs).to.deep.equal(['b']);
  });

  it('renews the lease of a long run, so no other core takes the job meanwhile', async () => {
    const clock = new Clock(at('2026-11-12', '10:00'));
    let release: () => void = () => undefined;
    const runs: string[] = [];
    const job: ScheduledJob = { name: 'long', occurrence: () => 'k', run: () => new Promise<void>((resolve) => { runs.push('run'); release = resolve; }) };
    const a = new Scheduler({ store: h.store, jobs: [job], logger: quietLogger(), clock: clock.read, holder: 'core-a', leaseMs: 30 });
    const b = new Scheduler({ store: h.store, jobs: [job], logger: quietLogger(), clock: clock.read, holder: 'core-b', leaseMs: 30 });
    const running = a.tick();
    while (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // The clock moves past the first expiry; a's renewal (every 10 ms) keeps the lease a step ahead.
    clock.advance(20);
    await new Promise((resolve) => setTimeout(resolve, 40));
    clock.advance(20);
    expect((await b.tick()).ran).to.deep.equal([]);
    release();
    expect((await running).ran).to.deep.equal(['long@k']);
  });

  it('waits for the running job on stop and starts nothing afterwards', async () => {
    const clock = new Clock(at('2026-11-12', '10:00'));
    let finished = false;
    const job: ScheduledJob = { name: 'stopping', occurrence: () => String(clock.now.getTime()), run: async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    } };
    const scheduler = new Scheduler({ store: h.store, jobs: [job], logger: quietLogger(), clock: clock.read, holder: 'core-a', tickMs: 60_000 });
    scheduler.start();
    const tick = scheduler.tick();
    await scheduler.stop();
    expect(finished).to.equal(true);
    await tick;
    clock.advance(1);
    expect(await scheduler.tick()).to.deep.equal({ ran: [], failed: [] });
  });

  it('estimates a segment inside its window only, once per day and slot', async () => {
    const residential = estimationJob(h.store, 'residential');
    expect(await residential.occurrence(at('2026-11-12', '05:59'))).to.equal(undefined);
    expect(await residential.occurrence(at('2026-11-12', '06:00'))).to.equal('2026-11-12#0');
    expect(await residential.occurrence(at('2026-11-12', '07:59'))).to.equal('2026-11-12#0');
    expect(await residential.occurrence(at('2026-11-12', '08:00'))).to.equal(undefined);
    const industrial = estimationJob(h.store, 'industrial-commercial');
    expect(await industrial.occurrence(at('2026-11-12', '07:00'))).to.equal(undefined);
    expect(await industrial.occurrence(at('2026-11-12', '08:00'))).to.equal('2026-11-12#1');
    expect(await industrial.occurrence(at('2026-11-12', '12:00'))).to.equal('2026-11-12#2');
    expect(await industrial.occurrence(at('2026-11-12', '19:59'))).to.equal('2026-11-12#3');
    // With nobody to estimate, a run of the window estimates nothing and succeeds.
    expect(await industrial.run(at('2026-11-12', '12:00'), '2026-11-12#2')).to.deep.equal({ yesterday: 0, today: 0 });
  });

  it('schedules direct debit and the online payments only when a bank is configured', () => {
    const names = (bank?: typeof NO_BANK) => scheduledJobs({ store: h.store, control: NO_METER_CONTROL, ...(bank ? { bank } : {}) }).map((j) => j.name);
    expect(names()).to.deep.equal([
      'estimation:residential', 'estimation:industrial-commercial', 'estimation:large-industry', 'estimation:agricultural',
      'reminders', 'control-dispatch', 'estimate-settlement',
    ]);
    expect(names(NO_BANK)).to.include.members(['direct-debit', 'online-payments']);
  });
});
