import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { consoleAdmission } from './console-admission.ts';
import { AppError } from '../errors/app-error.ts';
import { parseForm } from '../http/parse-form.ts';
import { parseMultipartForm } from '../http/parse-multipart-form.ts';
import { clearSession, CONSOLE_PATH, readSession, safeReturn } from './console-auth.ts';
import {
  createConsoleKit,
  type ConsoleDeps,
  type ConsoleKit,
  type ConsoleState,
} from './console-kit.ts';
import { consoleMessages } from './console-messages.ts';
import { apiRoutes } from './routes/apis.ts';
import { attributeRoutes } from './routes/attributes.ts';
import { clientRoutes } from './routes/clients.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { deliveryRoutes } from './routes/deliveries.ts';
import { eventRoutes } from './routes/events.ts';
import { groupRoutes } from './routes/groups.ts';
import { initialAccessTokenRoutes } from './routes/initial-access-tokens.ts';
import { keyRoutes } from './routes/keys.ts';
import { roleRoutes } from './routes/roles.ts';
import { forbidden, OPEN_PATHS, signInRoutes } from './routes/sign-in.ts';
import { userAccessRoutes } from './routes/user-access.ts';
import { userImportRoutes } from './routes/user-import.ts';
import { userRoutes } from './routes/users.ts';
import { webhookRoutes } from './routes/webhooks.ts';

export type { ConsoleDeps } from './console-kit.ts';

const FORM_LIMIT = 16 * 1024;
/** The one upload (user import): a file of users, as the admin API's import takes (text). */
const UPLOAD_PATH = `${CONSOLE_PATH}/users/import`;
const UPLOAD_LIMIT = 8 * 1024 * 1024;

/**
 * The admin console at /console (issue 17; docs/console.md): server-rendered pages, no script,
 * every form a POST with a CSRF token bound to the console session (ASVS 3.5.1), under the
 * site's CSP with `frame-ancestors 'none'` (src/http/security-headers.ts). Admins sign in through
 * this server itself, as a relying party with code + PKCE and a second factor (console-auth.ts);
 * who may enter: holders of `console.adminRoles` and the usernames in `console.admins`
 * (console-admission.ts); dangerous actions want a sign-in no older than
 * `console.reauthSeconds` (OIDC `max_age`). Every change goes through the admin services, so the
 * audit trail names `console:<username>` exactly as the API names its client and the CLI its user.
 * Each section's pages are in ./routes/, one file each; this file puts them together behind the
 * guard.
 */
export function consoleRouter(deps: ConsoleDeps): Middleware {
  const kit = createConsoleKit(deps);
  const { config } = deps;
  const admitted = consoleAdmission(deps);
  const router = new Router({ prefix: CONSOLE_PATH });

  signInRoutes(router, kit, admitted);
  const sections: ((router: Router, kit: ConsoleKit) => void)[] = [
    dashboardRoutes,
    clientRoutes,
    apiRoutes,
    // The import before the users' `/users/:id` pages, whose pattern would take `/users/import`.
    userImportRoutes,
    userRoutes,
    userAccessRoutes,
    roleRoutes,
    groupRoutes,
    attributeRoutes,
    initialAccessTokenRoutes,
    keyRoutes,
    webhookRoutes,
    deliveryRoutes,
    eventRoutes,
  ];
  for (const section of sections) section(router, kit);

  // Every other console route: a live session of a listed, enabled admin, and for POSTs a
  // form with the session's CSRF token.
  const guard: Middleware = async (ctx, next) => {
    if (OPEN_PATHS.includes(ctx.path)) return next();
    const session = readSession(ctx, kit.now());
    if (!session) {
      if (ctx.method !== 'GET') throw new AppError('csrf_failed');
      ctx.redirect(
        `${CONSOLE_PATH}/login?return=${encodeURIComponent(safeReturn(ctx.originalUrl))}`,
      );
      return;
    }
    const account = await deps.accounts.findById(session.sub);
    if (!(await admitted(account))) {
      clearSession(ctx);
      return forbidden(kit, ctx);
    }
    const lang = kit.languageOf(ctx);
    ctx.state.console = { session, t: consoleMessages(lang), lang } satisfies ConsoleState;
    if (ctx.method === 'POST') {
      let form: Record<string, string>;
      if (ctx.path === UPLOAD_PATH && ctx.is('multipart/form-data')) {
        const upload = await parseMultipartForm(ctx, { limit: UPLOAD_LIMIT });
        form = upload.fields;
        ctx.state.files = upload.files;
      } else {
        form = await parseForm(ctx, { limit: FORM_LIMIT });
      }
      if (!kit.csrf.verify(`console:${session.sid}`, form.csrf)) throw new AppError('csrf_failed');
      ctx.state.form = form;
    }
    await next();
  };

  const routes = router.routes();
  return async function adminConsole(ctx, next) {
    if (ctx.path !== CONSOLE_PATH && !ctx.path.startsWith(`${CONSOLE_PATH}/`)) return next();
    if (!config.console.enabled) throw new AppError('not_found');
    await guard(ctx, async () => {
      await routes(ctx as never, async () => {
        throw new AppError('not_found');
      });
    });
  };
}
