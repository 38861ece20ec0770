/** A worker that ran this long before it died is considered to have been healthy. */
export const STABLE_UPTIME_MS = 30_000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/**
 * How long to wait before restarting a crashed worker, given how many workers crashed in a row
 * without one staying up for `STABLE_UPTIME_MS` (1 for the first crash): 0.5 s, 1 s, 2 s, ...
 * up to 30 s. A crash loop (bad deploy, database gone) then costs little CPU and few log lines,
 * while a one-off crash is repaired almost at once.
 */
export function restartDelayMs(crashesInARow: number): number {
  const n = Math.max(1, Math.floor(crashesInARow));
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(n - 1, 16));
}

/** The crash streak after a worker that ran for `uptimeMs` exited unexpectedly. */
export function nextCrashStreak(previous: number, uptimeMs: number): number {
  return uptimeMs >= STABLE_UPTIME_MS ? 1 : previous + 1;
}
