import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MeldrouteError } from '#core/errors.ts';
import type { AppDeps, AppEnv } from './http/context.ts';
import { PageError } from './http/page-error.ts';
import { page } from './http/respond.ts';
import { sameOriginWrites, securityHeaders, servesHttps } from './http/security.ts';
import { sessionMiddleware } from './http/session.ts';
import { ErrorPage } from './pages/errors.tsx';
import { authRoutes } from './routes/auth.tsx';
import { devMailRoutes } from './routes/dev-mail.tsx';
import { handoverRoutes } from './routes/handover.tsx';
import { inboxRoutes } from './routes/inbox.tsx';
import { mailViewRoutes } from './routes/mail-views.tsx';
import { meldenRoutes } from './routes/melden.tsx';
import { monitorRoutes } from './routes/monitor.tsx';
import { overlegRoutes } from './routes/overleg.tsx';
import { partnerRoutes } from './routes/partner.tsx';
import { reminderRoutes } from './routes/reminders.tsx';
import { secondFactorRoutes } from './routes/second-factor.tsx';
import { ssoRoutes } from './routes/sso.tsx';
import { workflowRoutes } from './routes/workflow.tsx';

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

export type AppOptions = {
  /**
   * Who adds the security headers: the app's middleware (the Lambda, tests),
   * or the Node server in front of it, with `withSecurityHeaders` from
   * ./http/security.ts (the local server: cheaper per request, issue 8).
   */
  securityHeaders?: 'middleware' | 'server';
};

/**
 * The whole web app as one web-standard Hono app: the local server serves it
 * with @hono/node-server, the Lambda wraps it with hono/aws-lambda.
 *
 * Answers that need no request state (health, the stylesheet) come from a
 * front app; everything else falls through to the pages. Hono runs a request
 * through its async middleware chain whenever more than one handler matches,
 * and the pages' middleware (body limit, same-origin check, session) matches
 * every path; in one app that chain cost /healthz ~20% of its throughput
 * although none of it runs there (issue 8).
 */
export function createApp(deps: AppDeps, options: AppOptions = {}) {
  const https = servesHttps(deps.config.baseUrl);
  const pages = pageApp(deps, https);
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

/** The pages: form bodies, the session and the CSRF cookie, the error pages. */
function pageApp(deps: AppDeps, https: boolean) {
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
  app.use(sessionMiddleware(deps, https));

  app.get('/', (c) => c.redirect(c.get('session')?.role === 'officer' ? '/inbox' : '/melden', 303));
  app.route('/', authRoutes(deps, https));
  app.route('/', secondFactorRoutes(deps, https));
  app.route('/', ssoRoutes(deps, https));
  app.route('/', meldenRoutes(deps));
  app.route('/', inboxRoutes(deps));
  app.route('/', monitorRoutes(deps));
  app.route('/', workflowRoutes(deps));
  app.route('/', handoverRoutes(deps));
  app.route('/', reminderRoutes(deps));
  app.route('/', partnerRoutes(deps));
  app.route('/', overlegRoutes(deps));
  if (deps.blobs) app.route('/', mailViewRoutes({ ...deps, blobs: deps.blobs }));
  if (deps.devMail) {
    app.route(
      '/dev/mail',
      devMailRoutes({ mailbox: deps.devMail, municipality: config.municipality.name }),
    );
  }

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
