import { loadConfig } from '../config/load-config.ts';
import { createLogger } from '../logging/logger.ts';
import { migrateStore } from '../storage/create-store.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { ConfigError } from './config-error.ts';
import { EXIT } from './exit-codes.ts';
import { writeJson, writeLines } from './write-output.ts';

/** `portcullis db migrate`: schema migrations and indexes, without starting the server. */
const dbMigrate = defineCommand({
  name: 'db migrate',
  summary: 'apply pending SQLite migrations, or create MongoDB indexes and backfills',
  description: [
    'Brings the configured store up to date and exits: SQLite migrations, or MongoDB indexes (and the sweep fallback notice where TTL indexes are unsupported). Idempotent; the server does the same at start, so this is for deploy pipelines that prepare the database before new processes start.',
  ],
  json: 'print {"backend", "indexesCreated", "ttlIndexes"} as JSON',
  run: async ({ values }, io) => {
    const loaded = loadConfig(io.env);
    if (!loaded.ok) throw new ConfigError(loaded.errors);
    const log = createLogger({ level: values.verbose ? 'debug' : 'warn', destination: io.stderr });
    const report = await migrateStore(loaded.config, {
      log: (msg, fields) => log.info(fields ?? {}, msg),
    });
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
  },
});

export const DB_COMMANDS: CommandGroup = {
  name: 'db',
  summary: "migrate: bring the store's schema and indexes up to date",
  commands: [dbMigrate],
};
