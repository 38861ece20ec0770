import type { ResourceServerRecord, ResourceServerStore } from '../storage/ports.ts';

/**
 * Every registered API, held in memory for the hot paths (each token request with `resource`,
 * each introspection), and never stale.
 *
 * Why not a TTL: an admin who removes an API, or unlinks the client that introspects for it,
 * expects that to hold at once, in every process. So each lookup reads the store's version tag
 * (one tiny indexed read) and reloads the records only when the tag changed; the tag changes on
 * every write in any process (ResourceServerStore.version). Concurrent lookups share one tag read
 * in flight, so under load a process reads the tag about once per store round trip, not once per
 * request; a change is therefore seen by every lookup that starts after it was committed, give or
 * take that one round trip (the same as a request racing the change).
 *
 * The writing process also calls `invalidate()` so its own next lookup reloads without waiting
 * for the tag (belt and braces: the tag alone is enough).
 */

export interface ResourceServerSnapshot {
  readonly version: string;
  byIdentifier(identifier: string): ResourceServerRecord | undefined;
  /** Identifiers of the APIs that list `clientId` among their introspection clients. */
  audiencesOf(clientId: string): ReadonlySet<string>;
  /** The APIs that define `scope`, so an error can say which `resource` to ask for. */
  definingScope(scope: string): readonly ResourceServerRecord[];
}

export interface ResourceServerDirectory {
  /** The registered APIs as of now. */
  current(): Promise<ResourceServerSnapshot>;
  invalidate(): void;
}

const NONE: ReadonlySet<string> = new Set();
const PAGE = 100;

function snapshotOf(
  version: string,
  records: readonly ResourceServerRecord[],
): ResourceServerSnapshot {
  const byIdentifier = new Map<string, ResourceServerRecord>();
  const byClient = new Map<string, Set<string>>();
  const byScope = new Map<string, ResourceServerRecord[]>();
  for (const record of records) {
    byIdentifier.set(record.identifier, Object.freeze(record));
    for (const { name } of record.scopes) {
      const apis = byScope.get(name);
      if (apis) apis.push(record);
      else byScope.set(name, [record]);
    }
    for (const clientId of record.introspectionClientIds) {
      let audiences = byClient.get(clientId);
      if (!audiences) byClient.set(clientId, (audiences = new Set()));
      audiences.add(record.identifier);
    }
  }
  return {
    version,
    byIdentifier: (identifier) => byIdentifier.get(identifier),
    audiencesOf: (clientId) => byClient.get(clientId) ?? NONE,
    definingScope: (scope) => byScope.get(scope) ?? [],
  };
}

export function createResourceServerDirectory(store: ResourceServerStore): ResourceServerDirectory {
  let snapshot: ResourceServerSnapshot | undefined;
  let versionRead: Promise<string> | undefined;
  let loading: { version: string; promise: Promise<ResourceServerSnapshot> } | undefined;

  /** One tag read shared by every lookup that arrives while it is in flight. */
  function readVersion(): Promise<string> {
    versionRead ??= store.version().finally(() => {
      versionRead = undefined;
    });
    return versionRead;
  }

  async function load(version: string): Promise<ResourceServerSnapshot> {
    const records: ResourceServerRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ cursor, limit: PAGE });
      records.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    // Tagged with the version read *before* loading: if a write lands during the load, the tag
    // has moved on by the next lookup, which loads again.
    return snapshotOf(version, records);
  }

  return {
    async current() {
      const version = await readVersion();
      if (snapshot?.version === version) return snapshot;
      if (loading?.version !== version) {
        const entry = {
          version,
          promise: load(version).then((loaded) => {
            snapshot = loaded;
            return loaded;
          }),
        };
        loading = entry;
        // Forget the load once settled (a failed one is retried by the next lookup).
        entry.promise
          .then(
            () => undefined,
            () => undefined,
          )
          .finally(() => {
            if (loading === entry) loading = undefined;
          });
      }
      return loading.promise;
    },

    invalidate() {
      snapshot = undefined;
    },
  };
}
