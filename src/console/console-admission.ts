import { normalizeLogin } from '../accounts/normalize-login.ts';
import type { ConsoleDeps } from './console-kit.ts';

/** What admission looks at of an account. */
export interface AdmissionCandidate {
  id: string;
  username: string;
  disabled: boolean;
}

/**
 * Who may use the console (issue 17: "accounts with an admin role, or, until roles exist, a
 * config list of usernames"): an enabled account that holds one of `console.adminRoles` —
 * directly or through a group, as RBAC resolves it (src/rbac/access-control-service.ts) — or is
 * named in `console.admins` (the bootstrap: the first admin, before any role is given). Asked at
 * sign-in and on every console request, so a role taken away, or an account disabled, shuts the
 * console on the admin's next click.
 */
export function consoleAdmission(
  deps: Pick<ConsoleDeps, 'config' | 'services'>,
): (account: AdmissionCandidate | undefined) => Promise<boolean> {
  const admins = new Set(deps.config.console.admins.map((u) => normalizeLogin(u)));
  const roles = new Set(deps.config.console.adminRoles);
  return async (account) => {
    if (!account || account.disabled) return false;
    if (admins.has(normalizeLogin(account.username))) return true;
    if (roles.size === 0) return false;
    const access = await deps.services.access.users.get(account.id);
    return access.effective_roles.some((role) => roles.has(role));
  };
}
