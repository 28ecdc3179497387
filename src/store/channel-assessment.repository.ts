// What a channel's assessment (渠道考评) reads besides its call counters: its payments, reversals
// and reconciled days, per accounting date over a range. Each query is one grouped scan of an
// index on (channel_id, accounting_date) (migration 0004), whatever the number of payments.

import type { Store } from './database.ts';

export interface PaymentsOfDay {
  readonly day: string;
  readonly count: number;
  readonly amountFen: number;
}

/** Payments the channel made per accounting date in from..to (reversed ones too: the channel made them). */
export async function paymentsByDay(store: Store, channelId: number, from: string, to: string): Promise<PaymentsOfDay[]> {
  const rows = await store.db.selectFrom('payments')
    .select(['accounting_date', (eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.sum('amount_fen').as('total')])
    .where('channel_id', '=', channelId).where('accounting_date', '>=', from).where('accounting_date', '<=', to)
    .groupBy('accounting_date').orderBy('accounting_date').execute();
  return rows.map((r) => ({ day: r.accounting_date, count: Number(r.n), amountFen: Number(r.total ?? 0) }));
}

/** Reversals the channel made per reversal accounting date in from..to. */
export async function reversalsByDay(store: Store, channelId: number, from: string, to: string): Promise<Array<{ day: string; count: number }>> {
  const rows = await store.db.selectFrom('payments')
    .select(['reversal_accounting_date', (eb) => eb.fn.countAll().as('n')])
    .where('channel_id', '=', channelId).where('reversal_accounting_date', '>=', from).where('reversal_accounting_date', '<=', to)
    .groupBy('reversal_accounting_date').orderBy('reversal_accounting_date').execute();
  return rows.map((r) => ({ day: r.reversal_accounting_date ?? '', count: Number(r.n) }));
}

/** The channel's reconciled accounting dates in from..to, with their discrepancies (长款, 短款, mismatches). */
export async function reconciledDays(store: Store, channelId: number, from: string, to: string): Promise<Array<{ day: string; discrepancies: number }>> {
  const rows = await store.db.selectFrom('reconciliation_days')
    .select(['accounting_date', 'channel_only_count', 'platform_only_count', 'amount_mismatch_count'])
    .where('channel_id', '=', channelId).where('status', '=', 'reconciled')
    .where('accounting_date', '>=', from).where('accounting_date', '<=', to)
    .orderBy('accounting_date').execute();
  return rows.map((r) => ({
    day: r.accounting_date,
    discrepancies: Number(r.channel_only_count ?? 0) + Number(r.platform_only_count ?? 0) + Number(r.amount_mismatch_count ?? 0),
  }));
}
