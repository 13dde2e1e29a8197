import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { allowRequest, endSession } from '#core/use-cases/sign-in.ts';
import { beginSso, completeSso, type SsoRefusal } from '#core/use-cases/sso.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { clientKey, page } from '../http/respond.ts';
import { startSessionCookie } from '../http/session.ts';
import { ErrorPage } from '../pages/errors.tsx';
import { SsoRefusedPage } from '../pages/login.tsx';
import { safeReturn } from './auth.tsx';

const FLOW_ID = /^[\w-]{40,64}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1']);

/** Dutch, B1: what went wrong and what to do; the reason code goes only to the audit trail. */
const REFUSALS: Record<SsoRefusal, { status: 400 | 403 | 503; title: string; message: string }> =
  (() => {
    const untrusted = {
      status: 400 as const,
      title: 'Aanmelden is niet gelukt',
      message:
        'Het antwoord van de aanmeldservice van de gemeente klopte niet. Voor uw veiligheid hebben wij u niet aangemeld. Er is niets opgeslagen.',
    };
    return {
      flow: {
        status: 400,
        title: 'Deze aanmelding is verlopen',
        message:
          'Deze aanmeldpoging is verlopen of al gebruikt. Begin opnieuw vanaf de aanmeldpagina.',
      },
      state: untrusted,
      nonce: untrusted,
      audience: untrusted,
      issuer: untrusted,
      expired: untrusted,
      signature: untrusted,
      code: untrusted,
      'invalid-response': untrusted,
      'provider-error': {
        status: 400,
        title: 'Aanmelden is afgebroken',
        message: 'De aanmeldservice van de gemeente heeft de aanmelding afgebroken.',
      },
      unavailable: {
        status: 503,
        title: 'Aanmelden kan nu niet',
        message:
          'De aanmeldservice van de gemeente is nu niet bereikbaar. Probeer het over een paar minuten opnieuw.',
      },
      email: {
        status: 403,
        title: 'Geen toegang tot Meldroute',
        message:
          'Uw account geeft ons geen e-mailadres van het werk. Daarom kunnen wij u niet aanmelden.',
      },
      'no-role': {
        status: 403,
        title: 'Geen toegang tot Meldroute',
        message: 'Uw account heeft geen toegang tot Meldroute.',
      },
    };
  })();

/**
 * Single sign-on: /login/sso sends the browser to the municipality's
 * provider; /login/sso/callback takes the answer. The start is a GET (a plain
 * link), so the CSP's form-action never has to allow the provider.
 */
export function ssoRoutes(deps: AppDeps, https: boolean) {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  const cookie = https ? '__Host-mr_sso' : 'mr_sso';

  const unavailable = (c: Context<AppEnv>) =>
    page(c, <SsoRefusedPage config={config} {...REFUSALS.unavailable} />, 503);

  app.get('/login/sso', async (c) => {
    const sso = deps.sso;
    if (!sso) {
      return page(
        c,
        <ErrorPage
          config={config}
          status={404}
          title="Pagina niet gevonden"
          message="Aanmelden met het account van de gemeente is hier niet ingesteld."
        />,
        404,
      );
    }
    // Locally the app answers on both localhost and 127.0.0.1, but the flow
    // cookie must live on the host the provider returns to (config.baseUrl).
    const here = new URL(c.req.url);
    const base = new URL(config.baseUrl);
    if (here.host !== base.host && LOOPBACK.has(here.hostname) && LOOPBACK.has(base.hostname)) {
      return c.redirect(`${config.baseUrl}/login/sso${here.search}`, 303);
    }
    if (!(await allowRequest(deps, `sso-client:${clientKey(c)}`, 200))) {
      c.header('Retry-After', '900');
      return page(
        c,
        <ErrorPage
          config={config}
          status={429}
          title="Te veel aanvragen"
          message="Er is vanaf dit adres te vaak geprobeerd aan te melden. Probeer het over een kwartier opnieuw."
        />,
        429,
      );
    }
    let started: { flowId: string; url: string };
    try {
      started = await beginSso({ ...deps, sso }, safeReturn(c.req.query('terug')));
    } catch (err) {
      deps.logger.warn('sso start failed', { error: (err as Error).name });
      return unavailable(c);
    }
    setCookie(c, cookie, started.flowId, {
      path: '/',
      httpOnly: true,
      // Lax: the provider sends the browser back with a top-level GET.
      sameSite: 'Lax',
      secure: https,
      maxAge: 600,
    });
    return c.redirect(started.url, 303);
  });

  app.get('/login/sso/callback', async (c) => {
    const sso = deps.sso;
    if (!sso) return c.redirect('/login', 303);
    const raw = getCookie(c, cookie);
    deleteCookie(c, cookie, { path: '/', secure: https });
    // Our own address, not the one the request came in on (API Gateway, proxies):
    // it must equal the redirect_uri the provider was given.
    const callbackUrl = new URL(`${config.baseUrl}/login/sso/callback`);
    callbackUrl.search = new URL(c.req.url).search;
    const outcome = await completeSso(
      { ...deps, sso },
      { flowId: raw && FLOW_ID.test(raw) ? raw : undefined, callbackUrl },
    );
    if (!outcome.ok) {
      deps.logger.warn('sso sign-in refused', { reason: outcome.reason });
      const r = REFUSALS[outcome.reason];
      return page(
        c,
        <SsoRefusedPage config={config} title={r.title} message={r.message} />,
        r.status,
      );
    }
    const old = c.get('sessionId');
    if (old) await endSession(deps, old);
    startSessionCookie(c, https, outcome.started.sessionId, config.signIn.absoluteHours);
    const role = outcome.started.session.role;
    deps.logger.info('signed in', { role, method: 'sso' });
    return c.redirect(outcome.returnTo ?? (role === 'officer' ? '/inbox' : '/melden'), 303);
  });

  return app;
}
