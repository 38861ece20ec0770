import { describe, expect, it } from '@jest/globals';
import { readPromptDetails } from '../../src/interactions/read-prompt-details.ts';

describe('readPromptDetails', () => {
  it('reads what the consent prompt says is missing', () => {
    expect(
      readPromptDetails({
        missingOIDCScope: ['openid', 'email'],
        missingOIDCClaims: ['given_name'],
        missingResourceScopes: { 'https://api.example': ['notes:read'] },
      }),
    ).toEqual({
      missingOIDCScope: ['openid', 'email'],
      missingOIDCClaims: ['given_name'],
      missingResourceScopes: { 'https://api.example': ['notes:read'] },
    });
  });

  it('leaves out what is not missing (oidc-provider sets a field only when something is)', () => {
    const read = readPromptDetails({});
    expect(read.missingOIDCScope).toBeUndefined();
    expect(read.missingOIDCClaims).toBeUndefined();
    expect(read.missingResourceScopes).toBeUndefined();
  });

  it('refuses a shape it does not know rather than granting something else', () => {
    expect(() => readPromptDetails({ missingOIDCScope: 'openid email' })).toThrow();
    expect(() =>
      readPromptDetails({ missingResourceScopes: { 'https://api.example': 'notes:read' } }),
    ).toThrow();
  });
});
