// `gridbill estimate`: the smart-payment fee estimation of a day, the monthly settlement against
// the bills, and the per-segment settings (as RunEstimation and the scheduler do).

import { formatYuan, parseYuan } from '../domain/money.ts';
import type { SegmentSettings } from '../domain/estimation.ts';
import { GridbillError } from '../errors.ts';
import { loadSegmentSettings, updateSegmentSettings } from '../usecases/estimation-settings.ts';
import { runEstimation } from '../usecases/run-estimation.ts';
import { isSegment, SEGMENTS, type Segment } from '../usecases/run-billing.ts';
import { settleEstimates } from '../usecases/settle-estimates.ts';
import { EXIT_OK, integerOption, parseOptions, type CliIo, type Command } from './command.ts';
import { actorOption, withCurrentStore } from './store-command.ts';

function segmentOption(value: string | undefined): Segment | undefined {
  if (value !== undefined && !isSegment(value)) throw new GridbillError('CLI_USAGE', `--segment ${value}: expected one of ${Object.keys(SEGMENTS).join(', ')}`);
  return value;
}

async function estimate(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { date: { type: 'string' }, segment: { type: 'string' }, slot: { type: 'string' }, actor: { type: 'string' } });
  if (values.date === undefined) throw new GridbillError('CLI_USAGE', '--date is required');
  const segment = segmentOption(values.segment);
  const slot = values.slot === undefined ? undefined : integerOption('slot', values.slot, 1, 1, 24);
  return withCurrentStore(io, async (store) => {
    const s = await runEstimation(store, { date: values.date!, segment, slot, now: new Date().toISOString(), actor: actorOption(values.actor) });
    io.out(`estimation of ${s.date}${segment ? ` (${segment})` : ''}: finished`);
    io.out(`  accounts charged   ${s.accounts}`);
    io.out(`  already estimated  ${s.alreadyEstimated}`);
    io.out(`  skipped (no data)  ${s.skipped}`);
    io.out(`  energy             ${s.estimatedKwh} kWh`);
    io.out(`  amount             ${formatYuan(s.amountFen)} yuan`);
    io.out(`  reminders          ${s.reminders}`);
    io.out(`  cut-off notices    ${s.cutoffNotices}`);
    io.out(`  disconnects        ${s.disconnectCommands} (pending approval)`);
    return EXIT_OK;
  });
}

async function settle(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { period: { type: 'string' }, actor: { type: 'string' } });
  if (values.period === undefined) throw new GridbillError('CLI_USAGE', '--period is required');
  return withCurrentStore(io, async (store) => {
    const s = await settleEstimates(store, { period: values.period!, now: new Date().toISOString(), actor: actorOption(values.actor) });
    io.out(`settlement of ${s.period}: ${s.bills} bill(s), bills ${formatYuan(s.billsFen)}, estimates ${formatYuan(s.estimatesFen)}, settlement ${formatYuan(s.settlementFen)} yuan`);
    return EXIT_OK;
  });
}

const SETTABLE: Readonly<Record<string, (v: string) => Partial<SegmentSettings>>> = {
  algorithm: (v) => ({ algorithm: v as SegmentSettings['algorithm'] }),
  fallback: (v) => ({ fallback: v as SegmentSettings['fallback'] }),
  runsPerDay: (v) => ({ runsPerDay: Number(v) }),
  windowStart: (v) => ({ windowStart: v }),
  windowEnd: (v) => ({ windowEnd: v }),
  averageMonths: (v) => ({ averageMonths: Number(v) }),
  peakShareBp: (v) => ({ peakShareBp: Number(v) }),
  alarm1: (v) => ({ alarm1Fen: parseYuan(v) }),
  alarm2: (v) => ({ alarm2Fen: parseYuan(v) }),
  graceHours: (v) => ({ graceHours: Number(v) }),
  cutoffFrom: (v) => ({ cutoffFrom: v }),
  cutoffTo: (v) => ({ cutoffTo: v }),
};

async function config(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { segment: { type: 'string' }, set: { type: 'string', multiple: true }, actor: { type: 'string' } });
  const segment = segmentOption(values.segment);
  const change: Partial<SegmentSettings> = {};
  for (const pair of values.set ?? []) {
    const [key, value] = pair.split('=', 2) as [string, string | undefined];
    const set = Object.hasOwn(SETTABLE, key) ? SETTABLE[key] : undefined;
    if (set === undefined || value === undefined) throw new GridbillError('CLI_USAGE', `--set ${pair}: expected KEY=VALUE with KEY one of ${Object.keys(SETTABLE).join(', ')}`);
    try {
      Object.assign(change, set(value));
    } catch {
      throw new GridbillError('CLI_USAGE', `--set ${pair}: not a valid amount`);
    }
  }
  if (Object.keys(change).length > 0 && segment === undefined) throw new GridbillError('CLI_USAGE', '--set needs --segment');
  return withCurrentStore(io, async (store) => {
    if (segment !== undefined && Object.keys(change).length > 0) await updateSegmentSettings(store, segment, change, { actor: actorOption(values.actor), now: new Date().toISOString() });
    for (const [name, s] of await loadSegmentSettings(store)) {
      if (segment !== undefined && name !== segment) continue;
      io.out(`${name}: ${s.algorithm} (fallback ${s.fallback}), ${s.runsPerDay}/day, window ${s.windowStart}–${s.windowEnd}, alarms ${formatYuan(s.alarm1Fen)}/${formatYuan(s.alarm2Fen)} yuan, grace ${s.graceHours} h, cut-offs ${s.cutoffFrom}–${s.cutoffTo}`);
    }
    return EXIT_OK;
  });
}

export const estimateCommand: Command = {
  name: 'estimate',
  summary: 'smart payment: estimate a day, settle a month, show or change the settings',
  help: [
    'Usage: gridbill estimate --date YYYY-MM-DD [--segment S] [--slot N] [--actor NAME]',
    '       gridbill estimate settle --period YYYY-MM [--actor NAME]',
    '       gridbill estimate config [--segment S] [--set KEY=VALUE …] [--actor NAME]',
    '',
    'estimate  deducts the estimated charge of the consumption day from every smart-payment account',
    '          (every slot of the day that has ended, or the one slot given) and queues the reminders;',
    '          running a day again charges nobody twice.',
    'settle    clears the estimates of a month against its issued bills (bill = estimates + settlement).',
    'config    prints the per-segment settings; --set changes them (alarm1/alarm2 in yuan).',
    '',
    `Segments: ${Object.keys(SEGMENTS).join(', ')}`,
  ].join('\n'),
  run(args, io) {
    if (args[0] === 'settle') return settle(args.slice(1), io);
    if (args[0] === 'config') return config(args.slice(1), io);
    return estimate(args, io);
  },
};
