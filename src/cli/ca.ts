// `gridbill ca`: the platform certificate authority for channels' mutual TLS and the gateway's
// server certificate. The work is in src/gateway/ca-store.ts; this file parses options and prints.

import { readFileSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { GridbillError } from '../errors.ts';
import {
  initCa, issueChannelCertificate, issueServerCertificate, listCertificates, renewCrl, revokeCertificates,
  REVOCATION_REASONS, type Issued, type IssuedCertificate, type RevocationReason,
} from '../gateway/ca-store.ts';
import { LIMITS } from '../limits.ts';
import { EXIT_OK, integerOption, parseOptions, runSubcommand, type CliIo, type Command, type Subcommand } from './command.ts';

const DIR = { dir: { type: 'string' } } as const;

function caDir(io: CliIo, dir: string | undefined): string {
  return dir ?? loadConfig(io.env).caDir;
}

async function init(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { ...DIR, name: { type: 'string' }, days: { type: 'string' } });
  const days = integerOption('days', values.days, LIMITS.caCertificateDays, 1, LIMITS.caCertificateDays);
  const ca = initCa(caDir(io, values.dir), { now: new Date(), days, ...(values.name ? { commonName: values.name } : {}) });
  io.out(`certificate authority created in ${ca.paths.dir}`);
  io.out(`  ${ca.paths.caCert}\tthe trust anchor: give it to channels and to the gateway (sha256 ${ca.fingerprint256}, valid until ${ca.notAfter})`);
  io.out(`  ${ca.paths.caKey}\tthe CA's private key (mode 0600): keep it offline, it is never printed`);
  io.out(`  ${ca.paths.crl}\tthe revocation list the gateway enforces (empty)`);
  return EXIT_OK;
}

/** The PKCS#12 password from --p12-password, or the first line of standard input with --p12-password-stdin. */
function bundlePassword(values: { 'p12-password'?: string; 'p12-password-stdin'?: boolean }): string | undefined {
  if (values['p12-password'] !== undefined && values['p12-password-stdin']) {
    throw new GridbillError('CLI_USAGE', 'give --p12-password or --p12-password-stdin, not both');
  }
  if (values['p12-password-stdin']) return readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  return values['p12-password'];
}

function printIssued(io: CliIo, issued: Issued): void {
  const c = issued.certificate;
  io.out(`issued ${c.kind} certificate for ${c.kind === 'server' ? c.hosts.join(', ') : c.name}`);
  io.out(`  serial ${c.serial}, valid ${c.notBefore} to ${c.notAfter}`);
  io.out(`  sha256 ${c.fingerprint256}`);
  io.out(`  ${issued.certFile}\tcertificate`);
  io.out(`  ${issued.keyFile}\tprivate key (mode 0600)`);
  if (issued.bundleFile) io.out(`  ${issued.bundleFile}\tPKCS#12 bundle: key, certificate and CA (mode 0600)`);
}

async function issue(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    ...DIR, channel: { type: 'string' }, server: { type: 'boolean' }, host: { type: 'string', multiple: true },
    days: { type: 'string' }, 'p12-password': { type: 'string' }, 'p12-password-stdin': { type: 'boolean' },
  });
  const dir = caDir(io, values.dir);
  const now = new Date();
  if (values.server) {
    if (values.channel !== undefined) throw new GridbillError('CLI_USAGE', 'give --channel or --server, not both');
    const hosts = (values.host ?? []).flatMap((h) => h.split(',')).map((h) => h.trim()).filter((h) => h !== '');
    const days = integerOption('days', values.days, LIMITS.serverCertificateDaysMax, 1, LIMITS.serverCertificateDaysMax);
    printIssued(io, issueServerCertificate(dir, { hosts, now, days }));
    return EXIT_OK;
  }
  if (values.channel === undefined) throw new GridbillError('CLI_USAGE', '--channel C or --server --host H is required');
  if (values.host !== undefined) throw new GridbillError('CLI_USAGE', '--host goes with --server');
  const days = integerOption('days', values.days, LIMITS.channelCertificateDaysDefault, 1, LIMITS.channelCertificateDaysMax);
  const password = bundlePassword(values);
  printIssued(io, issueChannelCertificate(dir, { channel: values.channel, now, days, ...(password === undefined ? {} : { bundlePassword: password }) }));
  return EXIT_OK;
}

