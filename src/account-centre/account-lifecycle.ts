import { createHmac } from 'node:crypto';
import { emailSchema, type AccountService, type AccountView } from '../accounts/account-service.ts';
import { normalizeLogin } from '../accounts/normalize-login.ts';
import type { Config } from '../config/schema.ts';
import type { AccountEmails } from '../email/account-emails.ts';
import { AppError } from '../errors/app-error.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { OnSessionsEnding } from '../security/sessions-ending-hook.ts';
import { ipKey } from '../security/throttle-keys.ts';
import type { AccountTokenPurpose } from '../storage/account-lifecycle-ports.ts';
import { GRANTABLE_MODELS, StoreConflictError, type Store } from '../storage/ports.ts';
import type { EmailInput } from '../ui/email-messages.ts';
import { hashLinkToken, LINK_TOKEN, newLinkToken } from './one-time-links.ts';

/** Who the account centre shows and acts for. */
export interface LinkContext {
  /** The page's language: messages go out in it. */
  lang: string;
}

export type ResetRequestOutcome =
  | { status: 'accepted' }
  /** Too many requests from this network: refused with 429 (says nothing about any account). */
  | { status: 'network_limited'; retryAfterSeconds: number };

// Far above any real user's sessions and grants; bounds the reads.
const SCAN_LIMIT = 1000;

/**
 * The account lifecycle (issue 15): password reset, email confirmation and change, invitations,
 * and deleting an account with everything it left behind. Pages and admin surfaces call this;
 * it calls the account service (passwords, sign-in artefacts) and the store.
 */
