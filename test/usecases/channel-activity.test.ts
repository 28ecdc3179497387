import { expect } from 'chai';
import { addChannel } from '../support/payments.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { ChannelActivity, channelStatus } from '../../src/usecases/channel-activity.ts';
import { LIMITS } from '../../src/limits.ts';

describeOnEveryStore('channel activity', (h) => {
  before(async () => {
    await addChannel(h.store, 'bank-x');
    await addChannel(h.store, 'bank-y', false);
  });

  const stored = () => h.store.db.selectFrom('channel_activity').select(['channel_code', 'day', 'calls', 'failures', 'last_seen'])
    .orderBy('channel_code').orderBy('day').execute();

  it('writes nothing per call; a flush adds the counts of every core to one row per channel and day', async () => {
    const coreA = new ChannelActivity(h.store);
    const coreB = new ChannelActivity(h.store);
    coreA.record('bank-x', true, '2026-11-27', '2026-11-27T01:00:00.000Z');
    coreA.record('bank-x', false, '2026-11-27', '2026-11-27T03:00:00.000Z');
    coreB.record('bank-x', true, '2026-11-27', '2026-11-27T02:00:00.000Z');
    coreB.record('bank-x', true, '2026-11-28', '2026-11-27T16:30:00.000Z');
    coreA.record('nobody', false, '2026-11-27', '2026-11-27T01:00:00.000Z');
    expect(await stored()).to.deep.equal([]);
    await Promise.all([coreA.flush(), coreB.flush()]);
    await coreA.flush(); // nothing left: nothing added
    expect(await stored()).to.deep.equal([
      { channel_code: 'bank-x', day: '2026-11-27', calls: 3, failures: 1, last_seen: '2026-11-27T03:00:00.000Z' },
      { channel_code: 'bank-x', day: '2026-11-28', calls: 1, failures: 0, last_seen: '2026-11-27T16:30:00.000Z' },
    ]);
  });

  it('answers the stored counts plus this core\'s unwritten ones; last seen on any day', async () => {
    const core = new ChannelActivity(h.store);
    core.record('bank-x', false, '2026-11-27', '2026-11-27T05:00:00.000Z');
    const today = await channelStatus(h.store, core, { day: '2026-11-27' });
    expect(today).to.deep.equal([
      { code: 'bank-x', name: 'channel bank-x', enabled: true, calls: 4, failures: 2, lastSeen: '2026-11-27T16:30:00.000Z' },
      { code: 'bank-y', name: 'channel bank-y', enabled: false, calls: 0, failures: 0, lastSeen: null },
    ]);
    expect(await channelStatus(h.store, undefined, { day: '2026-11-29', channelCode: 'bank-x' })).to.deep.equal([
      { code: 'bank-x', name: 'channel bank-x', enabled: true, calls: 0, failures: 0, lastSeen: '2026-11-27T16:30:00.000Z' },
    ]);
    const error = await channelStatus(h.store, core, { day: '2026-11-27', channelCode: 'nobody' }).catch((e: Error & { code?: string }) => e);
    expect((error as { code?: string }).code).to.equal('NOT_FOUND');
  });

  it('keeps the counts of a failed flush for the next one', async () => {
    const broken = new ChannelActivity({ db: { selectFrom: () => { throw new Error('database down'); } }, dialect: h.store.dialect } as never);
    broken.record('bank-y', true, '2026-11-30', '2026-11-30T01:00:00.000Z');
    broken.record('bank-y', false, '2026-11-30', '2026-11-30T02:00:00.000Z');
    await broken.flush().then(() => expect.fail('flush should fail'), (e: Error) => expect(e.message).to.equal('database down'));
    expect(broken.unwritten('2026-11-30')).to.have.length(1);
    expect(broken.unwritten('2026-11-30')[0]).to.include({ channelCode: 'bank-y', day: '2026-11-30', calls: 2, failures: 1, serverFailures: 0, lastSeen: '2026-11-30T02:00:00.000Z' });
    // Recorded meanwhile on a working store: both land.
    const fixed = new ChannelActivity(h.store);
    fixed.record('bank-y', true, '2026-11-30', '2026-11-30T03:00:00.000Z');
    expect(fixed.unwritten('2026-11-30')[0]).to.include({ calls: 1 });
  });

  it('adds server failures and latency buckets of every core to the stored row', async () => {
    const coreA = new ChannelActivity(h.store);
    const coreB = new ChannelActivity(h.store);
    coreA.record('bank-x', 'server-fault', '2026-12-01', '2026-12-01T01:00:00.000Z', 3);
    coreB.record('bank-x', 'ok', '2026-12-01', '2026-12-01T01:00:00.000Z', 3);
    coreB.record('bank-x', 'client-fault', '2026-12-01', '2026-12-01T01:00:00.000Z', 70000);
    await coreA.flush();
    await coreB.flush();
    const row = await h.store.db.selectFrom('channel_activity').selectAll().where('channel_code', '=', 'bank-x').where('day', '=', '2026-12-01').executeTakeFirstOrThrow();
    expect([Number(row.calls), Number(row.failures), Number(row.server_failures)]).to.deep.equal([3, 2, 1]);
    expect([Number(row.latency_le_5ms), Number(row.latency_over_60000ms), Number(row.latency_le_1ms)]).to.deep.equal([2, 1, 0]);
  });

  it('holds at most channelActivityKeysMax channel-days between flushes', () => {
    const core = new ChannelActivity(h.store);
    for (let i = 0; i < LIMITS.channelActivityKeysMax + 10; i += 1) core.record(`made-up-${i}`, false, '2026-11-27', '2026-11-27T01:00:00.000Z');
    expect(core.unwritten('2026-11-27')).to.have.length(LIMITS.channelActivityKeysMax);
  });
});
