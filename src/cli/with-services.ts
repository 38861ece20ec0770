import { loadConfig } from '../config/load-config.ts';
import { createLogger } from '../logging/logger.ts';
import { openServices, type Services } from '../open-services.ts';
import type { CliIo } from './cli-io.ts';
import { ConfigError } from './config-error.ts';

/**
 * Loads the configuration from `io.env` (as the server does), opens the store and the services,
 * runs `use`, and always closes them. Logs go to stderr at `warn` (`debug` with `--verbose`),
 * so stdout carries only the command's result.
 */
export async function withServices<T>(
  io: CliIo,
  verbose: boolean | undefined,
  use: (services: Services) => Promise<T>,
): Promise<T> {
  const loaded = loadConfig(io.env);
  if (!loaded.ok) throw new ConfigError(loaded.errors);
  const log = createLogger({ level: verbose ? 'debug' : 'warn', destination: io.stderr });
  // The terminal gets one line (report-error.ts); the stack goes to the debug log.
  // Security events of CLI commands (user and client changes) name the CLI as their actor.
  const services = await openServices(loaded.config, log, Date.now, { eventActor: 'cli' }).catch(
    (err: unknown) => {
      log.debug({ err }, 'could not open the store');
      throw err;
    },
  );
  try {
    return await use(services);
  } catch (err) {
    log.debug({ err }, 'command failed');
    throw err;
  } finally {
    await services.close();
  }
}
