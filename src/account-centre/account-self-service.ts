import type { AccountService, AccountView } from '../accounts/account-service.ts';
import { summarizeFactors } from '../mfa/factor-summary.ts';
import { profileClaimsSchema } from '../accounts/account-service.ts';
import { AppError } from '../errors/app-error.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { OnSessionsEnding } from '../security/sessions-ending-hook.ts';
import type { SessionActivityRecord } from '../storage/account-lifecycle-ports.ts';
import {
  GRANTABLE_MODELS,
  type OidcPayload,
  type SecurityEvent,
  type Store,
} from '../storage/ports.ts';
import { ACCOUNT_CENTRE_CLIENT_ID } from '../oidc/account-centre-client.ts';

/** One of the user's sessions, as the sessions page shows it (never its cookie value or id). */
export interface UserSession {
  /** The engine's Session `uid`: what the page's forms name. */
  uid: string;
  current: boolean;
  signedInAt: number | undefined;
  lastUsedAt: number | undefined;
  userAgent: string | undefined;
  ip: string | undefined;
  /** Apps signed in through this session (client ids), the account centre left out. */
  clientIds: string[];
  /** Their registered names (the id when a client has none), in the same order. */
  clientNames: string[];
}

/** An app the user granted access to. */
export interface UserGrant {
  grantId: string;
  clientId: string;
  clientName: string;
  /** OpenID scopes granted. */
  scopes: string[];
  /** API (RFC 8707) → its scopes granted. */
  resources: Record<string, string[]>;
  grantedAt: number | undefined;
}

const SCAN_LIMIT = 1000;

interface Authorization {
  sid?: unknown;
  grantId?: unknown;
  persistsLogout?: unknown;
}

function authorizationsOf(payload: OidcPayload): [string, Authorization][] {
  const value = payload.authorizations;
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, Authorization>);
}

const seconds = (value: unknown) => (typeof value === 'number' ? value * 1000 : undefined);

/**
 * What a signed-in user does to their own account on the account pages (issue 15 item 4).
 * Every id a form names (a session's uid, a grant's id) is looked up among the user's own
 * entries first: another user's id is "not found" and changes nothing (ASVS 8.2.2).
 */
