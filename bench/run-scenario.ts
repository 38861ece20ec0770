import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchOptions } from './bench-options.ts';
import type { BenchFixtures } from './bench-fixtures.ts';
import {
  log,
  type MeasuredRun,
  type ScenarioResult,
  type ServerResult,
  type SoakResult,
} from './bench-results.ts';
import { perCpuSecond, pairedRatio, rssTrend, summarize, type RunMeasure } from './bench-stats.ts';
import { cpuMsPerUnit } from './bench-targets.ts';
import type { ServerName } from './format-table.ts';
import type { LoadResult } from './load-runners.ts';
import { watchProcess, watchSelf } from './process-sampler.ts';
import { ScenarioUnavailable, type Scenario, type ScenarioOptions } from './scenarios.ts';
import type { ServerProcess } from './server-process.ts';

/**
 * Runs one scenario against both servers: warm-up, then the measured run with the server's
 * CPU and RSS sampled, alternating which server goes first, round after round; or, for the
 * memory check, one long run per server.
 */

/** A breath between runs, so one run's garbage collection does not land in the next. */
const PAUSE_MS = 500;
const SOAK_MIN_WARMUP_SECONDS = 10;

/** One timed run: prepared first (unmeasured), then the load with the server's CPU and RSS sampled. */
async function measure(
  scenario: Scenario,
  server: ServerProcess,
  fixtures: BenchFixtures,
  scenarioOptions: ScenarioOptions,
  seconds: number,
  databasePid: number | undefined,
): Promise<{
  load: LoadResult;
  measure: RunMeasure;
  databaseCpuPercent: number | undefined;
  samples: { t: number; mb: number }[];
}> {
  const run = await scenario.prepare({ url: server.ready.url, fixtures }, scenarioOptions);
  // Let the preparation's own work (sign-ins, token minting) settle out of the window.
  await sleep(PAUSE_MS);
  const window = watchProcess(server.pid);
  const database = databasePid === undefined ? undefined : watchProcess(databasePid);
  const self = watchSelf();
  const load = await run(seconds);
  const serverSide = window.stop();
  const loadCpuPercent = self.stop();
  const databaseCpuPercent = database?.stop().cpuPercent;
  return {
    load,
    databaseCpuPercent,
    samples: serverSide.samples,
    measure: {
      perSecond: load.perSecond,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      errors: load.errors,
      completed: load.completed,
      durationSeconds: load.durationSeconds,
      serverCpuPercent: serverSide.cpuPercent,
      serverRssMb: serverSide.rssMaxMb,
      loadCpuPercent,
    },
  };
}

export function unavailableReason(err: unknown): string {
  if (err instanceof ScenarioUnavailable) return err.message;
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}

