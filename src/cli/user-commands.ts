import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { emailSchema, usernameSchema, type AccountView } from '../accounts/account-service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Services } from '../open-services.ts';
import { EXIT } from './exit-codes.ts';
import { HELP } from './help-texts.ts';
import {
  COMMON_OPTIONS,
  JSON_OPTION,
  expectPositionals,
  parseLimit,
  parseOrUsage,
  refusePasswordOption,
  wantsHelp,
} from './parse-command.ts';
import { readNewPassword } from './read-password.ts';
import { withServices } from './with-services.ts';
import { formatTime, printHelp, writeJson, writeLines, writeTable } from './write-output.ts';
import type { Command } from './command.ts';

function check<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new AppError('invalid_input', {
      [field]: result.error.issues[0]?.message ?? 'is not valid',
    });
  return result.data;
}

async function findUser(services: Services, login: string): Promise<AccountView> {
  const account = await services.accounts.findByLogin(login);
  if (!account)
    throw new AppError('not_found', {
      user: `no user with username or email ${JSON.stringify(login)}`,
    });
  return account;
}

function describeUser(account: AccountView): string {
  const email = account.email === undefined ? '' : ` <${account.email}>`;
  return `${account.username}${email}`;
}

const userAdd: Command = async (args, io) => {
  const usage = HELP['user add'];
  refusePasswordOption(args, usage);
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...COMMON_OPTIONS,
        ...JSON_OPTION,
        email: { type: 'string' },
        'email-verified': { type: 'boolean' },
        name: { type: 'string' },
      },
    }),
  );
  const [rawUsername = ''] = expectPositionals(positionals, ['<username>'], usage);
  // Checked before the password is asked for, so nobody types one for a name that cannot be.
  const username = check(usernameSchema, rawUsername, 'username');
  const email = values.email === undefined ? undefined : check(emailSchema, values.email, 'email');
  if (values['email-verified'] && email === undefined) {
    throw new AppError('invalid_input', { email: 'is required with --email-verified' });
  }

  return withServices(io, values.verbose, async (services) => {
    const password = await readNewPassword(io);
    const account = await services.accounts.create({
      username,
      email,
      emailVerified: values['email-verified'] ?? false,
      password,
      claims: values.name === undefined ? undefined : { name: values.name },
    });
    if (values.json) writeJson(io, account);
    else writeLines(io, `created user ${describeUser(account)} (sub ${account.id})`);
    return EXIT.ok;
  });
};

const userList: Command = async (args, io) => {
  const usage = HELP['user list'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...COMMON_OPTIONS,
        ...JSON_OPTION,
        limit: { type: 'string' },
        cursor: { type: 'string' },
      },
    }),
  );
  expectPositionals(positionals, [], usage);
  const limit = parseLimit(values.limit, usage);

  return withServices(io, values.verbose, async (services) => {
    const page = await services.accounts.list({ cursor: values.cursor, limit });
    if (values.json) {
      writeJson(io, { items: page.items, nextCursor: page.nextCursor ?? null });
      return EXIT.ok;
    }
    if (page.items.length === 0) {
      writeLines(io, 'no users');
      return EXIT.ok;
    }
    writeTable(
      io,
      ['USERNAME', 'EMAIL', 'VERIFIED', 'STATUS', 'CREATED', 'SUB'],
      page.items.map((a) => [
        a.username,
        a.email ?? '-',
        a.email === undefined ? '-' : a.emailVerified ? 'yes' : 'no',
        a.disabled ? 'disabled' : 'enabled',
        formatTime(a.createdAt),
        a.id,
      ]),
    );
    if (page.nextCursor)
      writeLines(io, '', `more: portcullis user list --cursor ${page.nextCursor}`);
    return EXIT.ok;
  });
};

function setDisabled(disabled: boolean): Command {
  return async (args, io) => {
    const usage = HELP[disabled ? 'user disable' : 'user enable'];
    if (wantsHelp(args)) return printHelp(io, usage);
    const { values, positionals } = parseOrUsage(usage, () =>
      parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: { ...COMMON_OPTIONS, ...JSON_OPTION },
      }),
    );
    const [login = ''] = expectPositionals(positionals, ['<username|email>'], usage);

    return withServices(io, values.verbose, async (services) => {
      const account = await services.accounts.setDisabled(
        (await findUser(services, login)).id,
        disabled,
      );
      if (values.json) writeJson(io, account);
      else writeLines(io, `${disabled ? 'disabled' : 'enabled'} user ${describeUser(account)}`);
      return EXIT.ok;
    });
  };
}

const userSetPassword: Command = async (args, io) => {
  const usage = HELP['user set-password'];
  refusePasswordOption(args, usage);
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...JSON_OPTION },
    }),
  );
  const [login = ''] = expectPositionals(positionals, ['<username|email>'], usage);

  return withServices(io, values.verbose, async (services) => {
    // Found first, so an unknown user is reported before anyone types a password.
    const user = await findUser(services, login);
    const password = await readNewPassword(io);
    const account = await services.accounts.setPassword(user.id, password);
    if (values.json) writeJson(io, account);
    else writeLines(io, `password changed for user ${describeUser(account)}`);
    return EXIT.ok;
  });
};

export const USER_COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['add', userAdd],
  ['list', userList],
  ['disable', setDisabled(true)],
  ['enable', setDisabled(false)],
  ['set-password', userSetPassword],
]);
