import { loadConfig } from './config/load-config.ts';
import { processEnv } from './config/process-env.ts';
import { createLogger } from './logging/logger.ts';
import { startServer } from './server.ts';

/**
 * Process entry: load configuration → open the store → build the app → listen; SIGTERM and
 * SIGINT drain in-flight requests and close the store. All I/O lives here and in `startServer`.
 */
export async function main(): Promise<void> {
  const result = loadConfig(processEnv());
  if (!result.ok) {
    process.stderr.write(`portcullis: invalid configuration:\n${result.errors.map((e) => `  - ${e}`).join('\n')}\n`);
    process.exitCode = 78; // EX_CONFIG
    return;
  }
  const { config } = result;
  const log = createLogger({ level: config.log.level });

  let running;
  try {
    running = await startServer(config, log);
  } catch (err) {
    log.fatal({ err }, 'could not start');
    process.exitCode = 1;
    return;
  }
  log.info(
    { event: 'server.started', url: running.url, issuer: config.server.issuer, store: config.store.backend, env: config.env },
    `Portcullis listening on ${running.url} (issuer ${config.server.issuer}, store ${config.store.backend})`,
  );

  const shutdown = (signal: string) => {
    log.info({ event: 'server.stopping', signal }, 'shutting down');
    running.stop().then(
      () => {
        log.info({ event: 'server.stopped' }, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
