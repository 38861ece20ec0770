import { Agent } from 'node:http';
import autocannon, { type AutocannonOptions } from 'autocannon';
import { percentile } from './bench-stats.ts';
import type { BenchUser } from './bench-fixtures.ts';
import { signIn, type SignInTarget } from './virtual-user.ts';

/** What the load generator saw in one timed run (the server side is sampled apart). */
export interface LoadResult {
  /** 2xx answers (completed sign-ins) per second. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, socket errors and timeouts (failed sign-ins). */
  errors: number;
  completed: number;
  durationSeconds: number;
  /** Answers by HTTP status (sign-ins: by failing step), to explain errors. */
  outcomes: Record<string, number>;
}

/**
 * HTTP load with autocannon for `seconds`; latency percentiles are autocannon's. `unexpected`
 * counts 2xx answers the scenario found wrong (e.g. `{"active":false}`): they are failures.
 */
export async function runHttpLoad(
  options: AutocannonOptions,
  seconds: number,
  unexpected: () => number = () => 0,
): Promise<LoadResult> {
  const before = unexpected();
  const result = await autocannon({ timeout: 10, ...options, duration: seconds });
  const wrong = unexpected() - before;
  const outcomes: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {}))
    outcomes[status] = Number(count);
  if (result.errors > 0) outcomes.socket_errors = result.errors;
  if (wrong > 0) outcomes.unexpected_body = wrong;
  const completed = result['2xx'] + result.non2xx;
  // Requests still in flight when the time was up: normal (one per connection at most), but a
  // run that got no answer at all is a stalled server, not a fast one.
  const unanswered = Math.max(0, (result.requests.sent ?? completed) - completed - result.errors);
  if (unanswered > 0) outcomes.unanswered_at_end = unanswered;
  const stalled = completed === 0 ? Math.max(unanswered, 1) : 0;
  if (stalled > 0) outcomes.no_answer = stalled;
  return {
    perSecond: Math.max(result['2xx'] - wrong, 0) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    // autocannon counts timeouts among `errors` too.
    errors: result.non2xx + result.errors + wrong + stalled,
    completed,
    durationSeconds: result.duration,
    outcomes,
  };
}

/**
 * Sign-ins per second: `concurrency` virtual users, each signing in again and again with a
 * fresh cookie jar (a new browser) until the time is up. A sign-in started before the end is
 * finished and counted; the rate is over the time until the last one finished.
 */
export async function runSignInLoad(
  target: Omit<SignInTarget, 'agent'>,
  users: readonly BenchUser[],
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const virtualUser = async () => {
    while (performance.now() < deadline) {
      const user = users[next++ % users.length] as BenchUser;
      const begun = performance.now();
      try {
        await signIn({ ...target, agent }, user);
        latencies.push(performance.now() - begun);
        outcomes.ok = (outcomes.ok ?? 0) + 1;
      } catch (err) {
        errors++;
        const why = err instanceof Error ? err.message : String(err);
        outcomes[why] = (outcomes[why] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, virtualUser));
  const durationSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    perSecond: latencies.length / durationSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
    completed: latencies.length + errors,
    durationSeconds,
    outcomes,
  };
}

/** Runs `task` over `items` with at most `concurrency` at once (preparing token pools). */
export async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let index = 0;
  const worker = async () => {
    while (index < items.length) {
      const mine = index++;
      results[mine] = await task(items[mine] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