function reasonOption(value: string | undefined): RevocationReason | undefined {
  if (value === undefined) return undefined;
  if (!Object.hasOwn(REVOCATION_REASONS, value)) {
    throw new GridbillError('CLI_USAGE', `--reason ${value}: expected one of ${Object.keys(REVOCATION_REASONS).join(', ')}`);
  }
  return value as RevocationReason;
}

async function revoke(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { ...DIR, serial: { type: 'string' }, channel: { type: 'string' }, reason: { type: 'string' } });
  if ((values.serial === undefined) === (values.channel === undefined)) throw new GridbillError('CLI_USAGE', 'give --serial S or --channel C');
  const reason = reasonOption(values.reason);
  const revoked = revokeCertificates(caDir(io, values.dir), {
    now: new Date(),
    ...(values.serial === undefined ? { channel: values.channel! } : { serial: values.serial }),
    ...(reason === undefined ? {} : { reason }),
  });
  for (const c of revoked) io.out(`revoked ${c.serial}\t${c.kind}\t${c.name}`);
  if (revoked.length === 0) io.out('already revoked: the revocation list is unchanged');
  else io.out('the revocation list was signed again; the gateway applies it when it sees the file change');
  return EXIT_OK;
}

async function crl(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, DIR);
  const { nextUpdate } = renewCrl(caDir(io, values.dir), new Date());
  io.out(`revocation list signed again, valid until ${nextUpdate}`);
  return EXIT_OK;
}

function status(c: IssuedCertificate, nowMs: number): string {
  if (c.revokedAt !== null) return `revoked ${c.revokedAt}${c.revocationReason ? ` (${c.revocationReason})` : ''}`;
  return Date.parse(c.notAfter) < nowMs ? 'expired' : 'valid';
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, DIR);
  const certificates = listCertificates(caDir(io, values.dir));
  const nowMs = Date.now();
  for (const c of certificates) {
    const name = c.kind === 'server' ? c.hosts.join(',') : c.name;
    io.out([c.serial, c.kind, name, `until ${c.notAfter}`, status(c, nowMs), `sha256 ${c.fingerprint256}`].join('\t'));
  }
  if (certificates.length === 0) io.out('no certificates issued');
  return EXIT_OK;
}

const SUBCOMMANDS: Record<string, Subcommand> = { init, issue, revoke, crl, list };

export const caCommand: Command = {
  name: 'ca',
  summary: 'the platform CA: channel client certificates, the gateway server certificate, revocation',
  help: [
    'Usage: gridbill ca init [--name CN] [--days N]',
    '       gridbill ca issue --channel C [--days N] [--p12-password P | --p12-password-stdin]',
    '       gridbill ca issue --server --host H[,H…] [--host H …] [--days N]',
    '       gridbill ca revoke (--serial S | --channel C) [--reason R]',
    '       gridbill ca crl',
    '       gridbill ca list',
    'Every subcommand takes --dir D, the CA folder (default GRIDBILL_CA_DIR, ./data/ca).',
    '',
    'init creates the CA (RSA 3072, SHA-256) and an empty revocation list. issue --channel C makes a',
    `client certificate for channel C (CN=C, OU=channel, clientAuth; ${LIMITS.channelCertificateDaysDefault} days, at most ${LIMITS.channelCertificateDaysMax})`,
    'and its key in channels/C/; with a --p12-password also a PKCS#12 bundle. issue --server makes the',
    `gateway's certificate for the host names and IPv4 addresses given (serverAuth, at most ${LIMITS.serverCertificateDaysMax} days).`,
    'revoke adds one certificate, or every certificate of a channel, to the revocation list and signs',
    `it again; --reason is one of ${Object.keys(REVOCATION_REASONS).join(', ')}. crl signs the list again`,
    `unchanged: a list is valid ${LIMITS.crlValidityDays} days, and the gateway refuses every channel once it is out of date.`,
    'Private keys are written with mode 0600 and never printed.',
  ].join('\n'),
  run: (args, io) => runSubcommand('ca', SUBCOMMANDS, args, io),
};
