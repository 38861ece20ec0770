import { ATTR_DB_OPERATION_NAME, ATTR_DB_SYSTEM_NAME } from '@opentelemetry/semantic-conventions';
import type { Store } from '../storage/ports.ts';
import type { Tracing } from '../tracing/tracing.ts';
import type { Metrics } from './create-metrics.ts';

export interface StoreInstrumentation {
  metrics?: Pick<Metrics, 'storeOperationDuration' | 'storeErrors'> | undefined;
  tracing?: Tracing | undefined;
}

/** Calls that are not operations worth timing: closing happens once, at shutdown. */
const NOT_TIMED = new Set(['close']);

/**
 * A decorator over the storage ports: every call on `store.oidc`, `store.accounts`, ... (and
 * `ping`, `sweepExpired`) is timed into `portcullis_store_operation_duration_seconds` by backend
 * and operation (`oidc.find`, `accounts.findByLogin`) and, with tracing on, runs in a client span.
 * Backends are untouched, and a method added to a port later is instrumented without a change
 * here (the wrapping is by property, not by a list).
 */
export function instrumentStore(store: Store, deps: StoreInstrumentation): Store {
  const backend = store.backend;
  const { metrics, tracing } = deps;
  if (!metrics && !tracing?.enabled) return store;

  function timed(
    operation: string,
    fn: (...args: unknown[]) => unknown,
    self: object,
    args: unknown[],
    timer: (() => () => void) | undefined,
  ): Promise<unknown> {
    const run = async () => {
      const end = timer?.();
      try {
        return await fn.apply(self, args);
      } catch (err) {
        metrics?.storeErrors.inc({ backend, operation });
        throw err;
      } finally {
        end?.();
      }
    };
    if (!tracing?.enabled) return run();
    const attributes: Record<string, string> = {
      [ATTR_DB_SYSTEM_NAME]: backend,
      [ATTR_DB_OPERATION_NAME]: operation,
    };
    // The oidc-provider model (Session, AccessToken, ...), never the id: ids are tokens.
    if (operation.startsWith('oidc.') && typeof args[0] === 'string')
      attributes['portcullis.model'] = args[0];
    return tracing.inSpan(`store ${operation}`, { kind: 'client', attributes }, run);
  }

  function wrap<T extends object>(target: T, prefix: string): T {
    const wrappers = new Map<string, unknown>();
    return new Proxy(target, {
      get(t, prop, receiver) {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof prop !== 'string' || NOT_TIMED.has(prop)) return value;
        if (typeof value === 'function') {
          let wrapper = wrappers.get(prop);
          if (!wrapper) {
            const fn = value as (...args: unknown[]) => unknown;
            const operation = prefix ? `${prefix}.${prop}` : prop;
            // The labelled child once per operation: prom-client hashes a label set on every
            // observation otherwise, and this runs on every store call.
            const child = metrics?.storeOperationDuration.labels({ backend, operation });
            const timer = child ? () => child.startTimer() : undefined;
            wrapper = (...args: unknown[]) => timed(operation, fn, t, args, timer);
            wrappers.set(prop, wrapper);
          }
          return wrapper;
        }
        // A port (store.oidc, store.accounts, ...): wrap its methods in turn, once.
        if (prefix === '' && typeof value === 'object' && value !== null) {
          let port = wrappers.get(prop);
          if (!port) {
            port = wrap(value, prop);
            wrappers.set(prop, port);
          }
          return port;
        }
        return value;
      },
    });
  }

  return wrap(store, '');
}
