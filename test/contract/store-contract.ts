/**
 * The storage contract: one suite, written once as a function of a backend factory (ORY Hydra's
 * habit), run against every backend (`memory`, `sqlite`, `mongodb`).
 *
 * Rules that keep it backend-neutral and safe on a shared database:
 * - it only talks to the `Store` port: no SQL, no driver, no peeking at internals;
 * - every test creates its own uniquely named data and never assumes the database is empty
 *   (listings are walked to the end and checked for our items; global counts are drained first);
 * - time is a controllable clock handed to the factory, so expiry is tested without sleeping.
 *   Tests only move it forward by seconds, and "live" entries expire an hour out, so a sweep
 *   run by one test never removes another test's live data.
 */
import { randomUUID } from 'node:crypto';
import { describe, it, expect, beforeAll, beforeEach, afterAll } from '@jest/globals';
import { StoreConflictError } from '../../src/storage/ports.ts';
import type {
  AccountRecord,
  EventFilter,
  ListOptions,
  ListPage,
  OidcPayload,
  SecurityEvent,
  SigningKeyRecord,
  Store,
} from '../../src/storage/ports.ts';
import { describeInvalidationContract } from './invalidation-contract.ts';
import { describeAccountLifecycleContract } from './account-lifecycle-contract.ts';
import { describeResourceServerContract } from './resource-server-contract.ts';
import { describeAccessControlContract } from './access-control-contract.ts';
import { describeCredentialContract } from './credential-contract.ts';
import { describeOutboxContract } from './outbox-contract.ts';

export type StoreFactory = (opts: { now: () => number }) => Promise<Store>;
export type StoreCleanup = (store: Store) => Promise<void>;

const HOUR = 60 * 60 * 1000;

