import { describe, it, expect } from '@jest/globals';
import { parseBenchOptions, SCENARIOS, STORES } from '../../bench/bench-options.ts';
import { rssTrend, type RunSummary } from '../../bench/bench-stats.ts';
import { checkTargets, cpuMsPerUnit, type ScenarioOutcome } from '../../bench/bench-targets.ts';
import {
  formatMs,
  formatRate,
  formatRatio,
  formatResultTable,
  formatSoakTable,
  rowFlags,
} from '../../bench/format-table.ts';

// How the benchmark reads its command line and reports (bench/): pure functions, no servers.

function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    rounds: 3,
    perSecond: 1000,
    p50Ms: 5,
    p99Ms: 20,
    errors: 0,
    serverCpuPercent: 100,
    serverRssMb: 120,
    loadCpuPercent: 40,
    perCpuSecond: 1000,
    ...overrides,
  };
}

describe('parseBenchOptions', () => {
  it('defaults to 3 rounds of 10 s over every scenario and store', () => {
    const parsed = parseBenchOptions([]);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.options).toMatchObject({
      rounds: 3,
      duration: 10,
      soak: undefined,
      pin: true,
      storesExplicit: false,
    });
    expect(parsed.options.scenarios).toEqual([...SCENARIOS]);
    expect(parsed.options.stores).toEqual([...STORES]);
  });

  it('takes filters in the order given, without repeats', () => {
    const parsed = parseBenchOptions([
      '--scenarios',
      'introspect,cc-opaque,introspect',
      '--stores',
      'sqlite',
      '--soak',
      '60',
      '--no-pin',
    ]);
    expect(parsed.ok && parsed.options).toMatchObject({
      scenarios: ['introspect', 'cc-opaque'],
      stores: ['sqlite'],
      storesExplicit: true,
      soak: 60,
      pin: false,
    });
  });

  it('refuses unknown scenarios, stores and options with a message naming them', () => {
    const scenario = parseBenchOptions(['--scenarios', 'cc-opaque,password']);
    expect(scenario).toEqual({ ok: false, error: expect.stringContaining('password') });
    expect(parseBenchOptions(['--stores', 'postgres'])).toEqual({
      ok: false,
      error: expect.stringContaining('postgres'),
    });
    expect(parseBenchOptions(['--fast']).ok).toBe(false);
  });

  it('refuses durations and rounds that are not positive numbers', () => {
    expect(parseBenchOptions(['--duration', '0']).ok).toBe(false);
    expect(parseBenchOptions(['--rounds', 'many']).ok).toBe(false);
    expect(parseBenchOptions(['--soak', '1']).ok).toBe(false);
    expect(parseBenchOptions(['--warmup', '0']).ok).toBe(true);
  });
});

describe('number formatting', () => {
  it('rounds rates, latencies and ratios for reading', () => {
    expect(formatRate(1234.56)).toBe('1235');
    expect(formatRate(12.345)).toBe('12.3');
    expect(formatMs(3.456)).toBe('3.46');
    expect(formatMs(45.67)).toBe('45.7');
    expect(formatRatio(1.234)).toBe('1.23×');
    expect(formatRatio(undefined)).toBe('n/a');
    expect(formatRate(Number.NaN)).toBe('n/a');
  });
});

describe('formatResultTable', () => {
  it('shows one row per server, the ratio on the Portcullis row, and flags errors', () => {
    const table = formatResultTable([
      {
        scenario: 'introspect',
        server: 'portcullis',
        summary: summary({ perSecond: 3000, errors: 2 }),
        ratio: 3,
        ratioPerCpuSecond: 2.5,
      },
      { scenario: 'introspect', server: 'stock', summary: summary() },
    ]);
    const [header, rule, ours, stock] = table.split('\n');
    expect(header).toMatch(
      /^scenario\s+server\s+\/s\s+p50 ms\s+p99 ms\s+errors\s+CPU %\s+RSS MB\s+ratio\s+ratio\/CPU\s+flags$/,
    );
    expect(rule).toMatch(/^-+/);
    expect(ours).toMatch(
      /introspect\s+portcullis\s+3000\s+5\.00\s+20\.0\s+2\s+100\s+120\s+3\.00×\s+2\.50×\s+ERRORS$/,
    );
    expect(stock).toMatch(/introspect\s+stock\s+1000\s+5\.00\s+20\.0\s+0\s+100\s+120$/);
  });

  it('shows n/a with the reason when a server could not run a scenario', () => {
    const table = formatResultTable([
      { scenario: 'cc-jwt-es256', server: 'portcullis', summary: undefined, note: 'no registry' },
    ]);
    expect(table.split('\n')[2]).toMatch(/cc-jwt-es256\s+portcullis\s+n\/a\s+no registry$/);
  });

  it('marks a run whose load generator was saturated', () => {
    expect(rowFlags(summary({ loadCpuPercent: 95 }))).toEqual(['load-bound']);
    expect(rowFlags(summary())).toEqual([]);
  });
});

