/**
 * What the MongoDB backend promises beyond the storage contract: its indexes, expiry without a
 * TTL monitor, atomic consume on either kind of server, and behaviour when the server goes away
 * and comes back. Runs on the server from global-setup (own database), and on a FerretDB of its
 * own for the outage tests.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { GRANTABLE_MODELS, StoreUnavailableError } from '../../src/storage/ports.ts';
import type { Store } from '../../src/storage/ports.ts';
import { backfillOidcOwnerFields } from '../../src/storage/mongodb/backfill-oidc-owner-fields.ts';
import { OIDC_COLLECTIONS } from '../../src/storage/mongodb/collection-names.ts';
import { createMongoCounterStore } from '../../src/storage/mongodb/create-mongo-counter-store.ts';
import { createMongoOidcStore } from '../../src/storage/mongodb/create-mongo-oidc-store.ts';
import { createMongoSlotCounterStore } from '../../src/storage/mongodb/create-mongo-slot-counter-store.ts';
import { createMongoStore } from '../../src/storage/mongodb/create-mongo-store.ts';
import { ensureMongoIndexes } from '../../src/storage/mongodb/ensure-mongo-indexes.ts';
import { startFerretDb } from '../helpers/ferretdb.ts';
import type { FerretDb } from '../helpers/ferretdb.ts';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';

const HOUR = 60 * 60 * 1000;
const uniq = (label: string): string => `${label}-${randomUUID()}`;

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

async function indexesOf(db: Db, collection: string): Promise<Array<Record<string, unknown>>> {
  const indexes = await db.collection(collection).listIndexes().toArray();
  return indexes
    .map((index) => ({ ...index }))
    .sort((a, b) => String(a['name']).localeCompare(String(b['name'])));
}

describe('MongoDB backend on the shared server', () => {
  const uri = requireMongoUri();
  const dbName = uniqueDatabaseName('mongodb_specifics');
  const logLines: string[] = [];
  let client: MongoClient;
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    client = new MongoClient(uri);
    db = client.db(dbName);
    store = await createMongoStore({
      uri,
      dbName,
      log: (msg) => logLines.push(msg),
      sweepIntervalMs: 200,
    });
  });

  afterAll(async () => {
    await store.close();
    await db.dropDatabase();
    await client.close();
  });

  it('creates every lookup index at start, and a second run creates nothing and changes nothing', async () => {
    for (const { model, name } of OIDC_COLLECTIONS) {
      const names = (await indexesOf(db, name)).map((index) => index['name']);
      expect(names).toEqual(expect.arrayContaining(['uid_unique', 'userCode_unique']));
      expect(names.some((n) => n === 'expiresAt_ttl' || n === 'expiresAt_sweep')).toBe(true);
      expect(names.includes('grantId')).toBe(GRANTABLE_MODELS.has(model));
      expect(names).toEqual(expect.arrayContaining(['accountId', 'clientId']));
    }
    for (const collection of ['counters', 'counter_slots']) {
      const names = (await indexesOf(db, collection)).map((index) => index['name']);
      expect(names.some((n) => n === 'expiresAt_ttl' || n === 'expiresAt_sweep')).toBe(true);
    }
    expect((await indexesOf(db, 'counter_slots')).map((index) => index['name'])).toContain(
      'key_window_n',
    );
    expect((await indexesOf(db, 'events')).map((index) => index['name'])).toEqual(
      expect.arrayContaining(['time_id', 'type_time_id', 'subject_time_id', 'clientId_time_id']),
    );
    const accountIndexes = await indexesOf(db, 'accounts');
    expect(accountIndexes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'usernameNormalized_unique', unique: true }),
        expect.objectContaining({ name: 'emailNormalized_unique', unique: true }),
        expect.objectContaining({ name: 'logins_unique', unique: true }),
      ]),
    );
    expect(logLines).toContain('mongodb: indexes ensured');

    const collections = [
      ...OIDC_COLLECTIONS.map((c) => c.name),
      'accounts',
      'signing_keys',
      'counters',
      'counter_slots',
      'events',
    ];
    const before = await Promise.all(collections.map((c) => indexesOf(db, c)));
    const second = await ensureMongoIndexes(db, () => undefined);
    const after = await Promise.all(collections.map((c) => indexesOf(db, c)));

    expect(second.created).toBe(0);
    expect(after).toEqual(before);
  });

  it('removes expired entries without a sweepExpired call: by TTL index, or by its own sweep where TTL is unsupported', async () => {
    const ttlIndex = (await indexesOf(db, 'oidc_access_token')).find(
      (index) => index['name'] === 'expiresAt_ttl',
    );
    if (ttlIndex !== undefined) {
      // MongoDB: its TTL monitor deletes at expiresAt (it runs once a minute, too slow to wait for).
      expect(ttlIndex).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
      return;
    }
    // FerretDB answers NotImplemented for TTL indexes: said once in the log, then swept by the
    // store itself (every 200 ms in this test, 60 s by default).
    expect(logLines.filter((line) => line.includes('does not support TTL indexes'))).toHaveLength(
      1,
    );
    const expired = uniq('at');
    const live = uniq('at');
    await store.oidc.upsert('AccessToken', expired, { jti: expired }, Date.now() + 300);
    await store.oidc.upsert('AccessToken', live, { jti: live }, Date.now() + HOUR);
    const tokens = db.collection('oidc_access_token');

    const gone = await eventually(
      async () => (await tokens.countDocuments({ _id: expired as never })) === 0,
      10_000,
    );

    expect(gone).toBe(true);
    expect(await tokens.countDocuments({ _id: live as never })).toBe(1);
  });

  it('consumes with one conditional update where updates are atomic: never twice, never expired', async () => {
    // The single-update path MongoDB uses, driven directly so it runs on FerretDB too
    // (sequentially: FerretDB's updates are not atomic under concurrency, hence its markers).
    let clock = Date.now();
    const oidc = createMongoOidcStore(db, { now: () => clock, atomicUpdates: true });
    const code = uniq('code');
    const expiring = uniq('code');
    await oidc.upsert('AuthorizationCode', code, { jti: code }, clock + HOUR);
    await oidc.upsert('AuthorizationCode', expiring, { jti: expiring }, clock + 1000);

    expect(await oidc.consume('AuthorizationCode', code)).toBe(true);
    expect(await oidc.consume('AuthorizationCode', code)).toBe(false);
    expect(await oidc.find('AuthorizationCode', code)).toEqual({
      jti: code,
      consumed: Math.floor(clock / 1000),
    });
    clock += 1000;
    expect(await oidc.consume('AuthorizationCode', expiring)).toBe(false);
    expect(await oidc.consume('AuthorizationCode', uniq('missing'))).toBe(false);
  });

  it('counts with $inc where updates are atomic: starts, adds, restarts an ended window, resets, sweeps', async () => {
    // The path MongoDB uses, driven directly so it runs on FerretDB too (sequentially, as above).
    // Its clock is ten hours ahead: no TTL monitor or background sweep removes these meanwhile.
    let clock = Date.now() + 10 * HOUR;
    const counters = createMongoCounterStore(db, () => clock);
    const key = uniq('login');
    const ended = uniq('login');

    expect(await counters.hit(key, 1000)).toEqual({ count: 1, resetAt: clock + 1000 });
    clock += 999;
    expect(await counters.hit(key, 1000, 2)).toEqual({ count: 3, resetAt: clock + 1 });
    clock += 1;
    expect(await counters.get(key)).toBeUndefined();
    expect(await counters.hit(key, 1000)).toEqual({ count: 1, resetAt: clock + 1000 });
    await counters.reset(key);
    expect(await counters.get(key)).toBeUndefined();

    await counters.hit(ended, 1000);
    await counters.hit(key, HOUR);
    clock += 1000;
    expect(await counters.sweepExpired()).toBe(1);
    expect(await db.collection('counters').countDocuments({ _id: ended as never })).toBe(0);
    expect(await counters.get(key)).toEqual({ count: 1, resetAt: clock - 1000 + HOUR });
  });

  it('counts with insert-once slots where updates are not atomic: concurrent hits and window starts are exact', async () => {
    // The path FerretDB uses, driven directly so it also runs on MongoDB. Clock ahead, as above.
    let clock = Date.now() + 10 * HOUR;
    const counters = createMongoSlotCounterStore(db, () => clock);
    const key = uniq('login');

    // Ten hits race to start the first window, half of them adding 3: 5 + 15 = 20 in all.
    const first = await Promise.all(
      Array.from({ length: 10 }, (_, i) => counters.hit(key, 1000, i % 2 === 0 ? 1 : 3)),
    );
    const counts = first.map((state) => state.count);
    expect(new Set(counts).size).toBe(10);
    expect(Math.max(...counts)).toBe(20);
    expect(new Set(first.map((state) => state.resetAt))).toEqual(new Set([clock + 1000]));
    expect(await counters.get(key)).toEqual({ count: 20, resetAt: clock + 1000 });

    // Ten hits at the window's end race to start the next one: one window, counts 1 to 10.
    clock += 1000;
    const next = await Promise.all(Array.from({ length: 10 }, () => counters.hit(key, 5000)));
    expect(next.map((state) => state.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(new Set(next.map((state) => state.resetAt))).toEqual(new Set([clock + 5000]));

    await counters.reset(key);
    expect(await counters.get(key)).toBeUndefined();
    expect(await counters.hit(key, 1000)).toEqual({ count: 1, resetAt: clock + 1000 });
  });

  it('backfills the owner fields of entries written before they existed, once per database', async () => {
    const backfillDb = client.db(uniqueDatabaseName('mongodb_backfill'));
    const expiresAt = new Date(Date.now() + HOUR);
    const sessions = backfillDb.collection<{ _id: string; payload: object; expiresAt: Date }>(
      'oidc_session',
    );
    try {
      await sessions.insertMany([
        { _id: 's1', payload: { jti: 's1', accountId: 'acct', iat: 2 }, expiresAt },
        { _id: 's2', payload: { jti: 's2', accountId: 'acct', iat: 1 }, expiresAt },
        { _id: 's3', payload: { jti: 's3', accountId: 42 }, expiresAt },
      ]);
      await backfillDb
        .collection<{ _id: string; payload: object; expiresAt: Date }>('oidc_access_token')
        .insertOne({
          _id: 'at',
          payload: { jti: 'at', accountId: 'acct', clientId: 'app' },
          expiresAt,
        });
      const lines: string[] = [];
      const backfilled = await createMongoStore({
        uri,
        dbName: backfillDb.databaseName,
        log: (msg) => lines.push(msg),
        sweepIntervalMs: HOUR,
      });
      try {
        const found = await backfilled.oidc.findByAccountId('Session', 'acct', 10);
        expect(found.map((entry) => entry.id)).toEqual(['s2', 's1']);
        expect(await backfilled.oidc.revokeByClientId('AccessToken', 'app')).toBe(1);
        expect(lines).toContain('mongodb: backfilled owner fields of oidc entries');
      } finally {
        await backfilled.close();
      }
      // An owner that is not a string is not copied, as upsert would not index it either.
      expect(await sessions.findOne({ _id: 's3' })).not.toHaveProperty('accountId');

      // Recorded as done: a later start reads no entry again.
      await sessions.insertOne({ _id: 's4', payload: { jti: 's4', accountId: 'acct' }, expiresAt });
      expect(await backfillOidcOwnerFields(backfillDb, () => undefined)).toBe(0);
      expect(await sessions.findOne({ _id: 's4' })).not.toHaveProperty('accountId');
    } finally {
      await backfillDb.dropDatabase();
    }
  });

  it('finishes a move cut off after the rows were written: the rows stand, the event is stripped', async () => {
    const eventId = uniq('evt');
    const deliveryId = uniq('msg');
    const time = Date.now();
    const row = {
      _id: deliveryId,
      kind: 'webhook',
      url: 'https://hooks.example.com/in',
      body: '{"first":true}',
      contentType: 'application/json',
      target: 'wh-1',
      topic: 'admin.user.updated',
      state: 'pending',
      availableAt: time,
      attempts: 0,
      createdAt: time,
      claims: 0,
    };
    // The writer inserted the rows, then died before stripping them from its event.
    await db.collection<Record<string, unknown> & { _id: string }>('outbox').insertOne(row);
    await db.collection<Record<string, unknown> & { _id: string }>('events').insertOne({
      _id: eventId,
      time: new Date(time),
      type: 'admin.user.updated',
      outbox: [{ ...row, body: '{"second":true}' }],
      outboxPending: time,
    });
    const other = await createMongoStore({ uri, dbName, log: () => undefined });
    try {
      // The duplicate row is no failure: the look goes on and claims it once.
      const claimed = await other.outbox.claim({ leaseMs: 30_000, limit: 1000 });
      const ours = claimed.filter((c) => c.id === deliveryId);
      expect(ours.map((c) => c.body)).toEqual(['{"first":true}']);
      expect(await db.collection('events').findOne({ _id: eventId as never })).not.toHaveProperty(
        'outbox',
      );
      expect(await other.outbox.complete(deliveryId, ours[0]?.leaseId ?? '')).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('delivers what an event still carries when its writer was cut off before moving it', async () => {
    // The state a writer leaves when it dies right after its one atomic insert: the event
    // document with its deliveries inside, no outbox row yet.
    const eventId = uniq('evt');
    const deliveryId = uniq('msg');
    const time = Date.now();
    await db.collection<Record<string, unknown> & { _id: string }>('events').insertOne({
      _id: eventId,
      time: new Date(time),
      type: 'admin.user.created',
      outbox: [
        {
          _id: deliveryId,
          kind: 'webhook',
          url: 'https://hooks.example.com/in',
          body: '{}',
          contentType: 'application/json',
          target: 'wh-1',
          topic: 'admin.user.created',
          state: 'pending',
          availableAt: time,
          attempts: 0,
          createdAt: time,
          claims: 0,
        },
      ],
      outboxPending: time,
    });
    // Another process (its own store, so its first claim looks for carried deliveries).
    const other = await createMongoStore({ uri, dbName, log: () => undefined });
    try {
      const claimed = await other.outbox.claim({ leaseMs: 30_000, limit: 1000 });
      expect(claimed.filter((c) => c.id === deliveryId)).toHaveLength(1);
      const carrier = await db.collection('events').findOne({ _id: eventId as never });
      expect(carrier).not.toHaveProperty('outbox');
      expect(carrier).not.toHaveProperty('outboxPending');
      // Moved once: a second look finds nothing more, and the row is not duplicated.
      expect(await other.outbox.claim({ leaseMs: 30_000, limit: 1000, id: deliveryId })).toEqual(
        [],
      );
      const held = claimed.find((c) => c.id === deliveryId);
      expect(await other.outbox.complete(deliveryId, held?.leaseId ?? '')).toBe(true);
      expect(
        (await other.events.list({ type: 'admin.user.created' }, { limit: 100 })).items,
      ).toEqual(expect.arrayContaining([{ id: eventId, time, type: 'admin.user.created' }]));
    } finally {
      await other.close();
    }
  });

  it('stores keys holding dots or $ escaped, never as document paths', async () => {
    const id = uniq('sess');
    await store.oidc.upsert(
      'Session',
      id,
      { authorizations: { 'app.example.com': { sid: 's' } } },
      Date.now() + HOUR,
    );

    const raw = await db.collection('oidc_session').findOne({ _id: id as never });

    expect(raw?.['payload']).toEqual({ authorizations: { 'app%2Eexample%2Ecom': { sid: 's' } } });
  });
});

describe('MongoDB backend when the server goes away', () => {
  let server: FerretDb;
  const dbName = uniqueDatabaseName('mongodb_outage');

  beforeAll(async () => {
    server = await startFerretDb();
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('answers StoreUnavailableError while the server is down, and works again once it is back, with no reconnect call', async () => {
    const store = await createMongoStore({
      uri: server.uri,
      dbName,
      serverSelectionTimeoutMs: 1000,
    });
    try {
      const id = uniq('rt');
      await store.oidc.upsert('RefreshToken', id, { jti: id }, Date.now() + HOUR);

      await server.stop();

      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.oidc.find('RefreshToken', id)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(
        store.oidc.upsert('RefreshToken', uniq('rt'), {}, Date.now() + HOUR),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
      const error = await store.ping().catch((e: unknown) => e);
      expect((error as Error).message).not.toContain(server.uri);

      await server.start();

      const recovered = await eventually(
        () =>
          store.ping().then(
            () => true,
            () => false,
          ),
        20_000,
      );
      expect(recovered).toBe(true);
      expect(await store.oidc.find('RefreshToken', id)).toEqual({ jti: id });
    } finally {
      await store.close();
    }
  });

  it('waits for the server at start, logging each attempt, instead of failing at the first refusal', async () => {
    await server.stop();
    const lines: string[] = [];
    const starting = createMongoStore({
      uri: server.uri,
      dbName,
      serverSelectionTimeoutMs: 300,
      connectAttempts: 30,
      connectBackoffMs: 100,
      log: (msg) => lines.push(msg),
    });
    await sleep(1000);
    await server.start();

    const store = await starting;
    try {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(
        lines.filter((line) => line === 'mongodb: not reachable yet, retrying').length,
      ).toBeGreaterThan(0);
      expect(lines).toContain('mongodb: connected');
    } finally {
      await store.close();
    }
  });

  it('gives up with StoreUnavailableError after its bounded attempts', async () => {
    await server.stop();
    const lines: string[] = [];
    try {
      await expect(
        createMongoStore({
          uri: server.uri,
          dbName,
          serverSelectionTimeoutMs: 200,
          connectAttempts: 3,
          connectBackoffMs: 50,
          log: (msg) => lines.push(msg),
        }),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(lines.filter((line) => line === 'mongodb: not reachable yet, retrying')).toHaveLength(
        2,
      );
    } finally {
      await server.start();
    }
  });
});
