import { Hono } from 'hono';
import * as z from 'zod/mini';
import {
  checkSignInLink,
  confirmSignIn,
  endSession,
  requestSignInLink,
  signOut,
} from '#core/use-cases/sign-in.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { clientKey, page } from '../http/respond.ts';
import {
  assertCsrf,
  endSessionCookie,
  SECOND_FACTOR_PATH,
  startSessionCookie,
} from '../http/session.ts';
import { ErrorPage } from '../pages/errors.tsx';
import { ConfirmLoginPage, LinkInvalidPage, LoginPage, LoginSentPage } from '../pages/login.tsx';

const TOKEN = /^[\w-]{40,64}$/;
const EmailInput = z.pipe(z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254)), z.email());

/** Where to go after sign-in: only our own paths, never another site. */
export function safeReturn(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/[a-z0-9/_-]*$/i.test(value) && !value.startsWith('//')
    ? value
    : undefined;
}

export function authRoutes(deps: AppDeps, https: boolean) {
  const app = new Hono<AppEnv>();
  const { config } = deps;

  app.get('/login', (c) =>
    page(
      c,
      <LoginPage
        config={config}
        csrfToken={c.get('csrfToken')}
        returnTo={safeReturn(c.req.query('terug'))}
      />,
    ),
  );

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    assertCsrf(c, body._csrf);
    const email = EmailInput.safeParse(body.email);
    if (!email.success) {
      return page(
        c,
        <LoginPage
          config={config}
          csrfToken={c.get('csrfToken')}
          email={typeof body.email === 'string' ? body.email : ''}
          error="Vul een geldig e-mailadres in, bijvoorbeeld naam@montfoort.nl."
        />,
        400,
      );
    }
    const result = await requestSignInLink(deps, { email: email.data, clientKey: clientKey(c) });
    if (result === 'rate_limited') {
      c.header('Retry-After', '900');
      return page(
        c,
        <ErrorPage
          config={config}
          status={429}
          title="Te veel aanvragen"
          message="U heeft te vaak een aanmeldlink gevraagd. Probeer het over een kwartier opnieuw."
        />,
        429,
      );
    }
    deps.logger.info('sign-in link requested', { outcome: result });
    if (result === 'sent') deps.afterWrite?.();
    // The same page for known and unknown addresses: no account probing.
    return page(c, <LoginSentPage config={config} />);
  });

  app.get('/aanmelden/:token', async (c) => {
    const token = c.req.param('token');
    // A GET only shows a button: mail scanners open links, so they must not use them up.
    if (!TOKEN.test(token) || !(await checkSignInLink(deps, token))) {
      return page(c, <LinkInvalidPage config={config} />, 410);
    }
    return page(c, <ConfirmLoginPage config={config} token={token} />);
  });

  app.post('/aanmelden/bevestigen', async (c) => {
    const body = await c.req.parseBody();
    const token = typeof body.token === 'string' ? body.token : '';
    const started = TOKEN.test(token) ? await confirmSignIn(deps, token) : undefined;
    if (!started) return page(c, <LinkInvalidPage config={config} />, 410);
    if (c.get('sessionId')) await endSession(deps, c.get('sessionId') as string);
    startSessionCookie(c, https, started.sessionId, config.signIn.absoluteHours);
    deps.logger.info('signed in', {
      role: started.session.role,
      pendingFactor: started.session.pendingFactor === true,
    });
    // An officer first gives the second factor; nothing else is reachable until then.
    if (started.session.pendingFactor) return c.redirect(SECOND_FACTOR_PATH, 303);
    const target =
      safeReturn(c.req.query('terug')) ??
      (started.session.role === 'officer' ? '/inbox' : '/melden');
    return c.redirect(target, 303);
  });

  app.post('/uitloggen', async (c) => {
    const body = await c.req.parseBody();
    assertCsrf(c, body._csrf);
    const id = c.get('sessionId');
    if (id) await signOut(deps, id, c.get('session') ?? c.get('pendingSession'));
    endSessionCookie(c, https);
    return c.redirect('/login', 303);
  });

  return app;
}
