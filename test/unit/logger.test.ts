import { describe, expect, it } from '@jest/globals';
import { createLogger, usePrettyOutput } from '../../src/logging/logger.ts';

function memoryLogger(level = 'trace') {
  const lines: string[] = [];
  const log = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { log, lines };
}

describe('usePrettyOutput', () => {
  it('prints pretty lines only in development at a terminal when the format is auto', () => {
    expect(usePrettyOutput({ format: 'auto', env: 'development', isTTY: true })).toBe(true);
    expect(usePrettyOutput({ format: 'auto', env: 'development', isTTY: false })).toBe(false);
    expect(usePrettyOutput({ format: 'auto', env: 'production', isTTY: true })).toBe(false);
    expect(usePrettyOutput({ format: 'auto', env: 'test', isTTY: true })).toBe(false);
  });

  it('follows an explicit LOG_FORMAT whatever the mode', () => {
    expect(usePrettyOutput({ format: 'pretty', env: 'production', isTTY: false })).toBe(true);
    expect(usePrettyOutput({ format: 'json', env: 'development', isTTY: true })).toBe(false);
  });
});

describe('createLogger', () => {
  it('redacts passwords, tokens, codes, secrets, cookies and authorization headers at any usual depth', () => {
    const { log, lines } = memoryLogger();
    log.info(
      {
        password: 'pw-top-level',
        params: {
          code: 'code-in-params',
          code_verifier: 'verifier-in-params',
          client_secret: 'secret-in-params',
        },
        body: { refresh_token: 'rt-in-body', access_token: 'at-in-body', id_token: 'idt-in-body' },
        req: { headers: { authorization: 'Basic c2VjcmV0', cookie: '_session=abc' } },
        headers: { authorization: 'Bearer at-in-headers', cookie: '_interaction=xyz' },
        res: { headers: { 'set-cookie': ['_session=def; path=/'] } },
        config: {
          cookieKeys: ['cookie-key-value-that-is-long-enough'],
          metricsToken: 'metrics-token-value',
        },
        key: { privateJwk: { d: 'private-part' } },
        authorization: 'Bearer bare-authorization',
      },
      'careless line',
    );
    const out = lines.join('');
    for (const secret of [
      'pw-top-level',
      'code-in-params',
      'verifier-in-params',
      'secret-in-params',
      'rt-in-body',
      'at-in-body',
      'idt-in-body',
      'c2VjcmV0',
      '_session=abc',
      'at-in-headers',
      '_interaction=xyz',
      '_session=def',
      'cookie-key-value',
      'metrics-token-value',
      'private-part',
      'bare-authorization',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
    expect(out).toContain('careless line');
  });

  it('writes one JSON object per line with the service name and the process id', () => {
    const { log, lines } = memoryLogger();
    log.info({ event: 'x.happened' }, 'hello');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({
      service: 'portcullis',
      pid: process.pid,
      event: 'x.happened',
      msg: 'hello',
    });
  });
});
