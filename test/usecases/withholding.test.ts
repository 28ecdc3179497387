import { expect } from 'chai';
import { describeOnEveryStore } from '../support/stores.ts';
import { addChannel, addCustomer, countRows, expectFault, nowOn } from '../support/payments.ts';
import { verifyAuditChain } from '../../src/store/audit.repository.ts';
import { cancelWithholding, type CancelWithholdingRequest } from '../../src/usecases/cancel-withholding.ts';
import { signWithholding, type SignWithholdingRequest } from '../../src/usecases/sign-withholding.ts';

const ACCOUNT = '6222021234567890123';
const MASKED = '6222***********0123';

function sign(agreementId: string, customerNo: string, extra: Partial<SignWithholdingRequest> = {}): SignWithholdingRequest {
  return { channelCode: 'BANKW', agreementId, customerNo, bankAccount: ACCOUNT, accountHolderName: '张三丰', now: nowOn('2026-10-05'), ...extra };
}

function cancel(agreementId: string, customerNo: string, extra: Partial<CancelWithholdingRequest> = {}): CancelWithholdingRequest {
  return { channelCode: 'BANKW', agreementId, customerNo, now: nowOn('2026-10-06'), ...extra };
}

describeOnEveryStore('SignWithholding and CancelWithholding', (h) => {
  before(async () => {
    await addChannel(h.store, 'BANKW');
    await addChannel(h.store, 'BANKX');
    await addChannel(h.store, 'BANKOFF', false);
    for (const no of ['3300000021001', '3300000021002', '3300000021003', '3300000021004', '3300000021005']) await addCustomer(h.store, no);
  });

  it('signs: the answer is masked and ACTIVE at the signing time; the full account is stored, the audit record masks it', async () => {
    const auditBefore = await countRows(h.store, 'audit_log');
    const answer = await signWithholding(h.store, sign('AG-1', '3300000021001'));
    expect(answer).to.deep.equal({ agreementId: 'AG-1', customerNo: '3300000021001', bankAccount: MASKED, status: 'ACTIVE', changedAt: nowOn('2026-10-05') });
    const row = await h.store.db.selectFrom('withholding_agreements').selectAll().where('agreement_id', '=', 'AG-1').executeTakeFirstOrThrow();
    expect(row).to.include({ bank_account: ACCOUNT, account_holder_name: '张三丰', status: 'active', cancelled_at: null });
    expect(await countRows(h.store, 'audit_log')).to.equal(auditBefore + 1);
    const audit = await h.store.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).to.include({ action: 'sign-withholding', actor: 'channel:BANKW' });
    expect(JSON.stringify(audit)).not.to.include(ACCOUNT);
    expect(JSON.stringify(audit)).to.include(MASKED);
  });

  it('signing again with identical content is idempotent: the same answer, nothing written', async () => {
    const first = await signWithholding(h.store, sign('AG-2', '3300000021002'));
    const rows = await countRows(h.store, 'audit_log');
    const again = await signWithholding(h.store, sign('AG-2', '3300000021002', { now: nowOn('2026-10-09') }));
    expect(again).to.deep.equal(first);
    expect(await countRows(h.store, 'audit_log')).to.equal(rows);
  });

  it('concurrent identical signings store one agreement and give one answer', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => signWithholding(h.store, sign('AG-C', '3300000021005'))));
    for (const a of answers) expect(a).to.deep.equal(answers[0]);
    const n = await h.store.db.selectFrom('withholding_agreements').select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('agreement_id', '=', 'AG-C').executeTakeFirstOrThrow();
    expect(Number(n.n)).to.equal(1);
  });

  it('the same agreement id with other content: AGREEMENT_ID_CONFLICT', async () => {
    await expectFault(signWithholding(h.store, sign('AG-2', '3300000021002', { bankAccount: '6222020000000000001' })), 'AGREEMENT_ID_CONFLICT');
    await expectFault(signWithholding(h.store, sign('AG-2', '3300000021002', { accountHolderName: '李四' })), 'AGREEMENT_ID_CONFLICT');
    await expectFault(signWithholding(h.store, sign('AG-2', '3300000021003')), 'AGREEMENT_ID_CONFLICT');
  });

  it('a second agreement while one is active with the channel: AGREEMENT_ALREADY_ACTIVE; another channel may sign', async () => {
    await expectFault(signWithholding(h.store, sign('AG-2B', '3300000021002')), 'AGREEMENT_ALREADY_ACTIVE');
    const other = await signWithholding(h.store, sign('AG-2', '3300000021002', { channelCode: 'BANKX' }));
    expect(other.status).to.equal('ACTIVE');
  });

  it('refuses malformed requests, unknown customers and disabled channels', async () => {
    await expectFault(signWithholding(h.store, sign('-bad', '3300000021003')), 'VALIDATION_FAILED');
    await expectFault(signWithholding(h.store, sign('AG-3', '33')), 'VALIDATION_FAILED');
    await expectFault(signWithholding(h.store, sign('AG-3', '3300000021003', { bankAccount: '62220' })), 'VALIDATION_FAILED');
    await expectFault(signWithholding(h.store, sign('AG-3', '3300000021003', { accountHolderName: '' })), 'VALIDATION_FAILED');
    await expectFault(signWithholding(h.store, sign('AG-3', '3300000021003', { accountHolderName: 'a\nb' })), 'VALIDATION_FAILED');
    await expectFault(signWithholding(h.store, sign('AG-3', '9999999999')), 'CUSTOMER_NOT_FOUND');
    await expectFault(signWithholding(h.store, sign('AG-3', '3300000021003', { channelCode: 'BANKOFF' })), 'CHANNEL_NOT_FOUND');
    await expectFault(cancelWithholding(h.store, cancel('AG-1', '3300000021001', { channelCode: 'BANKOFF' })), 'CHANNEL_NOT_FOUND');
    await expectFault(cancelWithholding(h.store, cancel('AG 1', '3300000021001')), 'VALIDATION_FAILED');
  });

  it('cancels: CANCELLED at the cancelling time, audited; cancelling twice gives the same answer', async () => {
    await signWithholding(h.store, sign('AG-4', '3300000021004'));
    const auditBefore = await countRows(h.store, 'audit_log');
    const first = await cancelWithholding(h.store, cancel('AG-4', '3300000021004'));
    expect(first).to.deep.equal({ agreementId: 'AG-4', customerNo: '3300000021004', bankAccount: MASKED, status: 'CANCELLED', changedAt: nowOn('2026-10-06') });
    const again = await cancelWithholding(h.store, cancel('AG-4', '3300000021004', { now: nowOn('2026-10-08') }));
    expect(again).to.deep.equal(first);
    expect(await countRows(h.store, 'audit_log')).to.equal(auditBefore + 1);
    const audit = await h.store.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).to.include({ action: 'cancel-withholding', actor: 'channel:BANKW' });
  });

  it('after a cancel the customer may sign a new agreement; the old one repeated still gets its first answer', async () => {
    const renewed = await signWithholding(h.store, sign('AG-4B', '3300000021004', { now: nowOn('2026-10-07') }));
    expect(renewed).to.include({ status: 'ACTIVE', changedAt: nowOn('2026-10-07') });
    expect(await signWithholding(h.store, sign('AG-4', '3300000021004'))).to.include({ status: 'ACTIVE', changedAt: nowOn('2026-10-05') });
  });

  it('cancel of an unknown agreement, another channel\'s or another customer\'s: AGREEMENT_NOT_FOUND, nothing changes', async () => {
    await expectFault(cancelWithholding(h.store, cancel('AG-NONE', '3300000021001')), 'AGREEMENT_NOT_FOUND');
    await expectFault(cancelWithholding(h.store, cancel('AG-1', '3300000021001', { channelCode: 'BANKX' })), 'AGREEMENT_NOT_FOUND');
    await expectFault(cancelWithholding(h.store, cancel('AG-1', '3300000021002')), 'AGREEMENT_NOT_FOUND');
    await expectFault(cancelWithholding(h.store, cancel('AG-1', '9999999999')), 'AGREEMENT_NOT_FOUND');
    const row = await h.store.db.selectFrom('withholding_agreements').selectAll()
      .where('agreement_id', '=', 'AG-1').executeTakeFirstOrThrow();
    expect(row.status).to.equal('active');
  });

  it('concurrent cancels: one cancellation, every caller the same answer', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => cancelWithholding(h.store, cancel('AG-C', '3300000021005'))));
    for (const a of answers) expect(a).to.deep.equal(answers[0]);
    expect(answers[0]!.status).to.equal('CANCELLED');
  });

  it('leaves the audit chain intact', async () => {
    expect(await verifyAuditChain(h.store)).to.deep.equal({ kind: 'intact', records: 8 });
  });
});