export function createAccountSelfService(deps: {
  store: Pick<Store, 'oidc' | 'accountDevices' | 'events' | 'accounts' | 'credentials'>;
  accounts: AccountService;
  events: SecurityEvents;
  onSessionsEnding?: OnSessionsEnding | undefined;
  now?: () => number;
}) {
  const { store } = deps;
  const now = deps.now ?? Date.now;

  async function sessionsOf(accountId: string) {
    return store.oidc.findByAccountId('Session', accountId, SCAN_LIMIT);
  }

  /** Ends sessions as a logout would: their session-bound grants go, their apps are told. */
  async function endSessions(accountId: string, sessions: { id: string; payload: OidcPayload }[]) {
    // OIDC Back-Channel Logout 1.0 §2.7: each app of each ended session gets a logout token,
    // made durable before the sessions end (a failure here ends nothing).
    const sendLogouts =
      sessions.length > 0 ? await deps.onSessionsEnding?.(accountId, sessions) : undefined;
    for (const session of sessions) {
      await store.oidc.destroy('Session', session.id);
      // oidc-provider's end_session revokes the grants bound to the session and keeps offline
      // ones (`persistsLogout`, OIDC Core §11); the same here.
      for (const [, authorization] of authorizationsOf(session.payload)) {
        if (typeof authorization.grantId !== 'string' || authorization.persistsLogout === true)
          continue;
        for (const model of GRANTABLE_MODELS)
          await store.oidc.revokeByGrantId(model, authorization.grantId);
        await store.oidc.destroy('Grant', authorization.grantId);
      }
      if (typeof session.payload.uid === 'string')
        await store.accountDevices.removeSession(session.payload.uid);
    }
    await sendLogouts?.();
  }

  return {
    async listSessions(accountId: string, currentUid: string | undefined): Promise<UserSession[]> {
      const [sessions, activity] = await Promise.all([
        sessionsOf(accountId),
        store.accountDevices.listSessions(accountId),
      ]);
      const byUid = new Map<string, SessionActivityRecord>(activity.map((a) => [a.sessionUid, a]));
      const listed = sessions
        .filter((s) => typeof s.payload.uid === 'string')
        .map((s): UserSession => {
          const uid = s.payload.uid as string;
          const seen = byUid.get(uid);
          return {
            uid,
            current: uid === currentUid,
            signedInAt: seen?.signedInAt ?? seconds(s.payload.loginTs),
            lastUsedAt: seen?.lastUsedAt ?? seconds(s.payload.iat),
            userAgent: seen?.userAgent,
            ip: seen?.ip,
            clientIds: authorizationsOf(s.payload)
              .map(([clientId]) => clientId)
              .filter((id) => id !== ACCOUNT_CENTRE_CLIENT_ID),
            clientNames: [],
          };
        });
      const names = new Map<string, string>();
      for (const id of new Set(listed.flatMap((s) => s.clientIds))) {
        const client = await store.oidc.find('Client', id);
        names.set(id, typeof client?.client_name === 'string' ? client.client_name : id);
      }
      for (const s of listed) s.clientNames = s.clientIds.map((id) => names.get(id) ?? id);
      // This device first, then the most recently used.
      return listed.sort(
        (a, b) =>
          Number(b.current) - Number(a.current) || (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0),
      );
    },

    /** Signs one of the user's sessions out; false (nothing changed) when it is not theirs. */
    async endSession(accountId: string, uid: string): Promise<boolean> {
      const session = (await sessionsOf(accountId)).find((s) => s.payload.uid === uid);
      if (!session) return false;
      await endSessions(accountId, [session]);
      await deps.events.record({ type: 'session.signed_out', subject: accountId });
      return true;
    },

    /** Signs every session but the current one out; answers how many. */
    async endOtherSessions(accountId: string, currentUid: string): Promise<number> {
      const others = (await sessionsOf(accountId)).filter((s) => s.payload.uid !== currentUid);
      await endSessions(accountId, others);
      await deps.events.record({
        type: 'session.signed_out',
        subject: accountId,
        details: { others: true, count: others.length },
      });
      return others.length;
    },

    async listGrants(accountId: string): Promise<UserGrant[]> {
      const grants = await store.oidc.findByAccountId('Grant', accountId, SCAN_LIMIT);
      const listed: UserGrant[] = [];
      for (const { id, payload } of grants) {
        const clientId = typeof payload.clientId === 'string' ? payload.clientId : undefined;
        if (clientId === undefined || clientId === ACCOUNT_CENTRE_CLIENT_ID) continue;
        const client = await store.oidc.find('Client', clientId);
        const openid = payload.openid as { scope?: unknown } | undefined;
        const resources: Record<string, string[]> = {};
        if (typeof payload.resources === 'object' && payload.resources !== null) {
          for (const [indicator, scope] of Object.entries(payload.resources)) {
            if (typeof scope === 'string') resources[indicator] = scope.split(' ').filter(Boolean);
          }
        }
        listed.push({
          grantId: id,
          clientId,
          clientName: typeof client?.client_name === 'string' ? client.client_name : clientId,
          scopes: typeof openid?.scope === 'string' ? openid.scope.split(' ').filter(Boolean) : [],
          resources,
          grantedAt: seconds(payload.iat),
        });
      }
      return listed.sort((a, b) => (b.grantedAt ?? 0) - (a.grantedAt ?? 0));
    },

    /**
     * Removes an app's access: the grant and every token issued under it (refresh tokens fail,
     * introspection answers inactive). False, nothing changed, when the grant is not theirs.
     */
    async revokeGrant(accountId: string, grantId: string): Promise<UserGrant | undefined> {
      const grant = (await this.listGrants(accountId)).find((g) => g.grantId === grantId);
      if (!grant) return undefined;
      for (const model of GRANTABLE_MODELS) await store.oidc.revokeByGrantId(model, grantId);
      await store.oidc.destroy('Grant', grantId);
      await deps.events.record({
        type: 'grant.revoked',
        subject: accountId,
        clientId: grant.clientId,
        details: { reason: 'user' },
      });
      return grant;
    },

    async activity(accountId: string, limit = 50): Promise<SecurityEvent[]> {
      return (await store.events.list({ subject: accountId }, { limit })).items;
    },

    async updateName(accountId: string, name: string): Promise<AccountView> {
      const record = await store.accounts.findById(accountId);
      if (!record) throw new AppError('not_found', { user: 'no such user' });
      const claims = { ...record.claims };
      if (name.trim() === '') delete claims.name;
      else claims.name = name.trim();
      const parsed = profileClaimsSchema.safeParse(claims);
      if (!parsed.success) throw new AppError('invalid_input', { name: 'invalid' });
      const updated = await store.accounts.update(accountId, { claims: parsed.data }, now());
      if (!updated) throw new AppError('not_found', { user: 'no such user' });
      await deps.events.record({ type: 'profile.updated', subject: accountId });
      return (await deps.accounts.findById(accountId)) as AccountView;
    },

    /** Checks the user's current password (recent authentication for sensitive actions). */
    async checkPassword(account: AccountView, password: string): Promise<boolean> {
      const result = await (await deps.accounts.prepareLogin(account.username)).check(password);
      return 'account' in result && result.account.id === account.id;
    },

    /**
     * Everything kept about the user (GDPR Art. 15 access, Art. 20 portability), as JSON: what
     * the pages show and more — never a password hash, token or session cookie value.
     */
    async exportData(account: AccountView, currentUid: string | undefined) {
      const [sessions, grants, events, factors] = await Promise.all([
        this.listSessions(account.id, currentUid),
        this.listGrants(account.id),
        store.events.list({ subject: account.id }, { limit: 1000 }),
        summarizeFactors(store.credentials, account.id),
      ]);
      const iso = (t: number | undefined) =>
        t === undefined ? undefined : new Date(t).toISOString();
      await deps.events.record({ type: 'account.exported', subject: account.id });
      return {
        exportedAt: new Date(now()).toISOString(),
        profile: {
          sub: account.id,
          username: account.username,
          email: account.email,
          email_verified: account.emailVerified,
          disabled: account.disabled,
          claims: account.claims,
          createdAt: iso(account.createdAt),
          updatedAt: iso(account.updatedAt),
        },
        sessions: sessions.map((s) => ({
          current: s.current,
          signedInAt: iso(s.signedInAt),
          lastUsedAt: iso(s.lastUsedAt),
          userAgent: s.userAgent,
          ip: s.ip,
          apps: s.clientIds.map((clientId, i) => ({ clientId, name: s.clientNames[i] })),
        })),
        connectedApps: grants.map((g) => ({
          clientId: g.clientId,
          name: g.clientName,
          scopes: g.scopes,
          resources: g.resources,
          grantedAt: iso(g.grantedAt),
        })),
        consents: events.items
          .filter((e) => e.type.startsWith('consent.'))
          .map((e) => ({
            time: new Date(e.time).toISOString(),
            type: e.type,
            clientId: e.clientId,
            details: e.details,
          })),
        // Second factors and passkeys (issue 14): what they are and when used, never a secret,
        // a recovery code's hash or a public key.
        factors: {
          totp: factors.totp,
          totpCreatedAt: iso(factors.totpCreatedAt),
          totpLastUsedAt: iso(factors.totpLastUsedAt),
          recoveryCodesLeft: factors.recoveryCodesLeft,
          passkeys: factors.passkeys.map((p) => ({
            name: p.name,
            createdAt: iso(p.createdAt),
            lastUsedAt: iso(p.lastUsedAt),
            attachment: p.attachment,
            backedUp: p.backedUp,
          })),
        },
        events: events.items.map((e) => ({
          time: new Date(e.time).toISOString(),
          type: e.type,
          clientId: e.clientId,
          ip: e.ip,
          userAgent: e.userAgent,
          details: e.details,
        })),
      };
    },
  };
}

export type AccountSelfService = ReturnType<typeof createAccountSelfService>;
