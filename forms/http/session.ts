import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { safeEqual } from '#core/hashing.ts';
import type { Role } from '#core/ports.ts';
import { audit, resumeSession } from '#core/use-cases/sign-in.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { PageError } from './page-error.ts';

export function cookieNames(https: boolean) {
  // __Host- cookies need Secure, which plain-HTTP local mode cannot set.
  return https
    ? { session: '__Host-mr_session', csrf: '__Host-mr_csrf' }
    : { session: 'mr_session', csrf: 'mr_csrf' };
}

/**
 * Loads the session from its cookie, and gives every request a CSRF token:
 * the session's secret when signed in, else a random double-submit cookie
 * (for the sign-in forms).
 */
export function sessionMiddleware(deps: AppDeps, https: boolean): MiddlewareHandler<AppEnv> {
  const names = cookieNames(https);
  return async (c, next) => {
    const raw = getCookie(c, names.session);
    if (raw && /^[\w-]{20,100}$/.test(raw)) {
      const session = await resumeSession(deps, raw);
      if (session?.pendingFactor) {
        // Not signed in yet as far as every page is concerned: only the
        // second-factor pages and sign-out read `pendingSession`.
        c.set('pendingSession', session);
        c.set('sessionId', raw);
      } else if (session) {
        c.set('session', session);
        c.set('sessionId', raw);
      } else {
        deleteCookie(c, names.session, { path: '/', secure: https });
      }
    }
    const session = c.get('session') ?? c.get('pendingSession');
    c.set('csrfToken', session ? session.csrfSecret : visitorCsrfToken(c, deps, names.csrf, https));
    await next();
    if (c.error instanceof AccessDeniedError) {
      const s = c.get('session');
      await audit(deps, {
        type: 'role-denied',
        path: c.error.path,
        ...(s ? { actor: s.email, role: s.role } : {}),
      });
      deps.logger.warn('role denied', { role: s?.role ?? 'none', need: c.error.need });
    }
  };
}

/**
 * Only the visitor's CSRF token, never a session: for pages that have no
 * signed-in users (the partner pages on their own, docs/adr/0018).
 */
export function csrfCookieMiddleware(
  deps: Pick<AppDeps, 'ids'>,
  https: boolean,
): MiddlewareHandler<AppEnv> {
  const name = cookieNames(https).csrf;
  return async (c, next) => {
    c.set('csrfToken', visitorCsrfToken(c, deps, name, https));
    await next();
  };
}

/** A random double-submit cookie: its value must come back in the form. */
function visitorCsrfToken(
  c: Context,
  deps: Pick<AppDeps, 'ids'>,
  name: string,
  https: boolean,
): string {
  const token = getCookie(c, name);
  if (token && /^[\w-]{20,100}$/.test(token)) return token;
  const fresh = deps.ids.token(32);
  setCookie(c, name, fresh, { path: '/', httpOnly: true, sameSite: 'Lax', secure: https });
  return fresh;
}

/** A signed-in user without the role a page needs: a Dutch 403, and an audit entry. */
export class AccessDeniedError extends PageError {
  constructor(
    readonly need: Role,
    readonly path: string,
  ) {
    super(403, 'Geen toegang', DENIED[need]);
  }
}

const DENIED: Record<Role, string> = {
  staff: 'U heeft geen toegang tot deze pagina.',
  officer: 'Deze pagina is alleen voor de aandachtsfunctionaris.',
  analyst: 'Deze pagina is alleen voor de analist en de aandachtsfunctionaris.',
  admin: 'Deze pagina is alleen voor de beheerder.',
};

/** Where a signed-in officer still has to give the second factor. */
export const SECOND_FACTOR_PATH = '/tweede-stap';

export function startSessionCookie(c: Context, https: boolean, sessionId: string, hours: number) {
  setCookie(c, cookieNames(https).session, sessionId, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: https,
    maxAge: hours * 3600,
  });
}

export function endSessionCookie(c: Context, https: boolean) {
  deleteCookie(c, cookieNames(https).session, { path: '/', secure: https });
}

/** Throws a Dutch 403 page unless the form carried this session's (or visitor's) token. */
export function assertCsrf(c: Context<AppEnv>, submitted: unknown): void {
  if (typeof submitted === 'string' && safeEqual(submitted, c.get('csrfToken'))) return;
  throw new PageError(
    403,
    'Formulier verlopen',
    'Dit formulier is verlopen of niet vanaf deze website verstuurd. Laad de pagina opnieuw en probeer het nog eens.',
  );
}

/**
 * Who reaches a page that needs `role`: 'staff' pages (reporting) are for
 * every signed-in employee; the others only for that role (and analyst pages
 * also for the officer). Analysts and admins never reach signal content.
 */
export function hasRole(need: Role, has: Role): boolean {
  if (need === 'staff') return true;
  if (need === 'analyst') return has === 'analyst' || has === 'officer';
  return need === has;
}

/**
 * Anonymous users go to sign in; a session still waiting for its second
 * factor goes to the code page; a signed-in user without the role gets 403.
 */
export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const s = c.get('session');
    if (!s) {
      if (c.get('pendingSession')) return c.redirect(SECOND_FACTOR_PATH, 303);
      const back = new URL(c.req.url).pathname;
      return c.redirect(`/login?terug=${encodeURIComponent(back)}`, 303);
    }
    if (!hasRole(role, s.role)) throw new AccessDeniedError(role, new URL(c.req.url).pathname);
    return next();
  };
}
