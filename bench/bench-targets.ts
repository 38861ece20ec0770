import type { ScenarioName, StoreName } from './bench-options.ts';
import { RSS_CEILING_MB, type RunSummary } from './bench-stats.ts';
import { formatRatio } from './format-table.ts';

/**
 * Issue 9's targets, checked against one benchmark's results (pure;
 * test/unit/bench-targets.test.ts). A target whose scenario or store was not run is left out.
 */

export interface ScenarioOutcome {
  store: StoreName;
  scenario: ScenarioName;
  portcullis: RunSummary | undefined;
  stock: RunSummary | undefined;
  ratio: number | undefined;
}

export interface TargetCheck {
  target: string;
  /** What was reached, for the note. */
  reached: string;
  met: boolean;
}

function find(outcomes: readonly ScenarioOutcome[], store: StoreName, scenario: ScenarioName) {
  return outcomes.find((o) => o.store === store && o.scenario === scenario);
}

function ratioAtLeast(
  outcomes: readonly ScenarioOutcome[],
  store: StoreName,
  scenario: ScenarioName,
  floor: number,
  target: string,
): TargetCheck[] {
  const outcome = find(outcomes, store, scenario);
  if (outcome?.ratio === undefined) return [];
  return [{ target, reached: formatRatio(outcome.ratio), met: outcome.ratio >= floor }];
}

/** CPU time one sign-in costs the server, in ms (its CPU share over its rate). */
export function cpuMsPerUnit(summary: RunSummary): number | undefined {
  if (!(summary.perSecond > 0) || !Number.isFinite(summary.serverCpuPercent)) return undefined;
  return ((summary.serverCpuPercent / 100) * 1000) / summary.perSecond;
}

export function checkTargets(
  outcomes: readonly ScenarioOutcome[],
  argon2VerifyMs: number | undefined,
): TargetCheck[] {
  const checks: TargetCheck[] = [
    ...ratioAtLeast(
      outcomes,
      'sqlite',
      'cc-opaque',
      1.0,
      'opaque-token issuance on sqlite ≥ 1.0× stock',
    ),
    ...ratioAtLeast(
      outcomes,
      'mongodb',
      'cc-opaque',
      0.7,
      'opaque-token issuance on mongodb ≥ 0.7× stock',
    ),
    ...ratioAtLeast(outcomes, 'sqlite', 'introspect', 3.0, 'introspection on sqlite ≥ 3× stock'),
  ];
  for (const store of new Set(outcomes.map((o) => o.store))) {
    const es = find(outcomes, store, 'cc-jwt-es256')?.portcullis;
    const rs = find(outcomes, store, 'cc-jwt-rs256')?.portcullis;
    if (es && rs && rs.perSecond > 0) {
      const ratio = es.perSecond / rs.perSecond;
      checks.push({
        target: `JWT access tokens on ${store}: ES256 ≥ 3× the RS256 rate`,
        reached: formatRatio(ratio),
        met: ratio >= 3,
      });
    }
    const signIn = find(outcomes, store, 'signin')?.portcullis;
    const perSignIn = signIn ? cpuMsPerUnit(signIn) : undefined;
    if (perSignIn !== undefined && argon2VerifyMs !== undefined) {
      const rest = perSignIn - argon2VerifyMs;
      checks.push({
        target: `sign-in on ${store}: everything but the argon2id verify costs less than it`,
        reached: `${perSignIn.toFixed(1)} ms CPU per sign-in = ${argon2VerifyMs.toFixed(1)} ms argon2id + ${rest.toFixed(1)} ms the rest`,
        met: rest < argon2VerifyMs,
      });
    }
  }
  const rss = outcomes.map((o) => o.portcullis?.serverRssMb ?? 0);
  if (rss.some((mb) => mb > 0)) {
    const max = Math.max(...rss);
    checks.push({
      target: `RSS under load < ${RSS_CEILING_MB} MB per process`,
      reached: `max ${max.toFixed(0)} MB`,
      met: max < RSS_CEILING_MB,
    });
  }
  return checks;
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks
    .map((c) => `  ${c.met ? 'met    ' : 'NOT met'}  ${c.target}: ${c.reached}`)
    .join('\n');
}
