import { userInfo } from 'node:os';
import { createAdminServices, type AdminServices } from '../admin/admin-services.ts';
import type { Actor } from '../admin/audit-log.ts';
import type { Services } from '../open-services.ts';
import { buildCliProvider } from './open-client-service.ts';

/**
 * The admin operations the admin API runs, over the CLI's store: same validation, same
 * messages, same audit log (CLI parity). The provider is built once per command.
 */
export async function openAdminServices(services: Services): Promise<AdminServices> {
  const provider = await buildCliProvider(services);
  return createAdminServices({
    config: services.config,
    store: services.store,
    accounts: services.accounts,
    provider: () => provider,
    now: services.now,
    reencryptClientSecrets: services.reencryptClientSecrets,
  });
}

/** Who runs the CLI, for the audit log: `cli:<OS user>` (or `cli` where there is none). */
export function cliActor(): Actor {
  try {
    const { username } = userInfo();
    return { actor: username ? `cli:${username}` : 'cli' };
  } catch {
    return { actor: 'cli' };
  }
}
