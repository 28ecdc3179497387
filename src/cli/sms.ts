// `gridbill sms outbox`: the SMS outbox, newest first. In development the outbox is the SMS
// gateway simulator: this is where a tester reads the login code RequestLoginCode sent.

import { businessTimestamp } from '../clock.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { maskPhone } from '../ops/mask.ts';
import { findCustomerByNo } from '../store/customer.repository.ts';
import { listOutbox } from '../store/sms-outbox.repository.ts';
import { EXIT_OK, integerOption, parseOptions, runSubcommand, type CliIo, type Command, type Subcommand } from './command.ts';
import { withCurrentStore } from './store-command.ts';

const DEFAULT_LIMIT = 20;

async function outbox(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { phone: { type: 'string' }, customer: { type: 'string' }, limit: { type: 'string' } });
  const limit = integerOption('limit', values.limit, DEFAULT_LIMIT, 1, LIMITS.smsOutboxListedMax);
  if (values.phone !== undefined && !/^1[3-9][0-9]{9}$/.test(values.phone)) {
    throw new GridbillError('CLI_USAGE', `--phone ${values.phone}: expected an 11-digit mobile number`);
  }
  if (values.customer !== undefined && !/^[0-9]{10,13}$/.test(values.customer)) {
    throw new GridbillError('CLI_USAGE', `--customer ${values.customer}: expected a customer number of 10 to 13 digits`);
  }
  return withCurrentStore(io, async (store) => {
    let customerId: number | undefined;
    if (values.customer !== undefined) {
      const customer = await findCustomerByNo(store, values.customer);
      if (customer === undefined) throw new GridbillError('CUSTOMER_NOT_FOUND', values.customer);
      customerId = customer.id;
    }
    const rows = await listOutbox(store, { phone: values.phone, customerId, limit });
    for (const row of rows) {
      io.out(`${row.id}\t${businessTimestamp(new Date(row.created_at))}\t${maskPhone(row.phone)}\t${row.status}\t${row.body}`);
    }
    io.out(`${rows.length} message(s)`);
    return EXIT_OK;
  });
}

const SUBCOMMANDS: Record<string, Subcommand> = { outbox };

export const smsCommand: Command = {
  name: 'sms',
  summary: 'read the SMS outbox (the SMS gateway simulator in development)',
  help: [
    'Usage: gridbill sms outbox [--phone PHONE] [--customer CUSTOMERNO] [--limit N]',
    '',
    'outbox  prints the messages waiting for the SMS gateway (and those sent), newest first:',
    '        id, time (UTC+8), phone (masked), status, text. Login codes, phone-change codes and',
    '        online-access notices are written here in the transaction that makes them.',
    '',
    'Options:',
    '  --phone PHONE          only messages to this 11-digit number',
    '  --customer CUSTOMERNO  only messages for this customer',
    `  --limit N              at most N messages (default ${DEFAULT_LIMIT}, at most ${LIMITS.smsOutboxListedMax})`,
  ].join('\n'),
  run: (args, io) => runSubcommand('sms', SUBCOMMANDS, args, io),
};
