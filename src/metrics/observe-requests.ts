import type { AnsweredRequest, ObserveRequest, RequestRecord } from '../http/request-logger.ts';
import type { IntrospectionOutcome, Metrics } from './create-metrics.ts';

/** RFC 7662 §2.2: 200 with `active` true or false; anything else is a refusal or a failure. */
function introspectionOutcome(status: number, body: unknown): IntrospectionOutcome {
  if (status >= 500) return 'error';
  if (status !== 200) return 'refused';
  return (body as { active?: unknown } | null)?.active === true ? 'active' : 'inactive';
}

/**
 * Records an answered request into the HTTP duration histogram (by method, route pattern and
 * status) and, for the provider's introspection endpoint, the introspection outcome.
 */
export function observeRequests(
  metrics: Pick<Metrics, 'httpRequestDuration' | 'introspections'>,
): ObserveRequest {
  // The labelled child per (method, route, status), made once: prom-client otherwise hashes the
  // label object on every observation. Bounded: routes are patterns, methods and statuses few.
  const children = new Map<string, { observe(value: number): void }>();
  return function observe(record: RequestRecord, ctx: AnsweredRequest): void {
    const status = String(record.status);
    const key = `${record.method} ${record.route} ${status}`;
    let child = children.get(key);
    if (!child) {
      child = metrics.httpRequestDuration.labels({
        method: record.method,
        route: record.route,
        status,
      });
      children.set(key, child);
    }
    child.observe(record.durationMs / 1000);
    // The provider names its routes; the path of the endpoint is configurable, the name is not.
    if (ctx._matchedRouteName === 'introspection') {
      metrics.introspections.inc({ outcome: introspectionOutcome(record.status, ctx.body) });
    }
  };
}
