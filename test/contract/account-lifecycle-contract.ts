/**
 * The account-lifecycle part of the storage contract (issue 15): one-time links, session
 * activity, known devices, and what deleting an account removes from the account and event
 * stores. Called from store-contract.ts, so it runs on every backend (FerretDB included).
 * Same rules: unique data per test, never an empty database assumed, time moved by the clock.
 */
import { describe, it, expect } from '@jest/globals';
import type { AccountTokenRecord } from '../../src/storage/account-lifecycle-ports.ts';
import { StoreConflictError } from '../../src/storage/ports.ts';
import type { AccountRecord, Store } from '../../src/storage/ports.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export function describeAccountLifecycleContract(
  getStore: () => Store,
  uniq: (label: string) => string,
  clock: { now: () => number; advance: (ms: number) => void },
): void {
  const token = (overrides: Partial<AccountTokenRecord> = {}): AccountTokenRecord => ({
    hash: uniq('hash'),
    purpose: 'password_reset',
    accountId: uniq('acct'),
    email: 'someone@example.com',
    createdAt: clock.now(),
    expiresAt: clock.now() + 15 * MINUTE,
    ...overrides,
  });

  describe('account tokens (one-time links)', () => {
    it('finds a live link by hash and purpose, and returns it as stored', async () => {
      const record = token();
      await getStore().accountTokens.create(record);
      expect(await getStore().accountTokens.find(record.hash, 'password_reset')).toEqual(record);
      expect(await getStore().accountTokens.find(record.hash, 'email_change')).toBeUndefined();
      expect(await getStore().accountTokens.find(uniq('hash'), 'password_reset')).toBeUndefined();
    });

    it('keeps an absent email absent', async () => {
      const record = token({ email: undefined, purpose: 'invitation' });
      await getStore().accountTokens.create(record);
      expect(await getStore().accountTokens.find(record.hash, 'invitation')).toEqual(record);
    });

    it('refuses a second link with the same hash', async () => {
      const record = token();
      await getStore().accountTokens.create(record);
      const outcome = await getStore()
        .accountTokens.create(token({ hash: record.hash }))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(outcome).toBeInstanceOf(StoreConflictError);
      expect((outcome as StoreConflictError).field).toBe('hash');
    });

    it('consumes a link once: the second use, and a use for another purpose, get nothing', async () => {
      const record = token();
      await getStore().accountTokens.create(record);
      expect(await getStore().accountTokens.consume(record.hash, 'email_verification')).toBe(
        undefined,
      );
      expect(await getStore().accountTokens.consume(record.hash, 'password_reset')).toEqual(record);
      expect(await getStore().accountTokens.consume(record.hash, 'password_reset')).toBe(undefined);
      expect(await getStore().accountTokens.find(record.hash, 'password_reset')).toBeUndefined();
    });

    it('gives a link to exactly one of many concurrent uses', async () => {
      const record = token();
      await getStore().accountTokens.create(record);
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          getStore().accountTokens.consume(record.hash, 'password_reset'),
        ),
      );
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('neither finds nor consumes an expired link', async () => {
      const record = token({ expiresAt: clock.now() + 1000 });
      await getStore().accountTokens.create(record);
      clock.advance(1000);
      expect(await getStore().accountTokens.find(record.hash, 'password_reset')).toBeUndefined();
      expect(await getStore().accountTokens.consume(record.hash, 'password_reset')).toBe(undefined);
    });

    it("removes an account's links, of one purpose or all, and leaves others' alone", async () => {
      const accountId = uniq('acct');
      const reset = token({ accountId });
      const verify = token({ accountId, purpose: 'email_verification' });
      const other = token();
      for (const r of [reset, verify, other]) await getStore().accountTokens.create(r);
      expect(await getStore().accountTokens.removeForAccount(accountId, 'password_reset')).toBe(1);
      expect(await getStore().accountTokens.find(reset.hash, 'password_reset')).toBeUndefined();
      expect(await getStore().accountTokens.find(verify.hash, 'email_verification')).toEqual(
        verify,
      );
      expect(await getStore().accountTokens.removeForAccount(accountId)).toBe(1);
      expect(await getStore().accountTokens.find(verify.hash, 'email_verification')).toBe(
        undefined,
      );
      expect(await getStore().accountTokens.find(other.hash, 'password_reset')).toEqual(other);
    });

    it('sweeps expired links and keeps live ones', async () => {
      const expired = token({ expiresAt: clock.now() + 1000 });
      const live = token({ expiresAt: clock.now() + HOUR });
      await getStore().accountTokens.create(expired);
      await getStore().accountTokens.create(live);
      clock.advance(1000);
      expect(await getStore().accountTokens.sweepExpired()).toBeGreaterThanOrEqual(1);
      clock.advance(-1000);
      expect(await getStore().accountTokens.find(expired.hash, 'password_reset')).toBeUndefined();
      expect(await getStore().accountTokens.find(live.hash, 'password_reset')).toEqual(live);
    });
  });

  describe('account devices and session activity', () => {
    const activity = (accountId: string, overrides: Record<string, unknown> = {}) => ({
      sessionUid: uniq('sess'),
      accountId,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      ip: '192.0.2.10',
      signedInAt: clock.now(),
      lastUsedAt: clock.now(),
      expiresAt: clock.now() + HOUR,
      ...overrides,
    });

    it('records sessions, keeps the first sign-in time on update, lists newest use first', async () => {
      const accountId = uniq('acct');
      const first = activity(accountId);
      const second = activity(accountId, { lastUsedAt: clock.now() + 10, ip: undefined });
      await getStore().accountDevices.recordSession(first);
      await getStore().accountDevices.recordSession(second);
      await getStore().accountDevices.recordSession({
        ...first,
        signedInAt: clock.now() + 50,
        lastUsedAt: clock.now() + 20,
        ip: '198.51.100.7',
      });
      const listed = await getStore().accountDevices.listSessions(accountId);
      expect(listed).toEqual([
        { ...first, lastUsedAt: clock.now() + 20, ip: '198.51.100.7' },
        { ...second, ip: undefined },
      ]);
      expect(await getStore().accountDevices.listSessions(uniq('acct'))).toEqual([]);
    });

    it('removes one session record, and hides expired ones', async () => {
      const accountId = uniq('acct');
      const gone = activity(accountId);
      const short = activity(accountId, { expiresAt: clock.now() + 1000 });
      await getStore().accountDevices.recordSession(gone);
      await getStore().accountDevices.recordSession(short);
      await getStore().accountDevices.removeSession(gone.sessionUid);
      expect(
        (await getStore().accountDevices.listSessions(accountId)).map((s) => s.sessionUid),
      ).toEqual([short.sessionUid]);
      clock.advance(1000);
      expect(await getStore().accountDevices.listSessions(accountId)).toEqual([]);
      expect(await getStore().accountDevices.sweepExpired()).toBeGreaterThanOrEqual(1);
    });

    it('answers true only the first time an account uses a device, also under concurrency', async () => {
      const accountId = uniq('acct');
      const device = uniq('device');
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          getStore().accountDevices.rememberDevice(accountId, device, clock.now()),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await getStore().accountDevices.rememberDevice(accountId, device, clock.now())).toBe(
        false,
      );
      // The same device is new to another account.
      expect(
        await getStore().accountDevices.rememberDevice(uniq('acct'), device, clock.now()),
      ).toBe(true);
    });

    it("removes every device and session record of an account, and no one else's", async () => {
      const accountId = uniq('acct');
      const otherId = uniq('acct');
      const device = uniq('device');
      await getStore().accountDevices.recordSession(activity(accountId));
      await getStore().accountDevices.recordSession(activity(otherId));
      await getStore().accountDevices.rememberDevice(accountId, device, clock.now());
      expect(await getStore().accountDevices.removeForAccount(accountId)).toBe(2);
      expect(await getStore().accountDevices.listSessions(accountId)).toEqual([]);
      expect(await getStore().accountDevices.listSessions(otherId)).toHaveLength(1);
      expect(await getStore().accountDevices.rememberDevice(accountId, device, clock.now())).toBe(
        true,
      );
    });
  });

  describe('account deletion', () => {
    const account = (): AccountRecord => {
      const username = uniq('del');
      return {
        id: uniq('id'),
        username,
        usernameNormalized: username.toLowerCase(),
        email: `${username}@example.com`,
        emailNormalized: `${username.toLowerCase()}@example.com`,
        emailVerified: true,
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
        disabled: false,
        claims: { name: 'Del Eted' },
        createdAt: clock.now(),
        updatedAt: clock.now(),
      };
    };

    it('removes an account, frees its username and email, and answers false when absent', async () => {
      const record = account();
      await getStore().accounts.create(record);
      expect(await getStore().accounts.remove(record.id)).toBe(true);
      expect(await getStore().accounts.findById(record.id)).toBeUndefined();
      expect(await getStore().accounts.findByLogin(record.usernameNormalized)).toBeUndefined();
      expect(await getStore().accounts.remove(record.id)).toBe(false);
      await getStore().accounts.create({
        ...account(),
        email: record.email,
        emailNormalized: record.emailNormalized,
      });
    });

    it("pseudonymises a user's events (subject and actor), dropping address and agent", async () => {
      const subject = uniq('sub');
      const other = uniq('sub');
      const base = clock.now();
      const about = {
        id: uniq('ev'),
        time: base,
        type: 'login.succeeded',
        subject,
        ip: '192.0.2.1',
        userAgent: 'UA',
      };
      const by = {
        id: uniq('ev'),
        time: base + 1,
        type: 'user.updated',
        subject: other,
        actor: subject,
        ip: '192.0.2.2',
      };
      const both = {
        id: uniq('ev'),
        time: base + 2,
        type: 'account.changed',
        subject,
        actor: subject,
      };
      const unrelated = {
        id: uniq('ev'),
        time: base + 3,
        type: 'login.failed',
        subject: other,
        ip: '192.0.2.3',
      };
      for (const e of [about, by, both, unrelated]) await getStore().events.append(e);
      expect(await getStore().events.pseudonymiseSubject(subject, 'deleted-1')).toBe(3);
      const page = await getStore().events.list({ since: base, until: base + 4 }, { limit: 100 });
      const byId = new Map(page.items.map((e) => [e.id, e]));
      expect(byId.get(about.id)).toEqual({
        id: about.id,
        time: base,
        type: 'login.succeeded',
        subject: 'deleted-1',
      });
      expect(byId.get(by.id)).toEqual({
        id: by.id,
        time: base + 1,
        type: 'user.updated',
        subject: other,
        actor: 'deleted-1',
      });
      expect(byId.get(both.id)).toEqual({ ...both, subject: 'deleted-1', actor: 'deleted-1' });
      expect(byId.get(unrelated.id)).toEqual(unrelated);
      expect((await getStore().events.list({ subject }, { limit: 10 })).items).toEqual([]);
    });
  });
}
