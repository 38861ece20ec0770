/**
 * The `CredentialStore` part of the storage contract (called from store-contract.ts, so it runs
 * on every backend, FerretDB included). Same rules: unique data per test, never assume an empty
 * database; "exactly once" claims get concurrent tests.
 */
import { describe, it, expect } from '@jest/globals';
import { StoreConflictError } from '../../src/storage/ports.ts';
import type { Store } from '../../src/storage/ports.ts';
import type { PasskeyRecord } from '../../src/storage/credential-ports.ts';

export function describeCredentialContract(
  getStore: () => Store,
  uniq: (label: string) => string,
  now: () => number,
): void {
  describe('credentials', () => {
    const passkey = (accountId: string, over: Partial<PasskeyRecord> = {}): PasskeyRecord => ({
      id: uniq('cred'),
      accountId,
      name: 'Laptop',
      publicKey: 'pQECAyYgASFYIA',
      counter: 0,
      transports: ['internal', 'hybrid'],
      attachment: 'platform',
      deviceType: 'multiDevice',
      backedUp: true,
      createdAt: now(),
      lastUsedAt: undefined,
      ...over,
    });

    it('keeps a pending TOTP authenticator until it is confirmed with the same secret', async () => {
      const store = getStore();
      const accountId = uniq('acct');
      expect(await store.credentials.findTotp(accountId)).toBeUndefined();
      await store.credentials.putTotp({
        accountId,
        sealedSecret: 'enc:v1:first',
        createdAt: now(),
        confirmedAt: undefined,
        lastUsedAt: undefined,
      });
      expect(await store.credentials.findTotp(accountId)).toEqual({
        accountId,
        sealedSecret: 'enc:v1:first',
        createdAt: now(),
        confirmedAt: undefined,
        lastUsedAt: undefined,
      });
      // A confirmation for a secret that was replaced meanwhile confirms nothing.
      expect(await store.credentials.confirmTotp(accountId, 'enc:v1:other', now())).toBe(false);
      expect(await store.credentials.confirmTotp(accountId, 'enc:v1:first', now() + 5)).toBe(true);
      expect((await store.credentials.findTotp(accountId))?.confirmedAt).toBe(now() + 5);
      expect(await store.credentials.confirmTotp(uniq('nobody'), 'enc:v1:first', now())).toBe(
        false,
      );
    });

    it('accepts each TOTP time step once, of many concurrent uses exactly one', async () => {
      const store = getStore();
      const accountId = uniq('acct');
      await store.credentials.putTotp({
        accountId,
        sealedSecret: 's',
        createdAt: now(),
        confirmedAt: now(),
        lastUsedAt: undefined,
      });
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.credentials.useTotpStep(accountId, 1000, now() + 1)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.credentials.useTotpStep(accountId, 1000, now())).toBe(false);
      expect(await store.credentials.useTotpStep(accountId, 1001, now() + 2)).toBe(true);
      expect((await store.credentials.findTotp(accountId))?.lastUsedAt).toBe(now() + 2);
      // Another account's step is its own.
      expect(await store.credentials.useTotpStep(uniq('acct'), 1000, now())).toBe(true);
    });

    it('forgets used steps when the authenticator is replaced (a new secret has new codes)', async () => {
      const store = getStore();
      const accountId = uniq('acct');
      const record = {
        accountId,
        sealedSecret: 'a',
        createdAt: now(),
        confirmedAt: now(),
        lastUsedAt: undefined,
      };
      await store.credentials.putTotp(record);
      expect(await store.credentials.useTotpStep(accountId, 7, now())).toBe(true);
      await store.credentials.putTotp({ ...record, sealedSecret: 'b', confirmedAt: undefined });
      expect(await store.credentials.useTotpStep(accountId, 7, now())).toBe(true);
      expect(await store.credentials.removeTotp(accountId)).toBe(true);
      expect(await store.credentials.removeTotp(accountId)).toBe(false);
      expect(await store.credentials.findTotp(accountId)).toBeUndefined();
    });

    it('uses each recovery code once, of concurrent uses exactly one, and regeneration kills the old ones', async () => {
      const store = getStore();
      const accountId = uniq('acct');
      await store.credentials.replaceRecoveryCodes(accountId, ['h1', 'h2', 'h3'], now());
      expect(await store.credentials.countRecoveryCodes(accountId)).toBe(3);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => store.credentials.useRecoveryCode(accountId, 'h2')),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.credentials.countRecoveryCodes(accountId)).toBe(2);
      expect(await store.credentials.useRecoveryCode(accountId, 'unknown')).toBe(false);
      // Another account cannot use this account's code.
      expect(await store.credentials.useRecoveryCode(uniq('acct'), 'h1')).toBe(false);

      await store.credentials.replaceRecoveryCodes(accountId, ['n1', 'n2'], now());
      expect(await store.credentials.useRecoveryCode(accountId, 'h1')).toBe(false);
      expect(await store.credentials.useRecoveryCode(accountId, 'n1')).toBe(true);
      expect(await store.credentials.countRecoveryCodes(accountId)).toBe(1);
    });

    it('stores passkeys with every field, lists them oldest first and refuses a taken credential id', async () => {
      const store = getStore();
      const accountId = uniq('acct');
      const first = passkey(accountId, { createdAt: now() - 10, attachment: undefined });
      const second = passkey(accountId, {
        name: 'YubiKey',
        transports: ['usb'],
        attachment: 'cross-platform',
        deviceType: 'singleDevice',
        backedUp: false,
      });
      await store.credentials.addPasskey(second);
      await store.credentials.addPasskey(first);
      expect(await store.credentials.findPasskey(second.id)).toEqual(second);
      expect(await store.credentials.listPasskeys(accountId)).toEqual([first, second]);

      const taken = await store.credentials.addPasskey({ ...first, accountId: uniq('other') }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(taken).toBeInstanceOf(StoreConflictError);
      expect((taken as StoreConflictError).field).toBe('id');
      expect(await store.credentials.findPasskey(first.id)).toEqual(first);
    });

    it('records a passkey use and removes a passkey only for its owner', async () => {
      const store = getStore();
      const accountId = uniq('acct');
      const key = passkey(accountId);
      await store.credentials.addPasskey(key);
      expect(
        await store.credentials.recordPasskeyUse(key.id, {
          counter: 5,
          backedUp: false,
          usedAt: now() + 9,
        }),
      ).toBe(true);
      expect(await store.credentials.findPasskey(key.id)).toEqual({
        ...key,
        counter: 5,
        backedUp: false,
        lastUsedAt: now() + 9,
      });
      expect(
        await store.credentials.recordPasskeyUse(uniq('missing'), {
          counter: 1,
          backedUp: false,
          usedAt: now(),
        }),
      ).toBe(false);
      expect(await store.credentials.removePasskey(uniq('intruder'), key.id)).toBe(false);
      expect(await store.credentials.findPasskey(key.id)).toBeDefined();
      expect(await store.credentials.removePasskey(accountId, key.id)).toBe(true);
      expect(await store.credentials.findPasskey(key.id)).toBeUndefined();
    });

    it('removes every factor of one account and nothing of another', async () => {
      const store = getStore();
      const accountId = uniq('acct');
      const other = uniq('acct');
      for (const id of [accountId, other]) {
        await store.credentials.putTotp({
          accountId: id,
          sealedSecret: 's',
          createdAt: now(),
          confirmedAt: now(),
          lastUsedAt: undefined,
        });
        await store.credentials.replaceRecoveryCodes(id, ['a', 'b'], now());
        await store.credentials.addPasskey(passkey(id));
      }
      expect(await store.credentials.removeAll(accountId)).toBe(4);
      expect(await store.credentials.findTotp(accountId)).toBeUndefined();
      expect(await store.credentials.countRecoveryCodes(accountId)).toBe(0);
      expect(await store.credentials.listPasskeys(accountId)).toEqual([]);
      expect(await store.credentials.findTotp(other)).toBeDefined();
      expect(await store.credentials.countRecoveryCodes(other)).toBe(2);
      expect(await store.credentials.listPasskeys(other)).toHaveLength(1);
    });
  });
}
