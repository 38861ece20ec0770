/** How often a kind of delivery is tried, and how long to wait between tries. */
export interface RetryPolicy {
  /** Attempts per delivery, the first included; then it is a dead letter. */
  attempts: number;
  /** Wait before the first retry; doubles for each further one. */
  retryDelayMs: number;
  /** Upper bound of the wait. */
  maxRetryDelayMs: number;
}

/**
 * When to try again after the `attemptsMade`-th failed attempt, or `undefined` when the budget
 * is spent (the delivery becomes a dead letter). Exponential backoff: delay, 2·delay, 4·delay …,
 * capped; no jitter, because the lease already spreads retries of many deliveries over time.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  attemptsMade: number,
  now: number,
): number | undefined {
  if (attemptsMade >= policy.attempts) return undefined;
  const delay = policy.retryDelayMs * 2 ** Math.max(0, attemptsMade - 1);
  return now + Math.min(delay, policy.maxRetryDelayMs);
}

/** Network errors, timeouts, 408, 429 and 5xx are worth another try; other answers are final. */
export function worthRetrying(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}
