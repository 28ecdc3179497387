import { loadConfig } from '../config.ts';
import { formatYuan } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import { openStore } from '../store/connect.ts';
import { assertSchemaCurrent } from '../store/migrate.ts';
import { countActiveCustomers } from '../store/billing-batch.repository.ts';
import { isSegment, runBilling, SEGMENTS, type RunSummary } from '../usecases/run-billing.ts';
import { EXIT_OK, parseOptions, type CliIo, type Command } from './command.ts';
import { progressBar } from './progress.ts';

function printSummary(io: CliIo, s: RunSummary): void {
  io.out(`bill run ${s.runId} for ${s.period}${s.segment ? ` (${s.segment})` : ''}: finished`);
  io.out(`  customers      ${s.customers}`);
  io.out(`  draft bills    ${s.bills}`);
  io.out(`  held back      ${s.held}  (no bill could be computed: see the exceptions)`);
  io.out(`  already issued ${s.alreadyIssued}`);
  io.out(`  not connected  ${s.notConnected}`);
  io.out(`  energy         ${s.energyKwh} kWh`);
  io.out(`  amount         ${formatYuan(s.amountFen)} yuan`);
  const rules = Object.entries(s.exceptionsByRule).sort(([a], [b]) => a.localeCompare(b));
  io.out(`  exceptions     ${rules.reduce((n, [, c]) => n + c, 0)}`);
  for (const [rule, count] of rules) io.out(`    ${rule.padEnd(32)} ${count}`);
}

export const billRunCommand: Command = {
  name: 'bill-run',
  summary: 'compute the draft bills of a period, with verification',
  help: [
    'Usage: gridbill bill-run --period YYYY-MM [--segment SEGMENT]',
    '',
    'Bills every active customer of the period (or of one segment) into drafts with their lines and the',
    'tariff version used, and records every verification finding as an exception for review.',
    'Running a period again replaces its drafts and their exceptions; issued bills are never touched.',
    'Ends with a summary: bills, kWh, amount, exceptions by rule.',
    '',
    'Options:',
    '  --period YYYY-MM    the billing month',
    `  --segment SEGMENT   one of ${Object.keys(SEGMENTS).join(', ')}`,
  ].join('\n'),
  async run(args, io) {
    const { values } = parseOptions(args, { period: { type: 'string' }, segment: { type: 'string' } });
    if (!values.period) throw new GridbillError('CLI_USAGE', '--period is required');
    if (values.segment !== undefined && !isSegment(values.segment)) {
      throw new GridbillError('CLI_USAGE', `--segment ${values.segment}: expected one of ${Object.keys(SEGMENTS).join(', ')}`);
    }
    const segment = values.segment;
    const store = await openStore(loadConfig(io.env).dbUrl);
    try {
      await assertSchemaCurrent(store.db);
      const total = await countActiveCustomers(store, segment ? SEGMENTS[segment] : null);
      const bar = progressBar(`billing ${values.period}`, total);
      const summary = await runBilling(store, {
        period: values.period, segment, now: new Date().toISOString(), onProgress: ({ done }) => bar.update(done),
      });
      bar.finish();
      printSummary(io, summary);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};
