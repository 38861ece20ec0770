import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { OnSessionsEnding } from '../security/sessions-ending-hook.ts';
import { loginSubjectKey } from '../security/throttle-keys.ts';
import {
  StoreConflictError,
  type AccountRecord,
  type AccountStore,
  type ListPage,
  type OidcModelName,
  type OidcModelStore,
} from '../storage/ports.ts';
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
    birthdate: z
      .string()
      .regex(/^(\d{4}|\d{4}-\d{2}-\d{2}|0000-\d{2}-\d{2})$/, 'expected YYYY, YYYY-MM-DD'),
    zoneinfo: z.string().min(1).max(64),
    locale: z
      .string()
      .regex(/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$/, 'expected a BCP 47 language tag'),
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
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u,
    'may contain only letters, digits, ".", "_" and "-", starting with a letter or digit',
  );

export const emailSchema = z.email('expected an email address').max(254);

export interface NewAccount {
  username: string;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
  password: string;
  claims?: ProfileClaims | undefined;
}

/** What leaves the service: never the password hash. */
export type AccountView = Omit<
  AccountRecord,
  'passwordHash' | 'usernameNormalized' | 'emailNormalized'
>;

export function toAccountView(record: AccountRecord): AccountView {
  const { passwordHash: _h, usernameNormalized: _u, emailNormalized: _e, ...view } = record;
  return view;
}

export interface AccountServiceDeps {
  store: AccountStore;
  hasher: PasswordHasher;
  passwordMinLength: number;
  /** Where a user's sessions and tokens live, to end them all when their credentials change. */
  oidc: Pick<OidcModelStore, 'revokeByAccountId' | 'findByAccountId'>;
  /** Records the sessions a credential change ended (ASVS 16.3.x); the change itself is in
   *  the admin audit log (src/admin/audit-log.ts), which every admin path writes. */
  events: SecurityEvents;
  /** Told which sessions ended (back-channel logout to their clients); nothing when absent. */
  onSessionsEnding?: OnSessionsEnding | undefined;
  now?: () => number;
}

/** Why a password check failed. Callers must answer all of them alike (ASVS 6.3.8). */
export type LoginFailure = 'unknown_user' | 'wrong_password' | 'disabled';

/**
 * A login resolved to its account (or to nothing) before the password is checked, so the
 * brute-force limits can be applied to the account whatever spelling was typed.
 */
export interface PreparedLogin {
  /** Counter key: the account when the login names one ("Alice", "alice", her email alike). */
  readonly subjectKey: string;
  /** The account's `sub` when the login names one; for security events only. */
  readonly accountId: string | undefined;
  check(password: string): Promise<{ account: AccountView } | { failure: LoginFailure }>;
  /** Spends the time of a check without checking anything (attempts refused unchecked). */
  waste(password: string): Promise<void>;
}

/**
 * Everything a user's sign-in left behind: sessions (so no browser stays signed in), grants and
 * every token issued under them. RFC 9700 §4.14.2 (refresh tokens may be revoked on password
 * change), ASVS 7.4.2 (disabled users lose their sessions) and 7.4.3.
 */
const SIGN_IN_ARTEFACTS: readonly OidcModelName[] = [
  'Session',
  'Grant',
  'RefreshToken',
  'AccessToken',
  'AuthorizationCode',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
];

// Long enough for passphrases (ASVS 6.2.9 wants at least 64), short enough that hashing a
// hostile multi-megabyte "password" is not a denial of service.
const PASSWORD_MAX_LENGTH = 1024;

// Far above any real user's sessions; bounds the read made to tell their clients.
const SESSION_SCAN_LIMIT = 1000;

