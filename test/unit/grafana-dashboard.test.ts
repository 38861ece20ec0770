import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createPrimaryMetrics } from '../../src/cluster/run-primary.ts';
import { createMetrics } from '../../src/metrics/create-metrics.ts';

const dashboard = JSON.parse(
  readFileSync(new URL('../../docker/grafana-dashboard.json', import.meta.url), 'utf8'),
) as {
  panels: { type: string; targets?: { expr: string }[] }[];
};
const operating = readFileSync(new URL('../../docs/operating.md', import.meta.url), 'utf8');

async function exportedNames(): Promise<Set<string>> {
  const metrics = createMetrics();
  const primary = createPrimaryMetrics(() => 2);
  const all = [
    ...(await metrics.registry.getMetricsAsJSON()),
    ...(await primary.registry.getMetricsAsJSON()),
  ];
  return new Set(all.map((m) => m.name));
}

describe('docker/grafana-dashboard.json and docs/operating.md', () => {
  it('query only series the server exports (histograms by their _bucket/_count/_sum)', async () => {
    const names = await exportedNames();
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(15);
    const used = new Set(
      exprs.flatMap((e) =>
        [...e.matchAll(/\b((?:portcullis|process|nodejs)_[a-z0-9_]+)\{/g)].map((m) => m[1] ?? ''),
      ),
    );
    for (const name of used) {
      const base = name.replace(/_(bucket|count|sum)$/, '');
      if (!names.has(name) && !names.has(base))
        throw new Error(`the dashboard queries ${name}, which is not exported`);
    }
  });

  it('document every portcullis_* series the server exports', async () => {
    for (const name of await exportedNames()) {
      if (name.startsWith('portcullis_')) expect(operating).toContain(`\`${name}\``);
    }
  });
});
