// Direct debit against the bank simulator, on every store: bills issued after a withholding
// agreement are debited and posted through the agreement's channel; a failed debit is retried on
// its schedule under a new id and given up after the cap with an alert; a debit without an answer
// is sent again under the same id and posted once; a run is idempotent, also when two run at once.

import { expect } from 'chai';
import { BankSimulator } from '../../fixtures/simulators/bank-gateway.ts';
import { LIMITS } from '../../src/limits.ts';
import { BankGatewayClient } from '../../src/soap/bank-gateway-client.ts';
import { listAlerts } from '../../src/store/control.repository.ts';
import { directDebitOfBill } from '../../src/store/direct-debit.repository.ts';
import { accountBalance, ledgerTotal } from '../../src/store/ledger.repository.ts';
import { cancelWithholding } from '../../src/usecases/cancel-withholding.ts';
import { debitIdOf, runDirectDebits } from '../../src/usecases/direct-debit.ts';
import { pay } from '../../src/usecases/pay.ts';
import { signWithholding } from '../../src/usecases/sign-withholding.ts';
import { addChannel, addCustomer, addIssuedBill, nowOn, outstandingOf } from '../support/payments.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';

const CHANNEL = 'dd-bank';
const T0 = nowOn('2026-12-01');
const later = (ms: number): string => new Date(Date.parse(T0) + ms).toISOString();

interface Party {
  readonly no: string;
  readonly account: string;
  readonly billNo: string;
  id: number;
  billId: number;
}

function party(n: number): Party {
  return { no: `330000000${8000 + n}`, account: `6222000000000${String(8000 + n).padStart(6, '0')}`, billNo: `202611330000000${8000 + n}`, id: 0, billId: 0 };
}

