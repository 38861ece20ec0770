import { describe, it, expect } from '@jest/globals';
import {
  median,
  pairedRatio,
  percentile,
  perCpuSecond,
  rssTrend,
  soakVerdict,
  summarize,
  type RunMeasure,
} from '../../bench/bench-stats.ts';
import { parseProcStatTicks, parseVmRssMb } from '../../bench/process-sampler.ts';
import { parseAffinityList } from '../../bench/cpu-pinning.ts';

// The benchmark's arithmetic (bench/): no timing is asserted anywhere, only what is computed
// from given numbers.

function run(overrides: Partial<RunMeasure> = {}): RunMeasure {
  return {
    perSecond: 1000,
    p50Ms: 5,
    p99Ms: 20,
    errors: 0,
    completed: 10_000,
    durationSeconds: 10,
    serverCpuPercent: 100,
    serverRssMb: 120,
    loadCpuPercent: 40,
    ...overrides,
  };
}

describe('median and percentile', () => {
  it('takes the middle value of an odd count and the mean of the two middle ones of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('answers NaN for no values rather than a made-up number', () => {
    expect(median([])).toBeNaN();
    expect(percentile([], 99)).toBeNaN();
  });

  it('uses the nearest rank for percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });
});

describe('summarize', () => {
  it('reduces rounds to medians, sums errors and keeps the highest RSS', () => {
    const summary = summarize([
      run({ perSecond: 900, errors: 1, serverRssMb: 100 }),
      run({ perSecond: 1100, serverRssMb: 140 }),
      run({ perSecond: 1000, errors: 2, serverRssMb: 120 }),
    ]);
    expect(summary.rounds).toBe(3);
    expect(summary.perSecond).toBe(1000);
    expect(summary.errors).toBe(3);
    expect(summary.serverRssMb).toBe(140);
  });

  it('gives the rate per second of server CPU, or nothing when no CPU was measured', () => {
    expect(perCpuSecond({ perSecond: 500, serverCpuPercent: 50 })).toBe(1000);
    expect(perCpuSecond({ perSecond: 500, serverCpuPercent: 0 })).toBeUndefined();
    expect(summarize([run({ serverCpuPercent: 0 })]).perCpuSecond).toBeUndefined();
  });
});

describe('pairedRatio', () => {
  it('is the median of the per-round ratios, so one slow round does not decide', () => {
    // Round 2 ran while the machine was busy: both sides slowed, the ratio held.
    expect(pairedRatio([200, 100, 220], [100, 50, 100])).toBe(2);
  });

  it('skips rounds where a side has no usable number', () => {
    expect(pairedRatio([200, Number.NaN, 300], [100, 100, 0])).toBe(2);
    expect(pairedRatio([], [])).toBeUndefined();
    expect(pairedRatio([100], [0])).toBeUndefined();
  });
});

describe('rssTrend', () => {
  it('reports a flat series as zero slope', () => {
    const trend = rssTrend(Array.from({ length: 60 }, (_, t) => ({ t, mb: 150 })));
    expect(trend.slopeMbPerMinute).toBe(0);
    expect(trend.maxMb).toBe(150);
    expect(soakVerdict(trend)).toEqual([]);
  });

  it('finds steady growth in MB per minute and flags it', () => {
    // 0.5 MB per second is 30 MB per minute.
    const trend = rssTrend(Array.from({ length: 60 }, (_, t) => ({ t, mb: 100 + t * 0.5 })));
    expect(trend.slopeMbPerMinute).toBeCloseTo(30, 6);
    expect(trend.startMb).toBe(100);
    expect(trend.endMb).toBeCloseTo(129.5, 6);
    expect(soakVerdict(trend)).toEqual(['growing 30.0 MB/min']);
  });

  it('does not mistake noise around a level for growth', () => {
    const trend = rssTrend(
      Array.from({ length: 60 }, (_, t) => ({ t, mb: 200 + (t % 2 === 0 ? 1 : -1) })),
    );
    expect(Math.abs(trend.slopeMbPerMinute)).toBeLessThan(1);
    expect(soakVerdict(trend)).toEqual([]);
  });

  it('flags memory above the 250 MB ceiling even when flat', () => {
    const trend = rssTrend(Array.from({ length: 10 }, (_, t) => ({ t, mb: 260 })));
    expect(soakVerdict(trend)).toEqual(['over 250 MB']);
  });

  it('answers NaN for no samples', () => {
    expect(rssTrend([]).slopeMbPerMinute).toBeNaN();
  });
});

describe('/proc parsing', () => {
  it('reads utime + stime even when the command name holds spaces and parentheses', () => {
    const line =
      '1234 (node (bench) x) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 75 0 0 20 0 11 0 100 1000 2000';
    expect(parseProcStatTicks(line)).toBe(325);
    expect(parseProcStatTicks('garbage')).toBeUndefined();
  });

  it('reads VmRSS in MB', () => {
    expect(parseVmRssMb('Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  153600 kB\nThreads: 11\n')).toBe(
      150,
    );
    expect(parseVmRssMb('Name:\tnode\n')).toBeUndefined();
  });

  it('expands taskset affinity lists', () => {
    expect(parseAffinityList("pid 42's current affinity list: 0,1")).toEqual([0, 1]);
    expect(parseAffinityList("pid 42's current affinity list: 0-2,5")).toEqual([0, 1, 2, 5]);
    expect(parseAffinityList("pid 42's current affinity list: 3")).toEqual([3]);
  });
});
