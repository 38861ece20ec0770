import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import type { SettingStore } from '../storage/ports.ts';

const SETTING = 'clientSecretKeys';

/**
 * The keys that encrypt client secrets at rest (`secrets.clientSecretKeys`). In production they
 * come from the environment (`CLIENT_SECRET_KEYS`) and the server refuses to start without them:
 * a key generated into the same database it protects would protect nothing. In development and
 * tests one key is generated once and kept in the store (as the cookie keys are), so the CLI and
 * the server, and every process on one store, read each other's secrets.
 */
export async function resolveClientSecretKeys(
  config: Pick<Config, 'env' | 'secrets'>,
  settings: SettingStore,
): Promise<string[]> {
  if (config.secrets.clientSecretKeys.length > 0) return [...config.secrets.clientSecretKeys];
  if (config.env === 'production') {
    throw new Error(
      'CLIENT_SECRET_KEYS is required in production (32 random bytes in base64, e.g. from `openssl rand -base64 32`)',
    );
  }
  const stored = await settings.setIfAbsent(SETTING, [randomBytes(32).toString('base64url')]);
  if (
    !Array.isArray(stored) ||
    stored.length === 0 ||
    !stored.every(
      (k): k is string => typeof k === 'string' && Buffer.from(k, 'base64').length === 32,
    )
  ) {
    throw new Error(
      `the stored setting "${SETTING}" is malformed; restore it (deleting it makes every stored client secret unreadable)`,
    );
  }
  return stored;
}
