// `gridbill readings import FILE.csv [--dry-run] [--actor NAME]`: the format is in README.md,
// "Readings files". Exit code 0 when every row was stored (or was stored before), 1 when some
// rows were rejected (the others are stored), 2 for a wrong command line.

import { businessDate } from '../clock.ts';
import { GridbillError } from '../errors.ts';
import { importReadings, type ReadingsImportSummary } from '../usecases/import-readings.ts';
import { EXIT_OK, parseOptions, runSubcommand, type CliIo, type Command } from './command.ts';
import { actorOption, onePositional, withCurrentStore } from './store-command.ts';

function summaryLine(file: string, s: ReadingsImportSummary): string {
  const stored = s.dryRun ? 'to store' : 'stored';
  const dry = s.dryRun ? ' — dry run, nothing written' : '';
  return `${file}: ${s.rowsRead} rows read: ${s.rowsStored} ${stored}, ${s.rowsUnchanged} unchanged, ${s.rowsRejected} rejected; `
    + `meters: ${s.metersStored} ${stored}, ${s.metersUnchanged} unchanged, ${s.metersRejected} rejected${dry}`;
}

function printErrors(io: CliIo, s: ReadingsImportSummary): void {
  for (const e of s.errors) io.err(`line ${e.line}${e.field === null ? '' : `, ${e.field}`}: ${e.message}`);
  if (s.errorsNotListed > 0) io.err(`… and ${s.errorsNotListed} more errors not listed`);
}

async function runImport(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { 'dry-run': { type: 'boolean' }, actor: { type: 'string' } }, true);
  const file = onePositional(positionals, 'FILE', 'readings import');
  const actor = actorOption(values.actor);
  const summary = await withCurrentStore(io, (store) => importReadings(store, file, {
    // "Today" is the business calendar's: a reading taken this morning in Hangzhou is not in the future.
    today: businessDate(), now: new Date().toISOString(), dryRun: values['dry-run'] === true, actor,
  }));
  printErrors(io, summary);
  io.out(summaryLine(file, summary));
  if (summary.rowsRejected > 0) {
    throw new GridbillError('INPUT_INVALID', `${file}: ${summary.rowsRejected} of ${summary.rowsRead} rows rejected`, {
      hint: 'correct the lines listed above and import the file again; rows stored now are then skipped as unchanged',
    });
  }
  return EXIT_OK;
}

export const readingsCommand: Command = {
  name: 'readings',
  summary: 'import meter readings from a CSV file',
  help: [
    'Usage: gridbill readings import FILE.csv [--dry-run] [--actor NAME]',
    '',
    'Reads a CSV file with the header meter_no,register,read_on,value,source (see README.md,',
    '"Readings files"). Good rows are stored and bad ones listed as "line N, column: problem";',
    "but a meter's rows are stored all or nothing: one bad row of a meter keeps all of its rows out.",
    'A reading stored before with the same value is skipped, so a file can be imported again; one',
    'stored with another value is refused (a correction is an adjustment, not a new reading).',
    '',
    '  --dry-run     check everything against the database, write nothing',
    '  --actor NAME  who imports, for the audit log (default cli)',
    '',
    'Exit code 0 when every row is stored, 1 when some were rejected, 2 for a wrong command line.',
  ].join('\n'),
  run: (args, io) => runSubcommand('readings', { import: runImport }, args, io),
};
