// `gridbill staff add|list|disable|enable`: the people who may log in to the admin console.

import { readFileSync } from 'node:fs';
import { GridbillError } from '../errors.ts';
import { addStaffUser, setStaffUserEnabled, STAFF_ROLES, staffUsers, type StaffView } from '../usecases/staff-accounts.ts';
import { EXIT_OK, parseOptions, runSubcommand, type CliIo, type Command, type Subcommand } from './command.ts';
import { actorOption, withCurrentStore } from './store-command.ts';

function printView(io: CliIo, v: StaffView): void {
  const locked = v.lockedUntil !== null && v.lockedUntil > new Date().toISOString() ? `\tlocked until ${v.lockedUntil}` : '';
  io.out(`${v.username}\t${v.role}\t${v.enabled ? 'enabled' : 'disabled'}\t${v.displayName}${locked}`);
}

function password(values: { password?: string; 'password-stdin'?: boolean }): string {
  if (values.password !== undefined && values['password-stdin']) throw new GridbillError('CLI_USAGE', 'give --password or --password-stdin, not both');
  if (values['password-stdin']) return readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  if (values.password === undefined) throw new GridbillError('CLI_USAGE', '--password or --password-stdin is required');
  return values.password;
}

async function add(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    user: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' },
    'password-stdin': { type: 'boolean' }, actor: { type: 'string' },
  });
  if (!values.user) throw new GridbillError('CLI_USAGE', '--user is required');
  if (!values.role) throw new GridbillError('CLI_USAGE', `--role is required: one of ${STAFF_ROLES.join(', ')}`);
  const secret = password(values);
  return withCurrentStore(io, async (store) => {
    const view = await addStaffUser(store, {
      username: values.user!, role: values.role!, password: secret, ...(values.name === undefined ? {} : { displayName: values.name }),
    }, actorOption(values.actor), new Date().toISOString());
    printView(io, view);
    return EXIT_OK;
  });
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  parseOptions(args, {});
  return withCurrentStore(io, async (store) => {
    const views = await staffUsers(store);
    for (const v of views) printView(io, v);
    if (views.length === 0) io.out('no staff users');
    return EXIT_OK;
  });
}

function toggle(enabled: boolean): Subcommand {
  return async (args, io) => {
    const { values } = parseOptions(args, { user: { type: 'string' }, actor: { type: 'string' } });
    if (!values.user) throw new GridbillError('CLI_USAGE', '--user is required');
    return withCurrentStore(io, async (store) => {
      printView(io, await setStaffUserEnabled(store, values.user!, enabled, actorOption(values.actor), new Date().toISOString()));
      return EXIT_OK;
    });
  };
}

const SUBCOMMANDS: Record<string, Subcommand> = { add, list, disable: toggle(false), enable: toggle(true) };

export const staffCommand: Command = {
  name: 'staff',
  summary: 'staff users of the admin console: add, list, disable, enable',
  help: [
    'Usage: gridbill staff add --user U --role R (--password P | --password-stdin) [--name DISPLAY] [--actor NAME]',
    '       gridbill staff list',
    '       gridbill staff disable --user U | enable --user U',
    '',
    `Roles: ${STAFF_ROLES.join(', ')} (what each may do: README "Admin console").`,
    'The user name (2 to 32 lower-case letters, digits, ".", "_" or "-") is what the audit log records;',
    'the password (8 to 128 characters with letters and digits) is kept only as an scrypt hash.',
    'Disabling ends the user\'s console sessions at once; users are never deleted.',
  ].join('\n'),
  run: (args, io) => runSubcommand('staff', SUBCOMMANDS, args, io),
};
