// PayOnline against the bank simulator through the real SOAP client, on every store: what is
// debited is posted once, what is refused moves nothing, and a bank that does not answer is
// settled by sending the same debit again — never by a second debit — whoever asks next.

import { expect } from 'chai';
import { BankSimulator } from '../../fixtures/simulators/bank-gateway.ts';
import { LIMITS } from '../../src/limits.ts';
import { BankGatewayClient } from '../../src/soap/bank-gateway-client.ts';
import { accountBalance } from '../../src/store/ledger.repository.ts';
import { findOnlinePayment, updateOnlinePayment } from '../../src/store/online-payment.repository.ts';
import type { BankGateway } from '../../src/usecases/bank-gateway.ts';
import { ONLINE_BANKING_CHANNEL, ensureOnlineBankingChannel, payOnline, settleOnlinePayments, type PayOnlineRequest } from '../../src/usecases/pay-online.ts';
import { pay } from '../../src/usecases/pay.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { addChannel, addCustomer, addIssuedBill, countRows, expectFault, expectLedgerBalanced, nowOn, outstandingOf } from '../support/payments.ts';

const NOW = nowOn('2026-11-10');
const LATER = new Date(Date.parse(NOW) + LIMITS.onlinePaymentLeaseMs + 1).toISOString();
const MASKED = /^6222\*{11}\d{4}$/;
const CLEARING = `clearing:${ONLINE_BANKING_CHANNEL}`;

function accountOf(customerNo: string): string {
  return `6222${customerNo.padStart(15, '0')}`;
}

