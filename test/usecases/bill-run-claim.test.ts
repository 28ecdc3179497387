// One running bill run per period, across cores: a live run refuses a second one; a run whose
// process died (no heartbeat for billRunStaleMs) is marked failed and taken over.

import { expect } from 'chai';
import { LIMITS } from '../../src/limits.ts';
import { findBillRun, finishBillRun, insertBillRun } from '../../src/store/bill.repository.ts';
import { recordRunProgress, runningRunOfPeriod } from '../../src/store/bill-run.repository.ts';
import { isUniqueViolation } from '../../src/store/payment.repository.ts';
import { getBillRun } from '../../src/usecases/get-bill-run.ts';
import { runBilling, startBilling } from '../../src/usecases/run-billing.ts';
import { expectFault } from '../support/payments.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';

const NOW = new Date('2026-11-20T02:00:00.000Z');

describeOnEveryStore('claiming a bill run', (h) => {
  before(async () => importFixtureTariffs(h.store));

  it('refuses a run of a period whose run is alive, and answers its progress', async () => {
    const live = await insertBillRun(h.store, { period: '2026-07', segment: null, startedAt: '2026-11-20T01:00:00.000Z' });
    await recordRunProgress(h.store, live, '2026-11-20T01:59:00.000Z', { customers: 7, bills: 5, exceptionsByRule: { VER_FIRST_BILL: 2 } });
    await expectFault(startBilling(h.store, { period: '2026-07', now: NOW.toISOString(), clock: () => NOW }), 'BILL_RUN_IN_PROGRESS');
    const view = await getBillRun(h.store, live, NOW);
    expect(view).to.include({ status: 'running', customers: 7, bills: 5, finishedAt: null });
    expect(view.exceptionsByRule).to.deep.equal({ VER_FIRST_BILL: 2 });
  });

  it('takes over a period whose running run has been silent for billRunStaleMs, marking it failed', async () => {
    const dead = await insertBillRun(h.store, { period: '2026-06', segment: null, startedAt: '2026-11-19T00:00:00.000Z' });
    const later = new Date(Date.parse('2026-11-19T00:00:00.000Z') + LIMITS.billRunStaleMs);
    expect((await getBillRun(h.store, dead, later)).status).to.equal('failed');
    const summary = await runBilling(h.store, { period: '2026-06', now: later.toISOString(), clock: () => later, inProcess: true });
    expect(summary.runId).to.not.equal(dead);
    expect((await findBillRun(h.store, dead))!.status).to.equal('failed');
    expect((await findBillRun(h.store, summary.runId))!).to.include({ status: 'finished', finished_at: later.toISOString() });
    // Finished: the period may be run again at once.
    const again = await runBilling(h.store, { period: '2026-06', now: later.toISOString(), clock: () => later, inProcess: true });
    expect(again.runId).to.be.greaterThan(summary.runId);
  });

  it('leaves the database itself refusing a second running run of a period, whichever core tries', async () => {
    await insertBillRun(h.store, { period: '2026-05', segment: null, startedAt: NOW.toISOString() });
    const second = await insertBillRun(h.store, { period: '2026-05', segment: 'residential', startedAt: NOW.toISOString() }).catch((e: unknown) => e);
    expect(isUniqueViolation(second), String(second)).to.equal(true);
    // Finished and failed runs of the period are any number.
    await finishBillRun(h.store, (await runningRunOfPeriod(h.store, '2026-05'))!.id, 'finished', NOW.toISOString(), {});
    await insertBillRun(h.store, { period: '2026-05', segment: null, startedAt: NOW.toISOString() });
  });

  it('answers NOT_FOUND for a run that does not exist', async () => {
    await expectFault(getBillRun(h.store, 987_654, NOW), 'NOT_FOUND');
  });
});
