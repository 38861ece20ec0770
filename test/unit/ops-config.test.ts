import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.ts';

const KEY = 'k'.repeat(40);
const PRODUCTION = { NODE_ENV: 'production', ISSUER: 'https://id.example.com', COOKIE_KEYS: KEY };

function load(env: Record<string, string>) {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

function errorsOf(env: Record<string, string>): string {
  const result = loadConfig(env);
  return result.ok ? '' : result.errors.join('\n');
}

describe('operations settings', () => {
  it('runs one worker in development and test, and one per core in production', () => {
    expect(load({}).server.workers).toBe(1);
    expect(load({ NODE_ENV: 'test' }).server.workers).toBe(1);
    expect(load(PRODUCTION).server.workers).toBe('auto');
    expect(load({ ...PRODUCTION, WORKERS: '3' }).server.workers).toBe(3);
    expect(load({ WORKERS: 'auto' }).server.workers).toBe('auto');
  });

  it('refuses more than one worker on the memory store, naming the variable', () => {
    expect(errorsOf({ STORE: 'memory', WORKERS: '2' })).toMatch(
      /^WORKERS \(server\.workers\): the memory store cannot be shared/m,
    );
    expect(errorsOf({ STORE: 'memory', WORKERS: 'auto' })).toMatch(/WORKERS/);
    expect(errorsOf({ STORE: 'sqlite', WORKERS: '2' })).toBe('');
    expect(errorsOf({ WORKERS: 'many' })).toMatch(/^WORKERS \(server\.workers\)/m);
  });

  it('serves metrics on a separate loopback listener by default and never on the public port', () => {
    const { metrics } = load({});
    expect(metrics).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 9464,
      onMainPort: false,
      sessionSampleSeconds: 60,
    });
    expect(load(PRODUCTION).metrics.host).toBe('127.0.0.1');
  });

  it('refuses metrics on the public port without a metrics token, and never echoes the token', () => {
    expect(errorsOf({ METRICS_ON_MAIN_PORT: 'true' })).toMatch(
      /METRICS_ON_MAIN_PORT \(metrics\.onMainPort\): needs METRICS_TOKEN/,
    );
    expect(errorsOf({ METRICS_ON_MAIN_PORT: 'true', METRICS_TOKEN: 'm'.repeat(32) })).toBe('');
    const short = errorsOf({ METRICS_TOKEN: 'short-secret-value' });
    expect(short).toMatch(/METRICS_TOKEN/);
    expect(short).not.toContain('short-secret-value');
  });

  it('leaves tracing off unless OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
    expect(load({}).tracing).toEqual({ serviceName: 'portcullis' });
    expect(
      load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'idp' })
        .tracing,
    ).toEqual({
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'idp',
    });
    expect(errorsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toMatch(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it('reads the shutdown grace period and the log format', () => {
    expect(load({}).server.shutdownGraceSeconds).toBe(10);
    expect(load({ SHUTDOWN_GRACE_SECONDS: '25' }).server.shutdownGraceSeconds).toBe(25);
    expect(errorsOf({ SHUTDOWN_GRACE_SECONDS: '0' })).toMatch(/SHUTDOWN_GRACE_SECONDS/);
    expect(load({}).log.format).toBe('auto');
    expect(load({ LOG_FORMAT: 'json' }).log.format).toBe('json');
    expect(errorsOf({ LOG_FORMAT: 'xml' })).toMatch(/LOG_FORMAT/);
  });
});
