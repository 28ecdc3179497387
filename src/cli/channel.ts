import { readFileSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { GridbillError } from '../errors.ts';
import { loadMasterKey, secretBox, type SecretBox } from '../ops/secret-box.ts';
import {
  addChannel, channelViews, rotateChannelSecret, setChannelEnabled, type ChannelView,
} from '../usecases/manage-channels.ts';
import { LIMITS } from '../limits.ts';
import { EXIT_OK, integerOption, parseOptions, runSubcommand, type CliIo, type Command, type Subcommand } from './command.ts';
import { actorOption, withCurrentStore } from './store-command.ts';

function box(io: CliIo): SecretBox {
  const config = loadConfig(io.env);
  return secretBox(loadMasterKey({ keyBase64: config.secretKeyBase64, keyFile: config.secretKeyFile }));
}

/** The password from --password, or the first line of standard input with --password-stdin. */
function password(values: { password?: string; 'password-stdin'?: boolean }): string {
  if (values.password !== undefined && values['password-stdin']) throw new GridbillError('CLI_USAGE', 'give --password or --password-stdin, not both');
  if (values['password-stdin']) return readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  if (values.password === undefined) throw new GridbillError('CLI_USAGE', '--password or --password-stdin is required');
  return values.password;
}

function printView(io: CliIo, v: ChannelView): void {
  const reversal = v.reversalDays === null ? '' : `\treversal ${v.reversalDays} days`;
  io.out(`${v.code}\t${v.kind}\t${v.enabled ? 'enabled' : 'disabled'}\t${v.name}\t${v.operations.join(',')}${reversal}`);
}

const PASSWORD_OPTIONS = { password: { type: 'string' }, 'password-stdin': { type: 'boolean' }, actor: { type: 'string' } } as const;

async function add(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    code: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' }, operations: { type: 'string' },
    'reversal-days': { type: 'string' }, ...PASSWORD_OPTIONS,
  });
  for (const key of ['code', 'name', 'operations'] as const) {
    if (!values[key]) throw new GridbillError('CLI_USAGE', `--${key} is required`);
  }
  const secret = password(values);
  const operations = values.operations!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const reversalDays = values['reversal-days'] === undefined ? null : integerOption('reversal-days', values['reversal-days'], 0, 0, LIMITS.reversalDaysMax);
  return withCurrentStore(io, async (store) => {
    const view = await addChannel(store, box(io), {
      code: values.code!, name: values.name!, kind: values.kind ?? 'bank', password: secret, operations, reversalDays,
    }, actorOption(values.actor), new Date().toISOString());
    printView(io, view);
    return EXIT_OK;
  });
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  parseOptions(args, {});
  return withCurrentStore(io, async (store) => {
    const views = await channelViews(store);
    for (const v of views) printView(io, v);
    if (views.length === 0) io.out('no channels registered');
    return EXIT_OK;
  });
}

function toggle(enabled: boolean) {
  return async (args: readonly string[], io: CliIo): Promise<number> => {
    const { values } = parseOptions(args, { code: { type: 'string' }, actor: { type: 'string' } });
    if (!values.code) throw new GridbillError('CLI_USAGE', '--code is required');
    return withCurrentStore(io, async (store) => {
      printView(io, await setChannelEnabled(store, values.code!, enabled, actorOption(values.actor), new Date().toISOString()));
      return EXIT_OK;
    });
  };
}

async function rotate(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { code: { type: 'string' }, ...PASSWORD_OPTIONS });
  if (!values.code) throw new GridbillError('CLI_USAGE', '--code is required');
  const secret = password(values);
  return withCurrentStore(io, async (store) => {
    printView(io, await rotateChannelSecret(store, box(io), values.code!, secret, actorOption(values.actor), new Date().toISOString()));
    return EXIT_OK;
  });
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  add, list, disable: toggle(false), enable: toggle(true), rotate,
};

export const channelCommand: Command = {
  name: 'channel',
  summary: 'register banks, payment channels and internal systems',
  help: [
    'Usage: gridbill channel add --code C --name N [--kind bank|third-party|portal|internal] --operations OP,OP,…',
    '                           (--password P | --password-stdin) [--reversal-days N] [--actor NAME]',
    '       gridbill channel list',
    '       gridbill channel disable --code C | enable --code C',
    '       gridbill channel rotate --code C (--password P | --password-stdin)',
    '',
    'The code is the WS-Security username of the channel; the password (12 to 128 characters) is',
    'sealed with the master key (GRIDBILL_SECRET_KEY or its key file) and never shown again.',
    '--password-stdin reads it from the first line of standard input, keeping it out of the shell',
    'history. Operations are those of ChannelPaymentService, CustomerService, BillingAdminService',
    'and OperationsService; a call to any other operation is refused with OPERATION_NOT_ALLOWED.',
    `--reversal-days N (0 to ${LIMITS.reversalDaysMax}): the channel may reverse a payment until N days after its`,
    'accounting date (0: on that day only); without it, until the day after (the platform default).',
  ].join('\n'),
  run: (args, io) => runSubcommand('channel', SUBCOMMANDS, args, io),
};
