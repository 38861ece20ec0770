import { createHash } from 'node:crypto';
import type { Provider } from 'oidc-provider';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { bearerEntries } from '../oidc/bearer-entries.ts';
import { CLIENT_RULES_POLICY } from '../oidc/registration-hook.ts';
import type { CounterStore, ListPage, OidcModelStore, OidcPayload } from '../storage/ports.ts';

/**
 * Initial access tokens (RFC 7591 §3): what an admin hands to a party allowed to register
 * clients with the registration endpoint. They are oidc-provider `InitialAccessToken` entries
 * (so the provider accepts them) carrying CLIENT_RULES_POLICY (so our rules apply to what they
 * register), an expiry, and optionally a number of uses, counted with the shared counter store
 * so every process agrees.
 *
 * The token value is the store key and a bearer credential: it is shown once, on creation.
 * Listings and revocation use a public id derived from it (the start of its SHA-256). Like every
 * bearer credential it is stored under a hash (src/oidc/bearer-entries.ts): lookups by the value
 * go through `bearerEntries`, listings and revocation use the stored ids as they are.
 */

/** Our metadata, stored beside the engine's fields in the token's payload (the engine ignores it). */
const META = 'portcullis';

interface TokenMeta {
  id: string;
  maxUses: number | null;
  description: string | null;
  createdBy: string;
}

