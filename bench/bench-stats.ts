/**
 * The arithmetic of the benchmark, kept pure so it can be unit-tested
 * (test/unit/bench-stats.test.ts): medians over rounds, paired ratios and the RSS trend.
 */

/** One measured run of one scenario against one server. */
export interface RunMeasure {
  /** Successful (2xx, or completed sign-ins) per second of the measured window. */
  perSecond: number;
  /** Latency of one request (one whole sign-in for the sign-in scenario), in ms. */
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, socket errors and timeouts (failed sign-ins for the sign-in scenario). */
  errors: number;
  /** Everything answered in the window, errors included. */
  completed: number;
  durationSeconds: number;
  /** The server process's CPU over the window: 100 is one core busy all the time. */
  serverCpuPercent: number;
  /** Highest VmRSS of the server process seen during the window. */
  serverRssMb: number;
  /** The load generator's own CPU: near 100 means it, not the server, set the pace. */
  loadCpuPercent: number;
}

/** The rounds of one scenario on one server, reduced to one row. */
export interface RunSummary {
  rounds: number;
  /** Median over rounds. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Summed over rounds: any error flags the row. */
  errors: number;
  serverCpuPercent: number;
  /** Highest over rounds. */
  serverRssMb: number;
  loadCpuPercent: number;
  /** Work per second of server CPU (median over rounds): less sensitive to a busy machine. */
  perCpuSecond: number | undefined;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Nearest-rank percentile (`p` in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length);
  return sorted[Math.max(rank - 1, 0)] as number;
}

/** Requests per second of server CPU; undefined when the server used no measurable CPU. */
export function perCpuSecond(
  run: Pick<RunMeasure, 'perSecond' | 'serverCpuPercent'>,
): number | undefined {
  return run.serverCpuPercent > 0 ? run.perSecond / (run.serverCpuPercent / 100) : undefined;
}

export function summarize(runs: readonly RunMeasure[]): RunSummary {
  const cpuRates = runs.map(perCpuSecond).filter((v): v is number => v !== undefined);
  return {
    rounds: runs.length,
    perSecond: median(runs.map((r) => r.perSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    serverCpuPercent: median(runs.map((r) => r.serverCpuPercent)),
    serverRssMb: runs.reduce((max, r) => Math.max(max, r.serverRssMb), 0),
    loadCpuPercent: median(runs.map((r) => r.loadCpuPercent)),
    perCpuSecond: cpuRates.length === 0 ? undefined : median(cpuRates),
  };
}

/**
 * Portcullis/stock as the median of the per-round ratios. Each round measures both servers back
 * to back, so a slow minute on a shared machine hits both sides of one ratio; the median then
 * drops the odd round out. Undefined when a side has no usable round.
 */
export function pairedRatio(ours: readonly number[], stock: readonly number[]): number | undefined {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(ours.length, stock.length); i++) {
    const a = ours[i];
    const b = stock[i];
    if (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0)
      ratios.push(a / b);
  }
  return ratios.length === 0 ? undefined : median(ratios);
}

/** One RSS sample: seconds since the soak started, resident memory in MB. */
export interface RssSample {
  t: number;
  mb: number;
}

export interface RssTrend {
  samples: number;
  /** Least-squares slope of RSS over time, in MB per minute. */
  slopeMbPerMinute: number;
  startMb: number;
  endMb: number;
  maxMb: number;
}

/** Below this growth a soak counts as flat: allocator noise and JIT code settle within it. */
export const FLAT_SLOPE_MB_PER_MINUTE = 2;
/** Issue 9's ceiling per process under load. */
export const RSS_CEILING_MB = 250;

export function rssTrend(samples: readonly RssSample[]): RssTrend {
  const n = samples.length;
  const maxMb = samples.reduce((max, s) => Math.max(max, s.mb), 0);
  const first = samples[0];
  const last = samples[n - 1];
  if (first === undefined || last === undefined) {
    return {
      samples: 0,
      slopeMbPerMinute: Number.NaN,
      startMb: Number.NaN,
      endMb: Number.NaN,
      maxMb: Number.NaN,
    };
  }
  const meanT = samples.reduce((sum, s) => sum + s.t, 0) / n;
  const meanMb = samples.reduce((sum, s) => sum + s.mb, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.t - meanT) * (s.mb - meanMb);
    variance += (s.t - meanT) ** 2;
  }
  const slopePerSecond = variance === 0 ? 0 : covariance / variance;
  return {
    samples: n,
    slopeMbPerMinute: slopePerSecond * 60,
    startMb: first.mb,
    endMb: last.mb,
    maxMb,
  };
}

/** Why a soak result needs a look: growth, or more memory than the ceiling; empty when fine. */
export function soakVerdict(trend: RssTrend): string[] {
  const problems: string[] = [];
  if (trend.slopeMbPerMinute > FLAT_SLOPE_MB_PER_MINUTE)
    problems.push(`growing ${trend.slopeMbPerMinute.toFixed(1)} MB/min`);
  if (trend.maxMb > RSS_CEILING_MB) problems.push(`over ${RSS_CEILING_MB} MB`);
  return problems;
}
