// Scheduled jobs' database leases on every engine: one holder at a time, the occurrence that ran is
// not taken again, a lease that expired (its holder died) is taken over, only the holder renews or
// releases it.

import { expect } from 'chai';
import { describeOnEveryStore } from '../support/stores.ts';
import { acquireLease, leaseOf, releaseLease, renewLease } from '../../src/store/scheduler-lease.repository.ts';

const T0 = '2026-11-12T00:00:00.000Z';
const T1 = '2026-11-12T00:01:00.000Z';
const T5 = '2026-11-12T00:05:00.000Z';
const T6 = '2026-11-12T00:06:00.000Z';

describeOnEveryStore('scheduler leases', (h) => {
  it('lets exactly one of several cores asking at once take a new job, and no other until it expires', async () => {
    const claims = ['core-a', 'core-b', 'core-c', 'core-d'].map((holder) => acquireLease(h.store, { job: 'race', holder, runKey: 'k1', now: T0, expiresAt: T5 }));
    const won = await Promise.all(claims);
    expect(won.filter(Boolean)).to.have.length(1);
    const holder = (await leaseOf(h.store, 'race'))!.holder;
    const other = holder === 'core-a' ? 'core-b' : 'core-a';
    expect(await acquireLease(h.store, { job: 'race', holder: other, runKey: 'k1', now: T1, expiresAt: T6 })).to.equal(false);
    expect(await renewLease(h.store, 'race', other, T6)).to.equal(false);
    expect(await releaseLease(h.store, 'race', other, T1, 'k1')).to.equal(false);
    expect(await renewLease(h.store, 'race', holder, T6)).to.equal(true);
  });

  it('takes over the lease of a holder that died once it has expired', async () => {
    expect(await acquireLease(h.store, { job: 'crash', holder: 'core-a', runKey: 'k1', now: T0, expiresAt: T5 })).to.equal(true);
    expect(await acquireLease(h.store, { job: 'crash', holder: 'core-b', runKey: 'k1', now: T1, expiresAt: T6 })).to.equal(false);
    expect(await acquireLease(h.store, { job: 'crash', holder: 'core-b', runKey: 'k1', now: T5, expiresAt: T6 })).to.equal(true);
    expect((await leaseOf(h.store, 'crash'))!.holder).to.equal('core-b');
    // The dead core, back, no longer holds it.
    expect(await releaseLease(h.store, 'crash', 'core-a', T5, 'k1')).to.equal(false);
  });

  it('runs an occurrence once: released with its key, it is not taken again; a failed run is', async () => {
    expect(await acquireLease(h.store, { job: 'daily', holder: 'core-a', runKey: '2026-11-12', now: T0, expiresAt: T5 })).to.equal(true);
    expect(await releaseLease(h.store, 'daily', 'core-a', T1, '2026-11-12')).to.equal(true);
    expect(await acquireLease(h.store, { job: 'daily', holder: 'core-b', runKey: '2026-11-12', now: T1, expiresAt: T6 })).to.equal(false);
    expect(await acquireLease(h.store, { job: 'daily', holder: 'core-a', runKey: '2026-11-12', now: T1, expiresAt: T6 })).to.equal(false);
    expect(await acquireLease(h.store, { job: 'daily', holder: 'core-b', runKey: '2026-11-13', now: T1, expiresAt: T6 })).to.equal(true);
    expect(await releaseLease(h.store, 'daily', 'core-b', T1, null)).to.equal(true);
    expect(await acquireLease(h.store, { job: 'daily', holder: 'core-a', runKey: '2026-11-13', now: T1, expiresAt: T6 })).to.equal(true);
    expect(await leaseOf(h.store, 'daily')).to.deep.include({ holder: 'core-a', last_run_key: '2026-11-12' });
  });
});
