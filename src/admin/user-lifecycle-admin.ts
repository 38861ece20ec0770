import { z } from 'zod';
import type { AccountLifecycle } from '../account-centre/account-lifecycle.ts';
import type { AccountSelfService } from '../account-centre/account-self-service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Actor, createAuditLog } from './audit-log.ts';

/** What the account lifecycle gives the admin surfaces (src/account-centre). */
export interface AccountLifecycleServices {
  lifecycle: AccountLifecycle;
  selfService: AccountSelfService;
}

export const grantRevokeSchema = z
  .object({
    grant_id: z.string().min(1).max(256).describe('The grant, as `listUserGrants` names it.'),
  })
  .strict();

const langSchema = z
  .object({
    lang: z.enum(['en', 'de']).optional().describe('Language of the message; `en` by default.'),
  })
  .strict();
export const linkRequestSchema = langSchema;

function checkId(id: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new AppError('not_found', { user: 'no such user' });
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success)
    throw new AppError(
      'invalid_input',
      Object.fromEntries(result.error.issues.map((i) => [i.path.join('.') || 'body', i.message])),
    );
  return result.data;
}

/**
 * Admin parity for the account lifecycle (issue 15 item 6): a user's sessions and grants, ending
 * them, deleting the user with the same cascade as self-deletion, and sending verification,
 * reset and invitation links (the admin never sees a link). Every change is audited
 * (`admin.user.*`). Used by the admin API and the CLI alike.
 */
export function createUserLifecycleAdmin(deps: {
  services: AccountLifecycleServices;
  audit: ReturnType<typeof createAuditLog>;
  exists(id: string): Promise<boolean>;
}) {
  const { lifecycle, selfService } = deps.services;
  async function load(id: string): Promise<void> {
    checkId(id);
    if (!(await deps.exists(id))) throw new AppError('not_found', { user: 'no such user' });
  }
  const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

  return {
    async sessions(id: string) {
      await load(id);
      const sessions = await selfService.listSessions(id, undefined);
      return {
        items: sessions.map((s) => ({
          id: s.uid,
          signedInAt: iso(s.signedInAt),
          lastUsedAt: iso(s.lastUsedAt),
          userAgent: s.userAgent,
          ip: s.ip,
          clientIds: s.clientIds,
        })),
      };
    },

    /** Signs the user out everywhere; their apps get back-channel logout. */
    async endSessions(id: string, who: Actor): Promise<{ ended: number }> {
      await load(id);
      const ended = await selfService.endOtherSessions(id, '');
      await deps.audit.record(who, {
        type: 'admin.user.signed_out',
        subject: id,
        details: { sessions: ended },
      });
      return { ended };
    },

    async grants(id: string) {
      await load(id);
      const grants = await selfService.listGrants(id);
      return {
        items: grants.map((g) => ({
          id: g.grantId,
          clientId: g.clientId,
          clientName: g.clientName,
          scopes: g.scopes,
          resources: g.resources,
          grantedAt: iso(g.grantedAt),
        })),
      };
    },

    async revokeGrant(id: string, body: unknown, who: Actor): Promise<void> {
      const { grant_id: grantId } = parse(grantRevokeSchema, body);
      await load(id);
      const revoked = await selfService.revokeGrant(id, grantId);
      if (!revoked) throw new AppError('not_found', { grant: 'no such grant of this user' });
      await deps.audit.record(who, {
        type: 'admin.user.grant_revoked',
        subject: id,
        clientId: revoked.clientId,
      });
    },

    /** The same cascade as a user deleting themselves (GDPR Art. 17). */
    async deleteUser(id: string, who: Actor): Promise<void> {
      await load(id);
      await lifecycle.deleteAccount(id, 'en', who.actor);
      await deps.audit.record(who, {
        type: 'admin.user.deleted',
        subject: lifecycle.pseudonymOf(id),
      });
    },

    async sendVerification(id: string, body: unknown, who: Actor): Promise<void> {
      const { lang } = parse(langSchema, body);
      await load(id);
      await lifecycle.sendVerification(id, lang ?? 'en');
      await deps.audit.record(who, { type: 'admin.user.verification_sent', subject: id });
    },

    async sendResetLink(id: string, body: unknown, who: Actor): Promise<void> {
      const { lang } = parse(langSchema, body);
      await load(id);
      await lifecycle.sendResetLink(id, lang ?? 'en');
      await deps.audit.record(who, { type: 'admin.user.reset_link_sent', subject: id });
    },

    async sendInvitation(id: string, body: unknown, who: Actor): Promise<void> {
      const { lang } = parse(langSchema, body);
      await load(id);
      await lifecycle.sendInvitation(id, lang ?? 'en');
      await deps.audit.record(who, { type: 'admin.user.invitation_sent', subject: id });
    },
  };
}

export type UserLifecycleAdmin = ReturnType<typeof createUserLifecycleAdmin>;
