// `gridbill gateway seal|check`: what an operator needs to write the gateway's policy file — a
// channel's password sealed with the gateway key (the same password the channel has at the core),
// and a check of a policy file that lists every problem at once, as the gateway does at start.

import { readFileSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { GridbillError } from '../errors.ts';
import { readPolicyFile } from '../gateway/gateway-app.ts';
import { loadMasterKey, secretBox } from '../ops/secret-box.ts';
import { EXIT_OK, parseOptions, runSubcommand, type CliIo, type Command } from './command.ts';

function gatewayBox(io: CliIo) {
  const config = loadConfig(io.env);
  return { config, box: secretBox(loadMasterKey({ keyBase64: config.gatewayKeyBase64, keyFile: config.gatewayKeyFile })) };
}

async function seal(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { 'password-stdin': { type: 'boolean' }, password: { type: 'string' } });
  if ((values.password === undefined) === (values['password-stdin'] !== true)) {
    throw new GridbillError('CLI_USAGE', 'give --password or --password-stdin (one of them)');
  }
  const secret = values.password ?? readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  if (secret.length === 0) throw new GridbillError('CLI_USAGE', 'the password is empty');
  io.out(gatewayBox(io).box.seal(secret));
  return EXIT_OK;
}

async function check(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parseOptions(args, {}, true);
  const { config, box } = gatewayBox(io);
  const file = positionals[0] ?? config.gatewayPolicyFile;
  const policy = readPolicyFile(file, (sealed) => box.open(sealed));
  io.out(`${file}: ${policy.channels.size} channels in ${policy.zones.size} zones`);
  for (const channel of policy.channels.values()) io.out(`  ${channel.code.padEnd(24)} ${channel.zone.padEnd(12)} ${[...channel.operations].join(',')}`);
  return EXIT_OK;
}

export const gatewayCommand: Command = {
  name: 'gateway',
  summary: "seal a channel password for the gateway's policy, or check a policy file",
  help: [
    'Usage: gridbill gateway seal (--password P | --password-stdin)',
    '       gridbill gateway check [FILE]',
    '',
    "  seal   print the password sealed with the gateway key (GRIDBILL_GATEWAY_KEY or _KEY_FILE), for a channel's \"secret\"",
    '  check  read a policy file (default GRIDBILL_GATEWAY_POLICY) as the gateway does; every problem is listed',
    '',
    'The format of the policy file is in README.md, "Isolation gateway". A running gateway reads it again on SIGHUP.',
  ].join('\n'),
  run: (args, io) => runSubcommand('gateway', { seal, check }, args, io),
};
