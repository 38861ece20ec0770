import type { z } from 'zod';
import { emailSchema, usernameSchema, type AccountView } from '../accounts/account-service.ts';
import { AppError } from '../errors/app-error.ts';
import type { AdminServices } from '../admin/admin-services.ts';
import { defineCommand, pageOptions, PAGE_JSON, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { readNewPassword } from './read-password.ts';
import { UsageError } from './usage-error.ts';
import { userAttributes, userRoles } from './user-access-commands.ts';
import { USER_LIFECYCLE_COMMANDS } from './user-lifecycle-commands.ts';
import { openUserLifecycle } from './open-user-lifecycle.ts';
import { withServices } from './with-services.ts';
import { formatTime, writeJson, writeLines } from './write-output.ts';
import { userMfa } from './user-mfa-command.ts';
import { userImport } from './user-import-command.ts';

function check<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new AppError('invalid_input', {
      [field]: result.error.issues[0]?.message ?? 'is not valid',
    });
  return result.data;
}

function findUser(admin: AdminServices, login: string): Promise<AccountView> {
  return admin.users.findByLogin(login);
}

function describeUser(account: AccountView): string {
  const email = account.email === undefined ? '' : ` <${account.email}>`;
  return `${account.username}${email}`;
}

const userAdd = defineCommand({
  name: 'user add',
  summary: 'create a user',
  description: [
    'Creates a user. The password is read from the first line of standard input, or prompted for twice (not echoed) when standard input is a terminal. It is never taken from the command line, where other users could read it in the process list and it would stay in shell history.',
  ],
  positionals: ['<username>'],
  options: {
    email: {
      type: 'string',
      value: '<address>',
      description: 'email address (users may also sign in with it)',
    },
    'email-verified': { type: 'boolean', description: 'mark the email address as verified' },
    name: { type: 'string', value: '<name>', description: 'full name (the "name" claim)' },
    invite: {
      type: 'boolean',
      description:
        'email the user an invitation link to choose their own password (needs --email; no password is read)',
    },
  },
  json: 'print the new user as JSON',
  refusesPassword: true,
  run: async ({ values, positionals: [rawUsername = ''] }, io) => {
    // Checked before the password is asked for, so nobody types one for a name that cannot be.
    const username = check(usernameSchema, rawUsername, 'username');
    const email =
      values.email === undefined ? undefined : check(emailSchema, values.email, 'email');
    if (values['email-verified'] && email === undefined) {
      throw new AppError('invalid_input', { email: 'is required with --email-verified' });
    }

    return withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const invite = values.invite === true;
      if (invite && email === undefined)
        throw new AppError('invalid_input', { email: 'is required with --invite' });
      const password = invite ? undefined : await readNewPassword(io);
      const account = await admin.users.create(
        {
          username,
          ...(password === undefined ? { invite: true } : { password }),
          ...(email === undefined ? {} : { email }),
          email_verified: values['email-verified'] ?? false,
          ...(values.name === undefined ? {} : { claims: { name: values.name } }),
        },
        cliActor(),
      );
      // Issue 15: the invitation, or a link to confirm an unverified address, as the admin API does.
      if (email !== undefined && (invite || !account.emailVerified)) {
        const lifecycle = await openUserLifecycle(services);
        try {
          if (invite) await lifecycle.admin.sendInvitation(account.id, {}, cliActor());
          else await lifecycle.admin.sendVerification(account.id, {}, cliActor());
        } finally {
          await lifecycle.finish();
        }
      }
      if (values.json) writeJson(io, account);
      else writeLines(io, `created user ${describeUser(account)} (sub ${account.id})`);
      return EXIT.ok;
    });
  },
});

