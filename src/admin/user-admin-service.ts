import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  emailSchema,
  profileClaimsSchema,
  type AccountService,
  type AccountView,
  type ProfileClaims,
  toAccountView,
} from '../accounts/account-service.ts';
import { normalizeLogin } from '../accounts/normalize-login.ts';
import { AppError } from '../errors/app-error.ts';
import {
  StoreConflictError,
  type AccountPatch,
  type AccountStore,
  type ListPage,
} from '../storage/ports.ts';
import { passwordResetSchema, userCreateSchema, userUpdateSchema } from './admin-schemas.ts';

/**
 * What admins do to users, for the admin API and the CLI alike: the account service's
 * operations with the admin API's input shapes, plus updating claims and email (which the account
 * service has no operation for). Disabling and resetting a password end the user's sessions
 * there (ASVS 7.4.2, 7.4.5).
 * Never returns a password hash (ASVS 15.3.1).
 */

export interface UserAdminDeps {
  accounts: AccountService;
  /** For changes the account service has no operation for (claims, email). */
  accountStore: AccountStore;
  now?: () => number;
}

function describeIssues(error: z.ZodError, prefix?: string): Record<string, string> {
  const details = new Map<string, string>();
  for (const issue of error.issues) {
    const path = [prefix, ...issue.path.map(String)].filter((p): p is string => Boolean(p));
    if (issue.code === 'unrecognized_keys') {
      const problem =
        prefix === 'claims'
          ? 'is not a profile claim this server keeps (OIDC Core §5.1)'
          : 'is not a field this operation accepts';
      for (const key of issue.keys) details.set([...path, key.slice(0, 64)].join('.'), problem);
    } else {
      const field = path.join('.') || 'body';
      if (!details.has(field)) details.set(field, issue.message);
    }
  }
  return Object.fromEntries(details);
}

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('invalid_input', describeIssues(result.error, prefix));
  return result.data;
}

function checkId(id: string): void {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    throw new AppError('not_found', { user: 'no such user' });
  }
}

export interface UserChange {
  user: AccountView;
  changed: string[];
}

export function createUserAdminService(deps: UserAdminDeps) {
  const now = deps.now ?? Date.now;

  async function load(id: string) {
    checkId(id);
    const record = await deps.accountStore.findById(id);
    if (!record) throw new AppError('not_found', { user: 'no such user' });
    return record;
  }

  return {
    async create(input: unknown): Promise<AccountView> {
      const data = parse(userCreateSchema, input);
      return deps.accounts.create({
        username: data.username,
        email: data.email,
        emailVerified: data.email_verified ?? false,
        // An invited user chooses their password through the link; until then no password works
        // (256 random bits nobody is told).
        password: data.password ?? randomBytes(32).toString('base64url'),
        // Checked against OIDC Core §5.1 claim rules by the account service.
        claims: data.claims as ProfileClaims | undefined,
      });
    },

    async get(id: string): Promise<AccountView> {
      return toAccountView(await load(id));
    },

    /** By username or email, as people type them (the CLI's way of naming a user). */
    async findByLogin(login: string): Promise<AccountView> {
      const account =
        typeof login === 'string' && login.length <= 254
          ? await deps.accounts.findByLogin(login)
          : undefined;
      if (!account)
        throw new AppError('not_found', {
          user: `no user with username or email ${JSON.stringify(login)}`,
        });
      return account;
    },

    list(options: { cursor?: string | undefined; limit: number }): Promise<ListPage<AccountView>> {
      return deps.accounts.list(options);
    },

    /** Sets claims (RFC 7396: a claim set to null is removed), email and email_verified. */
    async update(id: string, input: unknown): Promise<UserChange> {
      const data = parse(userUpdateSchema, input);
      const record = await load(id);
      const patch: AccountPatch = {};
      const changed: string[] = [];
      if (data.claims !== undefined) {
        const merged = new Map(Object.entries(record.claims));
        for (const [claim, value] of Object.entries(data.claims)) {
          if (value === null) merged.delete(claim);
          else merged.set(claim, value);
        }
        patch.claims = parse(profileClaimsSchema, Object.fromEntries(merged), 'claims') as Record<
          string,
          unknown
        >;
        changed.push(...Object.keys(data.claims).map((c) => `claims.${c}`));
      }
      if (data.email !== undefined) {
        if (data.email === null) {
          patch.email = undefined;
          patch.emailNormalized = undefined;
          patch.emailVerified = false;
        } else {
          const email = parse(emailSchema, data.email, 'email');
          patch.email = email;
          patch.emailNormalized = normalizeLogin(email);
          // A new address is unverified unless the admin says otherwise.
          if (normalizeLogin(email) !== record.emailNormalized) patch.emailVerified = false;
        }
        changed.push('email');
      }
      if (data.email_verified !== undefined) {
        if (data.email_verified && ('email' in patch ? patch.email : record.email) === undefined) {
          throw new AppError('invalid_input', { email_verified: 'needs an email address' });
        }
        patch.emailVerified = data.email_verified;
        changed.push('email_verified');
      }
      try {
        const updated = await deps.accountStore.update(id, patch, now());
        if (!updated) throw new AppError('not_found', { user: 'no such user' });
        return { user: toAccountView(updated), changed };
      } catch (err) {
        if (err instanceof StoreConflictError) throw new AppError('email_taken');
        throw err;
      }
    },

    /** The account service also ends a disabled user's sessions and tokens (ASVS 7.4.2). */
    async setDisabled(id: string, disabled: boolean): Promise<AccountView> {
      await load(id);
      return deps.accounts.setDisabled(id, disabled);
    },

    /**
     * An admin reset is account recovery (a forgotten or leaked password): the account service
     * signs out whoever is signed in with the old one (ASVS 7.4.3).
     */
    async resetPassword(id: string, input: unknown): Promise<AccountView> {
      const { password } = parse(passwordResetSchema, input);
      await load(id);
      return deps.accounts.setPassword(id, password);
    },
  };
}

export type UserAdminService = ReturnType<typeof createUserAdminService>;
