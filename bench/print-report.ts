import type { BenchOptions } from './bench-options.ts';
import { log, type ScenarioResult, type StoreResult } from './bench-results.ts';
import {
  checkTargets,
  formatTargets,
  type ScenarioOutcome,
  type TargetCheck,
} from './bench-targets.ts';
import type { Pinning } from './cpu-pinning.ts';
import { formatResultTable, formatSoakTable, type SoakRow, type TableRow } from './format-table.ts';

/** Prints the tables per store, the sign-in CPU and the issue's targets; returns the checks. */

function tableRows(results: readonly ScenarioResult[]): TableRow[] {
  return results.flatMap((r) => [
    {
      scenario: r.scenario,
      server: 'portcullis' as const,
      summary: r.portcullis.summary,
      ratio: r.ratio,
      ratioPerCpuSecond: r.ratioPerCpuSecond,
      note: r.portcullis.unavailable,
    },
    {
      scenario: r.scenario,
      server: 'stock' as const,
      summary: r.stock.summary,
      note: r.stock.unavailable,
    },
  ]);
}

export function printReport(
  stores: readonly StoreResult[],
  options: Pick<BenchOptions, 'soak'>,
  pinning: Pinning,
  argon2VerifyMs: number,
): TargetCheck[] {
  const outcomes: ScenarioOutcome[] = stores.flatMap((s) =>
    s.scenarios.map((r) => ({
      store: s.store,
      scenario: r.scenario,
      portcullis: r.portcullis.summary,
      stock: r.stock.summary,
      ratio: r.ratio,
    })),
  );
  log(`\n${pinning.description}`);
  for (const s of stores) {
    if (s.skipped && s.scenarios.length === 0 && s.soak.length === 0) {
      log(`\n== ${s.store}: skipped (${s.skipped})`);
      continue;
    }
    log(
      `\n== ${s.store} (${s.description ?? ''})` +
        (options.soak === undefined
          ? ' — ratio: Portcullis/stock requests/s, median of per-round ratios'
          : ' — RSS under load'),
    );
    if (s.scenarios.length > 0) log(formatResultTable(tableRows(s.scenarios)));
    if (s.soak.length > 0) {
      const rows: SoakRow[] = s.soak
        .filter((r) => !r.unavailable)
        .map((r) => ({
          scenario: r.scenario,
          server: r.server,
          trend: r.trend,
          perSecond: r.perSecond,
          errors: r.errors,
        }));
      log(formatSoakTable(rows));
      for (const r of s.soak.filter((x) => x.unavailable))
        log(`  ${r.scenario} ${r.server}: n/a (${r.unavailable})`);
    }
    const signIn = s.scenarios.find((r) => r.scenario === 'signin')?.cpuMsPerSignIn;
    if (signIn) {
      const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(1)} ms`);
      log(
        `signin: server CPU per sign-in: Portcullis ${ms(signIn.portcullis)}, stock ${ms(signIn.stock)}; one argon2id verify ${ms(argon2VerifyMs)}`,
      );
    }
  }
  const checks = checkTargets(outcomes, argon2VerifyMs);
  if (checks.length > 0)
    log(`\nIssue 9 targets (one run; see docs/performance.md):\n${formatTargets(checks)}`);
  const flagged = outcomes.filter((o) => (o.portcullis?.errors ?? 0) + (o.stock?.errors ?? 0) > 0);
  if (flagged.length > 0)
    log(
      `\nWARNING: runs with errors (their numbers are not comparable): ${flagged.map((o) => `${o.store}/${o.scenario}`).join(', ')}`,
    );

  return checks;
}
