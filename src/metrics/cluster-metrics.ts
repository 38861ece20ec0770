import type { Worker } from 'node:cluster';
import {
  AggregatorRegistry,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from 'prom-client';
import type { MetricsText } from './metrics-endpoint.ts';

/**
 * With `server.workers` > 1 each worker counts into its own registry and the primary answers
 * scrapes with the aggregate (counters and histograms summed, gauges by their `aggregator`), so
 * one scrape sees the whole server, whichever worker would have been asked. Messages over the
 * cluster IPC channel:
 *   primary → worker  COLLECT   { id }           worker → primary  COLLECTED { id, metrics }
 *   worker  → primary REQUEST   { id }           primary → worker  RESPONSE  { id, body }
 * (REQUEST serves `/metrics` on the public port, which a worker answers.)
 */
const COLLECT = 'portcullis:metrics:collect';
const COLLECTED = 'portcullis:metrics:collected';
const REQUEST = 'portcullis:metrics:request';
const RESPONSE = 'portcullis:metrics:response';

type Json = MetricObjectWithValues<MetricValue<string>>[];

interface Message {
  type?: unknown;
  id?: unknown;
  metrics?: unknown;
  body?: unknown;
}

const asMessage = (m: unknown): Message =>
  typeof m === 'object' && m !== null ? (m as Message) : {};

// ---- worker side -------------------------------------------------------------------------

/** In a worker: answers the primary's COLLECT requests with this worker's metrics. */
export function answerPrimaryCollects(registry: Registry): () => void {
  const listener = (raw: unknown) => {
    const message = asMessage(raw);
    if (message.type !== COLLECT) return;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: COLLECTED, id: message.id, metrics }),
      () => process.send?.({ type: COLLECTED, id: message.id, metrics: [] }),
    );
  };
  process.on('message', listener);
  return () => process.off('message', listener);
}

let nextRequestId = 0;

/** In a worker: asks the primary for the whole server's metrics (for `/metrics` on the public port). */
export function requestClusterMetrics(timeoutMs = 5_000): Promise<MetricsText> {
  const id = `${process.pid}-${nextRequestId++}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', listener);
      reject(new Error('the primary did not answer with metrics in time'));
    }, timeoutMs);
    function listener(raw: unknown) {
      const message = asMessage(raw);
      if (message.type !== RESPONSE || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', listener);
      resolve({
        contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE,
        body: String(message.body ?? ''),
      });
    }
    process.on('message', listener);
    process.send?.({ type: REQUEST, id });
  });
}

// ---- primary side ------------------------------------------------------------------------

/**
 * In the primary: collects every worker's metrics (a worker that does not answer within
 * `timeoutMs`, e.g. one being restarted, is left out) and aggregates them with the primary's own.
 */
export function createClusterCollector(options: {
  workers: () => Worker[];
  own: Registry;
  timeoutMs?: number;
}) {
  const timeoutMs = options.timeoutMs ?? 2_000;
  let nextId = 0;

  function collectFrom(worker: Worker): Promise<Json | undefined> {
    if (!worker.isConnected()) return Promise.resolve(undefined);
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.off('message', listener);
        resolve(undefined);
      }, timeoutMs);
      function listener(raw: unknown) {
        const message = asMessage(raw);
        if (message.type !== COLLECTED || message.id !== id) return;
        clearTimeout(timer);
        worker.off('message', listener);
        resolve(Array.isArray(message.metrics) ? (message.metrics as Json) : undefined);
      }
      worker.on('message', listener);
      worker.send({ type: COLLECT, id }, (err) => {
        if (err) {
          clearTimeout(timer);
          worker.off('message', listener);
          resolve(undefined);
        }
      });
    });
  }

  async function collect(): Promise<MetricsText> {
    const parts = await Promise.all(options.workers().map(collectFrom));
    const all = [
      ...parts.filter((p): p is Json => p !== undefined),
      (await options.own.getMetricsAsJSON()) as Json,
    ];
    const aggregated = AggregatorRegistry.aggregate(all);
    return { contentType: aggregated.contentType, body: await aggregated.metrics() };
  }

  /** Answers a worker's REQUEST messages with the aggregate. */
  function answerRequests(worker: Worker): void {
    worker.on('message', (raw: unknown) => {
      const message = asMessage(raw);
      if (message.type !== REQUEST) return;
      collect().then(
        (metrics) =>
          worker.isConnected() &&
          worker.send({ type: RESPONSE, id: message.id, body: metrics.body }),
        () => worker.isConnected() && worker.send({ type: RESPONSE, id: message.id, body: '' }),
      );
    });
  }

  return { collect, answerRequests };
}
