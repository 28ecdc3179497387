import { expect } from 'chai';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { registerCustomer } from '../../src/usecases/register-customer.ts';
import { billHistory } from '../../src/usecases/bill-history.ts';
import { ledgerTotal, accountBalance } from '../../src/store/ledger.repository.ts';

const NOW = '2026-11-02T01:00:00.000Z';

describeOnEveryStore('billing a history of months', (h) => {
  before(async () => {
    await importFixtureTariffs(h.store);
    for (const c of generateDemo({ customers: 40, months: 4, seed: 5, endMonth: '2026-10' })) await registerCustomer(h.store, c, NOW);
  });

  it('bills and issues each month in order, issued bills carrying the ladder forward', async () => {
    const months = await billHistory(h.store, { fromMonth: '2026-08', toMonth: '2026-10', now: NOW, actor: 'test' });
    expect(months.map((m) => m.period)).to.deep.equal(['2026-08', '2026-09', '2026-10']);
    for (const m of months) expect(m.issued, m.period).to.be.greaterThan(0).and.at.most(m.bills);
    const issued = await h.store.db.selectFrom('bills').select(['period', 'due_on', 'amount_fen']).where('status', '=', 'issued').execute();
    expect(new Set(issued.map((b) => b.period))).to.deep.equal(new Set(['2026-08', '2026-09', '2026-10']));
    // Issued on the 3rd of the next month, due 15 days later.
    expect(issued.find((b) => b.period === '2026-08')!.due_on).to.equal('2026-09-18');
    expect(await accountBalance(h.store, 'receivable')).to.equal(issued.reduce((s, b) => s + b.amount_fen, 0));
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('leaves issued months alone when run again', async () => {
    const before = await h.store.db.selectFrom('bills').selectAll().where('status', '=', 'issued').orderBy('id').execute();
    const again = await billHistory(h.store, { fromMonth: '2026-08', toMonth: '2026-10', now: NOW, actor: 'test' });
    expect(again.every((m) => m.issued === 0)).to.equal(true);
    expect(await h.store.db.selectFrom('bills').selectAll().where('status', '=', 'issued').orderBy('id').execute()).to.deep.equal(before);
  });
});