describeOnEveryStore('PayOnline', (h) => {
  let sim: BankSimulator;
  let bank: BankGatewayClient;
  let seq = 0;

  before(async () => {
    await importFixtureTariffs(h.store);
    sim = await BankSimulator.start({ clock: () => new Date(NOW) });
    bank = new BankGatewayClient({ url: sim.url, timeoutMs: 250 });
    await ensureOnlineBankingChannel(h.store, (plain) => `sealed:${plain.length}`, NOW);
    await ensureOnlineBankingChannel(h.store, () => 'never used', NOW);
    await addChannel(h.store, 'counter');
  });
  after(async () => {
    bank?.close();
    await sim?.stop();
  });

  /** A new customer with issued bills due after NOW (no late fee), and an account holding balanceFen. */
  async function customer(amountsFen: readonly number[], balanceFen: number): Promise<{ customerNo: string; billNos: string[]; account: string }> {
    seq += 1;
    const customerNo = `33010000${String(seq).padStart(3, '0')}${h.store.dialect === 'sqlite' ? '1' : '2'}`;
    const customerId = await addCustomer(h.store, customerNo);
    const billNos: string[] = [];
    for (const [i, amountFen] of amountsFen.entries()) {
      const period = `2026-${String(8 + i).padStart(2, '0')}`;
      const billNo = `${period.replace('-', '')}${customerNo}`;
      await addIssuedBill(h.store, { customerId, billNo, period, amountFen, dueOn: '2026-11-20' });
      billNos.push(billNo);
    }
    sim.setBalance(accountOf(customerNo), balanceFen);
    return { customerNo, billNos, account: accountOf(customerNo) };
  }

  function request(c: { customerNo: string; billNos: string[]; account: string }, requestId: string, amountFen: number, now = NOW): PayOnlineRequest {
    return { customerNo: c.customerNo, requestId, billNos: c.billNos, bankAccount: c.account, amountFen, now };
  }

  function debitsOf(requestIdPrefix = 'op-'): number {
    return sim.calls.filter((call) => call.operation === 'Debit' && call.requestId.startsWith(requestIdPrefix)).length;
  }

  async function paymentsOf(customerNo: string): Promise<number> {
    const rows = await h.store.db.selectFrom('payments').innerJoin('customers', 'customers.id', 'payments.customer_id')
      .select('payments.id').where('customers.customer_no', '=', customerNo).execute();
    return rows.length;
  }

  it('checks the balance, debits once, posts through the online-banking channel; a repeat gets the same answer without the bank', async () => {
    const c = await customer([10_000, 2_345], 50_000);
    const clearingBefore = await accountBalance(h.store, CLEARING);
    const answer = await payOnline(h.store, bank, request(c, 'REQ-OK', 12_345));
    expect(answer).to.include({ requestId: 'REQ-OK', outcome: 'SUCCESS', amountFen: 12_345, totalDueFen: 0 });
    expect(answer.failure).to.equal(undefined);
    expect(answer.platformTxnId).to.match(/^\d+$/);
    expect(answer.bankAccount).to.match(MASKED);
    expect(sim.balanceOf(c.account)).to.equal(50_000 - 12_345);
    for (const billNo of c.billNos) expect(await outstandingOf(h.store, billNo)).to.equal(0);
    expect(await accountBalance(h.store, CLEARING) - clearingBefore).to.equal(12_345);
    await expectLedgerBalanced(h.store);

    const calls = sim.calls.length;
    expect(await payOnline(h.store, bank, request(c, 'REQ-OK', 12_345, LATER))).to.deep.equal(answer);
    expect(sim.calls.length).to.equal(calls);
    expect(await paymentsOf(c.customerNo)).to.equal(1);
  });

  it('answers an insufficient balance FAILED: no Debit, nothing posted, the ledger untouched; a repeat gets the same answer', async () => {
    const c = await customer([10_000], 9_999);
    const debits = debitsOf();
    const ledgerRows = await countRows(h.store, 'ledger_transactions');
    const answer = await payOnline(h.store, bank, request(c, 'REQ-POOR', 10_000));
    expect(answer).to.deep.equal({
      requestId: 'REQ-POOR', outcome: 'FAILED', failure: 'INSUFFICIENT_BALANCE', amountFen: 10_000, bankAccount: answer.bankAccount, totalDueFen: 10_000,
    });
    expect(debitsOf()).to.equal(debits);
    expect(sim.balanceOf(c.account)).to.equal(9_999);
    expect(await countRows(h.store, 'ledger_transactions')).to.equal(ledgerRows);
    expect(await paymentsOf(c.customerNo)).to.equal(0);
    await expectLedgerBalanced(h.store);
    sim.setBalance(c.account, 1_000_000);
    expect(await payOnline(h.store, bank, request(c, 'REQ-POOR', 10_000))).to.deep.equal(answer);
    const audit = await h.store.db.selectFrom('audit_log').select(['action', 'detail']).where('action', '=', 'pay-online-failed').execute();
    const mine = audit.find((a) => a.detail.includes('REQ-POOR'));
    expect(mine?.detail).to.not.include(c.account);
  });

  it('answers a frozen account FAILED with ACCOUNT_FROZEN', async () => {
    const c = await customer([500], 10_000);
    sim.freeze(c.account);
    expect(await payOnline(h.store, bank, request(c, 'REQ-FROZEN', 500))).to.include({ outcome: 'FAILED', failure: 'ACCOUNT_FROZEN' });
    expect(sim.balanceOf(c.account)).to.equal(10_000);
  });

  it('answers FAILED when the debit is refused after the balance check, and posts nothing', async () => {
    const c = await customer([4_000], 10_000);
    const draining: BankGateway = {
      checkBalance: async (query) => {
        const result = await bank.checkBalance(query);
        sim.setBalance(c.account, 100); // another payment from the account in between
        return result;
      },
      debit: (order) => bank.debit(order),
      reverseDebit: (order) => bank.reverseDebit(order),
    };
    expect(await payOnline(h.store, draining, request(c, 'REQ-DRAINED', 4_000))).to.include({ outcome: 'FAILED', failure: 'INSUFFICIENT_BALANCE' });
    expect(await paymentsOf(c.customerNo)).to.equal(0);
    expect(await outstandingOf(h.store, c.billNos[0]!)).to.equal(4_000);
  });

  it('refuses an amount other than what the bills are due, and does not remember the refusal', async () => {
    const c = await customer([3_000, 4_000], 100_000);
    await expectFault(payOnline(h.store, bank, request(c, 'REQ-AMT', 6_999)), 'PAYMENT_AMOUNT_MISMATCH');
    await expectFault(payOnline(h.store, bank, { ...request(c, 'REQ-AMT', 3_000), billNos: [c.billNos[0]!, '202001' + c.customerNo] }), 'BILL_NOT_PAYABLE');
    expect(sim.balanceOf(c.account)).to.equal(100_000);
    expect(await payOnline(h.store, bank, request(c, 'REQ-AMT', 7_000))).to.include({ outcome: 'SUCCESS' });
  });

  it('refuses malformed requests before anything else', async () => {
    const c = await customer([100], 1_000);
    await expectFault(payOnline(h.store, bank, { ...request(c, 'REQ-V', 100), billNos: [c.billNos[0]!, c.billNos[0]!] }), 'VALIDATION_FAILED');
    await expectFault(payOnline(h.store, bank, { ...request(c, 'REQ-V', 100), billNos: [] }), 'VALIDATION_FAILED');
    await expectFault(payOnline(h.store, bank, { ...request(c, 'REQ-V', 100), bankAccount: '12345' }), 'VALIDATION_FAILED');
    await expectFault(payOnline(h.store, bank, request(c, 'bad id!', 100)), 'VALIDATION_FAILED');
    await expectFault(payOnline(h.store, bank, request(c, 'REQ-V', 0)), 'PAYMENT_AMOUNT_INVALID');
    await expectFault(payOnline(h.store, bank, { ...request(c, 'REQ-V', 100), customerNo: '3399999999999' }), 'CUSTOMER_NOT_FOUND');
    expect(sim.calls.some((call) => call.requestId.includes('REQ-V'))).to.equal(false);
  });

  it('refuses the same requestId with other content', async () => {
    const c = await customer([1_000, 2_000], 100_000);
    await payOnline(h.store, bank, { ...request(c, 'REQ-SAME', 1_000), billNos: [c.billNos[0]!] });
    await expectFault(payOnline(h.store, bank, { ...request(c, 'REQ-SAME', 2_000), billNos: [c.billNos[1]!] }), 'TXN_ID_CONFLICT');
  });

  it('faults BANK_UNAVAILABLE when the balance check gets no answer: nothing debited, nothing remembered', async () => {
    const c = await customer([800], 10_000);
    sim.misbehave('CheckBalance', { kind: 'fault' });
    await expectFault(payOnline(h.store, bank, request(c, 'REQ-DOWN', 800)), 'BANK_UNAVAILABLE');
    sim.misbehave('CheckBalance', { kind: 'drop' });
    await expectFault(payOnline(h.store, bank, request(c, 'REQ-DOWN', 800)), 'BANK_UNAVAILABLE');
    expect(sim.balanceOf(c.account)).to.equal(10_000);
    expect(await findOnlinePayment(h.store, (await customerId(c.customerNo)), 'REQ-DOWN')).to.equal(undefined);
    expect(await payOnline(h.store, bank, request(c, 'REQ-DOWN', 800))).to.include({ outcome: 'SUCCESS' });
  });

  it('sends a Debit whose answer was lost again with the same id, and posts the one debit', async () => {
    const c = await customer([1_500], 10_000);
    sim.misbehave('Debit', { kind: 'lose-answer' });
    expect(await payOnline(h.store, bank, request(c, 'REQ-LOST', 1_500))).to.include({ outcome: 'SUCCESS' });
    const row = await findOnlinePayment(h.store, await customerId(c.customerNo), 'REQ-LOST');
    expect(debitsOf(row!.debit_id)).to.equal(2);
    expect(sim.balanceOf(c.account)).to.equal(10_000 - 1_500);
    expect(await paymentsOf(c.customerNo)).to.equal(1);
  });

  it('answers UNKNOWN (BANK_TIMEOUT) when the bank stays silent; the same requestId later learns the outcome and posts it once', async () => {
    const c = await customer([2_500], 10_000);
    sim.misbehave('Debit', { kind: 'lose-answer' }, LIMITS.bankDebitSendsMax);
    const unknown = await payOnline(h.store, bank, request(c, 'REQ-SILENT', 2_500));
    expect(unknown).to.include({ outcome: 'UNKNOWN', failure: 'BANK_TIMEOUT', totalDueFen: 2_500 });
    expect(sim.balanceOf(c.account)).to.equal(10_000 - 2_500);
    expect(await paymentsOf(c.customerNo)).to.equal(0);
    await expectLedgerBalanced(h.store);

    const settled = await payOnline(h.store, bank, request(c, 'REQ-SILENT', 2_500));
    expect(settled).to.include({ outcome: 'SUCCESS', totalDueFen: 0 });
    expect(sim.balanceOf(c.account)).to.equal(10_000 - 2_500);
    expect(await paymentsOf(c.customerNo)).to.equal(1);
    expect(await payOnline(h.store, bank, request(c, 'REQ-SILENT', 2_500))).to.deep.equal(settled);
    await expectLedgerBalanced(h.store);
  });

  it('settles unknown debits on a scheduled run, whether the customer asks again or not', async () => {
    const c = await customer([1_100], 10_000);
    sim.misbehave('Debit', { kind: 'drop' }, LIMITS.bankDebitSendsMax);
    expect(await payOnline(h.store, bank, request(c, 'REQ-SCHED', 1_100))).to.include({ outcome: 'UNKNOWN', failure: 'BANK_TIMEOUT' });
    sim.misbehave('Debit', { kind: 'drop' }, LIMITS.bankDebitSendsMax);
    expect(await settleOnlinePayments(h.store, bank, NOW)).to.deep.equal({ posted: 0, failed: 0, stillUnknown: 1, errors: 0 });
    expect(await paymentsOf(c.customerNo)).to.equal(0);
    expect(await settleOnlinePayments(h.store, bank, NOW)).to.deep.equal({ posted: 1, failed: 0, stillUnknown: 0, errors: 0 });
    expect(await settleOnlinePayments(h.store, bank, NOW)).to.deep.equal({ posted: 0, failed: 0, stillUnknown: 0, errors: 0 });
    expect(sim.balanceOf(c.account)).to.equal(10_000 - 1_100);
    expect(await paymentsOf(c.customerNo)).to.equal(1);
    const calls = sim.calls.length;
    expect(await payOnline(h.store, bank, request(c, 'REQ-SCHED', 1_100))).to.include({ outcome: 'SUCCESS', totalDueFen: 0 });
    expect(sim.calls.length).to.equal(calls);
  });

  it('settles an earlier unknown debit before a new request of the customer, so the bills are not charged twice', async () => {
    const c = await customer([3_300], 10_000);
    sim.misbehave('Debit', { kind: 'drop' }, LIMITS.bankDebitSendsMax);
    expect(await payOnline(h.store, bank, request(c, 'REQ-FIRST', 3_300))).to.include({ outcome: 'UNKNOWN' });
    sim.misbehave('Debit', { kind: 'drop' }, LIMITS.bankDebitSendsMax);
    await expectFault(payOnline(h.store, bank, request(c, 'REQ-SECOND', 3_300)), 'ONLINE_PAYMENT_PENDING');
    // The bank answers again: the first debit is settled and posted, the second request finds nothing to pay.
    await expectFault(payOnline(h.store, bank, request(c, 'REQ-SECOND', 3_300)), 'BILL_NOT_PAYABLE');
    expect(sim.balanceOf(c.account)).to.equal(10_000 - 3_300);
    expect(await paymentsOf(c.customerNo)).to.equal(1);
    expect(await payOnline(h.store, bank, request(c, 'REQ-FIRST', 3_300))).to.include({ outcome: 'SUCCESS' });
  });

  it('debits and posts once for concurrent duplicates of a request', async () => {
    const c = await customer([6_000], 10_000);
    const answers = await Promise.all([1, 2, 3].map(() => payOnline(h.store, bank, request(c, 'REQ-DUP', 6_000))));
    expect(answers.filter((a) => a.outcome === 'SUCCESS')).to.have.length.greaterThan(0);
    for (const answer of answers) {
      if (answer.outcome !== 'SUCCESS') expect(answer).to.include({ outcome: 'UNKNOWN' }).and.not.have.property('failure');
    }
    expect(sim.balanceOf(c.account)).to.equal(4_000);
    expect(await paymentsOf(c.customerNo)).to.equal(1);
    expect(await payOnline(h.store, bank, request(c, 'REQ-DUP', 6_000))).to.include({ outcome: 'SUCCESS' });
    await expectLedgerBalanced(h.store);
  });

  it('takes over an attempt its request left behind only after its lease, and settles it by the same debit', async () => {
    const c = await customer([1_200], 10_000);
    sim.misbehave('Debit', { kind: 'lose-answer' }, LIMITS.bankDebitSendsMax);
    await payOnline(h.store, bank, request(c, 'REQ-CRASH', 1_200));
    // As if the process had died right after sending the Debit, still holding the attempt.
    const row = (await findOnlinePayment(h.store, await customerId(c.customerNo), 'REQ-CRASH'))!;
    await updateOnlinePayment(h.store, row.id, { state: 'debit-sent', lease_until_ms: Date.parse(NOW) + LIMITS.onlinePaymentLeaseMs });
    const calls = sim.calls.length;
    const meanwhile = await payOnline(h.store, bank, request(c, 'REQ-CRASH', 1_200));
    expect(meanwhile).to.include({ outcome: 'UNKNOWN' }).and.not.have.property('failure');
    expect(sim.calls.length).to.equal(calls);
    expect(await payOnline(h.store, bank, request(c, 'REQ-CRASH', 1_200, LATER))).to.include({ outcome: 'SUCCESS' });
    expect(sim.balanceOf(c.account)).to.equal(10_000 - 1_200);
    expect(await paymentsOf(c.customerNo)).to.equal(1);
  });

  it('posts a debit the posting failed for on the next request, without asking the bank again', async () => {
    const c = await customer([700], 10_000);
    await h.store.db.updateTable('channels').set({ enabled: 0 }).where('code', '=', ONLINE_BANKING_CHANNEL).execute();
    try {
      await expectFault(payOnline(h.store, bank, request(c, 'REQ-POSTLATER', 700)), 'UNAVAILABLE');
    } finally {
      await h.store.db.updateTable('channels').set({ enabled: 1 }).where('code', '=', ONLINE_BANKING_CHANNEL).execute();
    }
    const row = await findOnlinePayment(h.store, await customerId(c.customerNo), 'REQ-POSTLATER');
    expect(row?.state).to.equal('debited');
    const debits = debitsOf(row!.debit_id);
    expect(await payOnline(h.store, bank, request(c, 'REQ-POSTLATER', 700))).to.include({ outcome: 'SUCCESS' });
    expect(debitsOf(row!.debit_id)).to.equal(debits);
    expect(sim.balanceOf(c.account)).to.equal(10_000 - 700);
    expect(await paymentsOf(c.customerNo)).to.equal(1);
  });

  it('posts without the bill list when a bill was paid at a counter between the check and the debit: the money goes to the prepaid balance', async () => {
    const c = await customer([900], 10_000);
    const racing: BankGateway = {
      checkBalance: async (query) => {
        const result = await bank.checkBalance(query);
        await pay(h.store, { channelCode: 'counter', channelTxnId: `C-${c.customerNo}`, customerNo: c.customerNo, amountFen: 900, accountingDate: '2026-11-10', now: NOW });
        return result;
      },
      debit: (order) => bank.debit(order),
      reverseDebit: (order) => bank.reverseDebit(order),
    };
    expect(await payOnline(h.store, racing, request(c, 'REQ-RACE', 900))).to.include({ outcome: 'SUCCESS', totalDueFen: 0 });
    expect(0 - await accountBalance(h.store, 'prepaid', await customerId(c.customerNo))).to.equal(900);
    expect(await paymentsOf(c.customerNo)).to.equal(2);
    await expectLedgerBalanced(h.store);
  });

  async function customerId(customerNo: string): Promise<number> {
    return (await h.store.db.selectFrom('customers').select('id').where('customer_no', '=', customerNo).executeTakeFirstOrThrow()).id;
  }
});
