import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import {
  ACR_MFA,
  ACR_PHISHING_RESISTANT,
  AMR_MFA,
  AMR_OTP,
  AMR_PASSWORD,
} from '../oidc/acr-values.ts';
import { MFA_PROMPT } from '../oidc/mfa-prompt.ts';
import type { MfaService } from '../mfa/mfa-service.ts';
import { RECOVERY_CODES_LOW } from '../mfa/recovery-codes.ts';
import type { VerifySecondFactor } from '../mfa/second-factor-guard.ts';
import type { ClientInput } from '../ui/client-badge.ts';
import type { PageContext } from '../ui/layout-locals.ts';
import { mfaEnrolPage } from '../ui/mfa-enrol-page.ts';
import { mfaPage, type MfaPageError } from '../ui/mfa-page.ts';
import { mfaRecoveryCodesPage } from '../ui/mfa-recovery-codes-page.ts';
import type { ViewRenderer } from '../ui/render-view.ts';
import type { MfaPass, PassMethod } from './mfa-pass.ts';
import { registerPasskeyRoutes, type PasskeyRoutesDeps } from './passkey-routes.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
type Result = Parameters<Provider['interactionResult']>[2];

/** What the interaction router lends the second-factor routes (its checks and helpers). */
export interface InteractionTools {
  details(ctx: Context, uid: string): Promise<Details>;
  readForm<T>(ctx: Context, schema: z.ZodType<T>, uid: string): Promise<T>;
  finish(ctx: Context, result: Result, merge: boolean): Promise<void>;
  language(ctx: Context, found: Details): Pick<PageContext, 'lang' | 'here'>;
  clientOf(found: Details): Promise<ClientInput>;
  csrfToken(uid: string): string;
  productName: string;
}

export interface MfaRoutesDeps {
  mfa: MfaService;
  verify: VerifySecondFactor;
  pass: MfaPass;
  render: ViewRenderer;
  log: Logger;
  /** The account's display name for the authenticator app's label. */
  usernameOf(accountId: string): Promise<string | undefined>;
  /** WebAuthn (src/interactions/passkey-routes.ts); no passkeys without. */
  passkeys?: Omit<PasskeyRoutesDeps, 'passed' | 'log'> | undefined;
}

// What the prompt's check decided (src/mfa/mfa-decision.ts), as stored with the interaction.
const decisionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('second_factor'),
    target: z.string(),
    methods: z.array(z.enum(['totp', 'recovery_code', 'passkey'])),
  }),
  z.object({ kind: z.literal('enrol'), target: z.string() }),
  z.object({ kind: z.literal('unattainable') }),
]);
type Decision = z.infer<typeof decisionSchema>;

// Codes: bounded strings; their shape is checked by the service (a wrong shape is a wrong code).
const codeForm = z.object({ csrf: z.string().max(200), code: z.string().max(64) });
const continueForm = z.object({ csrf: z.string().max(200), pass: z.string().max(200) });

/** RFC 8176 `amr` after a second factor: what the session had (a password), the factor, `mfa`. */
function amrAfter(found: Details, method: PassMethod): string[] {
  const before = Array.isArray(found.session?.amr)
    ? found.session.amr.filter((v): v is string => typeof v === 'string')
    : [AMR_PASSWORD];
  const factor = method === 'passkey' ? [] : [AMR_OTP];
  return [...new Set([...before, ...factor, AMR_MFA])];
}

/**
 * The second-factor step of sign-in (issue 14): the page of the `mfa` prompt
 * (src/oidc/mfa-prompt.ts) and its forms: a TOTP code, a recovery code, TOTP enrolment for a
 * user who must have a factor and has none, and the recovery codes shown once after it. Every
 * form is checked as the login form is (CSRF, the interaction of the cookie, bounded fields).
 */
