// The jobs the core's scheduler runs (scheduler.ts), and when each occurrence is due:
//
// | job                     | due                                                    | does |
// |-------------------------|--------------------------------------------------------|------|
// | estimation:<segment>    | inside the segment's window; a new occurrence each time | estimation of yesterday, and of today's slots that have ended |
// |                         | another of today's slots has ended                     | (idempotent per account and period) |
// | reminders               | every controlDispatchMs                                | reconnects every paid-up disconnected customer (the safety net behind a payment's own reconnect) |
// | control-dispatch        | every controlDispatchMs                                | sends approved commands (protected hours, holidays, protected customers honoured) |
// | estimate-settlement     | every estimateSettlementMs                             | settles last month's and the month before's issued smart-payment bills |
// | direct-debit            | every directDebitMs (with a bank)                      | debits newly issued bills with an agreement, retries due failures |
// | online-payments         | every onlinePaymentsSettleMs (with a bank)             | settles online payments whose request gave up |

import { BUSINESS_UTC_OFFSET_MINUTES, businessDate } from '../clock.ts';
import { addDays, addMonths, monthOf } from '../domain/dates.ts';
import { LIMITS } from '../limits.ts';
import type { Store } from '../store/database.ts';
import { unsettledSmartBills } from '../store/estimation.repository.ts';
import type { BankGateway } from './bank-gateway.ts';
import { dispatchControlCommands } from './dispatch-control-commands.ts';
import { runDirectDebits } from './direct-debit.ts';
import { loadSegmentSettings } from './estimation-settings.ts';
import type { MeterControl } from './meter-control.ts';
import { settleOnlinePayments } from './pay-online.ts';
import { reconnectPaidUp } from './reconnect-paid-up.ts';
import { runEstimation } from './run-estimation.ts';
import { SEGMENTS, type Segment } from './run-billing.ts';
import type { ScheduledJob } from './scheduler.ts';
import { settleEstimates } from './settle-estimates.ts';

export const SCHEDULER_ACTOR = 'scheduler';

export interface JobDependencies {
  readonly store: Store;
  readonly control: MeterControl;
  /** Without a bank, direct debit and the settling of online payments are not scheduled. */
  readonly bank?: BankGateway;
}

/** A job due once per interval of `everyMs` (counted from the epoch, so every core agrees on it). */
export function intervalJob(name: string, everyMs: number, run: (now: Date) => Promise<unknown>): ScheduledJob {
  return { name, occurrence: (now) => String(Math.floor(now.getTime() / everyMs)), run: (now) => run(now) };
}

/** Minutes since midnight at the business offset. */
function businessMinutes(now: Date): number {
  const shifted = new Date(now.getTime() + BUSINESS_UTC_OFFSET_MINUTES * 60_000);
  return shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** The segment's estimation: inside its window, once per (day, slots of the day ended so far). */
export function estimationJob(store: Store, segment: Segment): ScheduledJob {
  return {
    name: `estimation:${segment}`,
    async occurrence(now) {
      const settings = (await loadSegmentSettings(store)).get(segment);
      const minutes = businessMinutes(now);
      if (settings === undefined || minutes < minutesOf(settings.windowStart) || minutes >= minutesOf(settings.windowEnd)) return undefined;
      return `${businessDate(now)}#${Math.floor(minutes / (1440 / settings.runsPerDay))}`;
    },
    async run(now, runKey) {
      const today = businessDate(now);
      const at = now.toISOString();
      const yesterday = await runEstimation(store, { date: addDays(today, -1), segment, now: at, actor: SCHEDULER_ACTOR });
      const endedToday = Number(runKey.split('#')[1]);
      const todays = endedToday > 0 ? await runEstimation(store, { date: today, segment, now: at, actor: SCHEDULER_ACTOR }) : undefined;
      return { yesterday: yesterday.accounts, today: todays?.accounts ?? 0 };
    },
  };
}

/** Settles the issued bills of the last two months; skips a month with nothing to settle (no audit record). */
async function settleRecentMonths(store: Store, now: Date): Promise<number> {
  const thisMonth = monthOf(businessDate(now));
  let bills = 0;
  for (const period of [addMonths(thisMonth, -2), addMonths(thisMonth, -1)]) {
    if ((await unsettledSmartBills(store, period, 0, 1)).length === 0) continue;
    bills += (await settleEstimates(store, { period, now: now.toISOString(), actor: SCHEDULER_ACTOR })).bills;
  }
  return bills;
}

export function scheduledJobs(deps: JobDependencies): ScheduledJob[] {
  const { store, control, bank } = deps;
  const jobs: ScheduledJob[] = (Object.keys(SEGMENTS) as Segment[]).map((segment) => estimationJob(store, segment));
  jobs.push(
    intervalJob('reminders', LIMITS.controlDispatchMs, async (now) => (await reconnectPaidUp(store, control, now.toISOString())).created),
    intervalJob('control-dispatch', LIMITS.controlDispatchMs, (now) => dispatchControlCommands(store, control, now.toISOString())),
    intervalJob('estimate-settlement', LIMITS.estimateSettlementMs, (now) => settleRecentMonths(store, now)),
  );
  if (bank !== undefined) {
    jobs.push(
      intervalJob('direct-debit', LIMITS.directDebitMs, (now) => runDirectDebits(store, bank, now.toISOString())),
      intervalJob('online-payments', LIMITS.onlinePaymentsSettleMs, (now) => settleOnlinePayments(store, bank, now.toISOString())),
    );
  }
  return jobs;
}
