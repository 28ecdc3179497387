// The balance rules of an estimation slice (balance-rules.ts), with the alarm reminders written in
// bulk. A run of a million accounts queues tens of thousands of reminders; one notice and one SMS
// statement each took a third of the writing thread's time. An account still above zero can only
// get an alarm reminder (alarm 1 or 2, once per level and business day): no cut-off notice and no
// disconnect, so those are decided here in one read and two bulk inserts. Accounts at or below
// zero go through applyBalanceRules unchanged: cut-off notices and disconnects stay in one place.
// What the reminders say is the SMS template's (sms-messages.ts), level and balance as there.

import { businessDate } from '../clock.ts';
import type { SegmentSettings } from '../domain/estimation.ts';
import { formatYuan } from '../domain/money.ts';
import type { Store } from '../store/database.ts';
import { insertNoticesWithSms, noticeKeysOfDay, type NoticeWithSms } from '../store/estimation.repository.ts';
import { applyBalanceRules, noticeLevelOf, type BalanceCheck, type RuleCounts } from './balance-rules.ts';
import { smsText } from './sms-messages.ts';

/** applyBalanceRules for a slice of checks in customer order; runs in the slice's transaction. */
export async function applySliceBalanceRules(tx: Store, checks: readonly BalanceCheck[], settings: SegmentSettings, now: string): Promise<RuleCounts> {
  const counts = await applyBalanceRules(tx, checks.filter((c) => c.balanceFen <= 0), settings, now);
  const alarms = checks.filter((c) => c.balanceFen > 0);
  if (alarms.length === 0) return counts;
  const day = businessDate(new Date(now));
  const sent = await noticeKeysOfDay(tx, day, alarms[0]!.customerId, alarms[alarms.length - 1]!.customerId);
  const rows: NoticeWithSms[] = [];
  for (const check of alarms) {
    const level = noticeLevelOf(check.balanceFen, settings);
    if (level === undefined || level === 'cutoff' || sent.has(`${check.customerId}|${level}`)) continue;
    const body = smsText({ template: 'balance-alarm', customerNo: check.customerNo, level: level === 'alarm-1' ? 1 : 2, balanceYuan: formatYuan(check.balanceFen) });
    rows.push({
      notice: { customer_id: check.customerId, day, level, balance_fen: check.balanceFen, created_at: now },
      sms: check.phone === null ? null : { phone: check.phone, template: 'balance-alarm', body },
    });
  }
  await insertNoticesWithSms(tx, rows);
  return { ...counts, reminders: counts.reminders + rows.length };
}
