import { describe, expect, it } from '@jest/globals';
import { routeOf } from '../../src/http/request-logger.ts';
import { bearerMatches } from '../../src/metrics/metrics-endpoint.ts';

describe('routeOf', () => {
  it('uses the pattern a router matched, never the raw path with its ids', () => {
    expect(
      routeOf({
        path: '/interaction/abc123def456/login',
        _matchedRoute: '/interaction/:uid/login',
      }),
    ).toBe('/interaction/:uid/login');
    expect(routeOf({ path: '/token', _matchedRoute: '/token' })).toBe('/token');
  });

  it('names probes, scrapes and assets by a fixed label and everything else "unmatched"', () => {
    expect(routeOf({ path: '/readyz' })).toBe('/readyz');
    expect(routeOf({ path: '/metrics' })).toBe('/metrics');
    expect(routeOf({ path: '/assets/app.css' })).toBe('/assets/*');
    expect(routeOf({ path: '/wp-admin/install.php' })).toBe('unmatched');
  });
});

describe('bearerMatches', () => {
  const token = 't'.repeat(40);
  it('accepts exactly "Bearer <token>"', () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
  });
  it('refuses a missing header, another token, another scheme or a prefix of the token', () => {
    expect(bearerMatches(undefined, token)).toBe(false);
    expect(bearerMatches(`Bearer ${'u'.repeat(40)}`, token)).toBe(false);
    expect(bearerMatches(`Basic ${token}`, token)).toBe(false);
    expect(bearerMatches(`Bearer ${token.slice(0, 20)}`, token)).toBe(false);
  });
});
