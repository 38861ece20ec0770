import { describe, expect, it } from '@jest/globals';
import {
  STABLE_UPTIME_MS,
  nextCrashStreak,
  restartDelayMs,
} from '../../src/cluster/restart-backoff.ts';
import { workerCount } from '../../src/cluster/worker-count.ts';

describe('restartDelayMs', () => {
  it('restarts a first crash after half a second and doubles for each crash in a row', () => {
    expect([1, 2, 3, 4, 5].map(restartDelayMs)).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('never waits longer than 30 seconds, however long the crash loop', () => {
    expect(restartDelayMs(7)).toBe(30_000);
    expect(restartDelayMs(1000)).toBe(30_000);
  });

  it('treats a streak below 1 as a first crash', () => {
    expect(restartDelayMs(0)).toBe(500);
  });
});

describe('nextCrashStreak', () => {
  it('grows while workers die young and starts over after one ran long enough', () => {
    expect(nextCrashStreak(0, 100)).toBe(1);
    expect(nextCrashStreak(3, STABLE_UPTIME_MS - 1)).toBe(4);
    expect(nextCrashStreak(3, STABLE_UPTIME_MS)).toBe(1);
  });
});

describe('workerCount', () => {
  it('runs one worker per core for auto and the given number otherwise', () => {
    expect(workerCount('auto', 8)).toBe(8);
    expect(workerCount('auto', 0)).toBe(1);
    expect(workerCount(3, 8)).toBe(3);
  });
});
