import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import {
  ACR_PHISHING_RESISTANT,
  AMR_HARDWARE_KEY,
  AMR_MFA,
  AMR_SOFTWARE_KEY,
  AMR_USER_PRESENCE,
} from '../oidc/acr-values.ts';
import { MFA_PROMPT } from '../oidc/mfa-prompt.ts';
import { PasskeyRefused, type PasskeyCeremonies } from '../mfa/passkey-ceremonies.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { AdmitSession } from '../security/session-limit.ts';
import type { PasskeyRecord } from '../storage/credential-ports.ts';
import type { InteractionTools } from './mfa-routes.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

export type PasskeyPurpose = 'register' | 'second-factor' | 'passwordless';

export interface PasskeyRoutesDeps {
  ceremonies: PasskeyCeremonies;
  /** The concurrent-session limit (src/security/session-limit.ts), for passwordless sign-ins. */
  admitSession: AdmitSession;
  events: SecurityEvents;
  log: Logger;
  account(
    accountId: string,
  ): Promise<{ id: string; username: string; disabled: boolean } | undefined>;
  /** Ends the second-factor step with a passkey (mfa-routes.ts `passed`). */
  passed(ctx: Context, found: Details, accountId: string, extraAmr: string[]): Promise<void>;
  /** Told every outcome (metrics by factor). */
  observe?: ((outcome: 'success' | 'failure') => void) | undefined;
}

const purpose = z.enum(['register', 'second-factor', 'passwordless']);
const optionsForm = z.object({ csrf: z.string().max(200), purpose });
// 16 KiB is far above any WebAuthn response (a few KiB); more is refused before parsing.
const verifyForm = z.object({
  csrf: z.string().max(200),
  purpose,
  response: z.string().max(16_384),
  name: z.string().max(64).optional(),
});
const decisionSchema = z.looseObject({
  kind: z.string(),
  methods: z.array(z.string()).optional(),
});

/** The challenge of the ceremony in progress, kept with the interaction (bound to its cookie). */
interface PendingCeremony {
  purpose: PasskeyPurpose;
  challenge: string;
}

/** RFC 8176: a synced passkey is a software-secured key, a device-bound one hardware-secured. */
export function keyAmr(passkey: Pick<PasskeyRecord, 'deviceType'>): string {
  return passkey.deviceType === 'multiDevice' ? AMR_SOFTWARE_KEY : AMR_HARDWARE_KEY;
}

/**
 * WebAuthn in the sign-in interaction: options (JSON, fetched by public/webauthn.js) and the
 * verification the page then posts as a plain form. Which ceremony is allowed depends on the
 * prompt: passwordless on the login page, registration when the second-factor step is an
 * enrolment, a passkey assertion when it is a challenge that accepts one. The challenge is kept
 * with the interaction and used once, so one from another sign-in never verifies here.
 */
