import type { ResourceServerDirectory } from '../resources/resource-server-directory.ts';
import type { ResourceDescription } from '../ui/consent-page.ts';

/** What the consent page may say about an API: its registered name and scopes, or nothing. */
export type DescribeResource = (indicator: string) => Promise<ResourceDescription | undefined>;

/**
 * Looks APIs up in the registered resource servers (the same directory the provider's
 * `getResourceServerInfo` reads, so consent names exactly the API the token will be for).
 * A store outage is not hidden: the consent page is not shown without knowing what it grants.
 */
export function describeResourceFrom(
  directory: Pick<ResourceServerDirectory, 'current'>,
): DescribeResource {
  return async function describeResource(indicator) {
    const api = (await directory.current()).byIdentifier(indicator);
    if (!api) return undefined;
    return {
      name: api.name,
      scopes: api.scopes.map((scope) => ({ name: scope.name, description: scope.description })),
    };
  };
}
