import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import type { Logger } from '../logging/logger.ts';
import { parseTraceparent } from './parse-traceparent.ts';
import { DISABLED_TRACING, type SpanOptions, type Tracing } from './tracing.ts';

export interface TracingOptions {
  /** OTLP/HTTP collector base URL; tracing is off when undefined. */
  otlpEndpoint: string | undefined;
  serviceName: string;
  log: Logger;
}

const KINDS = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
} as const;

/**
 * Starts OpenTelemetry tracing when an endpoint is configured, and only then: without one the
 * SDK and the exporter are not even imported, so nothing runs and nothing is sent.
 *
 * The tracer provider is this server's own and is never registered globally (tests run several
 * servers in one process). The current span is carried in an AsyncLocalStorage of our own, which
 * follows `await`s, instead of a global context manager.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (options.otlpEndpoint === undefined) return DISABLED_TRACING;

  const [
    { BasicTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  // OTLP exporter specification: with the base endpoint, the traces signal goes to /v1/traces.
  const url = new URL(
    'v1/traces',
    options.otlpEndpoint.endsWith('/') ? options.otlpEndpoint : `${options.otlpEndpoint}/`,
  ).href;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  const tracer = provider.getTracer('portcullis');
  const current = new AsyncLocalStorage<Context>();
  options.log.info({ event: 'tracing.started', endpoint: url }, 'exporting traces over OTLP/HTTP');

  return {
    enabled: true,
    async inSpan(name, spanOptions: SpanOptions, fn) {
      const remote = parseTraceparent(spanOptions.traceparent);
      const parent = remote
        ? trace.setSpanContext(ROOT_CONTEXT, remote)
        : (current.getStore() ?? ROOT_CONTEXT);
      const span = tracer.startSpan(
        name,
        { kind: KINDS[spanOptions.kind ?? 'internal'], attributes: spanOptions.attributes ?? {} },
        parent,
      );
      try {
        return await current.run(trace.setSpan(parent, span), () =>
          fn({
            setAttributes: (attributes) => void span.setAttributes(attributes),
            updateName: (next) => void span.updateName(next),
            fail: (description) =>
              span.setStatus({
                code: SpanStatusCode.ERROR,
                ...(description ? { message: description } : {}),
              }),
          }),
        );
      } catch (err) {
        // The error's class only: messages may carry user input.
        const type = err instanceof Error ? err.name : 'error';
        span.setAttributes({ 'error.type': type });
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
        throw err;
      } finally {
        span.end();
      }
    },
    async shutdown() {
      await provider
        .shutdown()
        .catch((err: unknown) => options.log.warn({ err }, 'could not flush the last spans'));
    },
  };
}