export function createAccountService(deps: AccountServiceDeps) {
  const now = deps.now ?? Date.now;

  function checkPassword(password: string): void {
    const length = [...password].length;
    if (length < deps.passwordMinLength) {
      throw new AppError('invalid_input', {
        password: `must be at least ${deps.passwordMinLength} characters`,
      });
    }
    if (password.length > PASSWORD_MAX_LENGTH) {
      throw new AppError('invalid_input', {
        password: `must be at most ${PASSWORD_MAX_LENGTH} characters`,
      });
    }
  }

  function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
    const result = schema.safeParse(value);
    if (!result.success) {
      const details: Record<string, string> = {};
      for (const issue of result.error.issues) {
        details[[field, ...issue.path.map(String)].filter(Boolean).join('.')] =
          issue.code === 'unrecognized_keys'
            ? `unknown claim(s): ${issue.keys.join(', ')}`
            : issue.message;
      }
      throw new AppError('invalid_input', details);
    }
    return result.data;
  }

  /** Ends every session of the user and revokes their grants and tokens; answers how many went. */
  async function revokeSignIns(
    accountId: string,
    reason:
      | 'password_changed'
      | 'user_disabled'
      | 'admin_request'
      // Issue 15: a reset by email, and the cascade of deleting the account.
      | 'password_reset'
      | 'account_deleted',
  ): Promise<number> {
    // Read before they are deleted: each session names the sid every client of it was given,
    // which the logout tokens must carry (OIDC Back-Channel Logout 1.0 §2.4, §2.7).
    const sessions = deps.onSessionsEnding
      ? await deps.oidc.findByAccountId('Session', accountId, SESSION_SCAN_LIMIT)
      : [];
    // Their logout tokens are made durable before anything is deleted (a failure stops here).
    const sendLogouts =
      sessions.length > 0 ? await deps.onSessionsEnding?.(accountId, sessions) : undefined;
    let revoked = 0;
    for (const model of SIGN_IN_ARTEFACTS)
      revoked += await deps.oidc.revokeByAccountId(model, accountId);
    await deps.events.record({
      type: 'sessions.revoked',
      subject: accountId,
      details: { reason, count: revoked },
    });
    // Sent after the deletion, so a client that reacts by sending the user back finds no session.
    await sendLogouts?.();
    return revoked;
  }

  const tooLong = (login: string, password: string) =>
    login.length === 0 ||
    login.length > 254 ||
    password.length === 0 ||
    password.length > PASSWORD_MAX_LENGTH;

  async function prepareLogin(login: string): Promise<PreparedLogin> {
    const normalized = normalizeLogin(login.slice(0, 254));
    const record =
      login.length > 0 && login.length <= 254
        ? await deps.store.findByLogin(normalized)
        : undefined;
    const waste = (password: string) => deps.hasher.burn(password.slice(0, PASSWORD_MAX_LENGTH));
    return {
      subjectKey: loginSubjectKey(
        record ? { accountId: record.id } : { normalizedLogin: normalized },
      ),
      accountId: record?.id,
      waste,
      async check(password) {
        if (!record || tooLong(login, password)) {
          await waste(password);
          return { failure: 'unknown_user' };
        }
        if (!(await deps.hasher.verify(record.passwordHash, password)))
          return { failure: 'wrong_password' };
        // Checked after the hash, so a disabled account costs the same time as any other.
        if (record.disabled) return { failure: 'disabled' };
        // An imported hash (bcrypt, PBKDF2, scrypt …) becomes argon2id now that we hold the
        // password (docs/import.md); a failure to store it only delays that to the next sign-in.
        if (deps.hasher.needsRehash?.(record.passwordHash)) {
          const passwordHash = await deps.hasher.hash(password);
          await deps.store.update(record.id, { passwordHash }, now()).catch(() => undefined);
        }
        return { account: toAccountView(record) };
      },
    };
  }

  return {
    async create(input: NewAccount): Promise<AccountView> {
      const username = parse(usernameSchema, input.username, 'username');
      const email =
        input.email === undefined ? undefined : parse(emailSchema, input.email, 'email');
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
     * Resolves a login (username or email, any case) to its account before any password is
     * checked: the sign-in route applies the brute-force limits to `subjectKey` first
     * (src/security/login-guard.ts). Unknown users, wrong passwords and disabled accounts all
     * cost the same argon2 work, so the timing does not tell which (ASVS 6.3.8).
     */
    prepareLogin,

    /**
     * Checks a login and password without any brute-force limit (the CLI and tests; sign-in
     * pages go through the login guard). Every failure answers `undefined`.
     */
    async authenticate(login: string, password: string): Promise<AccountView | undefined> {
      const result = await (await prepareLogin(login)).check(password);
      return 'account' in result ? result.account : undefined;
    },

    async findById(id: string): Promise<AccountView | undefined> {
      const record = await deps.store.findById(id);
      return record ? toAccountView(record) : undefined;
    },

    async findByLogin(login: string): Promise<AccountView | undefined> {
      const record = await deps.store.findByLogin(normalizeLogin(login));
      return record ? toAccountView(record) : undefined;
    },

    async list(options: {
      cursor?: string | undefined;
      limit: number;
    }): Promise<ListPage<AccountView>> {
      const page = await deps.store.list({
        cursor: options.cursor,
        limit: Math.min(Math.max(options.limit, 1), 100),
      });
      return { items: page.items.map(toAccountView), nextCursor: page.nextCursor };
    },

    /** Disabling also ends every session and revokes every token of the user (ASVS 7.4.2). */
    async setDisabled(id: string, disabled: boolean): Promise<AccountView> {
      const updated = await deps.store.update(id, { disabled }, now());
      if (!updated) throw new AppError('not_found', { user: 'no such user' });
      if (disabled) await revokeSignIns(id, 'user_disabled');
      return toAccountView(updated);
    },

    /**
     * A new password ends the user's sessions and revokes their refresh tokens (RFC 9700
     * §4.14.2, ASVS 7.4.3): whoever knew the old one is signed out everywhere.
     */
    async setPassword(
      id: string,
      password: string,
      reason: 'password_changed' | 'password_reset' = 'password_changed',
    ): Promise<AccountView> {
      checkPassword(password);
      const updated = await deps.store.update(
        id,
        { passwordHash: await deps.hasher.hash(password) },
        now(),
      );
      if (!updated) throw new AppError('not_found', { user: 'no such user' });
      await revokeSignIns(id, reason);
      return toAccountView(updated);
    },

    /** Ends every session and token of the user without changing the account (admin action). */
    revokeSignIns,
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