export function createAccountLifecycle(deps: {
  config: Config;
  store: Pick<
    Store,
    'accounts' | 'accountTokens' | 'accountDevices' | 'oidc' | 'counters' | 'events' | 'credentials'
  >;
  accounts: AccountService;
  emails: AccountEmails;
  events: SecurityEvents;
  /**
   * Back-channel logout for the sessions a deletion ends, when the account service does not tell
   * them itself (the CLI's); the server's account service does, so the server passes nothing.
   */
  onSessionsEnding?: OnSessionsEnding | undefined;
  /** Secret for pseudonyms of deleted users (the first cookie key). */
  pseudonymKey: string;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const { config, store } = deps;
  const issuer = config.server.issuer.replace(/\/+$/, '');
  const productName = config.ui.productName;

  const contextOf = (account: AccountView, lang: string) => ({
    lang,
    productName,
    account: account.username,
    name: typeof account.claims.name === 'string' ? account.claims.name : account.username,
  });

  function ttlSeconds(purpose: AccountTokenPurpose): number {
    if (purpose === 'password_reset') return config.account.resetTokenTtlSeconds;
    if (purpose === 'invitation') return config.account.invitationTtlSeconds;
    return config.account.verificationTokenTtlSeconds;
  }

  /** Stores a new link (its hash) and returns the token to put in the URL. */
  async function issueLink(
    purpose: AccountTokenPurpose,
    accountId: string,
    email: string | undefined,
  ): Promise<string> {
    const token = newLinkToken();
    const at = now();
    // One live link per purpose: a new request replaces the old one (OWASP: invalidate on reissue).
    await store.accountTokens.removeForAccount(accountId, purpose);
    await store.accountTokens.create({
      hash: hashLinkToken(token),
      purpose,
      accountId,
      email,
      createdAt: at,
      expiresAt: at + ttlSeconds(purpose) * 1000,
    });
    return token;
  }

  const linkTo = (path: string, token: string) => `${issuer}${path}?token=${token}`;

  function send(to: string, account: AccountView, lang: string, input: EmailInput): void {
    deps.emails.send(to, contextOf(account, lang), input);
  }

  /** Counts one request on `key`; true when it is still within `max` for the window. */
  async function within(key: string, max: number): Promise<{ ok: boolean; resetAt: number }> {
    const state = await store.counters.hit(key, config.account.resetWindowSeconds * 1000);
    return { ok: state.count <= max, resetAt: state.resetAt };
  }

  const addressKey = (email: string) =>
    `account-email:${hashLinkToken(normalizeLogin(email.slice(0, 254)))}`;

  async function sendVerification(account: AccountView, lang: string): Promise<void> {
    if (account.email === undefined) throw new AppError('invalid_input', { email: 'none' });
    const token = await issueLink('email_verification', account.id, account.email);
    send(account.email, account, lang, {
      name: 'email-verification',
      link: linkTo('/verify-email', token),
      email: account.email,
      hours: Math.round(config.account.verificationTokenTtlSeconds / 3600),
    });
    await deps.events.record({ type: 'email.verification_sent', subject: account.id });
  }

  /** Everything of the user's sign-ins: sessions (told to their apps), grants, tokens. */
  async function endEverything(accountId: string, reason: 'account_deleted'): Promise<void> {
    await deps.accounts.revokeSignIns(accountId, reason);
  }

  const api = {
    /**
     * Forgot password (issue 15 item 2). The answer is the same for known and unknown addresses
     * (ASVS 6.3.8): both paths make a link token and a store round trip, and the email is queued,
     * never awaited, so the timing does not tell them apart either. Limited per network (429)
     * and per address (silently: the same answer, nothing sent).
     */
    async requestPasswordReset(input: {
      email: string;
      ip: string;
      lang: string;
    }): Promise<ResetRequestOutcome> {
      const network = await within(
        `account-reset-ip:${ipKey(input.ip)}`,
        config.account.resetMaxPerNetwork,
      );
      if (!network.ok) {
        return {
          status: 'network_limited',
          retryAfterSeconds: Math.max(1, Math.ceil((network.resetAt - now()) / 1000)),
        };
      }
      const address = await within(addressKey(input.email), config.account.resetMaxPerAddress);
      const record = await store.accounts.findByLogin(normalizeLogin(input.email.slice(0, 254)));
      // Only an email address names an account here (a username would let anyone who knows it
      // trigger mail to its owner's address, and answers must not differ by which was typed).
      const names =
        record !== undefined &&
        record.emailNormalized === normalizeLogin(input.email) &&
        !record.disabled;
      // One read either way (a made-up id for no account), for the same timing.
      const found = await deps.accounts.findById(names ? record.id : `decoy-${newLinkToken()}`);
      const account = names ? found : undefined;
      if (account?.email !== undefined && address.ok) {
        const token = await issueLink('password_reset', account.id, account.email);
        send(account.email, account, input.lang, {
          name: 'password-reset',
          link: linkTo('/reset-password', token),
          minutes: Math.round(config.account.resetTokenTtlSeconds / 60),
        });
      } else {
        // The same work as the branch above, store round trips included (a token made and
        // hashed, one delete and one read where that branch deletes and writes), so the time
        // taken does not tell whether the address names an account (ASVS 6.3.8).
        const decoy = hashLinkToken(newLinkToken());
        await store.accountTokens.removeForAccount(decoy, 'password_reset');
        await store.accountTokens.find(decoy, 'password_reset');
      }
      await deps.events.record({
        type: 'password.reset_requested',
        subject: account?.id,
        details: { sent: account !== undefined && address.ok },
      });
      return { status: 'accepted' };
    },

    /** The account a reset or invitation link is for, without using it (the form's GET). */
    async peekPasswordLink(
      token: string,
    ): Promise<{ account: AccountView; purpose: 'password_reset' | 'invitation' } | undefined> {
      if (!LINK_TOKEN.test(token)) return undefined;
      const hash = hashLinkToken(token);
      for (const purpose of ['password_reset', 'invitation'] as const) {
        const record = await store.accountTokens.find(hash, purpose);
        if (!record) continue;
        const account = await deps.accounts.findById(record.accountId);
        if (account && !account.disabled) return { account, purpose };
      }
      return undefined;
    },

    /**
     * Uses a reset or invitation link once: the new password is set, and every session and
     * refresh token of the account ends (RFC 9700 §4.14.2, as an admin reset does). Following a
     * link sent to the address proves the address, so it counts as confirmed.
     */
    async completePasswordReset(input: {
      token: string;
      password: string;
      lang: string;
    }): Promise<AccountView | undefined> {
      if (!LINK_TOKEN.test(input.token)) return undefined;
      const peeked = await api.peekPasswordLink(input.token);
      if (!peeked) return undefined;
      // Checked before the link is used: a too-short password must not burn the link.
      if ([...input.password].length < config.passwords.minLength || input.password.length > 1024)
        throw new AppError('invalid_input', { password: 'length' });
      const record = await store.accountTokens.consume(hashLinkToken(input.token), peeked.purpose);
      if (!record) return undefined;
      const updated = await deps.accounts.setPassword(
        record.accountId,
        input.password,
        'password_reset',
      );
      if (updated.email !== undefined && record.email !== undefined) {
        if (
          normalizeLogin(updated.email) === normalizeLogin(record.email) &&
          !updated.emailVerified
        )
          await store.accounts.update(updated.id, { emailVerified: true }, now());
      }
      await store.accountTokens.removeForAccount(record.accountId, 'password_reset');
      await deps.events.record({
        type: 'password.reset',
        subject: record.accountId,
        details: { via: record.purpose },
      });
      if (updated.email !== undefined)
        send(updated.email, updated, input.lang, { name: 'password-changed', time: now() });
      return (await deps.accounts.findById(updated.id)) ?? updated;
    },

    /** A password change on the account page (the current password was checked by the caller). */
    async changePassword(account: AccountView, password: string, lang: string): Promise<void> {
      const updated = await deps.accounts.setPassword(account.id, password, 'password_changed');
      await deps.events.record({ type: 'password.changed', subject: account.id });
      // ASVS 6.3.7: tell the user at their address that their credentials changed.
      if (updated.email !== undefined)
        send(updated.email, updated, lang, { name: 'password-changed', time: now() });
    },

    sendVerification: async (accountId: string, lang: string) => {
      const account = await deps.accounts.findById(accountId);
      if (!account) throw new AppError('not_found', { user: 'no such user' });
      const limit = await within(`account-verify:${account.id}`, config.account.resetMaxPerAddress);
      if (!limit.ok) throw new AppError('too_many_attempts');
      await sendVerification(account, lang);
    },

    /** An invitation: the new user chooses their own password through a link (issue 15 item 3). */
    async sendInvitation(accountId: string, lang: string): Promise<void> {
      const account = await deps.accounts.findById(accountId);
      if (!account) throw new AppError('not_found', { user: 'no such user' });
      if (account.email === undefined)
        throw new AppError('invalid_input', { email: 'the user has no email address' });
      const token = await issueLink('invitation', account.id, account.email);
      send(account.email, account, lang, {
        name: 'invitation',
        link: linkTo('/reset-password', token),
        days: Math.max(1, Math.round(config.account.invitationTtlSeconds / 86_400)),
      });
      await deps.events.record({ type: 'invitation.sent', subject: account.id });
    },

    /** A reset link sent on an admin's request (the admin never sees it). */
    async sendResetLink(accountId: string, lang: string): Promise<void> {
      const account = await deps.accounts.findById(accountId);
      if (!account) throw new AppError('not_found', { user: 'no such user' });
      if (account.email === undefined)
        throw new AppError('invalid_input', { email: 'the user has no email address' });
      const token = await issueLink('password_reset', account.id, account.email);
      send(account.email, account, lang, {
        name: 'password-reset',
        link: linkTo('/reset-password', token),
        minutes: Math.round(config.account.resetTokenTtlSeconds / 60),
      });
      await deps.events.record({ type: 'password.reset_requested', subject: account.id });
    },

    /** The pending confirmation a link stands for, without using it (the confirm page's GET). */
    async peekEmailLink(token: string): Promise<{ email: string } | undefined> {
      if (!LINK_TOKEN.test(token)) return undefined;
      const hash = hashLinkToken(token);
      for (const purpose of ['email_verification', 'email_change'] as const) {
        const record = await store.accountTokens.find(hash, purpose);
        if (record?.email !== undefined) return { email: record.email };
      }
      return undefined;
    },

    /**
     * Uses a confirmation link once. `email_verification`: the address is confirmed if it is
     * still the account's. `email_change`: the new address replaces the old, confirmed
     * (`email_verified` follows, OIDC Core §5.1).
     */
    async confirmEmail(token: string): Promise<{ email: string } | undefined> {
      if (!LINK_TOKEN.test(token)) return undefined;
      const hash = hashLinkToken(token);
      for (const purpose of ['email_verification', 'email_change'] as const) {
        const record = await store.accountTokens.consume(hash, purpose);
        if (!record || record.email === undefined) continue;
        const account = await store.accounts.findById(record.accountId);
        if (!account || account.disabled) return undefined;
        const email = record.email;
        if (purpose === 'email_verification') {
          if (account.emailNormalized !== normalizeLogin(email)) return undefined;
          await store.accounts.update(account.id, { emailVerified: true }, now());
          await deps.events.record({ type: 'email.verified', subject: account.id });
        } else {
          try {
            await store.accounts.update(
              account.id,
              { email, emailNormalized: normalizeLogin(email), emailVerified: true },
              now(),
            );
          } catch (err) {
            if (err instanceof StoreConflictError) return undefined;
            throw err;
          }
          await deps.events.record({
            type: 'email.changed',
            subject: account.id,
          });
        }
        return { email };
      }
      return undefined;
    },

    /**
     * A new address is confirmed at that address before it replaces the old one; the old one is
     * told (issue 15 item 3, OWASP: notify on change of registered email).
     */
    async requestEmailChange(accountId: string, newEmail: string, lang: string): Promise<void> {
      const parsed = emailSchema.safeParse(newEmail);
      if (!parsed.success) throw new AppError('invalid_input', { email: 'invalid' });
      const account = await deps.accounts.findById(accountId);
      if (!account) throw new AppError('not_found', { user: 'no such user' });
      const email = parsed.data;
      if (account.email !== undefined && normalizeLogin(account.email) === normalizeLogin(email))
        throw new AppError('invalid_input', { email: 'same' });
      const limit = await within(`account-verify:${account.id}`, config.account.resetMaxPerAddress);
      if (!limit.ok) throw new AppError('too_many_attempts');
      // Taken by another account: refused here (the confirmation would fail anyway).
      const holder = await store.accounts.findByLogin(normalizeLogin(email));
      if (holder && holder.id !== account.id) throw new AppError('email_taken');
      const token = await issueLink('email_change', account.id, email);
      send(email, account, lang, {
        name: 'email-change',
        link: linkTo('/verify-email', token),
        email,
        hours: Math.round(config.account.verificationTokenTtlSeconds / 3600),
      });
      if (account.email !== undefined)
        send(account.email, account, lang, { name: 'email-change-notice', email });
      await deps.events.record({ type: 'email.change_requested', subject: account.id });
    },

    /** The account's pseudonym in its events once deleted: stable per account, not reversible. */
    pseudonymOf(accountId: string): string {
      return `deleted-${createHmac('sha256', deps.pseudonymKey).update(accountId).digest('base64url').slice(0, 22)}`;
    },

    /**
     * Deletes the account (GDPR Art. 17): sessions end (their apps get back-channel logout),
     * grants and every token are revoked, links and device records are removed, the events
     * about the user are pseudonymised, and the account itself is removed. The user is told at
     * their address, if any.
     */
    async deleteAccount(accountId: string, lang: string, actor?: string): Promise<void> {
      const account = await deps.accounts.findById(accountId);
      if (!account) throw new AppError('not_found', { user: 'no such user' });
      const sessions = deps.onSessionsEnding
        ? await store.oidc.findByAccountId('Session', accountId, SCAN_LIMIT)
        : [];
      // Their logout tokens are made durable first: if that fails, nothing is deleted.
      const sendLogouts =
        sessions.length > 0 ? await deps.onSessionsEnding?.(accountId, sessions) : undefined;
      await endEverything(accountId, 'account_deleted');
      await sendLogouts?.();
      // Offline grants and tokens not found by account above (none should remain; belt and braces).
      const grants = await store.oidc.findByAccountId('Grant', accountId, SCAN_LIMIT);
      for (const grant of grants) {
        for (const model of GRANTABLE_MODELS) await store.oidc.revokeByGrantId(model, grant.id);
        await store.oidc.destroy('Grant', grant.id);
      }
      await store.accountTokens.removeForAccount(accountId);
      await store.accountDevices.removeForAccount(accountId);
      // Second factors and passkeys (issue 14): no credential of a deleted user stays.
      await store.credentials.removeAll(accountId);
      const pseudonym = api.pseudonymOf(accountId);
      await store.events.pseudonymiseSubject(accountId, pseudonym);
      await store.accounts.remove(accountId);
      // The deleting user's own id must not reappear as the actor of this last event.
      await deps.events.record({
        type: 'account.deleted',
        subject: pseudonym,
        actor: actor ?? pseudonym,
      });
      if (account.email !== undefined)
        send(account.email, account, lang, { name: 'account-deleted', time: now() });
    },
  };
  return api;
}

export type AccountLifecycle = ReturnType<typeof createAccountLifecycle>;
