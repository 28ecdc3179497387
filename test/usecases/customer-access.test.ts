import { expect } from 'chai';
import { LIMITS } from '../../src/limits.ts';
import { verifyAuditChain } from '../../src/store/audit.repository.ts';
import { sessionCustomer } from '../../src/usecases/customer-session.ts';
import { login } from '../../src/usecases/login.ts';
import { logout } from '../../src/usecases/logout.ts';
import { openOnlineBanking } from '../../src/usecases/open-online-banking.ts';
import { requestLoginCode } from '../../src/usecases/request-login-code.ts';
import { updateProfile } from '../../src/usecases/update-profile.ts';
import { PASSWORD, addOnlineCustomer, after, lastCodeTo, loginNow, outboxCount } from '../support/customer-access.ts';
import { addCustomer, expectFault, nowOn } from '../support/payments.ts';
import { describeOnEveryStore } from '../support/stores.ts';

const T0 = nowOn('2026-10-05');

describeOnEveryStore('customer access: online banking, login codes, login, sessions', (h) => {
  before(async () => {
    for (const [no, phone] of [['3300000031001', '13800000001'], ['3300000031002', '13800000002'], ['3300000031003', '13800000003'],
      ['3300000031004', '13800000004'], ['3300000031005', '13800000005'], ['3300000031006', '13800000006']] as const) {
      await addOnlineCustomer(h.store, no, phone, T0);
    }
    await addCustomer(h.store, '3300000031099'); // no online access, no phone
  });

  describe('OpenOnlineBanking', () => {
    it('opens access: the phone is bound, the password stored only as an salted scrypt hash, an SMS says so, the audit chain holds', async () => {
      await addCustomer(h.store, '3300000031010');
      const answer = await openOnlineBanking(h.store, { customerNo: '3300000031010', password: 'first2026pw', phone: '13900000010', now: T0 });
      expect(answer).to.deep.equal({ customerNo: '3300000031010', phone: '139****0010', status: 'OPENED', openedAt: '2026-10-05T10:00:00.000+08:00' });
      const row = await h.store.db.selectFrom('customer_credentials').innerJoin('customers', 'customers.id', 'customer_credentials.customer_id')
        .selectAll().where('customers.customer_no', '=', '3300000031010').executeTakeFirstOrThrow();
      expect(row.phone).to.equal('13900000010');
      expect(row.password_params).to.equal('scrypt:16384:8:1:32');
      expect(row.password_hash).to.match(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.to.include('first2026pw');
      const sms = await h.store.db.selectFrom('sms_outbox').selectAll().where('phone', '=', '13900000010').executeTakeFirstOrThrow();
      expect(sms).to.include({ template: 'online-access-opened', status: 'pending' });
      expect(sms.body).to.include('3300000031010').and.not.to.include('first2026pw');
      expect((await verifyAuditChain(h.store)).kind).to.equal('intact');
    });

    it('is safe to repeat: ALREADY_OPEN, nothing changed, no second SMS', async () => {
      const sent = await outboxCount(h.store, '13900000010');
      const again = await openOnlineBanking(h.store, { customerNo: '3300000031010', password: 'other2026pw', phone: '13900000099', now: after(T0, 5) });
      expect(again).to.deep.equal({ customerNo: '3300000031010', phone: '139****0010', status: 'ALREADY_OPEN', openedAt: '2026-10-05T10:00:00.000+08:00' });
      expect(await outboxCount(h.store, '13900000010')).to.equal(sent);
      expect(await outboxCount(h.store, '13900000099')).to.equal(0);
    });

    it('without a password draws one and sends it by SMS only; it logs in', async () => {
      await addCustomer(h.store, '3300000031011');
      await openOnlineBanking(h.store, { customerNo: '3300000031011', phone: '13900000011', now: T0 });
      const body = (await h.store.db.selectFrom('sms_outbox').select('body').where('phone', '=', '13900000011').executeTakeFirstOrThrow()).body;
      const password = /初始密码为([A-Za-z0-9]{10})/.exec(body)?.[1];
      expect(password, body).to.be.a('string');
      const audit = await h.store.db.selectFrom('audit_log').select('detail').where('subject', '=', '3300000031011').executeTakeFirstOrThrow();
      expect(audit.detail).not.to.include(password!);
      const session = await loginNow(h.store, '3300000031011', '13900000011', after(T0, 1), password);
      expect(session.customerNo).to.equal('3300000031011');
    });

    it('refuses an unknown customer, a weak password, a bad phone, and a customer without a phone', async () => {
      await expectFault(openOnlineBanking(h.store, { customerNo: '3300000039999', password: PASSWORD, phone: '13900000012', now: T0 }), 'CUSTOMER_NOT_FOUND');
      await addCustomer(h.store, '3300000031012');
      for (const weak of ['short1', 'onlyletters', '1234567890', `a1${'x'.repeat(127)}`]) {
        await expectFault(openOnlineBanking(h.store, { customerNo: '3300000031012', password: weak, phone: '13900000012', now: T0 }), 'PASSWORD_POLICY');
      }
      await expectFault(openOnlineBanking(h.store, { customerNo: '3300000031012', password: PASSWORD, phone: '12900000012', now: T0 }), 'VALIDATION_FAILED');
      await expectFault(openOnlineBanking(h.store, { customerNo: '3300000031012', password: PASSWORD, now: T0 }), 'VALIDATION_FAILED');
    });
  });

  describe('RequestLoginCode', () => {
    it('sends a 6-digit code in Chinese to the registered phone, stored only as a hash, and answers the phone masked', async () => {
      const answer = await requestLoginCode(h.store, { customerNo: '3300000031001', now: T0 });
      expect(answer).to.deep.equal({ sentTo: '138****0001', expiresAt: '2026-10-05T10:05:00.000+08:00', resendAfterSeconds: 60 });
      const code = await lastCodeTo(h.store, '13800000001');
      const stored = await h.store.db.selectFrom('login_codes').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(stored).to.include({ purpose: 'login', phone: '13800000001', consumed_at: null });
      expect(JSON.stringify(stored)).not.to.include(code);
      const body = (await h.store.db.selectFrom('sms_outbox').select('body').where('phone', '=', '13800000001').orderBy('id', 'desc').executeTakeFirstOrThrow()).body;
      expect(body).to.match(/^【网上营业厅】您的登录验证码为\d{6}，5分钟内有效。/);
    });

    it('answers an unknown customer and one without online access alike, without sentTo and without sending anything', async () => {
      const before = await outboxCount(h.store);
      for (const customerNo of ['3300000039999', '3300000031099']) {
        const answer = await requestLoginCode(h.store, { customerNo, now: T0 });
        expect(answer).to.deep.equal({ sentTo: undefined, expiresAt: '2026-10-05T10:05:00.000+08:00', resendAfterSeconds: 60 });
      }
      expect(await outboxCount(h.store)).to.equal(before);
    });

    it('throttles: within a minute no new code is sent and the answer says when; after it one is', async () => {
      await requestLoginCode(h.store, { customerNo: '3300000031002', now: T0 });
      const sent = await outboxCount(h.store, '13800000002');
      const soon = await requestLoginCode(h.store, { customerNo: '3300000031002', now: after(T0, 0.5) });
      expect(soon).to.deep.equal({ sentTo: '138****0002', expiresAt: '2026-10-05T10:05:00.000+08:00', resendAfterSeconds: 30 });
      expect(await outboxCount(h.store, '13800000002')).to.equal(sent);
      await requestLoginCode(h.store, { customerNo: '3300000031002', now: after(T0, 1) });
      expect(await outboxCount(h.store, '13800000002')).to.equal(sent + 1);
    });

    it(`sends at most ${LIMITS.loginCodesPerDayMax} codes in 24 hours, then says when the oldest ages out`, async () => {
      const base = nowOn('2026-10-07');
      for (let i = 0; i < LIMITS.loginCodesPerDayMax; i++) await requestLoginCode(h.store, { customerNo: '3300000031003', now: after(base, i * 2) });
      const sent = await outboxCount(h.store, '13800000003');
      const capped = await requestLoginCode(h.store, { customerNo: '3300000031003', now: after(base, 60) });
      expect(capped.resendAfterSeconds).to.equal((24 * 60 - 60) * 60);
      expect(await outboxCount(h.store, '13800000003')).to.equal(sent);
    });
  });

  describe('Login', () => {
    it('opens a session for password + code; only the token hash is stored; the code is used up', async () => {
      const now = nowOn('2026-10-08');
      await requestLoginCode(h.store, { customerNo: '3300000031001', now });
      const code = await lastCodeTo(h.store, '13800000001');
      const answer = await login(h.store, { customerNo: '3300000031001', password: PASSWORD, smsCode: code, channelCode: 'portal', now });
      expect(answer.sessionToken).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(answer).to.include({ expiresAt: '2026-10-08T11:00:00.000+08:00', customerNo: '3300000031001', customerName: '张*丰' });
      const sessions = await h.store.db.selectFrom('customer_sessions').selectAll().execute();
      expect(JSON.stringify(sessions)).not.to.include(answer.sessionToken);
      expect(await sessionCustomer(h.store, answer.sessionToken, after(now, 59))).to.include({ customerNo: '3300000031001' });
      await expectFault(login(h.store, { customerNo: '3300000031001', password: PASSWORD, smsCode: code, channelCode: 'portal', now: after(now, 1) }), 'SMS_CODE_EXPIRED');
    });

    it('refuses a wrong password, a wrong code, an unknown customer and a login without a code as LOGIN_FAILED', async () => {
      const now = nowOn('2026-10-09');
      await requestLoginCode(h.store, { customerNo: '3300000031004', now });
      const code = await lastCodeTo(h.store, '13800000004');
      const wrong = code === '000000' ? '000001' : '000000';
      await expectFault(login(h.store, { customerNo: '3300000031004', password: 'wrong2026pw', smsCode: code, channelCode: 'portal', now }), 'LOGIN_FAILED');
      await expectFault(login(h.store, { customerNo: '3300000031004', password: PASSWORD, smsCode: wrong, channelCode: 'portal', now }), 'LOGIN_FAILED');
      await expectFault(login(h.store, { customerNo: '3300000039999', password: PASSWORD, smsCode: code, channelCode: 'portal', now }), 'LOGIN_FAILED');
      await expectFault(login(h.store, { customerNo: '3300000031099', password: PASSWORD, smsCode: code, channelCode: 'portal', now }), 'LOGIN_FAILED');
      const row = await h.store.db.selectFrom('login_codes').select('attempts').orderBy('id', 'desc').where('phone', '=', '13800000004').executeTakeFirstOrThrow();
      expect(Number(row.attempts)).to.equal(1);
      // Two failures so far: the right pair still logs in and resets the count.
      await login(h.store, { customerNo: '3300000031004', password: PASSWORD, smsCode: code, channelCode: 'portal', now });
      const credential = await h.store.db.selectFrom('customer_credentials').innerJoin('customers', 'customers.id', 'customer_credentials.customer_id')
        .select('failed_logins').where('customer_no', '=', '3300000031004').executeTakeFirstOrThrow();
      expect(Number(credential.failed_logins)).to.equal(0);
    });

    it('refuses an expired code as SMS_CODE_EXPIRED, before looking at the password', async () => {
      const now = nowOn('2026-10-10');
      await requestLoginCode(h.store, { customerNo: '3300000031005', now });
      const code = await lastCodeTo(h.store, '13800000005');
      const late = after(now, LIMITS.loginCodeLifetimeMs / 60_000);
      await expectFault(login(h.store, { customerNo: '3300000031005', password: PASSWORD, smsCode: code, channelCode: 'portal', now: late }), 'SMS_CODE_EXPIRED');
      await expectFault(login(h.store, { customerNo: '3300000031005', password: 'wrong2026pw', smsCode: code, channelCode: 'portal', now: late }), 'SMS_CODE_EXPIRED');
    });

    it(`voids a code after ${LIMITS.loginCodeAttemptsMax} wrong entries and locks the access after ${LIMITS.loginFailuresMax} failed logins`, async () => {
      const now = nowOn('2026-10-11');
      await requestLoginCode(h.store, { customerNo: '3300000031006', now });
      const code = await lastCodeTo(h.store, '13800000006');
      const wrong = code === '000000' ? '000001' : '000000';
      for (let i = 1; i < LIMITS.loginFailuresMax; i++) {
        await expectFault(login(h.store, { customerNo: '3300000031006', password: PASSWORD, smsCode: wrong, channelCode: 'portal', now }), 'LOGIN_FAILED');
      }
      await expectFault(login(h.store, { customerNo: '3300000031006', password: PASSWORD, smsCode: wrong, channelCode: 'portal', now }), 'ACCOUNT_LOCKED');
      // Locked: even the right password and a fresh code are refused until the lockout ends.
      const code2Time = after(now, 2);
      await requestLoginCode(h.store, { customerNo: '3300000031006', now: code2Time });
      const code2 = await lastCodeTo(h.store, '13800000006');
      await expectFault(login(h.store, { customerNo: '3300000031006', password: PASSWORD, smsCode: code2, channelCode: 'portal', now: code2Time }), 'ACCOUNT_LOCKED');
      const first = await h.store.db.selectFrom('login_codes').select(['attempts', 'consumed_at']).where('phone', '=', '13800000006').orderBy('id').executeTakeFirstOrThrow();
      expect(Number(first.attempts)).to.equal(LIMITS.loginCodeAttemptsMax);
      expect(first.consumed_at).to.not.equal(null);
      const unlocked = after(now, LIMITS.loginLockoutMs / 60_000 + 1);
      const session = await loginNow(h.store, '3300000031006', '13800000006', unlocked);
      expect(session.customerNo).to.equal('3300000031006');
      const actions = (await h.store.db.selectFrom('audit_log').select('action').where('subject', '=', '3300000031006').execute()).map((r) => r.action);
      expect(actions).to.include.members(['customer-login-failed', 'customer-locked', 'customer-login']);
    });
  });

  describe('sessions and Logout', () => {
    it('a session ends at its expiry, and by Logout; both are SESSION_INVALID afterwards, as is a malformed token', async () => {
      const now = nowOn('2026-10-12');
      const session = await loginNow(h.store, '3300000031001', '13800000001', now);
      const end = after(now, LIMITS.customerSessionLifetimeMs / 60_000);
      await expectFault(sessionCustomer(h.store, session.sessionToken, end), 'SESSION_INVALID');
      const second = await loginNow(h.store, '3300000031001', '13800000001', after(now, 2));
      expect(await logout(h.store, { sessionToken: second.sessionToken, now: after(now, 3) })).to.deep.equal({ loggedOutAt: '2026-10-12T10:03:00.000+08:00' });
      await expectFault(sessionCustomer(h.store, second.sessionToken, after(now, 4)), 'SESSION_INVALID');
      await expectFault(logout(h.store, { sessionToken: second.sessionToken, now: after(now, 4) }), 'SESSION_INVALID');
      await expectFault(sessionCustomer(h.store, 'not a token', now), 'SESSION_INVALID');
      await expectFault(sessionCustomer(h.store, 'A'.repeat(43), now), 'SESSION_INVALID');
    });
  });

  describe('UpdateProfile', () => {
    it('changes the email at once', async () => {
      const now = nowOn('2026-10-13');
      const s = await loginNow(h.store, '3300000031002', '13800000002', now);
      const answer = await updateProfile(h.store, { sessionToken: s.sessionToken, email: 'zhang@example.cn', now });
      expect(answer).to.deep.equal({ status: 'UPDATED', phone: '138****0002', email: 'zhang@example.cn' });
    });

    it('changes the phone in two steps: a code to the new phone, then the code; the old phone is told', async () => {
      const now = nowOn('2026-10-14');
      const s = await loginNow(h.store, '3300000031002', '13800000002', now);
      const sent = await updateProfile(h.store, { sessionToken: s.sessionToken, newPhone: '13700000002', now });
      expect(sent).to.deep.equal({ status: 'CODE_SENT', phone: '138****0002', email: 'zhang@example.cn' });
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, newPhone: '13700000002', now: after(now, 0.5) }), 'SMS_TOO_SOON');
      const code = await lastCodeTo(h.store, '13700000002');
      const wrong = code === '000000' ? '000001' : '000000';
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, newPhone: '13700000002', phoneCode: wrong, now }), 'PHONE_CODE_INVALID');
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, newPhone: '13700000003', phoneCode: code, now }), 'PHONE_CODE_INVALID');
      const customer = await h.store.db.selectFrom('customers').select('phone').where('customer_no', '=', '3300000031002').executeTakeFirstOrThrow();
      expect(customer.phone).to.equal('13800000002');
      const done = await updateProfile(h.store, { sessionToken: s.sessionToken, newPhone: '13700000002', phoneCode: code, now: after(now, 1) });
      expect(done).to.deep.equal({ status: 'UPDATED', phone: '137****0002', email: 'zhang@example.cn' });
      const notice = await h.store.db.selectFrom('sms_outbox').selectAll().where('phone', '=', '13800000002').orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(notice.template).to.equal('phone-changed');
      expect(notice.body).to.include('137****0002');
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, newPhone: '13700000002', phoneCode: code, now: after(now, 2) }), 'PHONE_CODE_INVALID');
    });

    it('refuses a code without a phone, a phone change without a code request, and an empty update', async () => {
      const now = nowOn('2026-10-15');
      const s = await loginNow(h.store, '3300000031003', '13800000003', now);
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, phoneCode: '123456', now }), 'VALIDATION_FAILED');
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, newPhone: '13700000009', phoneCode: '123456', now }), 'PHONE_CODE_INVALID');
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, now }), 'VALIDATION_FAILED');
      await expectFault(updateProfile(h.store, { sessionToken: 'x'.repeat(43), email: 'a@b.cn', now }), 'SESSION_INVALID');
    });

    it('changes the password with the current one, ends the other sessions; a wrong current one is PASSWORD_WRONG', async () => {
      const now = nowOn('2026-10-16');
      const other = await loginNow(h.store, '3300000031005', '13800000005', now);
      const s = await loginNow(h.store, '3300000031005', '13800000005', after(now, 1));
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, currentPassword: 'wrong2026pw', newPassword: 'newer2026pw', now: after(now, 2) }), 'PASSWORD_WRONG');
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, currentPassword: PASSWORD, newPassword: 'short', now: after(now, 2) }), 'PASSWORD_POLICY');
      await expectFault(updateProfile(h.store, { sessionToken: s.sessionToken, currentPassword: PASSWORD, now: after(now, 2) }), 'VALIDATION_FAILED');
      const answer = await updateProfile(h.store, { sessionToken: s.sessionToken, currentPassword: PASSWORD, newPassword: 'newer2026pw', now: after(now, 2) });
      expect(answer.status).to.equal('UPDATED');
      await expectFault(sessionCustomer(h.store, other.sessionToken, after(now, 3)), 'SESSION_INVALID');
      expect(await sessionCustomer(h.store, s.sessionToken, after(now, 3))).to.include({ customerNo: '3300000031005' });
      await expectFault(loginNow(h.store, '3300000031005', '13800000005', after(now, 4)), 'LOGIN_FAILED');
      expect((await loginNow(h.store, '3300000031005', '13800000005', after(now, 5), 'newer2026pw')).customerNo).to.equal('3300000031005');
    });
  });
});
