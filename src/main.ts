import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { runPrimary } from './cluster/run-primary.ts';
import { workerCount } from './cluster/worker-count.ts';
import type { Config } from './config/schema.ts';
import { loadConfig } from './config/load-config.ts';
import { processEnv } from './config/process-env.ts';
import { createLogger, usePrettyOutput, type Logger } from './logging/logger.ts';
import { startServer } from './server.ts';

/**
 * Process entry: load configuration → open the store → build the app → listen; SIGTERM and
 * SIGINT drain in-flight requests and close the store. All I/O lives here and in `startServer`.
 * With `server.workers` > 1 this process becomes the cluster primary and every worker (forked
 * from the same command line) comes back here and serves.
 */
export async function main(): Promise<void> {
  const result = loadConfig(processEnv());
  if (!result.ok) {
    process.stderr.write(
      `portcullis: invalid configuration:\n${result.errors.map((e) => `  - ${e}`).join('\n')}\n`,
    );
    process.exitCode = 78; // EX_CONFIG
    return;
  }
  const { config } = result;
  const pretty = usePrettyOutput({
    format: config.log.format,
    env: config.env,
    isTTY: process.stdout.isTTY === true,
  });
  const log = createLogger({ level: config.log.level, pretty });

  const workers = workerCount(config.server.workers, availableParallelism());
  if (cluster.isPrimary && workers > 1) {
    await serveWithWorkers(config, log, workers);
    return;
  }
  await serve(config, log);
}

/** One serving process: the only one, or a worker of the cluster. */
async function serve(config: Config, log: Logger): Promise<void> {
  const clusterWorker = cluster.isWorker;
  let running;
  try {
    running = await startServer(config, log, { clusterWorker });
  } catch (err) {
    log.fatal({ err }, 'could not start');
    process.exitCode = 1;
    // A worker must end now: it has no server to keep it alive, but its IPC channel would.
    if (clusterWorker) process.exit(1);
    return;
  }
  log.info(
    {
      event: 'server.started',
      url: running.url,
      metricsUrl: running.metricsUrl,
      issuer: config.server.issuer,
      store: config.store.backend,
      env: config.env,
    },
    `Portcullis listening on ${running.url} (issuer ${config.server.issuer}, store ${config.store.backend})`,
  );

  const shutdown = (reason: string) => {
    log.info({ event: 'server.stopping', reason }, 'shutting down: finishing in-flight requests');
    running.stop({ graceMs: config.server.shutdownGraceSeconds * 1000 }).then(
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
  // A worker whose primary is gone (killed with SIGKILL) drains and exits instead of lingering.
  if (clusterWorker) process.once('disconnect', () => shutdown('primary gone'));
}

/** The cluster primary: forks the workers and forwards SIGTERM/SIGINT to them. */
async function serveWithWorkers(config: Config, log: Logger, workers: number): Promise<void> {
  let primary;
  try {
    primary = await runPrimary(config, log, workers);
  } catch (err) {
    log.fatal({ err }, 'could not start');
    process.exitCode = 1;
    return;
  }
  process.once('SIGTERM', () => primary.stop('SIGTERM'));
  process.once('SIGINT', () => primary.stop('SIGINT'));
  void primary.exited.then((code) => {
    log.info({ event: 'server.stopped', exitCode: code }, 'every worker stopped');
    process.exit(code);
  });
  try {
    await primary.ready;
  } catch {
    return; // logged by the primary; `exited` ends the process
  }
  log.info(
    {
      event: 'server.started',
      workers,
      metricsUrl: primary.metricsUrl,
      issuer: config.server.issuer,
      store: config.store.backend,
      env: config.env,
    },
    `Portcullis listening on ${config.server.host}:${config.server.port} with ${workers} workers (issuer ${config.server.issuer}, store ${config.store.backend})`,
  );
}
