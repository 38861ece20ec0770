import type { ClientMetadata, Provider } from 'oidc-provider';
import type { ValidateClientMetadata } from './client-service.ts';

/**
 * The engine's own client validation, for `createClientService`: the same checks oidc-provider
 * runs when it loads a client, so a client we store is a client the provider accepts.
 */
export function providerClientValidator(provider: Provider): ValidateClientMetadata {
  return async function validateClientMetadata(metadata) {
    await provider.Client.validate(metadata as ClientMetadata);
  };
}
