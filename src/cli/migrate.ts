import { loadConfig } from '../config.ts';
import { openStore } from '../store/connect.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { EXIT_OK, parseOptions, type Command } from './command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the database schema up to date',
  help: [
    'Usage: gridbill migrate',
    '',
    'Applies every pending migration to the database named by GRIDBILL_DB, each in its own',
    'transaction. Safe to run again: an up-to-date database is left alone. A database written by',
    'a newer gridbill is refused.',
  ].join('\n'),
  async run(args, io) {
    parseOptions(args, {});
    const config = loadConfig(io.env);
    const store = await openStore(config.dbUrl);
    try {
      const applied = await migrateToLatest(store.db, store.dialect);
      io.out(applied.length === 0
        ? `${store.displayUrl}: schema is up to date`
        : `${store.displayUrl}: applied ${applied.join(', ')}`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};
