import { expect } from 'chai';
import { LIMITS } from '../../src/limits.ts';
import { PortalSessions } from '../../src/portal/portal-sessions.ts';

const FIELDS = { coreToken: 'core-token', customerNo: '3300000000019', customerName: '张*', coreExpiresAtMs: 10_000_000 };

describe('portal sessions', () => {
  it('gives each login a new random id and finds it again until it idles out', () => {
    let now = 1_000;
    const sessions = new PortalSessions(() => now, 10, 500);
    const a = sessions.create(FIELDS);
    const b = sessions.create(FIELDS);
    expect(a.id).to.match(/^[A-Za-z0-9_-]{43}$/).and.not.equal(b.id);
    now += 499;
    expect(sessions.get(a.id)).to.equal(a);
    now += 499;
    expect(sessions.get(a.id), 'used 499 ms ago').to.equal(a);
    now += 500;
    expect(sessions.get(a.id), 'idle for the limit').to.equal(undefined);
    expect(sessions.get(undefined)).to.equal(undefined);
    expect(sessions.get('unknown')).to.equal(undefined);
  });

  it('ends a session when the core session expires, whatever its use', () => {
    let now = 1_000;
    const sessions = new PortalSessions(() => now);
    const s = sessions.create({ ...FIELDS, coreExpiresAtMs: 2_000 });
    now = 1_999;
    expect(sessions.get(s.id)).to.equal(s);
    now = 2_000;
    expect(sessions.get(s.id)).to.equal(undefined);
  });

  it('holds at most sessionsMax sessions, ending the least recently used first', () => {
    const sessions = new PortalSessions(() => 1_000, 3, 60_000);
    const [a, b, c] = [sessions.create(FIELDS), sessions.create(FIELDS), sessions.create(FIELDS)];
    sessions.get(a.id);
    const d = sessions.create(FIELDS);
    expect(sessions.size).to.equal(3);
    expect(sessions.get(b.id)).to.equal(undefined);
    expect([a, c, d].map((s) => sessions.get(s.id) === s)).to.deep.equal([true, true, true]);
  });

  it('remembers at most portalPaymentFormsMax payment forms, forgetting unsent ones first', () => {
    const sessions = new PortalSessions(() => 1_000);
    const s = sessions.create(FIELDS);
    const sent = PortalSessions.issuePaymentForm(s);
    sent.order = { billNos: ['2026093300000000019'], bankAccount: '6222000003300000000', amount: '1.00' };
    for (let i = 0; i < LIMITS.portalPaymentFormsMax + 5; i += 1) PortalSessions.issuePaymentForm(s);
    expect(s.payments.size).to.equal(LIMITS.portalPaymentFormsMax);
    expect(s.payments.get(sent.requestId)).to.equal(sent);
    for (const id of s.payments.keys()) expect(id).to.match(/^WEB[0-9A-F]{24}$/);
  });
});
