import type { Config } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { OidcModelStore } from '../storage/ports.ts';
import { answerPrimaryCollects, requestClusterMetrics } from './cluster-metrics.ts';
import type { Metrics } from './create-metrics.ts';
import type { CollectMetrics } from './metrics-endpoint.ts';
import { sampleActiveSessions } from './sample-active-sessions.ts';
import { startMetricsServer } from './start-metrics-server.ts';

export interface ServedMetrics {
  /** The separate listener's `/metrics` URL; undefined in a cluster worker (the primary serves it). */
  url: string | undefined;
  /** The whole server's metrics: this process's, or every worker's aggregated by the primary. */
  collect: CollectMetrics;
  close(): Promise<void>;
}

/**
 * Starts what keeps metrics current and reachable in a serving process: the active-sessions
 * sampler, and either the separate metrics listener (one process) or the answers to the
 * primary's collection requests (a cluster worker, `clusterWorker`).
 */
export async function serveMetrics(options: {
  config: Config;
  metrics: Metrics;
  oidcStore: Pick<OidcModelStore, 'list'>;
  clusterWorker: boolean;
  log: Logger;
}): Promise<ServedMetrics> {
  const { config, metrics, log } = options;
  const stopSampling = sampleActiveSessions({
    store: options.oidcStore,
    gauge: metrics.activeSessions,
    intervalMs: config.metrics.sessionSampleSeconds * 1000,
    log,
  });
  if (options.clusterWorker) {
    const stopAnswering = answerPrimaryCollects(metrics.registry);
    return {
      url: undefined,
      collect: () => requestClusterMetrics(),
      close: async () => {
        stopSampling();
        stopAnswering();
      },
    };
  }
  const collect: CollectMetrics = async () => ({
    contentType: metrics.registry.contentType,
    body: await metrics.registry.metrics(),
  });
  try {
    const server = await startMetricsServer({
      host: config.metrics.host,
      port: config.metrics.port,
      token: config.secrets.metricsToken,
      collect,
      log,
    });
    return {
      url: server.url,
      collect,
      close: async () => {
        stopSampling();
        await server.close();
      },
    };
  } catch (err) {
    stopSampling();
    throw err;
  }
}
