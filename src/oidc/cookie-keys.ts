import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import type { SettingStore } from '../storage/ports.ts';

const SETTING = 'cookieKeys';

/**
 * The keys that sign session and interaction cookies. In production they come from the
 * environment (the schema refuses to start without them). In development and tests they are
 * generated once and kept in the store, so a restart keeps everyone signed in and every process
 * sharing the store signs alike; `setIfAbsent` makes concurrent first starts agree.
 */
export async function resolveCookieKeys(
  config: Pick<Config, 'env' | 'secrets'>,
  settings: SettingStore,
): Promise<string[]> {
  if (config.secrets.cookieKeys.length > 0) return [...config.secrets.cookieKeys];
  if (config.env === 'production') throw new Error('COOKIE_KEYS is required in production');
  const stored = await settings.setIfAbsent(SETTING, [randomBytes(32).toString('base64url')]);
  if (
    !Array.isArray(stored) ||
    !stored.every((k): k is string => typeof k === 'string' && k.length >= 32)
  ) {
    throw new Error(
      `the stored setting "${SETTING}" is malformed; delete it to have new keys generated`,
    );
  }
  return stored;
}
