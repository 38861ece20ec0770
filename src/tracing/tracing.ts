import type { Attributes } from '@opentelemetry/api';

/** The span a traced function runs in. */
export interface ActiveSpan {
  setAttributes(attributes: Attributes): void;
  updateName(name: string): void;
  /** Marks the span failed (status ERROR), e.g. for an HTTP 5xx answered without a throw. */
  fail(description?: string): void;
}

export interface SpanOptions {
  /** `server` for incoming requests, `client` for store calls, `internal` otherwise. */
  kind?: 'server' | 'client' | 'internal';
  attributes?: Attributes;
  /** A W3C `traceparent` to continue (incoming requests from a trusted proxy only). */
  traceparent?: string | undefined;
}

/**
 * What the server needs from OpenTelemetry: run a function in a span that is a child of the
 * span the caller runs in. Spans of store calls made while answering a request are children of
 * the request's span. `DISABLED_TRACING` is what runs when no endpoint is configured.
 */
export interface Tracing {
  readonly enabled: boolean;
  inSpan<T>(name: string, options: SpanOptions, fn: (span: ActiveSpan) => Promise<T>): Promise<T>;
  /** Sends the spans still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

const NO_SPAN: ActiveSpan = Object.freeze({
  setAttributes: () => undefined,
  updateName: () => undefined,
  fail: () => undefined,
});

/** Tracing off: no SDK, no exporter, no network; each call runs the function as is. */
export const DISABLED_TRACING: Tracing = Object.freeze({
  enabled: false,
  inSpan: <T>(_name: string, _options: SpanOptions, fn: (span: ActiveSpan) => Promise<T>) =>
    fn(NO_SPAN),
  shutdown: async () => undefined,
});
