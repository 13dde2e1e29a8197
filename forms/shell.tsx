import { readFileSync } from 'node:fs';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MeldrouteError } from '#core/errors.ts';
import type { AppDeps, AppEnv } from './http/context.ts';
import { PageError } from './http/page-error.ts';
import { page } from './http/respond.ts';
import { sameOriginWrites, securityHeaders } from './http/security.ts';
import { ErrorPage } from './pages/errors.tsx';

/**
 * What every composition of the web app shares, whichever pages it mounts:
 * the front (security headers, health, the stylesheet) and the pages' shell
 * (body limit, same-origin writes, the session or CSRF cookie, the error
 * pages). The whole app (./app.tsx) and the partner pages alone
 * (./partner-app.tsx, the partner Lambda, docs/adr/0018) are built from it,
 * so both answer, refuse and fail in the same way.
 */

const STYLESHEET = readFileSync(new URL('./static/meldroute.css', import.meta.url), 'utf8');

/** Errors that mean "a dependency is busy or down": say so, never a false success. */
const UNAVAILABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'InternalServerError',
  'TimeoutError',
  'UnavailableError',
]);

export type ShellOptions = {
  /**
   * Who adds the security headers: the app's middleware (the Lambda, tests),
   * or the Node server in front of it, with `withSecurityHeaders` from
   * ./http/security.ts (the local server: cheaper per request, issue 8).
   */
  securityHeaders?: 'middleware' | 'server';
};

/**
 * Answers that need no request state (health, the stylesheet) come from a
 * front app; everything else falls through to the pages. Hono runs a request
 * through its async middleware chain whenever more than one handler matches,
 * and the pages' middleware (body limit, same-origin check, session) matches
 * every path; in one app that chain cost /healthz ~20% of its throughput
 * although none of it runs there (issue 8).
 */
export function frontApp(https: boolean, pages: Hono<AppEnv>, options: ShellOptions = {}) {
  const app = new Hono<AppEnv>();
  if (options.securityHeaders !== 'server') app.use(securityHeaders({ https }));
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/static/meldroute.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  app.notFound((c) => pages.fetch(c.req.raw, c.env));
  // Listed with the app's own (runtime.routes, showRoutes), though reached through notFound.
  app.routes.push(...pages.routes);
  return app;
}

/**
 * The pages: form bodies, same-origin writes, `visitor` (who is asking: the
 * session, or only a CSRF cookie), then the routes `mount` adds, and the
 * error pages for whatever they throw or do not match.
 */
export function pageApp(
  deps: Pick<AppDeps, 'config' | 'logger'>,
  visitor: MiddlewareHandler<AppEnv>,
  mount: (app: Hono<AppEnv>) => void,
) {
  const { config } = deps;
  const app = new Hono<AppEnv>();

  const limitBody = bodyLimit({
    maxSize: config.limits.maxFormBytes,
    onError: (c) =>
      page(
        c,
        <ErrorPage
          config={config}
          status={413}
          title="Te veel gegevens"
          message="Het formulier bevat meer tekst dan wij in één keer kunnen aannemen. Maak de tekst korter, of stuur het signaal per e-mail."
        />,
        413,
      ),
  });
  // A GET or HEAD has no body (neither adapter gives it one), but asking for it
  // makes @hono/node-server build the full WHATWG Request: ~60 µs on every page.
  app.use((c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next),
  );
  app.use(sameOriginWrites(new URL(config.baseUrl).origin));
  app.use(visitor);

  mount(app);

  app.notFound((c) =>
    page(
      c,
      <ErrorPage
        config={config}
        status={404}
        title="Pagina niet gevonden"
        message="Deze pagina bestaat niet. Controleer het adres of ga terug naar de startpagina."
      />,
      404,
    ),
  );

  app.onError((err, c) => {
    if (err instanceof PageError) {
      return page(
        c,
        <ErrorPage
          config={config}
          status={err.status}
          title={err.title}
          message={err.userMessage}
        />,
        err.status,
      );
    }
    if (UNAVAILABLE.has(err.name)) {
      deps.logger.warn('dependency unavailable', { error: err.name });
      c.header('Retry-After', '30');
      return page(
        c,
        <ErrorPage
          config={config}
          status={503}
          title="Even niet beschikbaar"
          message="Meldroute kan uw verzoek nu niet verwerken. Er is niets opgeslagen. Probeer het over een minuut opnieuw."
        />,
        503,
      );
    }
    if (err instanceof MeldrouteError && err.code === 'DECRYPT_FAILED') {
      // A ciphertext that does not belong here (moved, tampered or a wrong key): never guess.
      deps.logger.error('decryption refused', { error: err.name, code: err.code });
      return page(
        c,
        <ErrorPage
          config={config}
          status={500}
          title="Signaal kan niet worden gelezen"
          message="De versleutelde gegevens van dit signaal kloppen niet. Er wordt niets getoond. Meld dit bij de beheerder van Meldroute."
        />,
        500,
      );
    }
    deps.logger.error('unhandled error', {
      error: err.name,
      code: err instanceof MeldrouteError ? err.code : 'UNKNOWN',
    });
    return page(
      c,
      <ErrorPage
        config={config}
        status={500}
        title="Er ging iets mis"
        message="Er ging bij ons iets mis. Probeer het later opnieuw. Blijft dit gebeuren? Neem dan contact op met de aandachtsfunctionaris."
      />,
      500,
    );
  });

  return app;
}
