import { copyPayload } from './copy-payload.ts';
import type {
  ListOptions,
  ListPage,
  OidcModelName,
  OidcModelStore,
  OidcPayload,
} from '../ports.ts';
import { payloadStringField as stringField } from '../payload-string-field.ts';
import { paginate } from './paginate.ts';

interface Entry {
  id: string;
  payload: OidcPayload;
  expiresAt: number | undefined;
}

/** One model's entries plus the unique `uid` / `userCode` lookups the finders use. */
interface ModelTable {
  entries: Map<string, Entry>;
  byUid: Map<string, string>;
  byUserCode: Map<string, string>;
}

/** `payload.iat` when it is a number; entries without one sort first, as NULLs do in SQL. */
function issuedAt(entry: Entry): number {
  const iat = entry.payload.iat;
  return typeof iat === 'number' ? iat : Number.NEGATIVE_INFINITY;
}

/** oidc-provider models in plain Maps; payloads are deep-copied in and out. */
export function createMemoryOidcStore(
  now: () => number,
): OidcModelStore & { sweepExpired(): number } {
  const tables = new Map<OidcModelName, ModelTable>();

  const tableOf = (model: OidcModelName): ModelTable => {
    let table = tables.get(model);
    if (table === undefined) {
      table = { entries: new Map(), byUid: new Map(), byUserCode: new Map() };
      tables.set(model, table);
    }
    return table;
  };

  const isLive = (entry: Entry, at: number): boolean =>
    entry.expiresAt === undefined || entry.expiresAt > at;

  const liveEntry = (table: ModelTable, id: string | undefined): Entry | undefined => {
    if (id === undefined) return undefined;
    const entry = table.entries.get(id);
    return entry !== undefined && isLive(entry, now()) ? entry : undefined;
  };

  const remove = (table: ModelTable, id: string): void => {
    const entry = table.entries.get(id);
    if (entry === undefined) return;
    table.entries.delete(id);
    const uid = stringField(entry.payload, 'uid');
    if (uid !== undefined && table.byUid.get(uid) === id) table.byUid.delete(uid);
    const userCode = stringField(entry.payload, 'userCode');
    if (userCode !== undefined && table.byUserCode.get(userCode) === id)
      table.byUserCode.delete(userCode);
  };

  /**
   * Removes every entry whose `payload[field]` is `value`, expired leftovers included, and counts
   * the live ones only: an expired entry was already gone for every reader.
   */
  const removeWhere = (table: ModelTable, field: string, value: string): number => {
    const at = now();
    let removed = 0;
    for (const entry of [...table.entries.values()]) {
      if (stringField(entry.payload, field) === value) {
        if (isLive(entry, at)) removed += 1;
        remove(table, entry.id);
      }
    }
    return removed;
  };

  const copyOut = (entry: Entry | undefined): OidcPayload | undefined =>
    entry === undefined ? undefined : copyPayload(entry.payload);

  const put = (
    model: OidcModelName,
    id: string,
    payload: OidcPayload,
    expiresAt: number | undefined,
  ): void => {
    const table = tableOf(model);
    const stored = copyPayload(payload);
    remove(table, id);
    // uid and userCode are unique per model. oidc-provider re-saves sessions under concurrent
    // logins, so the newer entry wins and the stale holder is dropped instead of failing.
    const uid = stringField(stored, 'uid');
    const userCode = stringField(stored, 'userCode');
    const uidHolder = uid === undefined ? undefined : table.byUid.get(uid);
    if (uidHolder !== undefined) remove(table, uidHolder);
    const userCodeHolder = userCode === undefined ? undefined : table.byUserCode.get(userCode);
    if (userCodeHolder !== undefined) remove(table, userCodeHolder);

    table.entries.set(id, { id, payload: stored, expiresAt });
    if (uid !== undefined) table.byUid.set(uid, id);
    if (userCode !== undefined) table.byUserCode.set(userCode, id);
  };

  return {
    async upsert(model, id, payload, expiresAt) {
      put(model, id, payload, expiresAt);
    },

    // One synchronous step: nothing can run between the look and the insert.
    async insertIfAbsent(model, id, payload, expiresAt) {
      if (liveEntry(tableOf(model), id) !== undefined) return false;
      put(model, id, payload, expiresAt);
      return true;
    },

    async find(model, id) {
      return copyOut(liveEntry(tableOf(model), id));
    },

    async findByUid(model, uid) {
      const table = tableOf(model);
      return copyOut(liveEntry(table, table.byUid.get(uid)));
    },

    async findByUserCode(model, userCode) {
      const table = tableOf(model);
      return copyOut(liveEntry(table, table.byUserCode.get(userCode)));
    },

    async consume(model, id) {
      // Synchronous check-and-set: nothing can interleave inside one call, so it is atomic.
      const entry = liveEntry(tableOf(model), id);
      if (entry === undefined || entry.payload.consumed != null) return false;
      // oidc-provider reads `consumed` as epoch seconds.
      entry.payload.consumed = Math.floor(now() / 1000);
      return true;
    },

    async destroy(model, id) {
      remove(tableOf(model), id);
    },

    async revokeByGrantId(model, grantId) {
      const table = tableOf(model);
      for (const entry of [...table.entries.values()]) {
        if (entry.payload.grantId === grantId) remove(table, entry.id);
      }
    },

    async findByAccountId(model, accountId, limit) {
      const at = now();
      return [...tableOf(model).entries.values()]
        .filter(
          (entry) => isLive(entry, at) && stringField(entry.payload, 'accountId') === accountId,
        )
        .sort((a, b) => issuedAt(a) - issuedAt(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit)
        .map((entry) => ({ id: entry.id, payload: copyPayload(entry.payload) }));
    },

    async revokeByAccountId(model, accountId) {
      return removeWhere(tableOf(model), 'accountId', accountId);
    },

    async revokeByClientId(model, clientId) {
      return removeWhere(tableOf(model), 'clientId', clientId);
    },

    async list(
      model: OidcModelName,
      options: ListOptions,
    ): Promise<ListPage<{ id: string; payload: OidcPayload }>> {
      const at = now();
      const live = [...tableOf(model).entries.values()].filter((entry) => isLive(entry, at));
      const page = paginate(live, (entry) => entry.id, options);
      return {
        items: page.items.map((entry) => ({
          id: entry.id,
          payload: copyPayload(entry.payload),
        })),
        nextCursor: page.nextCursor,
      };
    },

    sweepExpired() {
      const at = now();
      let removed = 0;
      for (const table of tables.values()) {
        for (const entry of [...table.entries.values()]) {
          if (!isLive(entry, at)) {
            remove(table, entry.id);
            removed += 1;
          }
        }
      }
      return removed;
    },
  };
}