describe('formatSoakTable', () => {
  it('prints the trend and a verdict per scenario and server', () => {
    const flat = rssTrend(Array.from({ length: 60 }, (_, t) => ({ t, mb: 150 })));
    const growing = rssTrend(Array.from({ length: 60 }, (_, t) => ({ t, mb: 150 + t })));
    const lines = formatSoakTable([
      { scenario: 'introspect', server: 'portcullis', trend: flat, perSecond: 2000, errors: 0 },
      { scenario: 'introspect', server: 'stock', trend: growing, perSecond: 1000, errors: 0 },
    ]).split('\n');
    expect(lines[2]).toMatch(
      /introspect\s+portcullis\s+2000\s+0\s+150\s+150\s+150\s+0\.00\s+flat$/,
    );
    expect(lines[3]).toMatch(/growing 60\.0 MB\/min$/);
  });
});

describe('checkTargets', () => {
  const outcome = (
    store: ScenarioOutcome['store'],
    scenario: ScenarioOutcome['scenario'],
    ours: Partial<RunSummary>,
    ratio?: number,
  ): ScenarioOutcome => ({
    store,
    scenario,
    portcullis: summary(ours),
    stock: summary(),
    ratio,
  });

  it('checks each ratio target against its floor', () => {
    const checks = checkTargets(
      [
        outcome('sqlite', 'cc-opaque', {}, 1.1),
        outcome('mongodb', 'cc-opaque', {}, 0.5),
        outcome('sqlite', 'introspect', {}, 3.2),
      ],
      undefined,
    );
    expect(checks.map((c) => [c.target, c.met])).toEqual([
      ['opaque-token issuance on sqlite ≥ 1.0× stock', true],
      ['opaque-token issuance on mongodb ≥ 0.7× stock', false],
      ['introspection on sqlite ≥ 3× stock', true],
      ['RSS under load < 250 MB per process', true],
    ]);
  });

  it('compares the ES256 and RS256 rates of Portcullis itself', () => {
    const checks = checkTargets(
      [
        outcome('sqlite', 'cc-jwt-es256', { perSecond: 2400 }),
        outcome('sqlite', 'cc-jwt-rs256', { perSecond: 1000 }),
      ],
      undefined,
    );
    expect(checks[0]).toEqual({
      target: 'JWT access tokens on sqlite: ES256 ≥ 3× the RS256 rate',
      reached: '2.40×',
      met: false,
    });
  });

  it('sets the CPU of a sign-in against one argon2id verification', () => {
    // 50 % of a core for 20 sign-ins per second: 25 ms of CPU each.
    const signIn = summary({ perSecond: 20, serverCpuPercent: 50 });
    expect(cpuMsPerUnit(signIn)).toBe(25);
    const [check] = checkTargets(
      [
        {
          store: 'memory',
          scenario: 'signin',
          portcullis: signIn,
          stock: undefined,
          ratio: undefined,
        },
      ],
      15,
    );
    expect(check).toEqual({
      target: 'sign-in on memory: everything but the argon2id verify costs less than it',
      reached: '25.0 ms CPU per sign-in = 15.0 ms argon2id + 10.0 ms the rest',
      met: true,
    });
  });

  it('leaves out targets whose scenario did not run', () => {
    expect(checkTargets([], 10)).toEqual([]);
  });

  it('fails the memory target when any Portcullis run went over 250 MB', () => {
    const checks = checkTargets([outcome('memory', 'refresh', { serverRssMb: 300 })], undefined);
    expect(checks).toEqual([
      { target: 'RSS under load < 250 MB per process', reached: 'max 300 MB', met: false },
    ]);
  });
});
