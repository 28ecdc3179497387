// What every gridbill subcommand is, and how the CLI talks: plain lines on stdout for results,
// one line per error on stderr with its catalogued code and the fix, never a stack trace.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GridbillError, isGridbillError } from '../errors.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The whole --help text. */
  readonly help: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict option parsing; a mistake becomes a CLI_USAGE error naming the option. */
export function parseOptions<T extends Options>(args: readonly string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (error) {
    throw new GridbillError('CLI_USAGE', (error as Error).message, { hint: 'see --help' });
  }
}

/** Parses a whole-number option within bounds, naming the option when it is wrong. */
export function integerOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new GridbillError('CLI_USAGE', `--${name} ${value}: expected an integer from ${min} to ${max}`);
  }
  return Number(value);
}

export function reportError(error: unknown, io: CliIo): number {
  if (isGridbillError(error)) {
    // One line: what went wrong and how to fix it, for the operator and for log scrapers alike.
    io.err(`gridbill: ${error.code}: ${error.message}${error.hint ? ` — fix: ${error.hint}` : ''}`);
    return error.code === 'CLI_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }
  // Unexpected: one line, no stack, unless the operator asks for it.
  io.err(`gridbill: INTERNAL: ${(error as Error)?.message ?? String(error)}`);
  if (io.env.GRIDBILL_DEBUG) io.err(String((error as Error)?.stack ?? ''));
  return EXIT_FAILURE;
}

export type Subcommand = (args: readonly string[], io: CliIo) => Promise<number>;

/** Runs `gridbill <command> <sub> …`, naming the valid subcommands when the given one is not. */
export function runSubcommand(command: string, table: Readonly<Record<string, Subcommand>>, args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const handler = sub !== undefined && Object.hasOwn(table, sub) ? table[sub] : undefined;
  if (!handler) {
    throw new GridbillError('CLI_USAGE', `${command}${sub === undefined ? '' : ` ${sub}`}: expected one of ${Object.keys(table).join(', ')}`, {
      hint: `see gridbill ${command} --help`,
    });
  }
  return handler(rest, io);
}
