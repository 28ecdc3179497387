import { expect } from 'chai';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { addChannel, addCustomer, addIssuedBill, expectFault, expectLedgerBalanced, nowOn } from '../support/payments.ts';
import { pay } from '../../src/usecases/pay.ts';
import { reversePayment } from '../../src/usecases/reverse-payment.ts';
import { queryTransaction } from '../../src/usecases/query-transaction.ts';

describeOnEveryStore('QueryTransaction', (h) => {
  before(async () => {
    await importFixtureTariffs(h.store);
    await addChannel(h.store, 'BANKT');
    await addChannel(h.store, 'BANKU');
    await addChannel(h.store, 'BANKOFF', false);
    await addIssuedBill(h.store, { customerId: await addCustomer(h.store, '3300000021001'), billNo: 'QT1', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
  });
  afterEach(async () => expectLedgerBalanced(h.store));

  const base = { channelCode: 'BANKT', customerNo: '3300000021001', accountingDate: '2026-10-03', now: nowOn('2026-10-03') };

  it('answers NOT_FOUND for an id never seen, and for another channel\'s id', async () => {
    expect(await queryTransaction(h.store, { channelCode: 'BANKT', channelTxnId: 'QT-NONE' })).to.deep.equal({ status: 'NOT_FOUND', receipt: null, reversal: null });
    await pay(h.store, { ...base, channelTxnId: 'QT-OTHER', amountFen: 100 });
    expect(await queryTransaction(h.store, { channelCode: 'BANKU', channelTxnId: 'QT-OTHER' })).to.deep.equal({ status: 'NOT_FOUND', receipt: null, reversal: null });
  });

  it('answers POSTED with the receipt exactly as Pay first gave it', async () => {
    const receipt = await pay(h.store, { ...base, channelTxnId: 'QT-P', amountFen: 1_000 });
    expect(await queryTransaction(h.store, { channelCode: 'BANKT', channelTxnId: 'QT-P' })).to.deep.equal({ status: 'POSTED', receipt, reversal: null });
  });

  it('answers REVERSED with both receipts, by the payment\'s id or the reversal\'s', async () => {
    const receipt = await pay(h.store, { ...base, channelTxnId: 'QT-R', amountFen: 2_000 });
    const reversal = await reversePayment(h.store, { channelCode: 'BANKT', reversalTxnId: 'QT-R-REV', originalTxnId: 'QT-R', accountingDate: '2026-10-03', now: nowOn('2026-10-03') });
    const expected = { status: 'REVERSED', receipt, reversal };
    expect(await queryTransaction(h.store, { channelCode: 'BANKT', channelTxnId: 'QT-R' })).to.deep.equal(expected);
    expect(await queryTransaction(h.store, { channelCode: 'BANKT', channelTxnId: 'QT-R-REV' })).to.deep.equal(expected);
  });

  it('refuses an unknown or disabled channel and a malformed id', async () => {
    await expectFault(queryTransaction(h.store, { channelCode: 'NOPE', channelTxnId: 'QT-P' }), 'CHANNEL_NOT_FOUND');
    await expectFault(queryTransaction(h.store, { channelCode: 'BANKOFF', channelTxnId: 'QT-P' }), 'CHANNEL_NOT_FOUND');
    for (const channelTxnId of ['', 'x'.repeat(65), 'with space', '中文']) {
      await expectFault(queryTransaction(h.store, { channelCode: 'BANKT', channelTxnId }), 'VALIDATION_FAILED');
    }
  });
});
