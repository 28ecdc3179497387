// The gridbill command: `gridbill <command> [options]`, `gridbill <command> --help`.

import { auditCommand } from './audit.ts';
import { billCommand } from './bill.ts';
import { caCommand } from './ca.ts';
import { billRunCommand } from './bill-run.ts';
import { channelCommand } from './channel.ts';
import { gatewayCommand } from './gateway.ts';
import { reconcileCommand } from './reconcile.ts';
import { EXIT_OK, EXIT_USAGE, processIo, reportError, type CliIo, type Command } from './command.ts';
import { migrateCommand } from './migrate.ts';
import { readingsCommand } from './readings.ts';
import { seedCommand } from './seed.ts';
import { smsCommand } from './sms.ts';
import { estimateCommand } from './estimate.ts';
import { staffCommand } from './staff.ts';
import { serveCommand } from './serve.ts';
import { tariffCommand } from './tariff.ts';
import { versionCommand } from './version.ts';

export const COMMANDS: readonly Command[] = [
  serveCommand, migrateCommand, seedCommand, tariffCommand, readingsCommand, billRunCommand, billCommand, channelCommand, caCommand, gatewayCommand, reconcileCommand, estimateCommand, smsCommand, staffCommand, auditCommand, versionCommand,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: gridbill <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "gridbill <command> --help" for the options of a command.',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version') return versionCommand.run([], io);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`gridbill: CLI_USAGE: unknown command "${name}"`);
    io.err(overview());
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}