export function registerMfaRoutes(router: Router, tools: InteractionTools, deps: MfaRoutesDeps) {
  function decisionOf(found: Details): Decision {
    if (found.prompt.name !== MFA_PROMPT) throw new AppError('interaction_mismatch');
    const parsed = decisionSchema.safeParse(found.prompt.details);
    if (!parsed.success) throw new AppError('interaction_mismatch');
    return parsed.data;
  }

  function accountOf(found: Details): string {
    const accountId = found.session?.accountId;
    if (!accountId) throw new AppError('interaction_expired');
    return accountId;
  }

  async function page(ctx: Context, uid: string) {
    const found = await tools.details(ctx, uid);
    return { found, decision: decisionOf(found), accountId: accountOf(found) };
  }

  async function renderChallenge(
    ctx: Context,
    found: Details,
    decision: Extract<Decision, { kind: 'second_factor' }>,
    accountId: string,
    error?: MfaPageError,
  ) {
    const summary = await deps.mfa.summary(accountId);
    ctx.type = 'html';
    ctx.body = await deps.render(
      'mfa',
      mfaPage({
        uid: found.uid,
        csrfToken: tools.csrfToken(found.uid),
        client: await tools.clientOf(found),
        productName: tools.productName,
        ...tools.language(ctx, found),
        methods: decision.methods,
        phishingResistant: decision.target === ACR_PHISHING_RESISTANT,
        recoveryCodesLeft:
          decision.methods.includes('recovery_code') &&
          summary.recoveryCodesLeft <= RECOVERY_CODES_LOW
            ? summary.recoveryCodesLeft
            : undefined,
        error,
      }),
    );
  }

  async function renderEnrol(
    ctx: Context,
    found: Details,
    accountId: string,
    error?: 'invalid_code' | 'missing_code',
  ) {
    const label = (await deps.usernameOf(accountId)) ?? accountId;
    const enrolment = await deps.mfa.startTotpEnrolment(accountId, label);
    // An active authenticator appeared meanwhile (another tab): this step is a challenge now.
    if (!enrolment) throw new AppError('interaction_mismatch');
    ctx.type = 'html';
    ctx.body = await deps.render(
      'mfa-enrol',
      mfaEnrolPage({
        uid: found.uid,
        csrfToken: tools.csrfToken(found.uid),
        client: await tools.clientOf(found),
        productName: tools.productName,
        ...tools.language(ctx, found),
        secret: enrolment.secret,
        qrSvg: enrolment.qrSvg,
        error,
        passkeys: deps.passkeys !== undefined,
      }),
    );
  }

  /** Ends the step: the session's `acr` rises to what the factor reaches (acr-values.ts). */
  async function passed(
    ctx: Context,
    found: Details,
    accountId: string,
    method: PassMethod,
    extraAmr: string[] = [],
  ) {
    const acr = method === 'passkey' ? ACR_PHISHING_RESISTANT : ACR_MFA;
    deps.log.info(
      {
        event: 'mfa.succeeded',
        requestId: ctx.state.requestId,
        sub: accountId,
        clientId: found.params.client_id,
        method,
      },
      'second factor passed',
    );
    const amr = [...new Set([...amrAfter(found, method).slice(0, -1), ...extraAmr, AMR_MFA])];
    await tools.finish(ctx, { login: { accountId, acr, amr } }, false);
  }

  /** GET /interaction/:uid while the `mfa` prompt is pending (called by the interaction router). */
  async function renderPrompt(ctx: Context, found: Details): Promise<void> {
    const decision = decisionOf(found);
    const accountId = accountOf(found);
    if (decision.kind === 'unattainable') {
      // The RP asked for an acr this user cannot reach (phishing-resistant with only a TOTP):
      // the standard error (OpenID Connect Core §3.1.2.6, errata set 2), never a weaker session.
      await tools.finish(
        ctx,
        {
          error: 'unmet_authentication_requirements',
          error_description: 'the requested authentication context cannot be met for this user',
        },
        false,
      );
      return;
    }
    if (decision.kind === 'enrol') {
      await renderEnrol(ctx, found, accountId);
      return;
    }
    await renderChallenge(ctx, found, decision, accountId);
  }

  async function codeStep(ctx: Context, factor: 'totp' | 'recovery_code') {
    const { found, decision, accountId } = await page(ctx, ctx.params.uid ?? '');
    if (decision.kind !== 'second_factor' || !decision.methods.includes(factor)) {
      throw new AppError('interaction_mismatch');
    }
    const form = await tools.readForm(ctx, codeForm, found.uid);
    if (form.code.trim() === '') {
      ctx.status = 400;
      await renderChallenge(ctx, found, decision, accountId, 'missing_code');
      return;
    }
    const result = await deps.verify({
      accountId,
      factor,
      code: form.code,
      ip: ctx.request.ip,
      clientId: typeof found.params.client_id === 'string' ? found.params.client_id : undefined,
    });
    if (!result.ok && result.refusal === 'ip_limited') {
      ctx.set('Retry-After', String(result.retryAfterSeconds));
      throw new AppError('too_many_attempts');
    }
    if (!result.ok) {
      // One answer for a wrong, a replayed and a locked code (ASVS 6.3.8).
      ctx.status = 401;
      await renderChallenge(ctx, found, decision, accountId, 'invalid_code');
      return;
    }
    if (factor === 'recovery_code' && (result.remaining ?? 0) <= RECOVERY_CODES_LOW) {
      // Few codes left: offer new ones before going on (the step is passed; the pass proves it).
      await renderCodes(ctx, found, accountId, { fewLeft: result.remaining ?? 0, method: factor });
      return;
    }
    await passed(ctx, found, accountId, factor);
  }

  async function renderCodes(
    ctx: Context,
    found: Details,
    accountId: string,
    shown: { codes?: string[]; fewLeft?: number; method: PassMethod },
  ) {
    const client = await tools.clientOf(found);
    ctx.type = 'html';
    ctx.body = await deps.render(
      'mfa-recovery-codes',
      mfaRecoveryCodesPage({
        uid: found.uid,
        csrfToken: tools.csrfToken(found.uid),
        clientId: client.id,
        productName: tools.productName,
        ...tools.language(ctx, found),
        codes: shown.codes ?? [],
        fewLeft: shown.fewLeft,
        pass: deps.pass.issue(found.uid, accountId, shown.method),
      }),
    );
  }

  router.post('/:uid/mfa/totp', (ctx) => codeStep(ctx, 'totp'));
  router.post('/:uid/mfa/recovery', (ctx) => codeStep(ctx, 'recovery_code'));

  router.post('/:uid/mfa/enrol', async (ctx) => {
    const { found, decision, accountId } = await page(ctx, ctx.params.uid ?? '');
    if (decision.kind !== 'enrol') throw new AppError('interaction_mismatch');
    const form = await tools.readForm(ctx, codeForm, found.uid);
    if (form.code.trim() === '') {
      ctx.status = 400;
      await renderEnrol(ctx, found, accountId, 'missing_code');
      return;
    }
    const codes = await deps.mfa.confirmTotp(accountId, form.code.replace(/\s/g, ''));
    if (!codes) {
      ctx.status = 400;
      await renderEnrol(ctx, found, accountId, 'invalid_code');
      return;
    }
    await renderCodes(ctx, found, accountId, { codes, method: 'totp' });
  });

  router.post('/:uid/mfa/regenerate', async (ctx) => {
    const { found, accountId } = await page(ctx, ctx.params.uid ?? '');
    const form = await tools.readForm(ctx, continueForm, found.uid);
    const method = deps.pass.verify(found.uid, accountId, form.pass);
    if (!method) throw new AppError('invalid_input', { pass: 'is not valid for this sign-in' });
    const codes = await deps.mfa.regenerateRecoveryCodes(accountId);
    await renderCodes(ctx, found, accountId, { codes, method });
  });

  router.post('/:uid/mfa/continue', async (ctx) => {
    const { found, accountId } = await page(ctx, ctx.params.uid ?? '');
    const form = await tools.readForm(ctx, continueForm, found.uid);
    const method = deps.pass.verify(found.uid, accountId, form.pass);
    if (!method) throw new AppError('invalid_input', { pass: 'is not valid for this sign-in' });
    await passed(ctx, found, accountId, method);
  });

  if (deps.passkeys) {
    registerPasskeyRoutes(router, tools, {
      ...deps.passkeys,
      log: deps.log,
      passed: (ctx, found, accountId, extraAmr) =>
        passed(ctx, found, accountId, 'passkey', extraAmr),
    });
  }

  return { renderPrompt, passed };
}

export type MfaRoutes = ReturnType<typeof registerMfaRoutes>;
