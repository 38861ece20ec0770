import type { Config } from './config/schema.ts';
import type { Logger } from './logging/logger.ts';
import type { Store } from './storage/ports.ts';
import { createStore } from './storage/create-store.ts';
import { createAccountService, type AccountService } from './accounts/account-service.ts';
import { createPasswordHasher } from './accounts/password-hasher.ts';
import { resolveCookieKeys } from './oidc/cookie-keys.ts';
import { ensureSigningKeys, type SigningAlgorithm } from './oidc/signing-keys.ts';

export interface Services {
  config: Config;
  log: Logger;
  store: Store;
  accounts: AccountService;
  cookieKeys: string[];
  now: () => number;
  close(): Promise<void>;
}

/**
 * Opens everything the server and the CLI share: the store, the account service, the signing
 * keys (created on first start) and the cookie keys. All I/O of start-up happens here.
 */
export async function openServices(config: Config, log: Logger, now: () => number = Date.now): Promise<Services> {
  const store = await createStore(config, { now, log: (msg, fields) => log.info(fields ?? {}, msg) });
  try {
    const accounts = createAccountService({
      store: store.accounts,
      hasher: createPasswordHasher(),
      passwordMinLength: config.passwords.minLength,
      now,
    });
    await ensureSigningKeys(store.keys, config.keys.algorithms as SigningAlgorithm[], now());
    const cookieKeys = await resolveCookieKeys(config, store.settings);
    return { config, log, store, accounts, cookieKeys, now, close: () => store.close() };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
