import { describe, expect, it } from '@jest/globals';
import { createMetrics } from '../../src/metrics/create-metrics.ts';
import { instrumentStore } from '../../src/metrics/instrument-store.ts';
import { countActiveSessions } from '../../src/metrics/sample-active-sessions.ts';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';
import { DISABLED_TRACING } from '../../src/tracing/tracing.ts';

async function sampleCount(
  metrics: ReturnType<typeof createMetrics>,
  name: string,
  labels: Record<string, string>,
) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const matching = (metric?.values ?? []).filter(
    (v) =>
      (v as { metricName?: string }).metricName === `${name}_count` &&
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return matching.reduce((sum, v) => sum + v.value, 0);
}

describe('instrumentStore', () => {
  it('times every call by backend and operation and still returns what the backend returns', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const store = instrumentStore(createMemoryStore(), { metrics });
    await store.oidc.upsert('Session', 's1', { uid: 'u1', accountId: 'a1' }, Date.now() + 60_000);
    expect(await store.oidc.find('Session', 's1')).toMatchObject({ accountId: 'a1' });
    expect(await store.oidc.find('Session', 'missing')).toBeUndefined();
    await store.ping();
    expect(
      await sampleCount(metrics, 'portcullis_store_operation_duration_seconds', {
        backend: 'memory',
        operation: 'oidc.upsert',
      }),
    ).toBe(1);
    expect(
      await sampleCount(metrics, 'portcullis_store_operation_duration_seconds', {
        backend: 'memory',
        operation: 'oidc.find',
      }),
    ).toBe(2);
    expect(
      await sampleCount(metrics, 'portcullis_store_operation_duration_seconds', {
        backend: 'memory',
        operation: 'ping',
      }),
    ).toBe(1);
    expect(store.backend).toBe('memory');
  });

  it('counts a failed call as an error and passes the error on unchanged', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const raw = createMemoryStore();
    const store = instrumentStore(raw, { metrics });
    await store.close();
    await expect(store.ping()).rejects.toThrow('store is closed');
    const errors = await metrics.storeErrors.get();
    expect(errors.values).toEqual([
      expect.objectContaining({ value: 1, labels: { backend: 'memory', operation: 'ping' } }),
    ]);
  });

  it('leaves the store as it is when there is neither metrics nor tracing', () => {
    const raw = createMemoryStore();
    expect(instrumentStore(raw, { tracing: DISABLED_TRACING })).toBe(raw);
  });
});

describe('countActiveSessions', () => {
  it('counts unexpired sessions with a signed-in account across pages', async () => {
    let now = 1_000_000;
    const store = createMemoryStore({ now: () => now });
    for (let i = 0; i < 1203; i++) {
      await store.oidc.upsert(
        'Session',
        `s${i}`,
        { uid: `u${i}`, accountId: `a${i}` },
        now + 60_000,
      );
    }
    await store.oidc.upsert('Session', 'anonymous', { uid: 'u-anon' }, now + 60_000);
    await store.oidc.upsert('Session', 'expiring', { uid: 'u-exp', accountId: 'a-exp' }, now + 10);
    expect(await countActiveSessions(store.oidc)).toBe(1204);
    now += 1000;
    expect(await countActiveSessions(store.oidc)).toBe(1203);
  });
});
