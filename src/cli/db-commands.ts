import { loadConfig } from '../config/load-config.ts';
import { createLogger } from '../logging/logger.ts';
import { migrateStore } from '../storage/create-store.ts';
import type { Command } from './command.ts';
import { ConfigError } from './config-error.ts';
import { EXIT } from './exit-codes.ts';
import { HELP } from './help-texts.ts';
import { parseCommandArgs } from './parse-command-args.ts';
import { wantsHelp } from './parse-command.ts';
import { printHelp, writeJson, writeLines } from './write-output.ts';

/** `portcullis db migrate`: schema migrations and indexes, without starting the server. */
const dbMigrate: Command = async (args, io) => {
  const usage = HELP['db migrate'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values } = parseCommandArgs(args, usage, []);
  const loaded = loadConfig(io.env);
  if (!loaded.ok) throw new ConfigError(loaded.errors);
  const log = createLogger({ level: values.verbose ? 'debug' : 'warn', destination: io.stderr });
  const report = await migrateStore(loaded.config, { log: (msg, fields) => log.info(fields ?? {}, msg) });
  if (values.json) {
    writeJson(io, report);
  } else {
    writeLines(
      io,
      `${report.backend} store is up to date` +
        (report.backend === 'mongodb'
          ? ` (${report.indexesCreated} index(es) created${report.ttlIndexes ? '' : '; TTL indexes unsupported, expired entries are swept by the server'})`
          : ''),
    );
  }
  return EXIT.ok;
};

export const DB_COMMANDS: ReadonlyMap<string, Command> = new Map([['migrate', dbMigrate]]);
