import type { Logger } from '../logging/logger.ts';
import type {
  ClaimedDelivery,
  OutboxDelivery,
  OutboxKind,
  OutboxStore,
} from '../storage/outbox-ports.ts';
import type { DeliveryHttp, DeliveryRequest } from './delivery-http.ts';
import { nextAttemptAt, worthRetrying, type RetryPolicy } from './retry-schedule.ts';

/** How one kind of delivery is sent. */
export interface OutboxSender {
  policy: RetryPolicy;
  http: DeliveryHttp;
  /** The request for this attempt (a webhook is signed anew: its timestamp must be fresh). */
  prepare(delivery: OutboxDelivery): Promise<DeliveryRequest>;
  /** Whether an answer means delivered (OIDC Back-Channel Logout §2.8: 200 or 204 only). */
  delivered(status: number): boolean;
}

/** What one attempt came to, for events and metrics. */
export interface AttemptOutcome {
  delivery: OutboxDelivery;
  /** 1 for the first attempt. */
  attempt: number;
  delivered: boolean;
  /** No further attempt follows (delivered, or a dead letter). */
  final: boolean;
  status?: number | undefined;
  error?: string | undefined;
}

export interface OutboxWorker {
  /** Claims the delivery with this id and makes one attempt now; `undefined` if it is not due or held. */
  deliverNow(id: string): Promise<AttemptOutcome | undefined>;
  /** One look for due deliveries and their attempts; returns how many were attempted. */
  runOnce(): Promise<number>;
  /** Polls every `pollIntervalMs` until stopped. */
  start(): void;
  /** Stops polling and waits for attempts under way (their leases are then reported). */
  stop(): Promise<void>;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return `${error.name === 'TimeoutError' ? 'timeout' : error.message}${detail}`.slice(0, 200);
  }
  return 'unknown error';
}

/**
 * The outbox worker of one process. Any number of processes run one against the same store: the
 * store's lease makes sure two never hold one delivery at once, and a delivery whose holder died
 * is taken again when the lease ends, so what was enqueued is delivered after restarts and
 * crashes (at least once; twice only if a holder is cut off after sending and before reporting —
 * receivers dedupe on the message id, Standard Webhooks "webhook-id", or the logout token's jti).
 * A store outage fails the look, which is logged and tried again on the next tick.
 */
export function createOutboxWorker(deps: {
  store: OutboxStore;
  senders: Record<OutboxKind, OutboxSender>;
  leaseMs: number;
  pollIntervalMs: number;
  batchSize: number;
  now: () => number;
  log: Logger;
  report?: (outcome: AttemptOutcome) => void;
}): OutboxWorker {
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopped = false;

  async function attempt(claimed: ClaimedDelivery): Promise<AttemptOutcome> {
    const sender = deps.senders[claimed.kind];
    const attemptNo = claimed.attempts + 1;
    let status: number | undefined;
    let error: string | undefined;
    let final = false;
    try {
      const request = await sender.prepare(claimed);
      status = (await sender.http(request)).status;
      if (!sender.delivered(status)) error = `HTTP ${String(status)}`;
    } catch (err) {
      error = describeError(err);
      // A sender's refusal that no retry can change (e.g. the webhook endpoint was deleted).
      final = (err as { final?: unknown } | null)?.final === true;
    }
    let outcome: AttemptOutcome;
    if (error === undefined) {
      await deps.store.complete(claimed.id, claimed.leaseId);
      outcome = { delivery: claimed, attempt: attemptNo, delivered: true, final: true, status };
    } else {
      const retryAt =
        !final && worthRetrying(status)
          ? nextAttemptAt(sender.policy, attemptNo, deps.now())
          : undefined;
      await deps.store.fail(claimed.id, claimed.leaseId, { error, status, retryAt });
      if (retryAt !== undefined) wakeAt(retryAt);
      outcome = {
        delivery: claimed,
        attempt: attemptNo,
        delivered: false,
        final: retryAt === undefined,
        status,
        error,
      };
    }
    deps.report?.(outcome);
    return outcome;
  }

  function tracked<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  async function runOnce(): Promise<number> {
    const claimed = await deps.store.claim({ leaseMs: deps.leaseMs, limit: deps.batchSize });
    await Promise.all(
      claimed.map((c) =>
        tracked(attempt(c)).catch((err: unknown) => {
          // Reporting failed (the store went away mid-attempt): the lease ends and it is retried.
          deps.log.warn({ err, event: 'outbox.report_failed', id: c.id }, 'outbox report failed');
        }),
      ),
    );
    return claimed.length;
  }

  let nextPollAt = Number.POSITIVE_INFINITY;
  let earliestWake = Number.POSITIVE_INFINITY;
  let started = false;

  function schedule(delayMs = deps.pollIntervalMs): void {
    if (stopped) return;
    clearTimeout(timer);
    nextPollAt = deps.now() + delayMs;
    timer = setTimeout(() => {
      nextPollAt = Number.POSITIVE_INFINITY;
      if (running) return schedule();
      running = true;
      tracked(runOnce())
        .catch((err: unknown) => {
          deps.log.warn({ err, event: 'outbox.poll_failed' }, 'outbox poll failed; will retry');
        })
        .finally(() => {
          running = false;
          const wake = earliestWake;
          earliestWake = Number.POSITIVE_INFINITY;
          schedule(Math.max(0, Math.min(deps.pollIntervalMs, wake - deps.now())));
        });
    }, delayMs);
    timer.unref();
  }

  /** A retry this process scheduled is due before the next poll: look then, not later. */
  function wakeAt(at: number): void {
    if (!started || stopped) return;
    if (running) earliestWake = Math.min(earliestWake, at);
    else if (at < nextPollAt) schedule(Math.max(0, at - deps.now()));
  }

  return {
    async deliverNow(id) {
      const [claimed] = await deps.store.claim({ leaseMs: deps.leaseMs, limit: 1, id });
      return claimed === undefined ? undefined : tracked(attempt(claimed));
    },
    runOnce,
    start() {
      stopped = false;
      started = true;
      if (timer === undefined) schedule();
    },
    async stop() {
      stopped = true;
      started = false;
      clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...inFlight]);
    },
  };
}
