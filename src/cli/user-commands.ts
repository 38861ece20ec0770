import type { z } from 'zod';
import { emailSchema, usernameSchema, type AccountView } from '../accounts/account-service.ts';
import { AppError } from '../errors/app-error.ts';
import type { AdminServices } from '../admin/admin-services.ts';
import { EXIT } from './exit-codes.ts';
import { HELP } from './help-texts.ts';
import { parseCommandArgs } from './parse-command-args.ts';
import { refusePasswordOption, wantsHelp } from './parse-command.ts';
import { parseListOptions } from './parse-list-options.ts';
import { printPage } from './print-page.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { readNewPassword } from './read-password.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime, printHelp, writeJson, writeLines } from './write-output.ts';
import type { Command } from './command.ts';

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

const userAdd: Command = async (args, io) => {
  const usage = HELP['user add'];
  refusePasswordOption(args, usage);
  if (wantsHelp(args)) return printHelp(io, usage);
  const {
    values,
    positionals: [rawUsername = ''],
  } = parseCommandArgs(args, usage, ['<username>'], {
    email: { type: 'string' },
    'email-verified': { type: 'boolean' },
    name: { type: 'string' },
  });
  // Checked before the password is asked for, so nobody types one for a name that cannot be.
  const username = check(usernameSchema, rawUsername, 'username');
  const email = values.email === undefined ? undefined : check(emailSchema, values.email, 'email');
  if (values['email-verified'] && email === undefined) {
    throw new AppError('invalid_input', { email: 'is required with --email-verified' });
  }

  return withServices(io, values.verbose, async (services) => {
    const admin = await openAdminServices(services);
    const password = await readNewPassword(io);
    const account = await admin.users.create(
      {
        username,
        password,
        ...(email === undefined ? {} : { email }),
        email_verified: values['email-verified'] ?? false,
        ...(values.name === undefined ? {} : { claims: { name: values.name } }),
      },
      cliActor(),
    );
    if (values.json) writeJson(io, account);
    else writeLines(io, `created user ${describeUser(account)} (sub ${account.id})`);
    return EXIT.ok;
  });
};

const userList: Command = async (args, io) => {
  const usage = HELP['user list'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, limit } = parseListOptions(args, usage);

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
};

function setDisabled(disabled: boolean): Command {
  return async (args, io) => {
    const usage = HELP[disabled ? 'user disable' : 'user enable'];
    if (wantsHelp(args)) return printHelp(io, usage);
    const {
      values,
      positionals: [login = ''],
    } = parseCommandArgs(args, usage, ['<username|email>']);

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
  };
}

function setPassword(topic: 'user set-password' | 'user reset-password'): Command {
  return async (args, io) => {
    const usage = HELP[topic];
    refusePasswordOption(args, usage);
    if (wantsHelp(args)) return printHelp(io, usage);
    const {
      values,
      positionals: [login = ''],
    } = parseCommandArgs(args, usage, ['<username|email>']);

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
  };
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

const userShow: Command = async (args, io) => {
  const usage = HELP['user show'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const {
    values,
    positionals: [login = ''],
  } = parseCommandArgs(args, usage, ['<username|email>']);

  return withServices(io, values.verbose, async (services) => {
    const account = await findUser(await openAdminServices(services), login);
    if (values.json) writeJson(io, account);
    else writeLines(io, ...userLines(account));
    return EXIT.ok;
  });
};

const userUpdate: Command = async (args, io) => {
  const usage = HELP['user update'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const {
    values,
    positionals: [login = ''],
  } = parseCommandArgs(args, usage, ['<username|email>'], {
    name: { type: 'string' },
    claim: { type: 'string', multiple: true },
    'unset-claim': { type: 'string', multiple: true },
    email: { type: 'string' },
    'remove-email': { type: 'boolean' },
    'email-verified': { type: 'boolean' },
    'email-unverified': { type: 'boolean' },
  });

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
    const account = await admin.users.update((await findUser(admin, login)).id, input, cliActor());
    if (values.json) writeJson(io, account);
    else
      writeLines(
        io,
        `updated user ${describeUser(account)}`,
        ...userLines(account).map((l) => `  ${l}`),
      );
    return EXIT.ok;
  });
};

export const USER_COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['add', userAdd],
  ['list', userList],
  ['disable', setDisabled(true)],
  ['enable', setDisabled(false)],
  ['show', userShow],
  ['update', userUpdate],
  ['set-password', setPassword('user set-password')],
  ['reset-password', setPassword('user reset-password')],
]);
