import { expect } from 'chai';
import { verifyAuditChain } from '../../src/store/audit.repository.ts';
import { addStaffUser, ensureDemoStaff, setStaffUserEnabled, staffUsers } from '../../src/usecases/staff-accounts.ts';
import { staffLogin, staffLogout, staffSession } from '../../src/usecases/staff-session.ts';
import { describeOnEveryStore } from '../support/stores.ts';

const NOW = '2026-11-01T02:00:00.000Z';
const HOUR_MS = 3_600_000;
const later = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

async function refusedWith(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'not refused';
}

describeOnEveryStore('staff sessions', (h) => {
  before(async () => {
    await addStaffUser(h.store, { username: 'li', role: 'operator', password: 'operator2026' }, 'test', NOW);
  });

  it('opens a session that lasts a shift, ends at logout and is never stored as the token', async () => {
    const login = await staffLogin(h.store, { username: 'li', password: 'operator2026', now: NOW });
    expect((await staffSession(h.store, login.token, later(7 * HOUR_MS))).role).to.equal('operator');
    expect(await refusedWith(staffSession(h.store, login.token, later(8 * HOUR_MS)))).to.equal('STAFF_SESSION_INVALID');
    const stored = await h.store.db.selectFrom('console_sessions').select('token_hash').execute();
    expect(stored.map((r) => r.token_hash)).to.not.include(login.token);
    const again = await staffLogin(h.store, { username: 'li', password: 'operator2026', now: NOW });
    await staffLogout(h.store, again, NOW);
    expect(await refusedWith(staffSession(h.store, again.token, NOW))).to.equal('STAFF_SESSION_INVALID');
  });

  it('answers an unknown user as a wrong password, and ends the sessions of a disabled one', async () => {
    expect(await refusedWith(staffLogin(h.store, { username: 'nobody', password: 'operator2026', now: NOW }))).to.equal('STAFF_LOGIN_FAILED');
    const login = await staffLogin(h.store, { username: 'li', password: 'operator2026', now: NOW });
    await setStaffUserEnabled(h.store, 'li', false, 'admin', NOW);
    expect(await refusedWith(staffSession(h.store, login.token, NOW))).to.equal('STAFF_SESSION_INVALID');
    expect(await refusedWith(staffLogin(h.store, { username: 'li', password: 'operator2026', now: NOW }))).to.equal('STAFF_LOGIN_FAILED');
    await setStaffUserEnabled(h.store, 'li', true, 'admin', NOW);
  });

  it('locks after repeated failures until the lockout ends', async () => {
    await addStaffUser(h.store, { username: 'zhao', role: 'auditor', password: 'auditor2026' }, 'test', NOW);
    const codes = [];
    for (let i = 0; i < 5; i += 1) codes.push(await refusedWith(staffLogin(h.store, { username: 'zhao', password: 'wrong-1', now: NOW })));
    expect(codes).to.deep.equal(['STAFF_LOGIN_FAILED', 'STAFF_LOGIN_FAILED', 'STAFF_LOGIN_FAILED', 'STAFF_LOGIN_FAILED', 'STAFF_LOCKED']);
    expect(await refusedWith(staffLogin(h.store, { username: 'zhao', password: 'auditor2026', now: later(60_000) }))).to.equal('STAFF_LOCKED');
    expect((await staffLogin(h.store, { username: 'zhao', password: 'auditor2026', now: later(HOUR_MS) })).role).to.equal('auditor');
  });

  it('adds the missing demo staff once, and keeps the audit chain intact', async () => {
    expect(await ensureDemoStaff(h.store, NOW)).to.equal(4);
    expect(await ensureDemoStaff(h.store, NOW)).to.equal(0);
    expect((await staffUsers(h.store)).map((u) => u.username)).to.include.members(['admin', 'clerk', 'auditor', 'operator']);
    expect((await verifyAuditChain(h.store)).kind).to.equal('intact');
  });
});
