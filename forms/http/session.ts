import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { safeEqual } from '#core/hashing.ts';
import type { Role } from '#core/ports.ts';
import { resumeSession } from '#core/use-cases/sign-in.ts';
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
      if (session) {
        c.set('session', session);
        c.set('sessionId', raw);
      } else {
        deleteCookie(c, names.session, { path: '/', secure: https });
      }
    }
    const session = c.get('session');
    if (session) {
      c.set('csrfToken', session.csrfSecret);
    } else {
      let token = getCookie(c, names.csrf);
      if (!token || !/^[\w-]{20,100}$/.test(token)) {
        token = deps.ids.token(32);
        setCookie(c, names.csrf, token, {
          path: '/',
          httpOnly: true,
          sameSite: 'Lax',
          secure: https,
        });
      }
      c.set('csrfToken', token);
    }
    await next();
  };
}

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

/** Anonymous users go to sign in; a signed-in user without the role gets 403. */
export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const s = c.get('session');
    if (!s) {
      const back = new URL(c.req.url).pathname;
      return c.redirect(`/login?terug=${encodeURIComponent(back)}`, 303);
    }
    if (role === 'officer' && s.role !== 'officer') {
      throw new PageError(
        403,
        'Geen toegang',
        'Deze pagina is alleen voor de aandachtsfunctionaris.',
      );
    }
    return next();
  };
}
