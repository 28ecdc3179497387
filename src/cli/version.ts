import { VERSION } from '../version.ts';
import { LATEST_MIGRATION } from '../store/migrate.ts';
import { EXIT_OK, parseOptions, type Command } from './command.ts';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version of gridbill and of its schema',
  help: 'Usage: gridbill version\n\nPrints the gridbill version, the latest schema migration it knows and the Node.js version.',
  async run(args, io) {
    parseOptions(args, {});
    io.out(`gridbill ${VERSION} (schema ${LATEST_MIGRATION}, node ${process.version})`);
    return EXIT_OK;
  },
};
