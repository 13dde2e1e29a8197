import type { AppDeps } from './http/context.ts';
import { servesHttps } from './http/security.ts';
import { sessionMiddleware } from './http/session.ts';
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
import { frontApp, pageApp, type ShellOptions } from './shell.tsx';

export type AppOptions = ShellOptions & {
  /**
   * Whether this app also serves the partner pages (/partner/:token). The
   * local process serves everything; on AWS the web function leaves them out
   * and the partner function serves them alone (./partner-app.tsx), under a
   * role that cannot decrypt the reporter (docs/adr/0018).
   */
  partnerPages?: boolean;
};

/**
 * The whole web app as one web-standard Hono app: the local server serves it
 * with @hono/node-server, the Lambda wraps it with hono/aws-lambda. The front
 * and the pages' shell are ./shell.tsx, shared with the partner app.
 */
export function createApp(deps: AppDeps, options: AppOptions = {}) {
  const https = servesHttps(deps.config.baseUrl);
  const { config } = deps;
  const pages = pageApp(deps, sessionMiddleware(deps, https), (app) => {
    app.get('/', (c) =>
      c.redirect(c.get('session')?.role === 'officer' ? '/inbox' : '/melden', 303),
    );
    app.route('/', authRoutes(deps, https));
    app.route('/', secondFactorRoutes(deps, https));
    app.route('/', ssoRoutes(deps, https));
    app.route('/', meldenRoutes(deps));
    app.route('/', inboxRoutes(deps));
    app.route('/', monitorRoutes(deps));
    app.route('/', workflowRoutes(deps));
    app.route('/', handoverRoutes(deps));
    app.route('/', reminderRoutes(deps));
    if (options.partnerPages !== false) app.route('/', partnerRoutes(deps));
    app.route('/', overlegRoutes(deps));
    if (deps.blobs) app.route('/', mailViewRoutes({ ...deps, blobs: deps.blobs }));
    if (deps.devMail) {
      app.route(
        '/dev/mail',
        devMailRoutes({ mailbox: deps.devMail, municipality: config.municipality.name }),
      );
    }
  });
  return frontApp(https, pages, options);
}