export const initialAccessTokenInputSchema = z
  .object({
    expires_in: z
      .number({ error: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(60, 'must be at least 60 seconds')
      .max(2_592_000, 'must be at most 30 days (2592000 seconds)')
      .optional()
      .describe('Lifetime in seconds, 60 to 2592000 (30 days); default 86400 (one day).'),
    max_uses: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000')
      .optional()
      .describe('How many clients it may register; unlimited (until it expires) when left out.'),
    description: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .refine(
        (v) => ![...v].some((ch) => /\p{Cc}/u.test(ch)),
        'must not contain control characters',
      )
      .optional()
      .describe('What it is for, shown in listings.'),
  })
  .strict();
export type InitialAccessTokenInput = z.input<typeof initialAccessTokenInputSchema>;

export const DEFAULT_INITIAL_ACCESS_TOKEN_TTL = 86_400;

export interface InitialAccessTokenView {
  /** Public id (not the token): names it in listings, revocation and the audit log. */
  id: string;
  /** Epoch seconds. */
  created_at: number;
  /** Epoch seconds. */
  expires_at: number | null;
  max_uses: number | null;
  uses: number;
  description: string | null;
  created_by: string | null;
}

/** The answer to `create`: the only time the token itself is shown. */
export type CreatedInitialAccessToken = InitialAccessTokenView & { initial_access_token: string };

/**
 * The public id of a token value: the first 64 bits of its SHA-256 in hex (never a leading "-"
 * a command line would take for an option), so listings never hold tokens.
 */
export function initialAccessTokenId(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

function usesKey(id: string): string {
  return `initial-access-token-uses:${id}`;
}

function metaOf(payload: OidcPayload | undefined): TokenMeta | undefined {
  const meta = payload?.[META];
  if (typeof meta !== 'object' || meta === null) return undefined;
  const { id, maxUses, description, createdBy } = meta as Record<string, unknown>;
  if (typeof id !== 'string') return undefined;
  return {
    id,
    maxUses: typeof maxUses === 'number' ? maxUses : null,
    description: typeof description === 'string' ? description : null,
    createdBy: typeof createdBy === 'string' ? createdBy : '',
  };
}

function describeIssues(error: z.ZodError): Record<string, string> {
  const details = new Map<string, string>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        details.set(key.slice(0, 64), 'is not a field this operation accepts');
    } else {
      const field = issue.path.map(String).join('.') || 'body';
      if (!details.has(field)) details.set(field, issue.message);
    }
  }
  return Object.fromEntries(details);
}

export interface InitialAccessTokenDeps {
  /** The provider whose `InitialAccessToken` model writes the token (the current one). */
  provider: () => Provider;
  oidc: OidcModelStore;
  counters: CounterStore;
  now?: () => number;
}

/** The window of the uses counter: until the token expires (counters outlive nothing they count). */
function windowUntil(expSeconds: unknown, now: number): number {
  const exp =
    typeof expSeconds === 'number'
      ? expSeconds * 1000
      : now + DEFAULT_INITIAL_ACCESS_TOKEN_TTL * 1000;
  return Math.max(1, Math.trunc(exp - now));
}

/**
 * Counts one registration with the token `value` and refuses it when its uses are spent. Called
 * by the registration policy after the metadata passed every rule, so a refused registration
 * costs no use. Atomic across processes (CounterStore.hit), so N concurrent registrations with
 * a token of N-1 uses left cannot all succeed.
 */
export async function countInitialAccessTokenUse(
  deps: Pick<InitialAccessTokenDeps, 'oidc' | 'counters' | 'now'>,
  value: string,
): Promise<{ id: string; allowed: boolean }> {
  const now = (deps.now ?? Date.now)();
  const payload = await bearerEntries(deps.oidc).find('InitialAccessToken', value);
  const meta = metaOf(payload);
  const id = meta?.id ?? initialAccessTokenId(value);
  const { count } = await deps.counters.hit(usesKey(id), windowUntil(payload?.exp, now));
  return { id, allowed: meta?.maxUses == null || count <= meta.maxUses };
}

export function createInitialAccessTokenService(deps: InitialAccessTokenDeps) {
  const now = deps.now ?? Date.now;
  const entries = bearerEntries(deps.oidc);

  /** `value`: the token, or the id it is stored under (listings); only tokens without our
   *  metadata (none are created without it) need the token itself. */
  async function view(value: string, payload: OidcPayload): Promise<InitialAccessTokenView> {
    const meta = metaOf(payload);
    const id = meta?.id ?? initialAccessTokenId(value);
    const counted = (await deps.counters.get(usesKey(id)))?.count ?? 0;
    return {
      id,
      created_at: typeof payload.iat === 'number' ? payload.iat : 0,
      expires_at: typeof payload.exp === 'number' ? payload.exp : null,
      max_uses: meta?.maxUses ?? null,
      // Refused attempts past the limit are counted too; what was used is at most the limit.
      uses: meta?.maxUses == null ? counted : Math.min(counted, meta.maxUses),
      description: meta?.description ?? null,
      created_by: meta?.createdBy || null,
    };
  }

  async function findById(id: string): Promise<string | undefined> {
    let cursor: string | undefined;
    do {
      const page = await deps.oidc.list('InitialAccessToken', { cursor, limit: 100 });
      const hit = page.items.find(
        (item) => (metaOf(item.payload)?.id ?? initialAccessTokenId(item.id)) === id,
      );
      if (hit) return hit.id;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return undefined;
  }

  return {
    /** Creates a token carrying our registration rules; `createdBy` names the admin (audit). */
    async create(input: unknown, createdBy: string): Promise<CreatedInitialAccessToken> {
      const parsed = initialAccessTokenInputSchema.safeParse(input ?? {});
      if (!parsed.success) throw new AppError('invalid_input', describeIssues(parsed.error));
      const {
        expires_in: expiresIn = DEFAULT_INITIAL_ACCESS_TOKEN_TTL,
        max_uses: maxUses,
        description,
      } = parsed.data;

      const token = new (deps.provider().InitialAccessToken)({
        expiresIn,
        policies: [CLIENT_RULES_POLICY],
      });
      const value = await token.save();
      const stored = await entries.find('InitialAccessToken', value);
      if (!stored) throw new Error('the initial access token just saved cannot be read back');
      const id = initialAccessTokenId(value);
      const meta: TokenMeta = {
        id,
        maxUses: maxUses ?? null,
        description: description ?? null,
        createdBy,
      };
      // Nobody holds the token yet, so adding our fields in a second write races with nothing.
      const exp = typeof stored.exp === 'number' ? stored.exp * 1000 : now() + expiresIn * 1000;
      const payload = { ...stored, [META]: meta };
      await entries.upsert('InitialAccessToken', value, payload, exp);
      return { ...(await view(value, payload)), initial_access_token: value };
    },

    async list(options: {
      cursor?: string | undefined;
      limit: number;
    }): Promise<ListPage<InitialAccessTokenView>> {
      const limit = Math.min(Math.max(Math.trunc(options.limit) || 1, 1), 100);
      const page = await deps.oidc.list('InitialAccessToken', { cursor: options.cursor, limit });
      return {
        items: await Promise.all(page.items.map((item) => view(item.id, item.payload))),
        nextCursor: page.nextCursor,
      };
    },

    /** Deletes a token by its public id: registrations with it fail from now on (401). */
    async revoke(id: string): Promise<void> {
      if (typeof id !== 'string' || !/^[0-9a-f]{16}$/.test(id)) {
        throw new AppError('not_found', { initial_access_token: 'no such initial access token' });
      }
      const value = await findById(id);
      if (value === undefined)
        throw new AppError('not_found', { initial_access_token: 'no such initial access token' });
      await deps.oidc.destroy('InitialAccessToken', value);
      await deps.counters.reset(usesKey(id));
    },
  };
}

export type InitialAccessTokenService = ReturnType<typeof createInitialAccessTokenService>;