const userList = defineCommand({
  name: 'user list',
  summary: 'list users',
  description: ['Lists users, ordered by username, one page at a time.'],
  options: pageOptions('users'),
  json: PAGE_JSON,
  run: async ({ values, usage }, io) => {
    const limit = parseLimit(values.limit, usage);

    return withServices(io, values.verbose, async (services) => {
      const page = await services.accounts.list({ cursor: values.cursor, limit });
      return printPage(io, page, values.json, {
        empty: 'no users',
        headers: ['USERNAME', 'EMAIL', 'VERIFIED', 'STATUS', 'CREATED', 'SUB'],
        row: (a) => [
          a.username,
          a.email ?? '-',
          a.email === undefined ? '-' : a.emailVerified ? 'yes' : 'no',
          a.disabled ? 'disabled' : 'enabled',
          formatTime(a.createdAt),
          a.id,
        ],
        command: 'portcullis user list',
      });
    });
  },
});

function setDisabled(disabled: boolean) {
  return defineCommand({
    name: disabled ? 'user disable' : 'user enable',
    summary: disabled
      ? 'stop a user from signing in; end their sessions and tokens'
      : 'let a disabled user sign in again',
    description: [
      disabled
        ? 'Disables a user: they cannot sign in, and their sessions, grants and tokens end at once.'
        : 'Enables a disabled user again.',
    ],
    positionals: ['<username|email>'],
    json: 'print the user as JSON',
    run: async ({ values, positionals: [login = ''] }, io) => {
      return withServices(io, values.verbose, async (services) => {
        const admin = await openAdminServices(services);
        const account = await admin.users.setDisabled(
          (await findUser(admin, login)).id,
          disabled,
          cliActor(),
        );
        if (values.json) writeJson(io, account);
        else writeLines(io, `${disabled ? 'disabled' : 'enabled'} user ${describeUser(account)}`);
        return EXIT.ok;
      });
    },
  });
}

function setPassword(name: 'user set-password' | 'user reset-password') {
  return defineCommand({
    name,
    summary:
      name === 'user set-password'
        ? "set a new password; ends the user's sessions and tokens"
        : "the same as set-password (the admin API's name for it)",
    description: [
      name === 'user set-password'
        ? "Sets a user's password, read from the first line of standard input, or prompted for twice (not echoed) when standard input is a terminal. Whoever is signed in as the user is signed out: their sessions, grants and tokens end."
        : 'The same as "portcullis user set-password" (POST /admin/v1/users/{id}/password in the admin API).',
    ],
    positionals: ['<username|email>'],
    json: 'print the user as JSON',
    refusesPassword: true,
    run: async ({ values, positionals: [login = ''] }, io) => {
      return withServices(io, values.verbose, async (services) => {
        const admin = await openAdminServices(services);
        // Found first, so an unknown user is reported before anyone types a password.
        const user = await findUser(admin, login);
        const password = await readNewPassword(io);
        const account = await admin.users.resetPassword(user.id, { password }, cliActor());
        if (values.json) writeJson(io, account);
        else writeLines(io, `password changed for user ${describeUser(account)}`);
        return EXIT.ok;
      });
    },
  });
}