export async function runScenario(
  scenario: Scenario,
  servers: Record<ServerName, ServerProcess>,
  fixtures: BenchFixtures,
  options: BenchOptions,
  databasePid: number | undefined,
): Promise<ScenarioResult> {
  const scenarioOptions = {
    connections: options.connections,
    signinConcurrency: options.signinConcurrency,
  };
  const results: Record<ServerName, ServerResult> = {
    portcullis: { runs: [], summary: undefined },
    stock: { runs: [], summary: undefined },
  };
  for (const name of ['portcullis', 'stock'] as const) {
    const reason = servers[name].ready.unsupported[scenario.name];
    if (reason) results[name].unavailable = reason;
  }
  for (let round = 1; round <= options.rounds; round++) {
    // ABBA-style: the side that goes first alternates, so a drift within a round favours neither.
    const order: ServerName[] = round % 2 === 1 ? ['portcullis', 'stock'] : ['stock', 'portcullis'];
    for (const name of order) {
      const result = results[name];
      if (result.unavailable) continue;
      try {
        if (options.warmup > 0) {
          const warm = await scenario.prepare(
            { url: servers[name].ready.url, fixtures },
            scenarioOptions,
          );
          await warm(options.warmup);
          await sleep(PAUSE_MS);
        }
        const measured = await measure(
          scenario,
          servers[name],
          fixtures,
          scenarioOptions,
          options.duration,
          name === 'portcullis' ? databasePid : undefined,
        );
        result.runs.push({
          ...measured.measure,
          round,
          outcomes: measured.load.outcomes,
          databaseCpuPercent: measured.databaseCpuPercent,
        });
        const m = measured.measure;
        log(
          `  ${scenario.name} round ${round} ${name}: ${m.perSecond.toFixed(1)}/s p99 ${m.p99Ms.toFixed(1)} ms, ${m.errors} errors, CPU ${m.serverCpuPercent.toFixed(0)}%` +
            (m.errors > 0 ? ` ${JSON.stringify(measured.load.outcomes)}` : ''),
        );
      } catch (err) {
        result.unavailable = unavailableReason(err);
        log(`  ${scenario.name} ${name}: n/a (${result.unavailable})`);
      }
      await sleep(PAUSE_MS);
    }
  }
  for (const name of ['portcullis', 'stock'] as const) {
    results[name].summary =
      results[name].runs.length > 0 ? summarize(results[name].runs) : undefined;
  }
  const byRound = (runs: readonly MeasuredRun[], pick: (r: MeasuredRun) => number | undefined) =>
    Array.from({ length: options.rounds }, (_, i) => {
      const run = runs.find((r) => r.round === i + 1);
      return run ? (pick(run) ?? Number.NaN) : Number.NaN;
    });
  const result: ScenarioResult = {
    scenario: scenario.name,
    description: scenario.description,
    unit: scenario.unit,
    portcullis: results.portcullis,
    stock: results.stock,
    ratio: pairedRatio(
      byRound(results.portcullis.runs, (r) => r.perSecond),
      byRound(results.stock.runs, (r) => r.perSecond),
    ),
    ratioPerCpuSecond: pairedRatio(
      byRound(results.portcullis.runs, perCpuSecond),
      byRound(results.stock.runs, perCpuSecond),
    ),
  };
  if (scenario.name === 'signin') {
    result.cpuMsPerSignIn = {
      portcullis: results.portcullis.summary && cpuMsPerUnit(results.portcullis.summary),
      stock: results.stock.summary && cpuMsPerUnit(results.stock.summary),
    };
  }
  return result;
}

/**
 * A soak's warm-up is at least 10 s: V8 grows its heap to its working size in the first
 * seconds of any load (the stock server too), which is not the growth a memory check looks for.
 */
export function soakWarmup(options: BenchOptions): number {
  return Math.max(options.warmup, SOAK_MIN_WARMUP_SECONDS);
}

export async function runSoak(
  scenario: Scenario,
  servers: Record<ServerName, ServerProcess>,
  fixtures: BenchFixtures,
  options: BenchOptions,
  seconds: number,
): Promise<SoakResult[]> {
  const scenarioOptions = {
    connections: options.connections,
    signinConcurrency: options.signinConcurrency,
  };
  const results: SoakResult[] = [];
  for (const name of ['portcullis', 'stock'] as const) {
    const unsupported = servers[name].ready.unsupported[scenario.name];
    const empty = {
      scenario: scenario.name,
      server: name,
      trend: rssTrend([]),
      perSecond: Number.NaN,
      errors: 0,
      samples: [],
    };
    if (unsupported) {
      results.push({ ...empty, unavailable: unsupported });
      continue;
    }
    try {
      await (
        await scenario.prepare({ url: servers[name].ready.url, fixtures }, scenarioOptions)
      )(soakWarmup(options));
      const measured = await measure(
        scenario,
        servers[name],
        fixtures,
        scenarioOptions,
        seconds,
        undefined,
      );
      const trend = rssTrend(measured.samples);
      results.push({
        scenario: scenario.name,
        server: name,
        trend,
        perSecond: measured.measure.perSecond,
        errors: measured.measure.errors,
        samples: measured.samples,
      });
      log(
        `  soak ${scenario.name} ${name}: ${trend.slopeMbPerMinute.toFixed(2)} MB/min, max ${trend.maxMb.toFixed(0)} MB`,
      );
    } catch (err) {
      results.push({ ...empty, unavailable: unavailableReason(err) });
      log(`  soak ${scenario.name} ${name}: n/a (${unavailableReason(err)})`);
    }
    await sleep(PAUSE_MS);
  }
  return results;
}
