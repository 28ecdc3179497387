// `gridbill reconcile --channel C --date D --file F`: a channel's day from a file (format:
// README.md, "Reconciliation files"), the same reconciliation as ChannelPaymentService.Reconcile.
// Exit code 0 when the day is reconciled (discrepancies are listed, they are for review, not
// errors), 1 when the file or the day is refused, 2 for a wrong command line.

import { formatYuan } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import type { ReconcileAnswer } from '../usecases/reconcile.ts';
import { reconcileFile, type ReconcileFileOutcome } from '../usecases/reconcile-file.ts';
import { EXIT_OK, parseOptions, type CliIo, type Command } from './command.ts';
import { actorOption, withCurrentStore } from './store-command.ts';

const KIND_LABEL = { 'channel-only': 'CHANNEL_ONLY', 'platform-only': 'PLATFORM_ONLY', 'amount-mismatch': 'AMOUNT_MISMATCH' } as const;

function printAnswer(io: CliIo, channel: string, outcome: Extract<ReconcileFileOutcome, { kind: 'sent' }>): void {
  const answer: ReconcileAnswer = outcome.answer;
  const result = answer.result;
  if (result === undefined) {
    io.out(`${channel} ${answer.accountingDate}: ${answer.batchesReceived} batches received, not reconciled yet`);
    return;
  }
  io.out(`${channel} ${answer.accountingDate}: reconciled, ${outcome.entries} entries in ${outcome.batches} batches: `
    + `${result.matchedCount} matched (${formatYuan(result.matchedAmountFen)}), ${result.channelOnlyCount} channel-only, `
    + `${result.platformOnlyCount} platform-only, ${result.amountMismatchCount} amount mismatches`);
  const yuan = (fen: number | null) => (fen === null ? '-' : formatYuan(fen));
  for (const d of result.discrepancies) {
    io.out(`${KIND_LABEL[d.kind]}\t${d.channelTxnId}\t${d.customerNo}\tchannel ${yuan(d.channelAmountFen)}\tplatform ${yuan(d.platformAmountFen)}`);
  }
  if (result.discrepanciesTruncated) io.out(`… more discrepancies not listed; all are kept for review`);
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    channel: { type: 'string' }, date: { type: 'string' }, file: { type: 'string' }, actor: { type: 'string' },
  });
  for (const key of ['channel', 'date', 'file'] as const) {
    if (!values[key]) throw new GridbillError('CLI_USAGE', `--${key} is required`, { hint: 'see gridbill reconcile --help' });
  }
  const actor = actorOption(values.actor);
  const outcome = await withCurrentStore(io, (store) => reconcileFile(store, {
    channelCode: values.channel!, accountingDate: values.date!, path: values.file!, now: new Date().toISOString(), actor,
  }));
  if (outcome.kind === 'invalid') {
    for (const p of outcome.problems) io.err(`line ${p.line}${p.field === null ? '' : `, ${p.field}`}: ${p.message}`);
    if (outcome.problemsNotListed > 0) io.err(`… and ${outcome.problemsNotListed} more errors not listed`);
    throw new GridbillError('INPUT_INVALID', `${values.file}: ${outcome.problems.length + outcome.problemsNotListed} problems; nothing was sent`, {
      hint: 'correct the lines listed above and run the command again',
    });
  }
  printAnswer(io, values.channel!, outcome);
  return EXIT_OK;
}

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'reconcile a channel\'s accounting date from its file',
  help: [
    'Usage: gridbill reconcile --channel C --date YYYY-MM-DD --file FILE [--actor NAME]',
    '',
    'Compares the channel\'s entries for a past accounting date with the payments the platform',
    'posted for it, as ChannelPaymentService.Reconcile does, and prints the counts and every',
    'discrepancy (CHANNEL_ONLY, PLATFORM_ONLY, AMOUNT_MISMATCH), which are kept for review.',
    'The file (README.md, "Reconciliation files") is UTF-8, one record a line, fields split by "|":',
    '',
    '  TOTAL|<count>|<amount>                 first line: the number and sum of the entries',
    '  <channelTxnId>|<customerNo>|<amount>   one line per payment, amounts in yuan (12.30)',
    '',
    'The whole file is checked first; a bad line is reported as "line N, field: problem" and then',
    'nothing is sent. A day is reconciled once: the same file again prints the same result, another',
    'file for a reconciled day is refused (RECONCILE_DAY_RECONCILED).',
    '',
    '  --actor NAME  who reconciles, for the audit log (default cli)',
    '',
    'Exit code 0 when the day is reconciled, 1 when the file or the day is refused, 2 for a wrong command line.',
  ].join('\n'),
  run,
};