/** `key: value` lines of a user, claims last. */
function userLines(account: AccountView): string[] {
  const lines: [string, string][] = [
    ['sub', account.id],
    ['username', account.username],
    ['email', account.email ?? '-'],
    ['email_verified', account.email === undefined ? '-' : account.emailVerified ? 'yes' : 'no'],
    ['status', account.disabled ? 'disabled' : 'enabled'],
    ['created', formatTime(account.createdAt)],
    ['updated', formatTime(account.updatedAt)],
    ...Object.entries(account.claims).map(([claim, value]): [string, string] => [
      claim,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  ];
  const width = Math.max(...lines.map(([key]) => key.length)) + 1;
  return lines.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`);
}

const userShow = defineCommand({
  name: 'user show',
  summary: 'show a user (never a password hash)',
  description: [
    'Shows a user: id (the OIDC "sub"), username, email, status and profile claims. Never a password hash.',
  ],
  positionals: ['<username|email>'],
  json: 'print the user as JSON',
  run: async ({ values, positionals: [login = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const account = await findUser(await openAdminServices(services), login);
      if (values.json) writeJson(io, account);
      else writeLines(io, ...userLines(account));
      return EXIT.ok;
    });
  },
});

const userUpdate = defineCommand({
  name: 'user update',
  summary: "change a user's profile claims and email",
  description: [
    "Changes a user's profile claims (OIDC Core §5.1) and email. Only what is given changes.",
  ],
  positionals: ['<username|email>'],
  options: {
    name: { type: 'string', value: '<name>', description: 'the "name" claim' },
    claim: {
      type: 'string',
      multiple: true,
      value: '<claim>=<value>',
      description: 'set a profile claim, e.g. --claim given_name=Alice',
    },
    'unset-claim': {
      type: 'string',
      multiple: true,
      value: '<claim>',
      description: 'remove a profile claim',
    },
    email: {
      type: 'string',
      value: '<address>',
      description: 'a new email address (unverified unless --email-verified)',
    },
    'remove-email': { type: 'boolean', description: 'remove the email address' },
    'email-verified': { type: 'boolean', description: 'mark the email address as verified' },
    'email-unverified': { type: 'boolean', description: 'mark the email address as not verified' },
  },
  json: 'print the user as JSON',
  examples: [
    'portcullis user update alice --name "Alice Example" --claim locale=en-GB',
    'portcullis user update alice --email alice@new.example.com --email-verified',
  ],
  run: async ({ values, positionals: [login = ''], usage }, io) => {
    // The same shape as PATCH /admin/v1/users/{id}: claims (null removes), email, email_verified.
    const claims = new Map<string, string | null>();
    if (values.name !== undefined) claims.set('name', values.name);
    for (const pair of values.claim ?? []) {
      const at = pair.indexOf('=');
      if (at <= 0)
        throw new UsageError(`--claim needs <claim>=<value>, got ${JSON.stringify(pair)}`, usage);
      claims.set(pair.slice(0, at), pair.slice(at + 1));
    }
    for (const claim of values['unset-claim'] ?? []) {
      if (claims.has(claim))
        throw new UsageError(`--unset-claim ${claim} contradicts the option that sets it`, usage);
      claims.set(claim, null);
    }
    if (values.email !== undefined && values['remove-email'])
      throw new UsageError('give --email or --remove-email, not both', usage);
    if (values['email-verified'] && values['email-unverified'])
      throw new UsageError('give --email-verified or --email-unverified, not both', usage);
    const input: Record<string, unknown> = {};
    if (claims.size > 0) input.claims = Object.fromEntries(claims);
    if (values.email !== undefined) input.email = values.email;
    if (values['remove-email']) input.email = null;
    if (values['email-verified']) input.email_verified = true;
    if (values['email-unverified']) input.email_verified = false;
    if (Object.keys(input).length === 0)
      throw new UsageError('nothing to change: give --name, --claim, --email, ...', usage);

    return withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const account = await admin.users.update(
        (await findUser(admin, login)).id,
        input,
        cliActor(),
      );
      if (values.json) writeJson(io, account);
      else
        writeLines(
          io,
          `updated user ${describeUser(account)}`,
          ...userLines(account).map((l) => `  ${l}`),
        );
      return EXIT.ok;
    });
  },
});

export const USER_COMMANDS: CommandGroup = {
  name: 'user',
  summary: 'add, list, show, update, disable and enable users, set passwords',
  notes: [
    'Passwords are read from standard input (first line) or prompted for, never taken from the command line.',
  ],
  commands: [
    userAdd,
    userList,
    userShow,
    userUpdate,
    setDisabled(true),
    setDisabled(false),
    setPassword('user set-password'),
    setPassword('user reset-password'),
    // Issue 16: roles and custom attributes (src/cli/user-access-commands.ts).
    userRoles,
    userAttributes,
    userMfa,
    // Issue 15: sessions, grants, deletion, links by email (./user-lifecycle-commands.ts).
    ...USER_LIFECYCLE_COMMANDS,
    userImport,
  ],
};
