// `gridbill audit verify`: walks the hash chain of the audit log (src/store/audit.repository.ts)
// from the first record to the last and names the first record that does not hold: edited content,
// a record removed or inserted, or records reordered all break the chain there. Exit 0 when the
// chain is intact, 1 with AUDIT_CHAIN_BROKEN otherwise, so a scheduler or a deployment check can
// act on it.

import { GridbillError } from '../errors.ts';
import { verifyAuditChain } from '../store/audit.repository.ts';
import { EXIT_OK, parseOptions, runSubcommand, type CliIo, type Command, type Subcommand } from './command.ts';
import { withCurrentStore } from './store-command.ts';

async function verify(args: readonly string[], io: CliIo): Promise<number> {
  parseOptions(args, {});
  return withCurrentStore(io, async (store) => {
    const verdict = await verifyAuditChain(store);
    if (verdict.kind === 'broken') {
      throw new GridbillError('AUDIT_CHAIN_BROKEN', `record ${verdict.firstBrokenId}: ${verdict.reason} (${verdict.records} records before it hold)`, {
        hint: 'the audit log was changed outside gridbill: compare the database with its backups from that record on',
      });
    }
    io.out(`audit log intact: ${verdict.records} records`);
    return EXIT_OK;
  });
}

const SUBCOMMANDS: Record<string, Subcommand> = { verify };

export const auditCommand: Command = {
  name: 'audit',
  summary: 'check the audit log’s hash chain',
  help: [
    'Usage: gridbill audit verify',
    '',
    'verify  checks every record of the audit log against the hash chain, oldest first, and names',
    '        the first record that does not hold (exit 1, AUDIT_CHAIN_BROKEN); exit 0 when intact.',
  ].join('\n'),
  run: (args, io) => runSubcommand('audit', SUBCOMMANDS, args, io),
};