/** Awaits `promise` and asserts it rejected with a `StoreConflictError` naming `field`. */
async function expectConflict(promise: Promise<unknown>, field: string): Promise<void> {
  const outcome = await promise.then(
    () => ({ rejected: false as const }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  expect(outcome.rejected).toBe(true);
  if (outcome.rejected) {
    expect(outcome.error).toBeInstanceOf(StoreConflictError);
    expect((outcome.error as StoreConflictError).field).toBe(field);
  }
}

/** Follows cursors until the last page; returns every page (for structure checks). */
async function walkPages<T>(
  fetchPage: (options: ListOptions) => Promise<ListPage<T>>,
  limit: number,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  // A bound keeps a backend that never ends its cursor chain from hanging the suite.
  for (let guard = 0; guard < 10_000; guard += 1) {
    const page = await fetchPage({ cursor, limit });
    pages.push(page.items);
    if (page.nextCursor === undefined) return pages;
    expect(typeof page.nextCursor).toBe('string');
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

/** Page sizes a keyset listing of `total` items gives: full pages, then the rest (no empty page). */
function expectedPageSizes(total: number, limit: number): number[] {
  const sizes: number[] = [];
  for (let left = total; left > 0; left -= limit) sizes.push(Math.min(limit, left));
  return sizes.length === 0 ? [0] : sizes;
}

export function describeStoreContract(
  backendName: string,
  factory: StoreFactory,
  cleanup: StoreCleanup = (store) => store.close(),
): void {
  describe(`Store contract: ${backendName}`, () => {
    let clock = Date.now();
    const now = (): number => clock;
    let store: Store;

    // A run id plus a counter make every name unique across tests, files and runs; the padded
    // counter keeps names created later sorting after earlier ones.
    const runId = randomUUID().slice(0, 8);
    let counter = 0;
    const uniq = (label: string): string =>
      `${label}-${runId}-${String(counter++).padStart(5, '0')}`;

    beforeAll(async () => {
      store = await factory({ now });
    });

    afterAll(async () => {
      await cleanup(store);
    });

    beforeEach(() => {
      clock = Date.now();
    });

    describe('oidc entries', () => {
      it('returns an upserted payload equal to, but not the same object as, what was stored', async () => {
        const id = uniq('at');
        const payload: OidcPayload = { jti: id, kind: 'AccessToken', scope: 'openid', exp: 1 };
        await store.oidc.upsert('AccessToken', id, payload, clock + HOUR);

        const found = await store.oidc.find('AccessToken', id);
        expect(found).toEqual(payload);
        expect(found).not.toBe(payload);
      });

      it('keeps stored state safe from callers mutating the objects they passed in or got back', async () => {
        const id = uniq('at');
        const payload: OidcPayload = { jti: id, nested: { scopes: ['openid'] } };
        await store.oidc.upsert('AccessToken', id, payload, clock + HOUR);
        (payload.nested as { scopes: string[] }).scopes.push('mutated-input');

        const first = await store.oidc.find('AccessToken', id);
        (first?.nested as { scopes: string[] }).scopes.push('mutated-output');

        expect(await store.oidc.find('AccessToken', id)).toEqual({
          jti: id,
          nested: { scopes: ['openid'] },
        });
      });

      it('replaces the whole payload on a second upsert of the same id', async () => {
        const id = uniq('grant');
        await store.oidc.upsert('Grant', id, { jti: id, old: true, accountId: 'a' }, clock + HOUR);
        await store.oidc.upsert('Grant', id, { jti: id, accountId: 'b' }, clock + HOUR);

        expect(await store.oidc.find('Grant', id)).toEqual({ jti: id, accountId: 'b' });
      });

      it('returns nothing for a missing id', async () => {
        expect(await store.oidc.find('AccessToken', uniq('missing'))).toBeUndefined();
        expect(await store.oidc.findByUid('Session', uniq('missing'))).toBeUndefined();
        expect(await store.oidc.findByUserCode('DeviceCode', uniq('missing'))).toBeUndefined();
      });

      it('returns nothing for an expired entry from any read, and will not consume it', async () => {
        const id = uniq('dc');
        const uid = uniq('uid');
        const userCode = uniq('UC');
        await store.oidc.upsert('DeviceCode', id, { jti: id, uid, userCode }, clock + 1000);
        expect(await store.oidc.find('DeviceCode', id)).toBeDefined();

        // Expiry is exclusive: an entry whose expiresAt is now has expired.
        clock += 1000;

        expect(await store.oidc.find('DeviceCode', id)).toBeUndefined();
        expect(await store.oidc.findByUid('DeviceCode', uid)).toBeUndefined();
        expect(await store.oidc.findByUserCode('DeviceCode', userCode)).toBeUndefined();
        const ids = (await walkPages((o) => store.oidc.list('DeviceCode', o), 50))
          .flat()
          .map((e) => e.id);
        expect(ids).not.toContain(id);
        expect(await store.oidc.consume('DeviceCode', id)).toBe(false);
      });

      it('never expires an entry stored without expiresAt', async () => {
        const id = uniq('client');
        await store.oidc.upsert('Client', id, { client_id: id });

        clock += 10 * 365 * 24 * HOUR;

        expect(await store.oidc.find('Client', id)).toEqual({ client_id: id });
      });

      it('takes the expiry of the latest upsert', async () => {
        const expiresLater = uniq('at');
        const stopsExpiring = uniq('at');
        await store.oidc.upsert('AccessToken', expiresLater, { jti: expiresLater }, clock + 1000);
        await store.oidc.upsert('AccessToken', expiresLater, { jti: expiresLater }, clock + HOUR);
        await store.oidc.upsert('AccessToken', stopsExpiring, { jti: stopsExpiring }, clock + 1000);
        await store.oidc.upsert('AccessToken', stopsExpiring, { jti: stopsExpiring });

        clock += 2000;

        expect(await store.oidc.find('AccessToken', expiresLater)).toEqual({ jti: expiresLater });
        expect(await store.oidc.find('AccessToken', stopsExpiring)).toEqual({ jti: stopsExpiring });
      });

      it('finds a session by its uid', async () => {
        const id = uniq('sess');
        const uid = uniq('uid');
        await store.oidc.upsert('Session', id, { jti: id, uid, accountId: 'acc' }, clock + HOUR);

        expect(await store.oidc.findByUid('Session', uid)).toEqual({
          jti: id,
          uid,
          accountId: 'acc',
        });
      });

      it('follows a uid that changes when the same id is upserted again', async () => {
        const id = uniq('sess');
        const oldUid = uniq('uid');
        const newUid = uniq('uid');
        await store.oidc.upsert('Session', id, { jti: id, uid: oldUid }, clock + HOUR);
        await store.oidc.upsert('Session', id, { jti: id, uid: newUid }, clock + HOUR);

        expect(await store.oidc.findByUid('Session', oldUid)).toBeUndefined();
        expect(await store.oidc.findByUid('Session', newUid)).toEqual({ jti: id, uid: newUid });
      });

      it('lets the newer upsert win, without throwing, when another id already holds the uid', async () => {
        // oidc-provider re-saves sessions under concurrent logins; a unique-index error here would
        // surface as a failed login.
        const uid = uniq('uid');
        const first = uniq('sess');
        const second = uniq('sess');
        await store.oidc.upsert('Session', first, { jti: first, uid }, clock + HOUR);
        await store.oidc.upsert('Session', second, { jti: second, uid }, clock + HOUR);

        expect(await store.oidc.findByUid('Session', uid)).toEqual({ jti: second, uid });
      });

      it('finds a device code by its user code', async () => {
        const id = uniq('dc');
        const userCode = uniq('WDJB-MJHT');
        await store.oidc.upsert(
          'DeviceCode',
          id,
          { jti: id, userCode, grantId: uniq('g') },
          clock + HOUR,
        );

        expect(await store.oidc.findByUserCode('DeviceCode', userCode)).toMatchObject({
          jti: id,
          userCode,
        });
      });

      it('lets the newer upsert win, without throwing, when another id already holds the user code', async () => {
        const userCode = uniq('UC');
        const first = uniq('dc');
        const second = uniq('dc');
        await store.oidc.upsert('DeviceCode', first, { jti: first, userCode }, clock + HOUR);
        await store.oidc.upsert('DeviceCode', second, { jti: second, userCode }, clock + HOUR);

        expect(await store.oidc.findByUserCode('DeviceCode', userCode)).toEqual({
          jti: second,
          userCode,
        });
      });

      it('keeps models apart: one id, uid or user code in two models are two entries', async () => {
        const id = uniq('shared');
        const uid = uniq('uid');
        const userCode = uniq('UC');
        await store.oidc.upsert('Session', id, { model: 'Session', uid, userCode }, clock + HOUR);
        await store.oidc.upsert(
          'Interaction',
          id,
          { model: 'Interaction', uid, userCode },
          clock + HOUR,
        );

        expect(await store.oidc.find('Session', id)).toMatchObject({ model: 'Session' });
        expect(await store.oidc.find('Interaction', id)).toMatchObject({ model: 'Interaction' });
        expect(await store.oidc.findByUid('Session', uid)).toMatchObject({ model: 'Session' });
        expect(await store.oidc.findByUid('Interaction', uid)).toMatchObject({
          model: 'Interaction',
        });
        expect(await store.oidc.findByUserCode('Interaction', userCode)).toMatchObject({
          model: 'Interaction',
        });

        await store.oidc.destroy('Session', id);
        expect(await store.oidc.find('Session', id)).toBeUndefined();
        expect(await store.oidc.find('Interaction', id)).toMatchObject({ model: 'Interaction' });
      });

      it('consumes an entry once, recording payload.consumed in epoch seconds', async () => {
        const id = uniq('code');
        const payload = { jti: id, grantId: uniq('g'), scope: 'openid' };
        await store.oidc.upsert('AuthorizationCode', id, payload, clock + HOUR);

        expect(await store.oidc.consume('AuthorizationCode', id)).toBe(true);
        expect(await store.oidc.find('AuthorizationCode', id)).toEqual({
          ...payload,
          consumed: Math.floor(clock / 1000),
        });
        expect(await store.oidc.consume('AuthorizationCode', id)).toBe(false);
      });

      it('gives exactly one of 20 concurrent consume calls on one id true', async () => {
        // RFC 6749 §4.1.2: an authorization code is used at most once.
        const id = uniq('code');
        await store.oidc.upsert('AuthorizationCode', id, { jti: id }, clock + HOUR);

        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.oidc.consume('AuthorizationCode', id)),
        );

        expect(results.filter((r) => r === true)).toHaveLength(1);
        expect(results.filter((r) => r === false)).toHaveLength(19);
      });

      it('inserts with insertIfAbsent only where no live entry holds the id, and stores the entry', async () => {
        const id = uniq('replay');
        expect(
          await store.oidc.insertIfAbsent(
            'ReplayDetection',
            id,
            { jti: id, iss: 'a' },
            clock + 1000,
          ),
        ).toBe(true);
        expect(await store.oidc.find('ReplayDetection', id)).toEqual({ jti: id, iss: 'a' });
        expect(
          await store.oidc.insertIfAbsent(
            'ReplayDetection',
            id,
            { jti: id, iss: 'b' },
            clock + HOUR,
          ),
        ).toBe(false);
        // A refused insert changes nothing stored.
        expect(await store.oidc.find('ReplayDetection', id)).toEqual({ jti: id, iss: 'a' });
        // An expired entry no longer holds the id.
        clock += 1000;
        expect(
          await store.oidc.insertIfAbsent(
            'ReplayDetection',
            id,
            { jti: id, iss: 'c' },
            clock + 1000,
          ),
        ).toBe(true);
        expect(await store.oidc.find('ReplayDetection', id)).toEqual({ jti: id, iss: 'c' });
      });

      it('gives exactly one of 20 concurrent insertIfAbsent calls on one id true (RFC 9449 §11.1)', async () => {
        const id = uniq('replay');
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.oidc.insertIfAbsent('ReplayDetection', id, { jti: id, n: i }, clock + HOUR),
          ),
        );
        expect(results.filter((r) => r === true)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect(await store.oidc.find('ReplayDetection', id)).toEqual({ jti: id, n: winner });
      });

      it('does not consume a missing entry', async () => {
        expect(await store.oidc.consume('AuthorizationCode', uniq('missing'))).toBe(false);
      });

      it('does not consume an entry upserted with payload.consumed already set', async () => {
        const id = uniq('rt');
        await store.oidc.upsert(
          'RefreshToken',
          id,
          { jti: id, consumed: 1_700_000_000 },
          clock + HOUR,
        );

        expect(await store.oidc.consume('RefreshToken', id)).toBe(false);
        expect(await store.oidc.find('RefreshToken', id)).toEqual({
          jti: id,
          consumed: 1_700_000_000,
        });
      });

      it('destroys an entry and tolerates destroying a missing one', async () => {
        const id = uniq('sess');
        const uid = uniq('uid');
        await store.oidc.upsert('Session', id, { jti: id, uid }, clock + HOUR);

        await store.oidc.destroy('Session', id);
        await store.oidc.destroy('Session', uniq('missing'));

        expect(await store.oidc.find('Session', id)).toBeUndefined();
        expect(await store.oidc.findByUid('Session', uid)).toBeUndefined();
      });

      it("revokes only the given grant's entries of the given model", async () => {
        const grant = uniq('grant');
        const otherGrant = uniq('grant');
        const [at1, at2, atOther, rt, code] = [
          uniq('at'),
          uniq('at'),
          uniq('at'),
          uniq('rt'),
          uniq('code'),
        ];
        await store.oidc.upsert('AccessToken', at1, { jti: at1, grantId: grant }, clock + HOUR);
        await store.oidc.upsert('AccessToken', at2, { jti: at2, grantId: grant }, clock + HOUR);
        await store.oidc.upsert(
          'AccessToken',
          atOther,
          { jti: atOther, grantId: otherGrant },
          clock + HOUR,
        );
        await store.oidc.upsert('RefreshToken', rt, { jti: rt, grantId: grant }, clock + HOUR);
        await store.oidc.upsert(
          'AuthorizationCode',
          code,
          { jti: code, grantId: grant },
          clock + HOUR,
        );

        await store.oidc.revokeByGrantId('AccessToken', grant);

        expect(await store.oidc.find('AccessToken', at1)).toBeUndefined();
        expect(await store.oidc.find('AccessToken', at2)).toBeUndefined();
        expect(await store.oidc.find('AccessToken', atOther)).toEqual({
          jti: atOther,
          grantId: otherGrant,
        });
        expect(await store.oidc.find('RefreshToken', rt)).toEqual({ jti: rt, grantId: grant });
        expect(await store.oidc.find('AuthorizationCode', code)).toEqual({
          jti: code,
          grantId: grant,
        });
      });

      it('tolerates revoking a grant with no entries', async () => {
        await expect(
          store.oidc.revokeByGrantId('RefreshToken', uniq('grant')),
        ).resolves.toBeUndefined();
      });

      it('lists unexpired entries in id order, page by page, with no duplicates', async () => {
        // `Client` is listed by no other test of this suite, so on a fresh store the listing
        // holds exactly our seven clients (3, 3, 1 pages); on a shared one we check our part.
        const prefix = uniq('list');
        const ids = Array.from({ length: 7 }, (_, i) => `${prefix}-${String(i)}`);
        for (const id of [...ids].reverse()) {
          await store.oidc.upsert('Client', id, {
            client_id: id,
            redirect_uris: [`https://${id}.test/cb`],
          });
        }
        const expired = `${prefix}-expired`;
        await store.oidc.upsert('Client', expired, { client_id: expired }, clock + 1000);
        clock += 1000;

        const pages = await walkPages((o) => store.oidc.list('Client', o), 3);
        const all = pages.flat();
        const allIds = all.map((e) => e.id);

        expect(pages.map((p) => p.length)).toEqual(expectedPageSizes(all.length, 3));
        expect(allIds).toEqual([...allIds].sort());
        expect(new Set(allIds).size).toBe(allIds.length);
        expect(allIds.filter((id) => id.startsWith(prefix))).toEqual(ids);
        expect(all.find((e) => e.id === ids[3])?.payload).toEqual({
          client_id: ids[3],
          redirect_uris: [`https://${ids[3]}.test/cb`],
        });
      });

      it('returns one last page with no cursor when everything fits', async () => {
        const id = uniq('pkce-par');
        await store.oidc.upsert('PushedAuthorizationRequest', id, { jti: id }, clock + HOUR);

        const page = await store.oidc.list('PushedAuthorizationRequest', { limit: 10_000 });

        expect(page.nextCursor).toBeUndefined();
        expect(page.items.map((e) => e.id)).toContain(id);
      });

      it('accepts dots and dollar signs in ids, uids, user codes and grant ids', async () => {
        // MongoDB treats `.` and `$` specially in field names; values must still work.
        const id = `${uniq('a.b$c')}.$x`;
        const uid = `$uid.${uniq('x')}`;
        const userCode = `${uniq('$UC')}.1`;
        const grantId = `$grant.${uniq('g')}.$`;
        const payload = { jti: id, uid, userCode, grantId };
        await store.oidc.upsert('BackchannelAuthenticationRequest', id, payload, clock + HOUR);

        expect(await store.oidc.find('BackchannelAuthenticationRequest', id)).toEqual(payload);
        expect(await store.oidc.findByUid('BackchannelAuthenticationRequest', uid)).toEqual(
          payload,
        );
        expect(
          await store.oidc.findByUserCode('BackchannelAuthenticationRequest', userCode),
        ).toEqual(payload);
        expect(await store.oidc.consume('BackchannelAuthenticationRequest', id)).toBe(true);
        await store.oidc.revokeByGrantId('BackchannelAuthenticationRequest', grantId);
        expect(await store.oidc.find('BackchannelAuthenticationRequest', id)).toBeUndefined();
      });

      it('round-trips payloads with nested objects, arrays, unicode and keys holding dots or $', async () => {
        // Sessions key `authorizations` by client_id, and client_ids may contain dots.
        const id = uniq('sess');
        const payload: OidcPayload = {
          jti: id,
          accountId: 'Zoë 🦊 名前',
          authorizations: {
            'app.example.com': { sid: 's1', grantId: 'g1', persistsLogout: true },
            $weird: { sid: 's2' },
          },
          amr: ['pwd', 'mfa'],
          nested: { deep: [{ a: 1 }, [2, 3, null], { b: false, c: 'line\nbreak "quoted" \\' }] },
          empty: {},
          none: null,
          float: 1.5,
          negative: -42,
        };
        await store.oidc.upsert('Session', id, payload, clock + HOUR);

        expect(await store.oidc.find('Session', id)).toEqual(payload);
      });
    });

    describe('oidc entries by owner', () => {
      const ids = (entries: { id: string }[]): string[] => entries.map((e) => e.id);

      it('finds the live entries of an account in one model, oldest iat first, at most limit', async () => {
        const account = uniq('acct');
        const [s10, s20, s30, expired, otherAccount, grant] = [
          uniq('sess'),
          uniq('sess'),
          uniq('sess'),
          uniq('sess'),
          uniq('sess'),
          uniq('grant'),
        ];
        // Stored out of iat order, so an id or insertion order would not pass.
        await store.oidc.upsert(
          'Session',
          s30,
          { jti: s30, accountId: account, iat: 30 },
          clock + HOUR,
        );
        await store.oidc.upsert(
          'Session',
          s10,
          { jti: s10, accountId: account, iat: 10 },
          clock + HOUR,
        );
        await store.oidc.upsert(
          'Session',
          s20,
          { jti: s20, accountId: account, iat: 20 },
          clock + HOUR,
        );
        await store.oidc.upsert(
          'Session',
          expired,
          { jti: expired, accountId: account, iat: 5 },
          clock + 1000,
        );
        await store.oidc.upsert(
          'Session',
          otherAccount,
          { jti: otherAccount, accountId: uniq('acct'), iat: 1 },
          clock + HOUR,
        );
        await store.oidc.upsert(
          'Grant',
          grant,
          { jti: grant, accountId: account, iat: 1 },
          clock + HOUR,
        );
        clock += 1000;

        const all = await store.oidc.findByAccountId('Session', account, 10);
        expect(ids(all)).toEqual([s10, s20, s30]);
        expect(all[0]?.payload).toEqual({ jti: s10, accountId: account, iat: 10 });
        expect(ids(await store.oidc.findByAccountId('Session', account, 2))).toEqual([s10, s20]);
        expect(ids(await store.oidc.findByAccountId('Grant', account, 10))).toEqual([grant]);
      });

      it('orders entries with the same iat by id', async () => {
        const account = uniq('acct');
        const prefix = uniq('sess');
        const [a, b, c] = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
        for (const id of [c, a, b]) {
          await store.oidc.upsert(
            'Session',
            id,
            { jti: id, accountId: account, iat: 7 },
            clock + HOUR,
          );
        }

        expect(ids(await store.oidc.findByAccountId('Session', account, 10))).toEqual([a, b, c]);
      });

      it('finds nothing for an account without entries, or with an owner that is not a string', async () => {
        const id = uniq('sess');
        await store.oidc.upsert(
          'Session',
          id,
          { jti: id, accountId: 42, clientId: 7 },
          clock + HOUR,
        );

        expect(await store.oidc.findByAccountId('Session', uniq('acct'), 10)).toEqual([]);
        expect(await store.oidc.findByAccountId('Session', '42', 10)).toEqual([]);
        expect(await store.oidc.revokeByClientId('Session', '7')).toBe(0);
        expect(await store.oidc.find('Session', id)).toEqual({
          jti: id,
          accountId: 42,
          clientId: 7,
        });
      });

      it('follows an owner that changes when the same id is upserted again', async () => {
        const id = uniq('sess');
        const before = uniq('acct');
        const after = uniq('acct');
        await store.oidc.upsert('Session', id, { jti: id, accountId: before }, clock + HOUR);
        await store.oidc.upsert('Session', id, { jti: id, accountId: after }, clock + HOUR);

        expect(await store.oidc.findByAccountId('Session', before, 10)).toEqual([]);
        expect(ids(await store.oidc.findByAccountId('Session', after, 10))).toEqual([id]);
        expect(await store.oidc.revokeByAccountId('Session', before)).toBe(0);
        expect(await store.oidc.find('Session', id)).toEqual({ jti: id, accountId: after });
      });

      it("revokes only the given account's entries of the given model, counting the live ones", async () => {
        const account = uniq('acct');
        const other = uniq('acct');
        const [s1, s2, gone, kept, grant, token] = [
          uniq('sess'),
          uniq('sess'),
          uniq('sess'),
          uniq('sess'),
          uniq('grant'),
          uniq('at'),
        ];
        await store.oidc.upsert('Session', s1, { jti: s1, accountId: account }, clock + HOUR);
        await store.oidc.upsert(
          'Session',
          s2,
          { jti: s2, accountId: account, uid: uniq('uid') },
          clock + HOUR,
        );
        await store.oidc.upsert('Session', gone, { jti: gone, accountId: account }, clock + 1000);
        await store.oidc.upsert('Session', kept, { jti: kept, accountId: other }, clock + HOUR);
        await store.oidc.upsert('Grant', grant, { jti: grant, accountId: account }, clock + HOUR);
        await store.oidc.upsert(
          'AccessToken',
          token,
          { jti: token, accountId: account },
          clock + HOUR,
        );
        clock += 1000;

        expect(await store.oidc.revokeByAccountId('Session', account)).toBe(2);

        expect(await store.oidc.find('Session', s1)).toBeUndefined();
        expect(await store.oidc.find('Session', s2)).toBeUndefined();
        expect(await store.oidc.findByAccountId('Session', account, 10)).toEqual([]);
        expect(await store.oidc.find('Session', kept)).toEqual({ jti: kept, accountId: other });
        expect(await store.oidc.find('Grant', grant)).toEqual({ jti: grant, accountId: account });
        expect(await store.oidc.find('AccessToken', token)).toEqual({
          jti: token,
          accountId: account,
        });
        // The expired leftover went too: back before its expiry it is not there.
        clock -= 1000;
        expect(await store.oidc.find('Session', gone)).toBeUndefined();
        expect(await store.oidc.revokeByAccountId('Session', account)).toBe(0);
      });

      it("revokes only the given client's entries of the given model, counting the live ones", async () => {
        const client = uniq('client');
        const other = uniq('client');
        const [at1, at2, gone, kept, rt] = [
          uniq('at'),
          uniq('at'),
          uniq('at'),
          uniq('at'),
          uniq('rt'),
        ];
        await store.oidc.upsert('AccessToken', at1, { jti: at1, clientId: client }, clock + HOUR);
        await store.oidc.upsert('AccessToken', at2, { jti: at2, clientId: client }, clock + HOUR);
        await store.oidc.upsert('AccessToken', gone, { jti: gone, clientId: client }, clock + 1000);
        await store.oidc.upsert('AccessToken', kept, { jti: kept, clientId: other }, clock + HOUR);
        await store.oidc.upsert('RefreshToken', rt, { jti: rt, clientId: client }, clock + HOUR);
        clock += 1000;

        expect(await store.oidc.revokeByClientId('AccessToken', client)).toBe(2);

        expect(await store.oidc.find('AccessToken', at1)).toBeUndefined();
        expect(await store.oidc.find('AccessToken', at2)).toBeUndefined();
        expect(await store.oidc.find('AccessToken', kept)).toEqual({ jti: kept, clientId: other });
        expect(await store.oidc.find('RefreshToken', rt)).toEqual({ jti: rt, clientId: client });
        clock -= 1000;
        expect(await store.oidc.find('AccessToken', gone)).toBeUndefined();
        expect(await store.oidc.revokeByClientId('AccessToken', client)).toBe(0);
      });

      it('accepts dots and dollar signs in account and client ids', async () => {
        const id = uniq('at');
        const accountId = `$acct.${uniq('a')}.$`;
        const clientId = `app.example.${uniq('c')}`;
        await store.oidc.upsert('AccessToken', id, { jti: id, accountId, clientId }, clock + HOUR);

        expect(ids(await store.oidc.findByAccountId('AccessToken', accountId, 10))).toEqual([id]);
        expect(await store.oidc.revokeByClientId('AccessToken', clientId)).toBe(1);
        expect(await store.oidc.findByAccountId('AccessToken', accountId, 10)).toEqual([]);
      });
    });

    describe('accounts', () => {
      const account = (overrides: Partial<AccountRecord> = {}): AccountRecord => {
        const username = uniq('User');
        return {
          id: uniq('sub'),
          username,
          usernameNormalized: username.toLowerCase(),
          email: `${username}@Example.test`,
          emailNormalized: `${username.toLowerCase()}@example.test`,
          emailVerified: false,
          passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
          disabled: false,
          claims: { name: 'Zoë Example', given_name: 'Zoë', address: { locality: 'Zürich' } },
          createdAt: clock,
          updatedAt: clock,
          ...overrides,
        };
      };

      it('creates an account and finds it by id', async () => {
        const record = account();
        await store.accounts.create(record);

        const found = await store.accounts.findById(record.id);
        expect(found).toEqual(record);
        expect(found).not.toBe(record);
        expect(await store.accounts.findById(uniq('missing'))).toBeUndefined();
      });

      it('finds an account by normalised username or normalised email', async () => {
        const record = account();
        await store.accounts.create(record);

        expect(await store.accounts.findByLogin(record.usernameNormalized)).toEqual(record);
        expect(await store.accounts.findByLogin(record.emailNormalized as string)).toEqual(record);
        expect(await store.accounts.findByLogin(uniq('nobody'))).toBeUndefined();
      });

      it('stores an account without an email', async () => {
        const record = account({ email: undefined, emailNormalized: undefined });
        const other = account({ email: undefined, emailNormalized: undefined });
        await store.accounts.create(record);
        await store.accounts.create(other);

        const found = await store.accounts.findById(record.id);
        expect(found?.email).toBeUndefined();
        expect(found?.emailNormalized).toBeUndefined();
        expect(await store.accounts.findByLogin(record.usernameNormalized)).toMatchObject({
          id: record.id,
        });
      });

      it('lets an account use its own email as its username', async () => {
        const email = `${uniq('self')}@example.test`;
        const record = account({
          username: email,
          usernameNormalized: email,
          email,
          emailNormalized: email,
        });
        await store.accounts.create(record);

        expect(await store.accounts.findByLogin(email)).toEqual(record);
      });

      it('refuses a taken username with a conflict on username, changing nothing', async () => {
        const existing = account();
        await store.accounts.create(existing);
        const clash = account({ usernameNormalized: existing.usernameNormalized });

        await expectConflict(store.accounts.create(clash), 'username');

        expect(await store.accounts.findById(clash.id)).toBeUndefined();
        expect(await store.accounts.findByLogin(clash.emailNormalized as string)).toBeUndefined();
        expect(await store.accounts.findByLogin(existing.usernameNormalized)).toEqual(existing);
      });

      it('refuses a taken email with a conflict on email, changing nothing', async () => {
        const existing = account();
        await store.accounts.create(existing);
        const clash = account({ emailNormalized: existing.emailNormalized });

        await expectConflict(store.accounts.create(clash), 'email');

        expect(await store.accounts.findById(clash.id)).toBeUndefined();
        expect(await store.accounts.findByLogin(clash.usernameNormalized)).toBeUndefined();
      });

      it("refuses a username equal to another account's email, since logins accept either", async () => {
        const existing = account();
        await store.accounts.create(existing);
        const clash = account({ usernameNormalized: existing.emailNormalized as string });

        await expectConflict(store.accounts.create(clash), 'username');

        expect(await store.accounts.findById(clash.id)).toBeUndefined();
        expect(await store.accounts.findByLogin(existing.emailNormalized as string)).toEqual(
          existing,
        );
      });

      it("refuses an email equal to another account's username", async () => {
        const existing = account();
        await store.accounts.create(existing);
        const clash = account({ emailNormalized: existing.usernameNormalized });

        await expectConflict(store.accounts.create(clash), 'email');

        expect(await store.accounts.findById(clash.id)).toBeUndefined();
        expect(await store.accounts.findByLogin(existing.usernameNormalized)).toEqual(existing);
      });

      it('applies a patch and sets updatedAt, returning the updated record', async () => {
        const record = account();
        await store.accounts.create(record);
        const email = `${uniq('new')}@Example.test`;
        const later = clock + 5000;

        const updated = await store.accounts.update(
          record.id,
          {
            email,
            emailNormalized: email.toLowerCase(),
            emailVerified: true,
            disabled: true,
            passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA',
            claims: { name: 'New Name' },
          },
          later,
        );

        const expected: AccountRecord = {
          ...record,
          email,
          emailNormalized: email.toLowerCase(),
          emailVerified: true,
          disabled: true,
          passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA',
          claims: { name: 'New Name' },
          updatedAt: later,
        };
        expect(updated).toEqual(expected);
        expect(await store.accounts.findById(record.id)).toEqual(expected);
        expect(await store.accounts.findByLogin(email.toLowerCase())).toEqual(expected);
        expect(await store.accounts.findByLogin(record.emailNormalized as string)).toBeUndefined();
      });

      it('leaves fields the patch does not name unchanged', async () => {
        const record = account({ emailVerified: true });
        await store.accounts.create(record);

        const updated = await store.accounts.update(record.id, { disabled: true }, clock + 1);

        expect(updated).toEqual({ ...record, disabled: true, updatedAt: clock + 1 });
      });

      it('clears the email when the patch sets it to undefined', async () => {
        const record = account();
        await store.accounts.create(record);

        await store.accounts.update(
          record.id,
          { email: undefined, emailNormalized: undefined },
          clock + 1,
        );

        const found = await store.accounts.findById(record.id);
        expect(found?.email).toBeUndefined();
        expect(found?.emailNormalized).toBeUndefined();
        expect(await store.accounts.findByLogin(record.emailNormalized as string)).toBeUndefined();
        // The freed email can now be taken by another account.
        await store.accounts.create(account({ emailNormalized: record.emailNormalized }));
      });

      it('returns nothing when updating a missing account', async () => {
        expect(
          await store.accounts.update(uniq('missing'), { disabled: true }, clock),
        ).toBeUndefined();
      });

      it('refuses to update an email to a taken one, leaving the record unchanged', async () => {
        const owner = account();
        const other = account();
        await store.accounts.create(owner);
        await store.accounts.create(other);

        await expectConflict(
          store.accounts.update(
            other.id,
            { email: owner.email, emailNormalized: owner.emailNormalized },
            clock + 1,
          ),
          'email',
        );
        await expectConflict(
          store.accounts.update(other.id, { emailNormalized: owner.usernameNormalized }, clock + 1),
          'email',
        );

        expect(await store.accounts.findById(other.id)).toEqual(other);
        expect(await store.accounts.findByLogin(owner.emailNormalized as string)).toEqual(owner);
      });

      it('lets an account keep its own email on update', async () => {
        const record = account();
        await store.accounts.create(record);

        const updated = await store.accounts.update(
          record.id,
          { email: record.email, emailNormalized: record.emailNormalized, emailVerified: true },
          clock + 1,
        );

        expect(updated).toMatchObject({
          emailVerified: true,
          emailNormalized: record.emailNormalized,
        });
      });

      it('lists accounts ordered by normalised username, page by page, with no duplicates', async () => {
        const prefix = uniq('lst');
        const names = Array.from({ length: 7 }, (_, i) => `${prefix}-${String(i)}`);
        for (const name of [...names].reverse()) {
          await store.accounts.create(
            account({ username: name.toUpperCase(), usernameNormalized: name }),
          );
        }

        const pages = await walkPages((o) => store.accounts.list(o), 3);
        const all = pages.flat();
        const keys = all.map((a) => a.usernameNormalized);

        expect(pages.map((p) => p.length)).toEqual(expectedPageSizes(all.length, 3));
        expect(keys).toEqual([...keys].sort());
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys.filter((k) => k.startsWith(prefix))).toEqual(names);
        expect(all.find((a) => a.usernameNormalized === names[0])).toMatchObject({
          username: names[0]?.toUpperCase(),
          claims: { name: 'Zoë Example' },
        });
      });
    });

    describeResourceServerContract(() => store, uniq, now);
    describeAccessControlContract(() => store, uniq, now);

    describeInvalidationContract(() => store, uniq, {
      now,
      advance: (ms) => {
        clock += ms;
      },
    });
    describeCredentialContract(() => store, uniq, now);

    describeAccountLifecycleContract(() => store, uniq, {
      now,
      advance: (ms) => {
        clock += ms;
      },
    });

    describeOutboxContract(
      () => store,
      uniq,
      now,
      (ms) => {
        clock += ms;
      },
    );

    describe('signing keys', () => {
      const key = (overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord => {
        const kid = overrides.kid ?? uniq('kid');
        return {
          kid,
          alg: 'ES256',
          privateJwk: {
            kty: 'EC',
            crv: 'P-256',
            kid,
            alg: 'ES256',
            use: 'sig',
            x: 'x',
            y: 'y',
            d: 'd',
          },
          createdAt: clock,
          activatesAt: clock + HOUR,
          retiredAt: undefined,
          expiresAt: undefined,
          ...overrides,
        };
      };
      const ours = async (kids: string[]): Promise<SigningKeyRecord[]> =>
        (await store.keys.list()).filter((k) => kids.includes(k.kid));

      it('adds keys and lists them by createdAt, then kid', async () => {
        // A distinct base time keeps this test's keys from sorting among other tests' keys.
        const base = clock - 1_000_000;
        const prefix = uniq('order');
        const newest = key({ kid: `${prefix}-a`, createdAt: base + 2 });
        const tieB = key({ kid: `${prefix}-c`, createdAt: base + 1 });
        const tieA = key({ kid: `${prefix}-b`, createdAt: base + 1 });
        for (const k of [newest, tieB, tieA]) await store.keys.add(k);

        const listed = await ours([newest.kid, tieA.kid, tieB.kid]);

        expect(listed).toEqual([tieA, tieB, newest]);
        const all = await store.keys.list();
        const order = all.map((k) => [k.createdAt, k.kid] as const);
        const sorted = [...order].sort(
          (a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0),
        );
        expect(order).toEqual(sorted);
      });

      it('refuses a duplicate kid with a conflict on kid, keeping the original', async () => {
        const original = key();
        await store.keys.add(original);

        await expectConflict(store.keys.add(key({ kid: original.kid, alg: 'RS256' })), 'kid');

        expect(await ours([original.kid])).toEqual([original]);
      });

      it('sets retiredAt and expiresAt on update, and reports a missing kid', async () => {
        const record = key();
        await store.keys.add(record);

        expect(
          await store.keys.update(record.kid, { retiredAt: clock + 10, expiresAt: clock + 20 }),
        ).toBe(true);
        expect(await ours([record.kid])).toEqual([
          { ...record, retiredAt: clock + 10, expiresAt: clock + 20 },
        ]);

        expect(
          await store.keys.update(record.kid, { retiredAt: undefined, expiresAt: undefined }),
        ).toBe(true);
        expect(await ours([record.kid])).toEqual([record]);

        expect(
          await store.keys.update(uniq('missing'), { retiredAt: clock, expiresAt: clock }),
        ).toBe(false);
      });

      it('replaces the stored private JWK, keeping the rest, and reports a missing kid', async () => {
        const record = key({ retiredAt: clock + 10, expiresAt: clock + 20 });
        await store.keys.add(record);
        const sealed = {
          kty: 'EC',
          kid: record.kid,
          alg: 'ES256',
          use: 'sig',
          sealed: 'enc:v1:k:iv:ct',
        };

        expect(await store.keys.replacePrivateJwk(record.kid, sealed)).toBe(true);
        expect(await ours([record.kid])).toEqual([{ ...record, privateJwk: sealed }]);
        expect(await store.keys.replacePrivateJwk(uniq('missing'), sealed)).toBe(false);
      });

      it('removes a key and tolerates removing a missing one', async () => {
        const gone = key();
        const kept = key();
        await store.keys.add(gone);
        await store.keys.add(kept);

        await store.keys.remove(gone.kid);
        await store.keys.remove(uniq('missing'));

        expect(await ours([gone.kid, kept.kid])).toEqual([kept]);
      });
    });

    describe('settings', () => {
      it('returns nothing for a setting never set', async () => {
        expect(await store.settings.get(uniq('setting'))).toBeUndefined();
      });

      it('keeps the first value: a second setIfAbsent returns it and stores nothing new', async () => {
        const name = uniq('cookie.keys');
        const first = { keys: ['k1', 'k2'], note: 'ünïcødé' };

        expect(await store.settings.setIfAbsent(name, first)).toEqual(first);
        expect(await store.settings.setIfAbsent(name, { keys: ['other'] })).toEqual(first);
        expect(await store.settings.get(name)).toEqual(first);
      });

      it('stores strings, numbers, booleans and arrays as they are', async () => {
        const values: unknown[] = ['text', 42, 1.5, true, false, ['a', 1, { b: null }]];
        for (const value of values) {
          const name = uniq('setting');
          expect(await store.settings.setIfAbsent(name, value)).toEqual(value);
          expect(await store.settings.get(name)).toEqual(value);
        }
      });

      it('makes concurrent setIfAbsent calls agree on one value', async () => {
        const name = uniq('setting');

        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.settings.setIfAbsent(name, `value-${String(i)}`),
          ),
        );

        const stored = await store.settings.get(name);
        expect(typeof stored).toBe('string');
        expect(results).toEqual(Array.from({ length: 10 }, () => stored));
      });
    });

    describe('counters', () => {
      it('starts a counter at 1 with a window ending now + window', async () => {
        const key = uniq('login:user');

        expect(await store.counters.hit(key, 60_000)).toEqual({
          count: 1,
          resetAt: clock + 60_000,
        });
        expect(await store.counters.get(key)).toEqual({ count: 1, resetAt: clock + 60_000 });
      });

      it('counts hits inside the window without moving its end', async () => {
        const key = uniq('login:user');
        const end = clock + 60_000;
        await store.counters.hit(key, 60_000);

        clock += 1000;
        expect(await store.counters.hit(key, 60_000)).toEqual({ count: 2, resetAt: end });
        clock += 58_999;
        // A different window length inside a live window changes nothing either.
        expect(await store.counters.hit(key, 5 * 60_000)).toEqual({ count: 3, resetAt: end });
        expect(await store.counters.get(key)).toEqual({ count: 3, resetAt: end });
      });

      it('starts again from 1 once the window has ended, at its end exactly', async () => {
        const key = uniq('login:ip');
        await store.counters.hit(key, 1000);
        await store.counters.hit(key, 1000);

        clock += 1000;

        expect(await store.counters.get(key)).toBeUndefined();
        expect(await store.counters.hit(key, 1000)).toEqual({ count: 1, resetAt: clock + 1000 });
        expect(await store.counters.hit(key, 1000)).toEqual({ count: 2, resetAt: clock + 1000 });
      });

      it('adds `by` to the count, in a new window and in a live one', async () => {
        const key = uniq('rate');

        expect(await store.counters.hit(key, 1000, 5)).toEqual({ count: 5, resetAt: clock + 1000 });
        expect(await store.counters.hit(key, 1000, 2)).toEqual({ count: 7, resetAt: clock + 1000 });
        clock += 1000;
        expect(await store.counters.hit(key, 1000, 3)).toEqual({ count: 3, resetAt: clock + 1000 });
      });

      it('gives 20 concurrent hits the counts 1 to 20, each exactly once, in one window', async () => {
        const key = uniq('login:user');

        const states = await Promise.all(
          Array.from({ length: 20 }, () => store.counters.hit(key, HOUR)),
        );

        expect(states.map((s) => s.count).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
        expect(new Set(states.map((s) => s.resetAt))).toEqual(new Set([clock + HOUR]));
        expect(await store.counters.get(key)).toEqual({ count: 20, resetAt: clock + HOUR });
      });

      it('keeps counters apart by key', async () => {
        const first = uniq('login:user');
        const second = uniq('login:user');
        await store.counters.hit(first, HOUR);
        await store.counters.hit(first, HOUR);

        expect(await store.counters.hit(second, HOUR)).toEqual({ count: 1, resetAt: clock + HOUR });
        expect(await store.counters.get(first)).toEqual({ count: 2, resetAt: clock + HOUR });
      });

      it('returns nothing for a missing counter or one whose window has ended', async () => {
        const key = uniq('login:user');
        expect(await store.counters.get(uniq('missing'))).toBeUndefined();
        await store.counters.hit(key, 1000);

        clock += 1000;

        expect(await store.counters.get(key)).toBeUndefined();
      });

      it('resets a counter, so the next hit starts a new window at 1, and tolerates a missing one', async () => {
        const key = uniq('login:user');
        for (let i = 0; i < 3; i += 1) await store.counters.hit(key, HOUR);
        clock += 1000;

        await store.counters.reset(key);
        await store.counters.reset(uniq('missing'));

        expect(await store.counters.get(key)).toBeUndefined();
        expect(await store.counters.hit(key, HOUR)).toEqual({ count: 1, resetAt: clock + HOUR });
      });

      it('refuses a window or an increment that is not a positive whole number', async () => {
        const key = uniq('bad');
        await expect(store.counters.hit(key, 0)).rejects.toThrow(RangeError);
        await expect(store.counters.hit(key, -1000)).rejects.toThrow(RangeError);
        await expect(store.counters.hit(key, 1000, 0)).rejects.toThrow(RangeError);
        await expect(store.counters.hit(key, 1000, 1.5)).rejects.toThrow(RangeError);
        expect(await store.counters.get(key)).toBeUndefined();
      });

      it('sweeps counters whose window has ended, returning how many, and keeps live ones', async () => {
        // Drain what earlier tests left ended so the count below is ours alone.
        clock += 2000;
        await store.counters.sweepExpired();

        const ended = [uniq('login:ip'), uniq('login:ip')];
        const restarted = uniq('login:ip');
        const live = uniq('login:ip');
        for (const key of ended) await store.counters.hit(key, 1000);
        await store.counters.hit(live, HOUR);
        // An ended window that was restarted is a live counter, not a swept one.
        await store.counters.hit(restarted, 500);
        clock += 500;
        await store.counters.hit(restarted, HOUR);
        clock += 500;

        expect(await store.counters.sweepExpired()).toBe(ended.length);

        // Back before the windows ended, swept counters must be gone, not merely hidden.
        clock -= 1000;
        for (const key of ended) expect(await store.counters.get(key)).toBeUndefined();
        expect(await store.counters.get(live)).toEqual({ count: 1, resetAt: clock + HOUR });
        expect(await store.counters.sweepExpired()).toBe(0);
      });
    });

    describe('security events', () => {
      /** An event with every field set, about a subject of its own (tests filter on it). */
      const event = (overrides: Partial<SecurityEvent> = {}): SecurityEvent => ({
        id: uniq('evt'),
        time: clock,
        type: 'login.failed',
        subject: uniq('sub'),
        clientId: uniq('client'),
        actor: 'system',
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Zoë',
        requestId: uniq('req'),
        details: { reason: 'bad_password', attempt: 3, locked: false },
        ...overrides,
      });
      const listIds = async (filter: EventFilter, limit = 100): Promise<string[]> =>
        (await walkPages((o) => store.events.list(filter, o), limit)).flat().map((e) => e.id);

      it('appends an event and returns it as it was given', async () => {
        const full = event({ details: { 'a.b': 'dotted', $op: 1, ok: true } });
        const minimal: SecurityEvent = {
          id: uniq('evt'),
          time: clock,
          type: 'system.started',
          subject: full.subject,
        };
        await store.events.append(full);
        await store.events.append({ ...minimal, time: clock - 1 });

        const { items } = await store.events.list({ subject: full.subject }, { limit: 10 });

        expect(items).toEqual([full, { ...minimal, time: clock - 1 }]);
        expect(items[0]).not.toBe(full);
        expect(Object.keys(items[1] ?? {}).sort()).toEqual(['id', 'subject', 'time', 'type']);
      });

      it('refuses a duplicate id with a conflict on id, keeping the original', async () => {
        const original = event();
        await store.events.append(original);

        await expectConflict(
          store.events.append(event({ id: original.id, subject: original.subject, type: 'other' })),
          'id',
        );

        expect(
          (await store.events.list({ subject: original.subject }, { limit: 10 })).items,
        ).toEqual([original]);
      });

      it('lists newest first: by time, then by id, whatever the order of appending', async () => {
        const subject = uniq('sub');
        const prefix = uniq('evt');
        const byTime = [
          event({ id: `${prefix}-a`, subject, time: clock - 3000 }),
          event({ id: `${prefix}-c`, subject, time: clock - 2000 }),
          event({ id: `${prefix}-b`, subject, time: clock - 1000 }),
          event({ id: `${prefix}-d`, subject, time: clock - 1000 }),
          event({ id: `${prefix}-e`, subject, time: clock }),
        ];
        for (const e of [byTime[2], byTime[0], byTime[4], byTime[3], byTime[1]]) {
          if (e !== undefined) await store.events.append(e);
        }

        expect(await listIds({ subject })).toEqual([
          `${prefix}-e`,
          `${prefix}-d`,
          `${prefix}-b`,
          `${prefix}-c`,
          `${prefix}-a`,
        ]);
      });

      it('filters by type, subject and client id, alone and combined', async () => {
        const subject = uniq('sub');
        const clientId = uniq('client');
        const type = `${uniq('login')}.failed`;
        const match = event({ subject, clientId, type });
        const otherType = event({ subject, clientId, type: `${type}.not` });
        const otherClient = event({ subject, type });
        const otherSubject = event({ clientId, type });
        for (const e of [match, otherType, otherClient, otherSubject]) await store.events.append(e);

        expect(await listIds({ type })).toEqual(
          expect.arrayContaining([match.id, otherClient.id, otherSubject.id]),
        );
        expect(await listIds({ type })).toHaveLength(3);
        expect((await listIds({ subject })).sort()).toEqual(
          [match.id, otherType.id, otherClient.id].sort(),
        );
        expect((await listIds({ clientId })).sort()).toEqual(
          [match.id, otherType.id, otherSubject.id].sort(),
        );
        expect(await listIds({ type, subject, clientId })).toEqual([match.id]);
        expect(await listIds({ subject: uniq('nobody') })).toEqual([]);
      });

      it('filters by type prefix, taking every character of the prefix literally', async () => {
        const base = uniq('evt');
        // Characters that mean something in GLOB, LIKE and regular expressions.
        const prefix = `${base}.[*?%_^$(|\\.`;
        const inside = [`${prefix}`, `${prefix}failed`, `${prefix}ok.more`];
        const outside = [
          `${base}.x*?%_^$(|\\.`,
          `${base}.[*?%_^$(|\\`,
          `${base}.[aa%_^$(|\\.x`,
          `${base.toUpperCase()}.[*?%_^$(|\\.x`,
        ];
        const subject = uniq('sub');
        for (const type of [...inside, ...outside])
          await store.events.append(event({ type, subject }));

        const found = (
          await walkPages((o) => store.events.list({ typePrefix: prefix }, o), 50)
        ).flat();

        expect(found.map((e) => e.type).sort()).toEqual([...inside].sort());
        expect(await listIds({ typePrefix: base, subject })).toHaveLength(
          inside.length + outside.length - 1,
        );
      });

      it('filters by time: since inclusive, until exclusive', async () => {
        const subject = uniq('sub');
        const [early, middle, late] = [
          event({ subject, time: clock - 20 }),
          event({ subject, time: clock - 10 }),
          event({ subject, time: clock }),
        ];
        for (const e of [early, middle, late]) await store.events.append(e);

        expect(await listIds({ subject, since: clock - 10 })).toEqual([late.id, middle.id]);
        expect(await listIds({ subject, until: clock - 10 })).toEqual([early.id]);
        expect(await listIds({ subject, since: clock - 20, until: clock })).toEqual([
          middle.id,
          early.id,
        ]);
        expect(await listIds({ subject, since: clock - 10, until: clock - 10 })).toEqual([]);
      });

      it('pages newest first with no duplicates and no gaps, also across equal times', async () => {
        const subject = uniq('sub');
        const appended: SecurityEvent[] = [];
        for (let i = 0; i < 7; i += 1) {
          // Pairs of equal times make page boundaries fall between events of one millisecond.
          const e = event({ subject, time: clock - Math.floor(i / 2) * 1000 });
          appended.push(e);
          await store.events.append(e);
        }
        const expected = [...appended]
          .sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1))
          .map((e) => e.id);

        const pages = await walkPages((o) => store.events.list({ subject }, o), 3);

        expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
        expect(pages.flat().map((e) => e.id)).toEqual(expected);
        // Without a filter, the whole store pages the same way: ordered, nothing twice.
        const all = (await walkPages((o) => store.events.list({}, o), 4)).flat();
        const keys = all.map((e) => [e.time, e.id] as const);
        expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
        expect(keys).toEqual(
          [...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0)),
        );
        expect(all.map((e) => e.id)).toEqual(expect.arrayContaining(expected));
      });

      it('accepts a cursor that is not one of its own without failing', async () => {
        const subject = uniq('sub');
        const only = event({ subject });
        await store.events.append(only);

        for (const cursor of ['not-a-cursor', Buffer.from('[1,2,3]').toString('base64url'), '']) {
          const page = await store.events.list({ subject }, { cursor, limit: 10 });
          expect(Array.isArray(page.items)).toBe(true);
        }
      });

      it('prunes events older than a time, returning how many', async () => {
        // Ten years back: no other test's events are that old, so the count is ours alone.
        const base = clock - 10 * 365 * 24 * HOUR;
        const subject = uniq('sub');
        const [oldest, old, boundary] = [
          event({ subject, time: base }),
          event({ subject, time: base + 1 }),
          event({ subject, time: base + 2 }),
        ];
        for (const e of [oldest, old, boundary]) await store.events.append(e);

        expect(await store.events.pruneBefore(base + 2)).toBe(2);

        expect(await listIds({ subject })).toEqual([boundary.id]);
        expect(await store.events.pruneBefore(base + 2)).toBe(0);
      });
    });

    describe('store', () => {
      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('sweeps expired entries, returning how many it removed, and keeps live ones', async () => {
        // Drain what earlier tests left expired so the count below is ours alone.
        clock += 2000;
        await store.sweepExpired();

        const expiresAt = clock + 1000;
        const expired = [uniq('at'), uniq('at'), uniq('at')];
        const live = uniq('at');
        const forever = uniq('client');
        for (const id of expired)
          await store.oidc.upsert('AccessToken', id, { jti: id }, expiresAt);
        await store.oidc.upsert('AccessToken', live, { jti: live }, clock + HOUR);
        await store.oidc.upsert('Client', forever, { client_id: forever });
        clock += 1000;

        expect(await store.sweepExpired()).toBe(expired.length);

        // Back before the expiry, swept entries must be gone, not merely filtered out by reads.
        clock -= 2000;
        for (const id of expired) expect(await store.oidc.find('AccessToken', id)).toBeUndefined();
        expect(await store.oidc.find('AccessToken', live)).toEqual({ jti: live });
        expect(await store.oidc.find('Client', forever)).toEqual({ client_id: forever });
      });

      it('sweeps ended counters along with expired entries, counting both', async () => {
        clock += 2000;
        await store.sweepExpired();

        const token = uniq('at');
        const counter = uniq('login:user');
        await store.oidc.upsert('AccessToken', token, { jti: token }, clock + 1000);
        await store.counters.hit(counter, 1000);
        clock += 1000;

        expect(await store.sweepExpired()).toBe(2);

        clock -= 1000;
        expect(await store.counters.get(counter)).toBeUndefined();
        expect(await store.oidc.find('AccessToken', token)).toBeUndefined();
      });

      it('returns zero when nothing has expired', async () => {
        await store.sweepExpired();
        expect(await store.sweepExpired()).toBe(0);
      });
    });
  });
}
