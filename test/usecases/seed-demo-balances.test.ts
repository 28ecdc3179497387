// The demo's smart-payment customers start with an opening prepaid balance, posted through the
// ledger (balanced, its own account): most well in credit, a few between the alarm thresholds or
// below the second; postpaid customers get none, and without the option nobody does.

import { expect } from 'chai';
import { generateDemo } from '../../fixtures/demo/generator.ts';
import { accountBalance, ledgerTotal } from '../../src/store/ledger.repository.ts';
import { loadSegmentSettings } from '../../src/usecases/estimation-settings.ts';
import { noticeLevelOf } from '../../src/usecases/balance-rules.ts';
import { prepaidBalanceOf } from '../../src/usecases/pay.ts';
import { OPENING_BALANCES_ACCOUNT, openingBalanceFen, seedDemo } from '../../src/usecases/seed-demo.ts';
import { describeOnEveryStore } from '../support/stores.ts';

const NOW = '2026-11-12T02:00:00.000Z';

describe('demo opening balances', () => {
  it('lands every customer number in a band below, between or well above the alarm thresholds', () => {
    const alarms = { alarm1Fen: 3_000, alarm2Fen: 1_000 };
    const balances = Array.from({ length: 1_000 }, (_, i) => openingBalanceFen(String(3_300_000_000_000 + i * 7), alarms));
    expect(balances.every((b) => Number.isSafeInteger(b) && b > 0)).to.equal(true);
    const below2 = balances.filter((b) => b < 1_000).length;
    const between = balances.filter((b) => b >= 1_000 && b < 3_000).length;
    expect(below2).to.be.within(30, 150);
    expect(between).to.be.within(60, 200);
    expect(balances.filter((b) => b >= 9_000).length).to.be.above(700);
    expect(openingBalanceFen('3300000000019', alarms)).to.equal(openingBalanceFen('3300000000019', alarms));
  });
});

describeOnEveryStore('demo seed with opening balances', (h) => {
  it('credits each smart-payment customer through a balanced posting, and no postpaid one', async () => {
    const demo = [...generateDemo({ customers: 120, months: 2, seed: 11, endMonth: '2026-10' })];
    await seedDemo(h.store, demo, NOW, { onlineAccess: false, openingBalances: true });
    const settings = await loadSegmentSettings(h.store);
    const levels = new Map<string, number>();
    for (const customer of demo) {
      const row = await h.store.db.selectFrom('customers').select('id').where('customer_no', '=', customer.customerNo).executeTakeFirstOrThrow();
      const balance = await prepaidBalanceOf(h.store, Number(row.id));
      if (customer.paymentMode !== 'smart-prepaid') {
        expect(balance, customer.customerNo).to.equal(0);
        continue;
      }
      expect(balance, customer.customerNo).to.be.above(0);
      const segment = customer.category === 'residential-shared' ? 'residential' : customer.category;
      const level = noticeLevelOf(balance, settings.get(segment as 'residential')!) ?? 'credit';
      levels.set(level, (levels.get(level) ?? 0) + 1);
    }
    expect(levels.get('credit')).to.be.above((levels.get('alarm-1') ?? 0) + (levels.get('alarm-2') ?? 0));
    expect(levels.has('cutoff')).to.equal(false);
    expect(await ledgerTotal(h.store)).to.equal(0);
    expect(await accountBalance(h.store, OPENING_BALANCES_ACCOUNT)).to.be.above(0);
  });
});
