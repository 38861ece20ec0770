import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { StoreConflictError, type AccountRecord, type AccountStore, type ListPage } from '../storage/ports.ts';
import { normalizeLogin } from './normalize-login.ts';
import type { PasswordHasher } from './password-hasher.ts';

/** OIDC Core §5.1 standard claims an admin may set on a user (email has its own fields). */
export const profileClaimsSchema = z
  .object({
    name: z.string().min(1).max(200),
    given_name: z.string().min(1).max(100),
    family_name: z.string().min(1).max(100),
    middle_name: z.string().min(1).max(100),
    nickname: z.string().min(1).max(100),
    picture: z.url({ protocol: /^https$/ }).max(2000),
    website: z.url({ protocol: /^https?$/ }).max(2000),
    profile: z.url({ protocol: /^https?$/ }).max(2000),
    gender: z.string().min(1).max(50),
    birthdate: z.string().regex(/^(\d{4}|\d{4}-\d{2}-\d{2}|0000-\d{2}-\d{2})$/, 'expected YYYY, YYYY-MM-DD'),
    zoneinfo: z.string().min(1).max(64),
    locale: z.string().regex(/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$/, 'expected a BCP 47 language tag'),
    phone_number: z.string().regex(/^\+?[0-9 ()-]{3,32}$/, 'expected a phone number'),
  })
  .partial()
  .strict();
export type ProfileClaims = z.infer<typeof profileClaimsSchema>;

// Usernames are identifiers people type: letters, digits and a few separators, no spaces.
export const usernameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u, 'may contain only letters, digits, ".", "_" and "-", starting with a letter or digit');

export const emailSchema = z.email('expected an email address').max(254);

export interface NewAccount {
  username: string;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
  password: string;
  claims?: ProfileClaims | undefined;
}

/** What leaves the service: never the password hash. */
export type AccountView = Omit<AccountRecord, 'passwordHash' | 'usernameNormalized' | 'emailNormalized'>;

export function toAccountView(record: AccountRecord): AccountView {
  const { passwordHash: _h, usernameNormalized: _u, emailNormalized: _e, ...view } = record;
  return view;
}

export interface AccountServiceDeps {
  store: AccountStore;
  hasher: PasswordHasher;
  passwordMinLength: number;
  now?: () => number;
}

// Long enough for passphrases (ASVS 6.2.9 wants at least 64), short enough that hashing a
// hostile multi-megabyte "password" is not a denial of service.
const PASSWORD_MAX_LENGTH = 1024;

export function createAccountService(deps: AccountServiceDeps) {
  const now = deps.now ?? Date.now;

  function checkPassword(password: string): void {
    const length = [...password].length;
    if (length < deps.passwordMinLength) {
      throw new AppError('invalid_input', { password: `must be at least ${deps.passwordMinLength} characters` });
    }
    if (password.length > PASSWORD_MAX_LENGTH) {
      throw new AppError('invalid_input', { password: `must be at most ${PASSWORD_MAX_LENGTH} characters` });
    }
  }

  function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
    const result = schema.safeParse(value);
    if (!result.success) {
      const details: Record<string, string> = {};
      for (const issue of result.error.issues) {
        details[[field, ...issue.path.map(String)].filter(Boolean).join('.')] =
          issue.code === 'unrecognized_keys' ? `unknown claim(s): ${issue.keys.join(', ')}` : issue.message;
      }
      throw new AppError('invalid_input', details);
    }
    return result.data;
  }

  return {
    async create(input: NewAccount): Promise<AccountView> {
      const username = parse(usernameSchema, input.username, 'username');
      const email = input.email === undefined ? undefined : parse(emailSchema, input.email, 'email');
      const claims = parse(profileClaimsSchema, input.claims ?? {}, 'claims');
      checkPassword(input.password);
      const at = now();
      const record: AccountRecord = {
        id: randomUUID(),
        username,
        usernameNormalized: normalizeLogin(username),
        email,
        emailNormalized: email === undefined ? undefined : normalizeLogin(email),
        emailVerified: input.emailVerified ?? false,
        passwordHash: await deps.hasher.hash(input.password),
        disabled: false,
        claims,
        createdAt: at,
        updatedAt: at,
      };
      try {
        await deps.store.create(record);
      } catch (err) {
        if (err instanceof StoreConflictError) {
          throw new AppError(err.field === 'email' ? 'email_taken' : 'username_taken');
        }
        throw err;
      }
      return toAccountView(record);
    },

    /**
     * Checks a login (username or email) and password. Unknown users, wrong passwords and
     * disabled accounts all answer `undefined` after the same argon2 work, so neither the answer
     * nor its timing tells which (ASVS 6.3.8).
     */
    async authenticate(login: string, password: string): Promise<AccountView | undefined> {
      if (login.length === 0 || login.length > 254 || password.length === 0 || password.length > PASSWORD_MAX_LENGTH) {
        await deps.hasher.burn(password.slice(0, PASSWORD_MAX_LENGTH));
        return undefined;
      }
      const record = await deps.store.findByLogin(normalizeLogin(login));
      if (!record) {
        await deps.hasher.burn(password);
        return undefined;
      }
      const ok = await deps.hasher.verify(record.passwordHash, password);
      return ok && !record.disabled ? toAccountView(record) : undefined;
    },

    async findById(id: string): Promise<AccountView | undefined> {
      const record = await deps.store.findById(id);
      return record ? toAccountView(record) : undefined;
    },

    async findByLogin(login: string): Promise<AccountView | undefined> {
      const record = await deps.store.findByLogin(normalizeLogin(login));
      return record ? toAccountView(record) : undefined;
    },

    async list(options: { cursor?: string | undefined; limit: number }): Promise<ListPage<AccountView>> {
      const page = await deps.store.list({ cursor: options.cursor, limit: Math.min(Math.max(options.limit, 1), 100) });
      return { items: page.items.map(toAccountView), nextCursor: page.nextCursor };
    },

    async setDisabled(id: string, disabled: boolean): Promise<AccountView> {
      const updated = await deps.store.update(id, { disabled }, now());
      if (!updated) throw new AppError('not_found', { user: 'no such user' });
      return toAccountView(updated);
    },

    async setPassword(id: string, password: string): Promise<AccountView> {
      checkPassword(password);
      const updated = await deps.store.update(id, { passwordHash: await deps.hasher.hash(password) }, now());
      if (!updated) throw new AppError('not_found', { user: 'no such user' });
      return toAccountView(updated);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
