import type { ResourceServerStore } from '../storage/ports.ts';

/**
 * When an admin registers an API's scope on a client, says which API defines it and how a
 * client really gets it (RFC 8707): a sign-in client asks with `resource=<identifier>` and the
 * user consents; a machine client is granted it on the API. `undefined` when no API defines it.
 */
export async function explainApiScope(
  store: Pick<ResourceServerStore, 'list'>,
  scope: string,
): Promise<string | undefined> {
  let cursor: string | undefined;
  do {
    const page = await store.list({ cursor, limit: 100 });
    const api = page.items.find((record) => record.scopes.some((s) => s.name === scope));
    if (api) {
      return (
        `${scope} is a scope of the API ${JSON.stringify(api.name)} (${api.identifier}), not a client scope: ` +
        `leave it out of the client's scope; a sign-in client asks for it with resource=${api.identifier}, ` +
        `a client_credentials client is granted it with: portcullis api update ${api.id} --grant "<client_id> ${scope}"`
      );
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return undefined;
}
