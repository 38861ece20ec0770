import { describe, expect, it } from '@jest/globals';
import { errors } from 'oidc-provider';
import { jwksMaxAgeSeconds } from '../../src/oidc/hooks/jwks-cache-headers.ts';
import { RESOURCE_SERVER_FLAG, mayIntrospect } from '../../src/oidc/introspection-policy.ts';
import { RESOURCE_SERVER_METADATA } from '../../src/oidc/provider-configuration.ts';
import { resourceServerInfo } from '../../src/oidc/resource-indicators.ts';
import type { ResourceServerSnapshot } from '../../src/resources/resource-server-directory.ts';
import type { ResourceServerRecord } from '../../src/storage/ports.ts';

/** A snapshot where `api-a` introspects for https://a and `gateway` for no API. */
const snapshot: ResourceServerSnapshot = {
  version: 'v1',
  byIdentifier: () => undefined,
  audiencesOf: (clientId) => new Set(clientId === 'api-a' ? ['https://a'] : []),
  definingScope: () => [],
};
const resourceServer = (clientId: string) => ({ clientId, [RESOURCE_SERVER_FLAG]: true });

describe('who may introspect a token', () => {
  it('uses the same custom client metadata the provider registers', () => {
    expect(RESOURCE_SERVER_FLAG).toBe(RESOURCE_SERVER_METADATA);
  });

  it("shows an API the access tokens issued for it, and no other API's", () => {
    expect(
      mayIntrospect(snapshot, resourceServer('api-a'), { kind: 'AccessToken', aud: 'https://a' }),
    ).toBe(true);
    expect(
      mayIntrospect(snapshot, resourceServer('api-a'), {
        kind: 'ClientCredentials',
        aud: ['https://a'],
      }),
    ).toBe(true);
    expect(
      mayIntrospect(snapshot, resourceServer('api-a'), { kind: 'AccessToken', aud: 'https://b' }),
    ).toBe(false);
    expect(
      mayIntrospect(snapshot, resourceServer('api-a'), {
        kind: 'AccessToken',
        aud: ['https://a', 'https://b'],
      }),
    ).toBe(false);
  });

  it('shows tokens issued for no API only to resource servers linked to none', () => {
    expect(mayIntrospect(snapshot, resourceServer('gateway'), { kind: 'AccessToken' })).toBe(true);
    expect(mayIntrospect(snapshot, resourceServer('api-a'), { kind: 'AccessToken' })).toBe(false);
    expect(
      mayIntrospect(snapshot, resourceServer('gateway'), { kind: 'AccessToken', aud: 'https://a' }),
    ).toBe(false);
  });

  it('shows nothing to clients that are not resource servers, and no refresh token to anyone', () => {
    expect(
      mayIntrospect(snapshot, { clientId: 'api-a' }, { kind: 'AccessToken', aud: 'https://a' }),
    ).toBe(false);
    expect(mayIntrospect(snapshot, resourceServer('gateway'), { kind: 'RefreshToken' })).toBe(
      false,
    );
  });
});

describe('what the provider is told about an API', () => {
  const api: ResourceServerRecord = {
    id: 'id',
    identifier: 'https://a',
    name: 'A',
    scopes: [
      { name: 'read', description: '' },
      { name: 'write', description: '' },
    ],
    tokenFormat: 'jwt',
    accessTokenTtlSeconds: undefined,
    signingAlg: 'EdDSA',
    introspectionClientIds: [],
    clientCredentialsGrants: [{ clientId: 'worker', scopes: ['read', 'gone'] }],
    createdAt: 0,
    updatedAt: 0,
  };

  it('names the API as the only audience, with every scope for user-facing flows and a 300 s JWT', () => {
    expect(resourceServerInfo(api, undefined)).toEqual({
      scope: 'read write',
      audience: 'https://a',
      accessTokenFormat: 'jwt',
      accessTokenTTL: 300,
      jwt: { sign: { alg: 'EdDSA' } },
    });
  });

  it('gives a client-credentials client only its granted scopes the API still defines, and refuses others', () => {
    expect(resourceServerInfo(api, 'worker').scope).toBe('read');
    expect(() => resourceServerInfo(api, 'stranger')).toThrow(errors.InvalidTarget);
  });

  it("leaves an opaque API's default lifetime to the configuration", () => {
    const info = resourceServerInfo(
      { ...api, tokenFormat: 'opaque', accessTokenTtlSeconds: undefined },
      undefined,
    );
    expect(info.accessTokenTTL).toBeUndefined();
    expect(info.jwt).toBeUndefined();
    expect(
      resourceServerInfo({ ...api, accessTokenTtlSeconds: 90 }, undefined).accessTokenTTL,
    ).toBe(90);
  });
});

describe('how long the JWKS may be cached', () => {
  it('is 5 minutes at most, and leaves a rotation its publish lead after processes reload', () => {
    expect(jwksMaxAgeSeconds({ publishLeadSeconds: 3600, reloadIntervalSeconds: 60 })).toBe(300);
    expect(jwksMaxAgeSeconds({ publishLeadSeconds: 180, reloadIntervalSeconds: 60 })).toBe(120);
    expect(jwksMaxAgeSeconds({ publishLeadSeconds: 0, reloadIntervalSeconds: 60 })).toBe(0);
  });
});
