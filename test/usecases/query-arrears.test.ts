import { expect } from 'chai';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { addChannel, addCustomer, addIssuedBill, expectFault, expectLedgerBalanced, nowOn } from '../support/payments.ts';
import { queryArrears } from '../../src/usecases/query-arrears.ts';
import { pay } from '../../src/usecases/pay.ts';

describeOnEveryStore('QueryArrears', (h) => {
  before(async () => {
    await importFixtureTariffs(h.store);
    await addChannel(h.store, 'BANKQ');
  });
  afterEach(async () => expectLedgerBalanced(h.store));

  it('charges a residential bill 15 days overdue 1‰ a day and masks the name and address', async () => {
    const customerId = await addCustomer(h.store, '3300000000001');
    await addIssuedBill(h.store, { customerId, billNo: 'Q1-2026-08', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
    const answer = await queryArrears(h.store, { customerNo: '3300000000001', asOfDate: '2026-10-03' });
    // Overdue 19 Sep … 3 Oct = 15 days; 100.00 yuan × 1‰ × 15 = 1.50 yuan = 150 fen.
    expect(answer).to.deep.equal({
      customerNo: '3300000000001', customerName: '张*丰', address: '杭州市西湖区******', asOfDate: '2026-10-03',
      receivables: [{ billNo: 'Q1-2026-08', period: '2026-08', dueOn: '2026-09-18', energyFen: 10_000, penaltyFen: 150, amountDueFen: 10_150 }],
      prepaidBalanceFen: 0, totalDueFen: 10_150,
    });
  });

  it('charges nothing on the due date and the 1-yuan minimum on the first overdue day', async () => {
    const customerId = await addCustomer(h.store, '3300000000002');
    await addIssuedBill(h.store, { customerId, billNo: 'Q2-2026-08', period: '2026-08', amountFen: 10_000, dueOn: '2026-09-18' });
    const onDue = await queryArrears(h.store, { customerNo: '3300000000002', asOfDate: '2026-09-18' });
    expect(onDue.receivables[0]!.penaltyFen).to.equal(0);
    const before = await queryArrears(h.store, { customerNo: '3300000000002', asOfDate: '2026-09-01' });
    expect(before.receivables[0]!.penaltyFen).to.equal(0);
    // One day: 10,000 × 1‰ = 10 fen, under the minimum: 1.00 yuan.
    const dayAfter = await queryArrears(h.store, { customerNo: '3300000000002', asOfDate: '2026-09-19' });
    expect(dayAfter.receivables[0]!.penaltyFen).to.equal(100);
    // Ten days: 10,000 × 1‰ × 10 = 100 fen, exactly the minimum; eleven: 110 fen.
    expect((await queryArrears(h.store, { customerNo: '3300000000002', asOfDate: '2026-09-28' })).receivables[0]!.penaltyFen).to.equal(100);
    expect((await queryArrears(h.store, { customerNo: '3300000000002', asOfDate: '2026-09-29' })).receivables[0]!.penaltyFen).to.equal(110);
  });

  it('charges a commercial bill 2‰ in its own year and 3‰ across the year boundary', async () => {
    const customerId = await addCustomer(h.store, '3300000000003', 'industrial-commercial');
    await addIssuedBill(h.store, {
      customerId, billNo: 'Q3-2025-12', period: '2025-12', amountFen: 50_000, dueOn: '2025-12-20', category: 'industrial-commercial',
    });
    const answer = await queryArrears(h.store, { customerNo: '3300000000003', asOfDate: '2026-01-10' });
    // 21–31 Dec 2025: 11 days × 2‰; 1–10 Jan 2026: 10 days × 3‰.
    // 500.00 × (11 × 0.002 + 10 × 0.003) = 500.00 × 0.052 = 26.00 yuan.
    expect(answer.receivables).to.deep.equal([
      { billNo: 'Q3-2025-12', period: '2025-12', dueOn: '2025-12-20', energyFen: 50_000, penaltyFen: 2_600, amountDueFen: 52_600 },
    ]);
    expect(answer.customerName).to.equal('张*丰');
  });

  it('charges a shared residential meter the residential rate', async () => {
    const customerId = await addCustomer(h.store, '3300000000004', 'residential-shared');
    await addIssuedBill(h.store, {
      customerId, billNo: 'Q4-2025-12', period: '2025-12', amountFen: 50_000, dueOn: '2025-12-20', category: 'residential-shared',
    });
    // 21 days × 1‰ × 500.00 = 10.50 yuan, no cross-year surcharge for households.
    const answer = await queryArrears(h.store, { customerNo: '3300000000004', asOfDate: '2026-01-10' });
    expect(answer.receivables[0]!.penaltyFen).to.equal(1_050);
  });

  it('lists receivables oldest first, leaves paid bills out and shows the prepaid balance', async () => {
    const customerId = await addCustomer(h.store, '3300000000005');
    await addIssuedBill(h.store, { customerId, billNo: 'Q5-B', period: '2026-09', amountFen: 3_000, dueOn: '2026-10-18' });
    await addIssuedBill(h.store, { customerId, billNo: 'Q5-A', period: '2026-08', amountFen: 2_000, dueOn: '2026-09-18' });
    await addIssuedBill(h.store, { customerId, billNo: 'Q5-C', period: '2026-07', amountFen: 1_000, dueOn: '2026-08-18' });
    const before = await queryArrears(h.store, { customerNo: '3300000000005', asOfDate: '2026-09-18' });
    expect(before.receivables.map((r) => r.billNo)).to.deep.equal(['Q5-C', 'Q5-A', 'Q5-B']);
    // Q5-C: 31 days × 1‰ × 10.00 = 0.31 → 1.00 minimum; pay it with 10.00 extra to prepaid.
    await pay(h.store, {
      channelCode: 'BANKQ', channelTxnId: 'Q5-1', customerNo: '3300000000005', amountFen: 2_100, accountingDate: '2026-09-18',
      billNos: ['Q5-C'], now: nowOn('2026-09-18'),
    });
    const after = await queryArrears(h.store, { customerNo: '3300000000005', asOfDate: '2026-09-18' });
    expect(after.receivables.map((r) => r.billNo)).to.deep.equal(['Q5-A', 'Q5-B']);
    expect(after.prepaidBalanceFen).to.equal(1_000);
    expect(after.totalDueFen).to.equal(5_000);
  });

  it('answers a customer without bills with nothing due', async () => {
    await addCustomer(h.store, '3300000000006');
    const answer = await queryArrears(h.store, { customerNo: '3300000000006', asOfDate: '2026-10-03' });
    expect(answer).to.include({ totalDueFen: 0, prepaidBalanceFen: 0 });
    expect(answer.receivables).to.deep.equal([]);
  });

  it('refuses an unknown customer, a malformed customer no and a malformed date', async () => {
    await expectFault(queryArrears(h.store, { customerNo: '3399999999999', asOfDate: '2026-10-03' }), 'CUSTOMER_NOT_FOUND');
    for (const customerNo of ['', '123456789', '12345678901234', '33000000000x1', ' 3300000000001']) {
      await expectFault(queryArrears(h.store, { customerNo, asOfDate: '2026-10-03' }), 'VALIDATION_FAILED');
    }
    for (const asOfDate of ['', '2026-02-30', '2026-10-3', '20261003', '2026-10-03T00:00:00Z']) {
      await expectFault(queryArrears(h.store, { customerNo: '3300000000001', asOfDate }), 'VALIDATION_FAILED');
    }
  });
});
