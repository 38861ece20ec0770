import type { AdminServices } from '../admin/admin-services.ts';
import type { UserLifecycleAdmin } from '../admin/user-lifecycle-admin.ts';
import type { Services } from '../open-services.ts';
import { defineCommand, type CommandSpec } from './command-spec.ts';
import type { CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { openUserLifecycle } from './open-user-lifecycle.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { writeJson, writeLines, writeTable } from './write-output.ts';

/** Runs `use` with the lifecycle admin and the user `login` names; waits for queued emails. */
function withUser<T>(
  io: CliIo,
  verbose: boolean | undefined,
  login: string,
  use: (admin: UserLifecycleAdmin, user: { id: string; username: string }) => Promise<T>,
): Promise<T> {
  return withServices(io, verbose, async (services: Services) => {
    const users: AdminServices = await openAdminServices(services);
    const user = await users.users.findByLogin(login);
    const lifecycle = await openUserLifecycle(services);
    try {
      return await use(lifecycle.admin, user);
    } finally {
      await lifecycle.finish();
    }
  });
}

const userSessions = defineCommand({
  name: 'user sessions',
  summary: "list a user's sessions: device, address, sign-in and last use, apps",
  description: [
    'Lists the sessions of a user, as GET /admin/v1/users/{id}/sessions does and the account page shows them.',
  ],
  positionals: ['<username|email>'],
  json: 'print {"items": [...]} as JSON',
  run: async ({ values, positionals: [login = ''] }, io) =>
    withUser(io, values.verbose, login, async (admin, user) => {
      const sessions = await admin.sessions(user.id);
      if (values.json) writeJson(io, sessions);
      else
        writeTable(
          io,
          ['SESSION', 'SIGNED IN', 'LAST USED', 'ADDRESS', 'APPS', 'USER AGENT'],
          sessions.items.map((s) => [
            s.id,
            s.signedInAt ?? '-',
            s.lastUsedAt ?? '-',
            s.ip ?? '-',
            s.clientIds.join(',') || '-',
            s.userAgent ?? '-',
          ]),
        );
      return EXIT.ok;
    }),
});

const userSignout = defineCommand({
  name: 'user signout',
  summary: 'sign a user out everywhere; their apps get back-channel logout',
  description: [
    'Ends every session of the user (DELETE /admin/v1/users/{id}/sessions). Apps that registered a back-channel logout URI get a logout token; grants kept for offline access stay (revoke them with "user revoke-grant").',
  ],
  positionals: ['<username|email>'],
  json: 'print {"ended": N} as JSON',
  run: async ({ values, positionals: [login = ''] }, io) =>
    withUser(io, values.verbose, login, async (admin, user) => {
      const result = await admin.endSessions(user.id, cliActor());
      if (values.json) writeJson(io, result);
      else writeLines(io, `signed ${user.username} out of ${result.ended} session(s)`);
      return EXIT.ok;
    }),
});

const userGrants = defineCommand({
  name: 'user grants',
  summary: 'list the apps a user granted access to',
  description: [
    'Lists the grants of a user with their scopes and date (GET /admin/v1/users/{id}/grants).',
  ],
  positionals: ['<username|email>'],
  json: 'print {"items": [...]} as JSON',
  run: async ({ values, positionals: [login = ''] }, io) =>
    withUser(io, values.verbose, login, async (admin, user) => {
      const grants = await admin.grants(user.id);
      if (values.json) writeJson(io, grants);
      else
        writeTable(
          io,
          ['GRANT', 'CLIENT', 'GRANTED', 'SCOPES'],
          grants.items.map((g) => [g.id, g.clientId, g.grantedAt ?? '-', g.scopes.join(' ')]),
        );
      return EXIT.ok;
    }),
});

const userRevokeGrant = defineCommand({
  name: 'user revoke-grant',
  summary: "revoke one of a user's grants and every token issued under it",
  description: [
    'Revokes a grant listed by "user grants"; its refresh and access tokens stop working.',
  ],
  positionals: ['<username|email>', '<grant>'],
  json: 'print {"revoked": true} as JSON',
  run: async ({ values, positionals: [login = '', grant = ''] }, io) =>
    withUser(io, values.verbose, login, async (admin, user) => {
      await admin.revokeGrant(user.id, { grant_id: grant }, cliActor());
      if (values.json) writeJson(io, { revoked: true });
      else writeLines(io, `revoked grant ${grant} of ${user.username}`);
      return EXIT.ok;
    }),
});

const userDelete = defineCommand({
  name: 'user delete',
  summary: 'delete a user and everything of their sign-ins (GDPR Art. 17)',
  description: [
    'Deletes a user: sessions end (apps get back-channel logout), grants, tokens and links are removed, security events about them are pseudonymised, and they are told by email. Needs --yes: it cannot be undone.',
  ],
  positionals: ['<username|email>'],
  options: { yes: { type: 'boolean', description: 'confirm the deletion' } },
  json: 'print {"deleted": true} as JSON',
  run: async ({ values, positionals: [login = ''], usage }, io) => {
    if (!values.yes)
      throw new UsageError('user delete cannot be undone: add --yes to confirm', usage);
    return withUser(io, values.verbose, login, async (admin, user) => {
      await admin.deleteUser(user.id, cliActor());
      if (values.json) writeJson(io, { deleted: true });
      else writeLines(io, `deleted user ${user.username}`);
      return EXIT.ok;
    });
  },
});

function sendLink(
  name: 'user send-verification' | 'user send-reset-link' | 'user invite',
): CommandSpec {
  const what = {
    'user send-verification': 'a link to confirm their email address',
    'user send-reset-link': 'a password-reset link (you never see it)',
    'user invite': 'an invitation link to choose their own password',
  }[name];
  return defineCommand({
    name,
    summary: `email the user ${what}`,
    description: [`Emails the user ${what}, in English or, with --lang de, in German.`],
    positionals: ['<username|email>'],
    options: { lang: { type: 'string', value: '<en|de>', description: 'language of the message' } },
    json: 'print {"sent": true} as JSON',
    run: async ({ values, positionals: [login = ''] }, io) =>
      withUser(io, values.verbose, login, async (admin, user) => {
        const body = values.lang === undefined ? {} : { lang: values.lang };
        if (name === 'user send-verification')
          await admin.sendVerification(user.id, body, cliActor());
        else if (name === 'user send-reset-link')
          await admin.sendResetLink(user.id, body, cliActor());
        else await admin.sendInvitation(user.id, body, cliActor());
        if (values.json) writeJson(io, { sent: true });
        else writeLines(io, `sent ${user.username} ${what}`);
        return EXIT.ok;
      }),
  }) as CommandSpec;
}

/** The account lifecycle's commands (issue 15 item 6), listed in USER_COMMANDS. */
export const USER_LIFECYCLE_COMMANDS = [
  userSessions,
  userSignout,
  userGrants,
  userRevokeGrant,
  userDelete,
  sendLink('user send-verification'),
  sendLink('user send-reset-link'),
  sendLink('user invite'),
];