describeOnEveryStore('direct debit', (h) => {
  let sim: BankSimulator;
  let bank: BankGatewayClient;
  const [paid, short, unknownAccount, hopeless, cancelled, settled, racing] = [1, 2, 3, 5, 6, 7, 8].map(party) as [Party, Party, Party, Party, Party, Party, Party];
  const all = [paid, short, unknownAccount, hopeless, cancelled, settled, racing];
  const debit = async (p: Party) => (await directDebitOfBill(h.store, p.billId))!;

  /** A customer with an agreement and a bill issued after it, taken on by the next run. */
  async function newcomer(n: number, amountFen: number): Promise<Party> {
    const p = party(n);
    p.id = await addCustomer(h.store, p.no);
    await signWithholding(h.store, { channelCode: CHANNEL, agreementId: `AG${p.no}`, customerNo: p.no, bankAccount: p.account, accountHolderName: '张三丰', now: nowOn('2026-11-01') });
    p.billId = await addIssuedBill(h.store, { customerId: p.id, billNo: p.billNo, period: '2026-11', amountFen, dueOn: '2026-12-15' });
    sim.setBalance(p.account, 100_000);
    return p;
  }

  before(async () => {
    sim = await BankSimulator.start();
    bank = new BankGatewayClient({ url: sim.url, timeoutMs: 300 });
    await importFixtureTariffs(h.store);
    await addChannel(h.store, CHANNEL);
    await addChannel(h.store, 'counter');
    for (const p of all) {
      p.id = await addCustomer(h.store, p.no);
      await signWithholding(h.store, { channelCode: CHANNEL, agreementId: `AG${p.no}`, customerNo: p.no, bankAccount: p.account, accountHolderName: '张三丰', now: nowOn('2026-11-01') });
      p.billId = await addIssuedBill(h.store, { customerId: p.id, billNo: p.billNo, period: '2026-11', amountFen: 12_345, dueOn: '2026-12-15' });
      if (p !== unknownAccount) sim.setBalance(p.account, 100_000);
    }
    // A bill issued before the agreement was signed is not the bank's to debit.
    await addIssuedBill(h.store, { customerId: paid.id, billNo: `202609${paid.no}`, period: '2026-09', amountFen: 5_000, dueOn: '2026-10-15' });
    sim.setBalance(short.account, 100);
    sim.setBalance(hopeless.account, 100);
    await cancelWithholding(h.store, { channelCode: CHANNEL, agreementId: `AG${cancelled.no}`, customerNo: cancelled.no, now: nowOn('2026-11-20') });
    await pay(h.store, { channelCode: 'counter', channelTxnId: 'CTR-1', customerNo: settled.no, amountFen: 12_345, accountingDate: '2026-12-01', now: T0 });
  });

  after(async () => {
    bank?.close();
    await sim?.stop();
  });

  it('debits the bills issued after the agreement and posts them through its channel, once', async () => {
    const run = await runDirectDebits(h.store, bank, T0);
    expect(run).to.deep.equal({ created: 6, posted: 2, retrying: 2, failed: 1, closed: 1, unknown: 0, errors: 0 });
    expect(await debit(paid)).to.include({ state: 'posted', debit_id: debitIdOf(paid.billNo, 1), attempts: 1, amount_fen: 12_345 });
    expect(await outstandingOf(h.store, paid.billNo)).to.equal(0);
    expect(sim.balanceOf(paid.account)).to.equal(100_000 - 12_345);
    const payment = await h.store.db.selectFrom('payments').innerJoin('channels', 'channels.id', 'payments.channel_id')
      .select(['channels.code', 'payments.channel_txn_id', 'payments.amount_fen']).where('payments.customer_id', '=', paid.id).executeTakeFirstOrThrow();
    expect(payment).to.deep.include({ code: CHANNEL, channel_txn_id: debitIdOf(paid.billNo, 1) });
    const old = await h.store.db.selectFrom('bills').select('id').where('bill_no', '=', `202609${paid.no}`).executeTakeFirstOrThrow();
    expect(await directDebitOfBill(h.store, Number(old.id))).to.include({ state: 'closed', failure: 'before-agreement' });
    expect(await outstandingOf(h.store, `202609${paid.no}`)).to.equal(5_000);
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('debits nobody without an active agreement, and closes a debit whose bill was paid otherwise, sending nothing', async () => {
    expect(await directDebitOfBill(h.store, cancelled.billId)).to.equal(undefined);
    expect(await debit(settled)).to.include({ state: 'closed', failure: 'paid-otherwise', attempts: 0, debit_id: null });
    expect(sim.calls.filter((c) => c.requestId.includes(cancelled.billNo) || c.requestId.includes(settled.billNo))).to.deep.equal([]);
  });

  it('gives up at once on an account the bank does not know, with an alert', async () => {
    expect(await debit(unknownAccount)).to.include({ state: 'failed', failure: 'ACCOUNT_INVALID', attempts: 1 });
    const alerts = await listAlerts(h.store, 0, 50);
    expect(alerts.map((a) => [a.kind, a.subject])).to.deep.include(['direct-debit-failed', `bill:${unknownAccount.billNo}`]);
  });

  it('sends a debit without an answer again under the same id and posts it once', async () => {
    const lost = await newcomer(4, 12_345);
    sim.misbehave('Debit', { kind: 'lose-answer' });
    expect(await runDirectDebits(h.store, bank, later(30_000))).to.deep.include({ created: 1, unknown: 1, posted: 0 });
    expect(await debit(lost)).to.include({ state: 'sent', attempts: 1 });
    expect(await outstandingOf(h.store, lost.billNo)).to.equal(12_345);
    expect((await runDirectDebits(h.store, bank, later(60_000))).posted).to.equal(1);
    expect(await debit(lost)).to.include({ state: 'posted', debit_id: debitIdOf(lost.billNo, 1), attempts: 1 });
    expect(sim.balanceOf(lost.account)).to.equal(100_000 - 12_345);
    expect(sim.calls.filter((c) => c.operation === 'Debit' && c.requestId.startsWith(`DD${lost.billNo}`)).map((c) => c.requestId).every((id) => id === debitIdOf(lost.billNo, 1))).to.equal(true);
  });

  it('changes nothing when run again before a retry is due', async () => {
    const calls = sim.calls.length;
    expect(await runDirectDebits(h.store, bank, later(120_000))).to.deep.equal({ created: 0, posted: 0, retrying: 0, failed: 0, closed: 0, unknown: 0, errors: 0 });
    expect(sim.calls.length).to.equal(calls);
  });

  it('retries a failed debit on its schedule under the next id, and gives up after the cap', async () => {
    expect(await debit(short)).to.include({ state: 'pending', failure: 'INSUFFICIENT_BALANCE', attempts: 1 });
    sim.setBalance(short.account, 100_000);
    const second = await runDirectDebits(h.store, bank, later(LIMITS.directDebitRetryMs));
    expect(second).to.deep.include({ posted: 1, retrying: 1 });
    expect(await debit(short)).to.include({ state: 'posted', debit_id: debitIdOf(short.billNo, 2), attempts: 2 });
    expect(await outstandingOf(h.store, short.billNo)).to.equal(0);
    for (let attempt = 3; attempt <= LIMITS.directDebitAttemptsMax; attempt++) {
      await runDirectDebits(h.store, bank, later(LIMITS.directDebitRetryMs * (attempt - 1)));
    }
    expect(await debit(hopeless)).to.include({ state: 'failed', failure: 'INSUFFICIENT_BALANCE', attempts: LIMITS.directDebitAttemptsMax });
    expect((await listAlerts(h.store, 0, 50)).map((a) => a.subject)).to.include(`bill:${hopeless.billNo}`);
    expect(await accountBalance(h.store, 'receivable', hopeless.id)).to.equal(12_345);
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('debits a bill once when two runs go at the same time', async () => {
    expect(await debit(racing)).to.include({ state: 'posted', attempts: 1 });
    const racer = await newcomer(9, 9_999);
    await Promise.all([runDirectDebits(h.store, bank, later(LIMITS.directDebitRetryMs * 3)), runDirectDebits(h.store, bank, later(LIMITS.directDebitRetryMs * 3))]);
    expect(await debit(racer)).to.include({ state: 'posted', attempts: 1 });
    expect(sim.balanceOf(racer.account)).to.equal(100_000 - 9_999);
    const payments = await h.store.db.selectFrom('payments').select('id').where('customer_id', '=', racer.id).execute();
    expect(payments).to.have.length(1);
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('closes a debit waiting for its retry once the agreement is cancelled', async () => {
    const leaving = await newcomer(10, 7_000);
    sim.setBalance(leaving.account, 0);
    expect(await runDirectDebits(h.store, bank, later(LIMITS.directDebitRetryMs * 3 + 10_000))).to.deep.include({ created: 1, retrying: 1 });
    await cancelWithholding(h.store, { channelCode: CHANNEL, agreementId: `AG${leaving.no}`, customerNo: leaving.no, now: later(LIMITS.directDebitRetryMs * 3 + 20_000) });
    sim.setBalance(leaving.account, 100_000);
    expect(await runDirectDebits(h.store, bank, later(LIMITS.directDebitRetryMs * 4 + 10_000))).to.deep.include({ closed: 1, posted: 0 });
    expect(await debit(leaving)).to.include({ state: 'closed', failure: 'agreement-cancelled', attempts: 1 });
    expect(sim.balanceOf(leaving.account)).to.equal(100_000);
  });
});
