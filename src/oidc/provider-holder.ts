import type { JWKS, Provider } from 'oidc-provider';
import type { Logger } from '../logging/logger.ts';
import type { KeyStore } from '../storage/ports.ts';
import { keySetVersion, toProviderJwks, toPublicJwks, type PublicJwks } from './signing-keys.ts';

export interface ProviderHolder {
  /** The provider to answer the current request with. */
  readonly current: Provider;
}

export interface ReloadingProviderHolder extends ProviderHolder {
  /**
   * The public keys of the current provider's JWKS (every published key, signing or not): what
   * tokens it or an instance before it signed verify against (JWT access-token introspection).
   */
  readonly verificationKeys: PublicJwks;
  /** Re-reads the key set; rebuilds the provider when which keys publish or sign has changed. */
  refresh(): Promise<boolean>;
  /** Refreshes every `intervalMs` until `stop()`. */
  start(intervalMs: number): void;
  stop(): void;
}

/**
 * oidc-provider takes its keys once, at construction. To rotate without a restart, each process
 * re-reads the key set from the store and, when the set or a key's role changed (a rotation was
 * started, a pending key's `activatesAt` passed, a retired key expired), builds a new provider
 * and answers new requests with it. All provider state lives in the store, so nothing is lost
 * in the swap; requests already running finish on the instance they started with.
 */
export async function createProviderHolder(options: {
  build: (jwks: JWKS) => Provider;
  keyStore: KeyStore;
  now: () => number;
  log: Logger;
}): Promise<ReloadingProviderHolder> {
  let provider: Provider | undefined;
  let verificationKeys: PublicJwks = { keys: [] };
  let version = '';
  let timer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<boolean> {
    const keys = await options.keyStore.list();
    const at = options.now();
    const next = keySetVersion(keys, at);
    if (next === version && provider) return false;
    const jwks = toProviderJwks(keys, at);
    if (jwks.keys.length === 0) throw new Error('no signing keys in the store');
    provider = options.build(jwks as unknown as JWKS);
    verificationKeys = toPublicJwks(jwks);
    if (version !== '')
      options.log.info(
        { event: 'keys.reloaded', keys: next },
        'signing keys changed; provider rebuilt',
      );
    version = next;
    return true;
  }

  await refresh();

  return {
    get current() {
      if (!provider) throw new Error('provider not built');
      return provider;
    },
    get verificationKeys() {
      return verificationKeys;
    },
    refresh,
    start(intervalMs) {
      timer ??= setInterval(() => {
        refresh().catch((err: unknown) =>
          options.log.warn({ err }, 'could not re-read signing keys; keeping the current ones'),
        );
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
