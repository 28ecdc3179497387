// `gridbill tariff import FILE [--dry-run] [--actor NAME]` and `gridbill tariff list [CODE]`.

import { GridbillError } from '../errors.ts';
import { listAllTariffVersions, listTariffVersions } from '../store/tariff.repository.ts';
import type { TariffRow } from '../store/tariff.table.ts';
import { importTariffFile, type StoredTariffVersion, type TariffImportResult } from '../usecases/import-tariff.ts';
import { EXIT_OK, parseOptions, runSubcommand, type CliIo, type Command } from './command.ts';
import { actorOption, onePositional, withCurrentStore } from './store-command.ts';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeVersions(versions: readonly StoredTariffVersion[]): string {
  return versions.map((v) => `v${v.version}, from ${v.effectiveFrom}`).join('; ');
}

export function describeImport(result: TariffImportResult): string {
  const { code, stored, unchanged } = result;
  if (stored.length === 0) return `${code}: unchanged (${plural(unchanged.length, 'version')} already stored)`;
  const verb = result.dryRun ? 'would be stored' : 'stored';
  const rest = unchanged.length === 0 ? '' : `; ${unchanged.length} unchanged`;
  const dry = result.dryRun ? ' — dry run, nothing written' : '';
  return `${code}: ${plural(stored.length, 'version')} ${verb} (${describeVersions(stored)})${rest}${dry}`;
}

/** Columns padded to their widest cell; the last column is left ragged (names may be wide CJK text). */
export function formatTable(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd());
}

function versionTable(rows: readonly TariffRow[]): string[] {
  const sorted = [...rows].sort((a, b) => a.code.localeCompare(b.code) || a.effective_from.localeCompare(b.effective_from) || a.version - b.version);
  // The highest version per (code, effective_from) is the one billing uses: the same rule as loadTariffs.
  const current = new Map<string, TariffRow>();
  for (const row of sorted) current.set(`${row.code}|${row.effective_from}`, row);
  const status = (row: TariffRow) => {
    const winner = current.get(`${row.code}|${row.effective_from}`)!;
    return winner.id === row.id ? 'current' : `superseded by v${winner.version}`;
  };
  return formatTable([
    ['code', 'version', 'kind', 'from', 'to', 'status', 'published', 'name'],
    ...sorted.map((row) => [
      row.code, `v${row.version}`, row.kind, row.effective_from, row.effective_to ?? '-', status(row), row.published_at, row.name,
    ]),
  ]);
}

async function runImport(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { 'dry-run': { type: 'boolean' }, actor: { type: 'string' } }, true);
  const file = onePositional(positionals, 'FILE', 'tariff import');
  const actor = actorOption(values.actor);
  const result = await withCurrentStore(io, (store) => importTariffFile(store, file, {
    dryRun: values['dry-run'] === true, actor, now: new Date().toISOString(),
  }));
  io.out(describeImport(result));
  return EXIT_OK;
}

async function runList(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parseOptions(args, {}, true);
  if (positionals.length > 1) throw new GridbillError('CLI_USAGE', `tariff list: expected at most one CODE, got ${positionals.length}`);
  const code = positionals[0];
  const rows = await withCurrentStore(io, (store) => (code === undefined ? listAllTariffVersions(store) : listTariffVersions(store, code)));
  if (rows.length === 0 && code !== undefined) {
    throw new GridbillError('NOT_FOUND', `tariff ${code} has no stored versions`, { hint: 'run "gridbill tariff list" for the stored codes' });
  }
  for (const line of rows.length === 0 ? ['no tariffs stored'] : versionTable(rows)) io.out(line);
  return EXIT_OK;
}

export const tariffCommand: Command = {
  name: 'tariff',
  summary: 'publish tariff documents and list their stored versions',
  help: [
    'Usage: gridbill tariff import FILE [--dry-run] [--actor NAME]',
    '       gridbill tariff list [CODE]',
    '',
    'import  validates a tariff document (format: fixtures/tariffs/README.md) and stores each of its',
    '        versions. A version stored before with the same content is left alone, so importing a',
    '        file again changes nothing; a version with the same effectiveFrom but other content is',
    '        stored as a new version number, which supersedes the old one for billing. Stored',
    '        versions the file leaves out stay. Every problem is listed with its JSON path, and then',
    '        nothing is stored.',
    '  --dry-run     check everything and say what would be stored, without writing',
    '  --actor NAME  who publishes, for the audit log (default cli)',
    '',
    'list    prints the stored versions of every tariff, or of CODE: which is current, which',
    '        superseded.',
  ].join('\n'),
  run: (args, io) => runSubcommand('tariff', { import: runImport, list: runList }, args, io),
};
