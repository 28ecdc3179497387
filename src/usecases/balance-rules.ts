// What a smart-payment account's available balance triggers after an estimate (DOMAIN.md "Smart
// payment"): below the first or second alarm threshold a reminder SMS, below zero a cut-off
// notice — each at most once per account, level and business day (the most severe level that
// applies is the one sent) — and at or below zero past the grace time since the first cut-off
// notice (counted from the customer's last payment or reconnect, whichever is later) a
// DISCONNECT command that waits for a person's approval (approve-control-command.ts). A customer
// with a disconnect open or carried out gets no second one.

import { businessDate } from '../clock.ts';
import type { NoticeLevel, SegmentSettings } from '../domain/estimation.ts';
import { formatYuan } from '../domain/money.ts';
import type { Store } from '../store/database.ts';
import {
  commandsOfCustomer, firstCutoffNoticeAfter, insertControlCommand, insertNotice, lastPaymentAt, noticesOfDay, switchMeterOf,
} from '../store/control.repository.ts';
import { queueSms, type SmsMessage } from './sms-messages.ts';

export interface BalanceCheck {
  readonly customerId: number;
  readonly customerNo: string;
  readonly phone: string | null;
  /** Available balance after the estimate: prepaid credit minus estimates. */
  readonly balanceFen: number;
}

export interface RuleCounts {
  reminders: number;
  cutoffNotices: number;
  disconnectCommands: number;
  reconnectCommands: number;
}

export function emptyRuleCounts(): RuleCounts {
  return { reminders: 0, cutoffNotices: 0, disconnectCommands: 0, reconnectCommands: 0 };
}

export function noticeLevelOf(balanceFen: number, settings: Pick<SegmentSettings, 'alarm1Fen' | 'alarm2Fen'>): NoticeLevel | undefined {
  if (balanceFen < 0) return 'cutoff';
  if (balanceFen < settings.alarm2Fen) return 'alarm-2';
  if (balanceFen < settings.alarm1Fen) return 'alarm-1';
  return undefined;
}

function messageOf(level: NoticeLevel, check: BalanceCheck): SmsMessage {
  const balanceYuan = formatYuan(check.balanceFen);
  return level === 'cutoff'
    ? { template: 'cutoff-notice', customerNo: check.customerNo, balanceYuan }
    : { template: 'balance-alarm', customerNo: check.customerNo, level: level === 'alarm-1' ? 1 : 2, balanceYuan };
}

/** Runs in the caller's transaction (the estimation slice's). */
export async function applyBalanceRules(tx: Store, checks: readonly BalanceCheck[], settings: SegmentSettings, now: string): Promise<RuleCounts> {
  const counts = emptyRuleCounts();
  const day = businessDate(new Date(now));
  const due = checks.flatMap((check) => {
    const level = noticeLevelOf(check.balanceFen, settings);
    return level === undefined ? [] : [{ check, level }];
  });
  const sent = new Set((await noticesOfDay(tx, day, due.map((d) => d.check.customerId))).map((n) => `${n.customer_id}|${n.level}`));
  for (const { check, level } of due) {
    if (sent.has(`${check.customerId}|${level}`)) continue;
    await insertNotice(tx, { customer_id: check.customerId, day, level, balance_fen: check.balanceFen, created_at: now });
    if (check.phone !== null) await queueSms(tx, { phone: check.phone, customerId: check.customerId, message: messageOf(level, check), at: now });
    if (level === 'cutoff') counts.cutoffNotices += 1;
    else counts.reminders += 1;
  }
  for (const check of checks) {
    if (check.balanceFen <= 0 && await disconnectIfDue(tx, check, settings, now)) counts.disconnectCommands += 1;
  }
  return counts;
}

const RECENT_COMMANDS = 20;
const OPEN_STATUSES = new Set(['PENDING_APPROVAL', 'APPROVED', 'HELD', 'SENT']);

async function disconnectIfDue(tx: Store, check: BalanceCheck, settings: SegmentSettings, now: string): Promise<boolean> {
  const commands = await commandsOfCustomer(tx, check.customerId, RECENT_COMMANDS);
  const lastDone = commands.find((c) => c.status === 'DONE');
  if (commands.some((c) => c.kind === 'DISCONNECT' && OPEN_STATUSES.has(c.status)) || lastDone?.kind === 'DISCONNECT') return false;
  const lastReconnect = commands.find((c) => c.kind === 'RECONNECT')?.created_at ?? '';
  const paidAt = await lastPaymentAt(tx, check.customerId) ?? '';
  const since = lastReconnect > paidAt ? lastReconnect : paidAt;
  const firstNotice = await firstCutoffNoticeAfter(tx, check.customerId, since);
  if (firstNotice === undefined || Date.parse(firstNotice) + settings.graceHours * 3_600_000 > Date.parse(now)) return false;
  const meter = await switchMeterOf(tx, check.customerId);
  if (meter === undefined) return false;
  await insertControlCommand(tx, {
    command_id: commandId('D', check.customerId, now), customer_id: check.customerId, meter_id: meter.id, kind: 'DISCONNECT',
    status: 'PENDING_APPROVAL', reason: `余额${formatYuan(check.balanceFen)}元，欠费停电`, created_at: now,
    approved_by: null, approved_at: null, sent_at: null, completed_at: null, last_error: null,
  });
  return true;
}

/** The head-end's idempotency key: kind, customer, creation time (unique per customer and millisecond). */
export function commandId(kind: 'D' | 'R', customerId: number, now: string): string {
  return `${kind}${customerId}-${Date.parse(now).toString(36)}`.toUpperCase();
}
