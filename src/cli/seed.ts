import { generateDemo } from '../../fixtures/demo/generator.ts';
import { tariffFixtureFiles } from '../../fixtures/tariffs/index.ts';
import { businessDate } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { addMonths, isIsoMonth, monthOf } from '../domain/dates.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { openStore } from '../store/connect.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { billHistory } from '../usecases/bill-history.ts';
import { seedDemo } from '../usecases/seed-demo.ts';
import { EXIT_OK, integerOption, parseOptions, type Command } from './command.ts';

export const seedCommand: Command = {
  name: 'seed',
  summary: 'fill an empty database with deterministic demo data',
  help: [
    'Usage: gridbill seed [--customers N] [--months M] [--seed S] [--end-month YYYY-MM] [--bill]',
    '',
    'Generates demo customers of every category (residential with ladder and TOU, shared meters,',
    'commercial TOU, large industry with reactive and demand registers, agricultural), their meters,',
    'registers with multipliers, and month-end readings with seasonal use. The same options always',
    'give the same data. The database must be empty; the schema is migrated first. The tariffs in',
    'fixtures/tariffs are published too, unless the database holds tariffs already.',
    '',
    'Options:',
    '  --customers N       number of customers (default 200)',
    '  --months M          months of readings, ending with --end-month (default 13)',
    '  --seed S            generator seed (default 1)',
    '  --end-month YYYY-MM last month with readings (default: the month before today)',
    '  --bill              also bill and issue every month after the first, oldest first, as',
    '                      `gridbill serve all` does for its demo data',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseOptions(args, {
      customers: { type: 'string' },
      months: { type: 'string' },
      seed: { type: 'string' },
      'end-month': { type: 'string' },
      bill: { type: 'boolean' },
    });
    const customers = integerOption('customers', values.customers, 200, 1, LIMITS.seedCustomersMax);
    const months = integerOption('months', values.months, 13, 1, LIMITS.seedMonthsMax);
    const seed = integerOption('seed', values.seed, 1, 0, 2 ** 31 - 1);
    const endMonth = values['end-month'] ?? addMonths(monthOf(businessDate()), -1);
    if (!isIsoMonth(endMonth)) throw new GridbillError('CLI_USAGE', `--end-month ${endMonth}: expected YYYY-MM`);
    const config = loadConfig(io.env);
    const store = await openStore(config.dbUrl);
    try {
      await migrateToLatest(store.db, store.dialect);
      const demo = generateDemo({ customers, months, seed, endMonth });
      const result = await seedDemo(store, demo, new Date().toISOString(), { tariffFiles: tariffFixtureFiles() });
      io.out(`${store.displayUrl}: seeded ${result.customers} customers with ${months} months of readings up to ${endMonth} (seed ${seed})`
        + ` and ${result.tariffVersions} tariff versions`);
      if (values.bill && months > 1) {
        const history = await billHistory(store, { fromMonth: addMonths(endMonth, 2 - months), toMonth: endMonth, now: new Date().toISOString(), actor: 'seed' });
        for (const m of history) io.out(`  ${m.period}: ${m.bills} bills, ${m.issued} issued, ${m.exceptions} exceptions`);
      }
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};
