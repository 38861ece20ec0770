import cluster, { type Worker } from 'node:cluster';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';
import { createClusterCollector } from '../metrics/cluster-metrics.ts';
import { startMetricsServer, type MetricsServer } from '../metrics/start-metrics-server.ts';
import { openServices } from '../open-services.ts';
import { nextCrashStreak, restartDelayMs } from './restart-backoff.ts';

export interface RunningPrimary {
  /** Resolves once every worker listens; rejects when one exits before they all do. */
  readonly ready: Promise<void>;
  /** Resolves with the process exit code once every worker has exited after `stop()`. */
  readonly exited: Promise<number>;
  readonly metricsUrl: string | undefined;
  /** Forwards SIGTERM to every worker (each drains its requests and closes the store). */
  stop(reason: string): void;
}

/** The primary's own series, added to the workers' in every scrape. */
export function createPrimaryMetrics(liveWorkers: () => number): {
  registry: Registry;
  restarts: Counter;
} {
  const registry = new Registry();
  const restarts = new Counter({
    name: 'portcullis_cluster_worker_restarts_total',
    help: 'Worker processes restarted after they exited unexpectedly.',
    registers: [registry],
  });
  new Gauge({
    name: 'portcullis_cluster_workers',
    help: 'Worker processes currently running.',
    registers: [registry],
    collect() {
      this.set(liveWorkers());
    },
  });
  return { registry, restarts };
}

/** Extra time the primary gives workers beyond their own grace period before SIGKILL. */
const KILL_MARGIN_MS = 5_000;

/**
 * The primary of `server.workers` > 1: it serves no requests. It prepares the store once (schema
 * migrations, first signing keys, generated cookie keys), so N workers starting together do not
 * race to create them; forks the workers, which share the listening port (round-robin) and the
 * store; restarts a crashed worker with backoff; answers metric scrapes with every worker's
 * metrics aggregated; and on stop forwards SIGTERM and waits until every worker has drained.
 */
export async function runPrimary(
  config: Config,
  log: Logger,
  count: number,
): Promise<RunningPrimary> {
  const services = await openServices(config, log);
  await services.close();

  const live = new Set<Worker>();
  const { registry, restarts } = createPrimaryMetrics(() => live.size);
  const collector = createClusterCollector({ workers: () => [...live], own: registry });
  let metricsServer: MetricsServer | undefined;
  if (config.metrics.enabled) {
    metricsServer = await startMetricsServer({
      host: config.metrics.host,
      port: config.metrics.port,
      token: config.secrets.metricsToken,
      collect: collector.collect,
      log,
    });
  }

  // Round-robin hands connections to workers in turn (the default except on Windows).
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const graceMs = config.server.shutdownGraceSeconds * 1000;
  const startedAt = new WeakMap<Worker, number>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;
  let started = false;
  let listening = 0;
  let crashes = 0;
  let exitCode = 0;

  let markReady!: () => void;
  let failStart!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failStart = reject;
  });
  ready.catch(() => undefined); // observed by the caller; never an unhandled rejection here
  let markExited!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    markExited = resolve;
  });

  function finish() {
    const closing = metricsServer?.close() ?? Promise.resolve();
    void closing.finally(() => markExited(exitCode));
  }

  function stop(reason: string) {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'cluster.stopping', reason, workers: live.size }, 'stopping workers');
    for (const timer of timers) clearTimeout(timer);
    if (!started) failStart(new Error(`stopped before every worker listened (${reason})`));
    if (live.size === 0) {
      finish();
      return;
    }
    for (const worker of live) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of live) {
        log.warn(
          { event: 'cluster.worker.killed', workerPid: worker.process.pid },
          'worker did not drain in time; killing it',
        );
        worker.process.kill('SIGKILL');
      }
    }, graceMs + KILL_MARGIN_MS).unref();
  }

  function onExit(worker: Worker, code: number | null, signal: string | null) {
    live.delete(worker);
    const pid = worker.process.pid;
    if (stopping) {
      if (code !== 0) exitCode = 1;
      log.info(
        { event: 'cluster.worker.stopped', workerPid: pid, exitCode: code, signal },
        'worker stopped',
      );
      if (live.size === 0) finish();
      return;
    }
    if (!started) {
      // A worker that cannot start (port taken, store unreachable) would fail again at once.
      log.fatal(
        { event: 'cluster.worker.failed', workerPid: pid, exitCode: code, signal },
        'a worker failed to start; stopping',
      );
      exitCode = 1;
      stop('a worker failed to start');
      return;
    }
    crashes = nextCrashStreak(crashes, Date.now() - (startedAt.get(worker) ?? 0));
    const delay = restartDelayMs(crashes);
    restarts.inc();
    log.error(
      { event: 'cluster.worker.died', workerPid: pid, exitCode: code, signal, restartInMs: delay },
      'worker died; restarting it',
    );
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopping) fork();
    }, delay);
    timers.add(timer);
  }

  function fork() {
    const worker = cluster.fork();
    live.add(worker);
    startedAt.set(worker, Date.now());
    collector.answerRequests(worker);
    worker.once('listening', () => {
      log.info(
        { event: 'cluster.worker.listening', workerPid: worker.process.pid },
        'worker listening',
      );
      if (!started && ++listening === count) {
        started = true;
        markReady();
      }
    });
    worker.once('exit', (code: number | null, signal: string | null) =>
      onExit(worker, code, signal),
    );
  }

  for (let i = 0; i < count; i++) fork();
  return { ready, exited, metricsUrl: metricsServer?.url, stop };
}
