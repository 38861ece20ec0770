import type { Context } from 'koa';
import { profileClaimsSchema } from '../../accounts/account-service.ts';
import { attributeText } from '../../rbac/attribute-text-value.ts';
import { CONSOLE_PATH } from '../console-auth.ts';
import { cell, enc, when, type ConsoleKit, type RecordPage } from '../console-kit.ts';
import type { ConsolePage, ConsoleSection } from '../console-view-model.ts';
import { roleAssignmentForms } from '../role-assignment.ts';

/** The OIDC Core §5.1 claims a user's profile keeps (what `user update --claim` may set). */
export const PROFILE_CLAIMS = Object.keys(profileClaimsSchema.shape);

/** Where a user's page is. */
export const userPath = (id: string) => `${CONSOLE_PATH}/users/${enc(id)}`;

/**
 * A user's page, shared by the sections that change a user (./users.ts, ./user-access.ts), and
 * where their changes come back to (`kit.change`): the
 * facts and state, the profile (`user update`), the password, email links, roles and attributes
 * (`user roles|attributes`), grants, sessions, second factors and deletion. `values` keeps what
 * the admin typed when a change was refused.
 */
export function createUserPage(kit: ConsoleKit) {
  const { services } = kit.deps;
  const { state, post } = kit;

  async function lifecycleSections(ctx: Context, id: string, base: string) {
    const { t } = state(ctx);
    const sections: ConsoleSection[] = [];
    const lifecycle = services.userLifecycle;
    if (lifecycle) {
      const [sessions, grants] = await Promise.all([lifecycle.sessions(id), lifecycle.grants(id)]);
      sections.push(
        {
          heading: t.sessions,
          table: {
            caption: t.sessions,
            headers: [t.signedIn, t.lastUsed, t.clients],
            rows: sessions.items.map((x) => [
              cell(when(x.signedInAt)),
              cell(when(x.lastUsedAt)),
              cell(x.clientIds.join(' ') || '–'),
            ]),
            empty: t.noSessions,
          },
          forms:
            sessions.items.length > 0
              ? [
                  post(ctx, `${base}/sessions/end`, t.endSessions, {
                    danger: true,
                    hint: t.endSessionsHint,
                    label: t.endSessions,
                  }),
                ]
              : [],
        },
        {
          heading: t.grants,
          table: {
            caption: t.grants,
            headers: [t.client, t.scopes, t.grantedAt],
            rows: grants.items.map((g) => [
              cell(g.clientName ?? g.clientId),
              cell(g.scopes.join(' ') || '–'),
              cell(when(g.grantedAt)),
            ]),
            empty: t.noGrants,
          },
          forms: grants.items.map((g) =>
            post(ctx, `${base}/grants/revoke`, `${t.revokeGrant}: ${g.clientName ?? g.clientId}`, {
              danger: true,
              label: `${t.revokeGrant}: ${g.clientName ?? g.clientId}`,
              fields: [{ name: 'grant_id', label: t.id, type: 'hidden', value: g.id }],
            }),
          ),
        },
        {
          heading: t.emailLinks,
          text: [t.emailLinksHint],
          forms: (
            [
              ['send-verification', t.sendVerification],
              ['send-reset-link', t.sendResetLink],
              ['invite', t.sendInvitation],
            ] as const
          ).map(([path, label]) =>
            post(ctx, `${base}/${path}`, label, {
              label,
              fields: [
                {
                  name: 'lang',
                  label: t.language,
                  type: 'select',
                  value: state(ctx).lang,
                  options: [
                    { value: 'en', label: 'English' },
                    { value: 'de', label: 'Deutsch' },
                  ],
                },
              ],
            }),
          ),
        },
      );
    }
    // `user mfa list`: what the user holds, never a secret, code or key.
    const factors = await services.userFactors.list(id);
    sections.push({
      heading: t.factors,
      facts: [
        { term: 'TOTP', value: t[`totp_${factors.totp}`] },
        { term: t.recoveryCodesLeft, value: String(factors.recoveryCodesLeft) },
      ],
      table: {
        caption: t.passkeys,
        headers: [t.name, t.kind, t.created, t.lastUsed],
        rows: factors.passkeys.map((p) => [
          cell(p.name),
          cell(p.deviceType === 'multiDevice' ? t.passkeySynced : t.passkeyDevice),
          cell(when(p.createdAt)),
          cell(when(p.lastUsedAt)),
        ]),
        empty: t.noPasskeys,
      },
      links: [
        { href: `${base}/factors/reset`, label: t.resetFactors },
        ...(lifecycle ? [{ href: `${base}/delete`, label: t.deleteUser }] : []),
      ],
    });
    return sections;
  }

  async function accessSections(
    ctx: Context,
    id: string,
    base: string,
    values: Record<string, string>,
  ) {
    const { t } = state(ctx);
    const [access, roles, definitions] = await Promise.all([
      services.access.users.get(id),
      services.access.roles.list({ limit: 100 }),
      services.access.attributes.list(),
    ]);
    return [
      {
        heading: t.roles,
        facts: [
          { term: t.roles, value: access.roles.join(' ') || '–' },
          { term: t.groups, value: access.groups.join(' ') || '–' },
          { term: t.effectiveRoles, value: access.effective_roles.join(' ') || '–' },
        ],
        forms: roleAssignmentForms(kit, ctx, base, {
          all: roles.items.map((r) => r.name),
          held: access.roles,
        }),
      },
      {
        heading: t.attributes,
        text: definitions.length === 0 ? [t.noAttributesDefined] : [],
        forms:
          definitions.length === 0
            ? []
            : [
                post(ctx, `${base}/attributes`, t.save, {
                  label: t.attributes,
                  hint: t.attributeValuesHint,
                  fields: definitions.map((d) => {
                    const current = access.attributes[d.name];
                    return {
                      name: `attr_${d.name}`,
                      label: `${d.name} (${d.type})`,
                      type: 'text' as const,
                      value:
                        values[`attr_${d.name}`] ??
                        (current === undefined ? '' : attributeText(current)),
                    };
                  }),
                }),
              ],
      },
    ] satisfies ConsoleSection[];
  }

  async function showUser(
    ctx: Context,
    id: string,
    notice?: ConsolePage['notice'],
    values: Record<string, string> = {},
  ): Promise<void> {
    const { t } = state(ctx);
    const user = await services.users.get(id);
    const base = userPath(user.id);
    const claims = (user.claims ?? {}) as Record<string, unknown>;
    await kit.view(ctx, {
      heading: user.username,
      current: 'users',
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        {
          heading: user.username,
          facts: [
            { term: t.id, value: user.id },
            { term: t.email, value: user.email ?? '–' },
            { term: t.emailVerified, value: user.emailVerified ? t.yes : t.no },
            { term: t.state, value: user.disabled ? t.disabled : t.enabled },
          ],
          forms: [
            user.disabled
              ? post(ctx, `${base}/enable`, t.enable, { label: t.enable })
              : post(ctx, `${base}/disable`, t.disable, {
                  danger: true,
                  hint: t.userDisabledHint,
                  label: t.disable,
                }),
          ],
        },
        {
          heading: t.profile,
          forms: [
            post(ctx, `${base}/profile`, t.save, {
              label: t.profile,
              fields: [
                {
                  name: 'email',
                  label: t.email,
                  type: 'email',
                  value: values.email ?? user.email ?? '',
                  autocomplete: 'off',
                  hint: t.emailChangeHint,
                },
                {
                  name: 'email_verified',
                  label: t.emailVerified,
                  type: 'checkbox',
                  value: 'yes',
                  checked: user.emailVerified === true,
                },
                ...PROFILE_CLAIMS.map((claim) => ({
                  name: `claim_${claim}`,
                  label: claim,
                  type: 'text' as const,
                  value:
                    values[`claim_${claim}`] ??
                    (typeof claims[claim] === 'string' ? (claims[claim] as string) : ''),
                  autocomplete: 'off',
                })),
              ],
            }),
          ],
        },
        {
          heading: t.resetPassword,
          forms: [
            post(ctx, `${base}/password`, t.resetPassword, {
              danger: true,
              label: t.resetPassword,
              hint: t.userDisabledHint,
              fields: [
                {
                  name: 'password',
                  label: t.newPassword,
                  type: 'password',
                  value: '',
                  required: true,
                  autocomplete: 'new-password',
                },
              ],
            }),
          ],
        },
        ...(await accessSections(ctx, user.id, base, values)),
        ...(await lifecycleSections(ctx, user.id, base)),
        {
          heading: t.events,
          links: [{ href: `${CONSOLE_PATH}/events?subject=${enc(user.id)}`, label: t.events }],
        },
      ],
    });
  }

  return { param: 'id', path: userPath, show: showUser } satisfies RecordPage;
}