export function registerPasskeyRoutes(
  router: Router,
  tools: InteractionTools,
  deps: PasskeyRoutesDeps,
) {
  function allowed(found: Details, wanted: PasskeyPurpose): boolean {
    if (wanted === 'passwordless') return found.prompt.name === 'login';
    if (found.prompt.name !== MFA_PROMPT || !found.session?.accountId) return false;
    const decision = decisionSchema.safeParse(found.prompt.details);
    if (!decision.success) return false;
    if (wanted === 'register') return decision.data.kind === 'enrol';
    return (
      decision.data.kind === 'second_factor' && (decision.data.methods ?? []).includes('passkey')
    );
  }

  async function remember(found: Details, pending: PendingCeremony | undefined): Promise<void> {
    const result = { ...(found.result ?? {}) } as Record<string, unknown>;
    if (pending) result.webauthn = pending;
    else delete result.webauthn;
    found.result = result as Details['result'];
    const ttl = Math.max(1, (found.exp ?? 0) - Math.floor(Date.now() / 1000));
    await found.save(ttl);
  }

  router.post('/:uid/mfa/passkey-options', async (ctx) => {
    const found = await tools.details(ctx, ctx.params.uid ?? '');
    const form = await tools.readForm(ctx, optionsForm, found.uid);
    if (!allowed(found, form.purpose)) throw new AppError('interaction_mismatch');
    const accountId = found.session?.accountId;
    let options: { challenge: string };
    if (form.purpose === 'register') {
      const account = accountId ? await deps.account(accountId) : undefined;
      if (!account) throw new AppError('interaction_expired');
      options = await deps.ceremonies.registrationOptions(account);
    } else {
      options = await deps.ceremonies.authenticationOptions(
        form.purpose === 'second-factor' ? accountId : undefined,
      );
    }
    await remember(found, { purpose: form.purpose, challenge: options.challenge });
    ctx.type = 'json';
    ctx.body = options;
  });

  router.post('/:uid/mfa/passkey', async (ctx) => {
    const found = await tools.details(ctx, ctx.params.uid ?? '');
    const form = await tools.readForm(ctx, verifyForm, found.uid);
    if (!allowed(found, form.purpose)) throw new AppError('interaction_mismatch');
    const pending = (found.result as { webauthn?: PendingCeremony } | undefined)?.webauthn;
    if (pending?.purpose !== form.purpose) {
      throw new AppError('invalid_input', { response: 'no passkey ceremony is in progress' });
    }
    // Used once, whatever the outcome (WebAuthn §13.4.3: a challenge is never accepted twice).
    await remember(found, undefined);
    const accountId = found.session?.accountId;
    let passkey: PasskeyRecord;
    try {
      if (form.purpose === 'register') {
        if (!accountId) throw new AppError('interaction_expired');
        const name = form.name?.trim() || 'Passkey';
        passkey = await deps.ceremonies.register({
          accountId,
          name,
          response: form.response,
          expectedChallenge: pending.challenge,
        });
        await deps.events.record({
          type: 'mfa.enrolled',
          subject: accountId,
          details: { factor: 'passkey' },
        });
      } else {
        passkey = await deps.ceremonies.authenticate({
          response: form.response,
          expectedChallenge: pending.challenge,
          accountId: form.purpose === 'second-factor' ? accountId : undefined,
        });
      }
    } catch (err) {
      if (!(err instanceof PasskeyRefused)) throw err;
      deps.observe?.('failure');
      deps.log.info(
        { event: 'passkey.refused', requestId: ctx.state.requestId, reason: err.reason },
        'passkey refused',
      );
      await deps.events.record({
        type: 'mfa.failed',
        subject: accountId,
        details: { factor: 'passkey', reason: err.reason.slice(0, 100) },
      });
      throw new AppError('invalid_input', { response: 'the passkey could not be verified' });
    }
    deps.observe?.('success');
    if (form.purpose !== 'register') {
      await deps.events.record({
        type: 'passkey.used',
        subject: passkey.accountId,
        details: { usage: form.purpose === 'passwordless' ? 'passwordless' : 'second_factor' },
      });
    }
    if (form.purpose !== 'passwordless') {
      await deps.passed(ctx, found, passkey.accountId, [keyAmr(passkey)]);
      return;
    }
    const account = await deps.account(passkey.accountId);
    // A disabled user signs in with nothing; the same refusal as any failed passkey.
    if (!account || account.disabled) {
      throw new AppError('invalid_input', { response: 'the passkey could not be verified' });
    }
    const { admitted } = await deps.admitSession(account.id, found.session?.cookie);
    if (!admitted) throw new AppError('session_limit_reached');
    // A passkey with user verification is two factors in one: something held (the key) and
    // something known or been (the PIN or biometric that unlocked it). RFC 8176 §2.
    await tools.finish(
      ctx,
      {
        login: {
          accountId: account.id,
          acr: ACR_PHISHING_RESISTANT,
          amr: [keyAmr(passkey), AMR_USER_PRESENCE, AMR_MFA],
        },
      },
      false,
    );
  });
}
