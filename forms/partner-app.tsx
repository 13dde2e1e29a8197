import type { AppDeps } from './http/context.ts';
import { servesHttps } from './http/security.ts';
import { csrfCookieMiddleware } from './http/session.ts';
import { type PartnerRouteDeps, partnerRoutes } from './routes/partner.tsx';
import { frontApp, pageApp, type ShellOptions } from './shell.tsx';

/** What the partner pages need: no sessions, no second factors, no blind index, no blobs. */
export type PartnerAppDeps = PartnerRouteDeps & Pick<AppDeps, 'ids'>;

/**
 * The partner pages alone (step 5: GET and POST /partner/:token), in the same
 * shell as the whole app (./shell.tsx): security headers, health and the
 * stylesheet, body limit, same-origin writes, the error pages. The partner
 * Lambda serves this under a role that cannot decrypt the reporter
 * (docs/adr/0018). Its own module, not an option of createApp, so the
 * partner bundle does not even carry the officer's, staff's or sign-in
 * routes: every other path is the 404 page.
 *
 * Partners have no account: the pages' CSRF token is the visitor's
 * double-submit cookie, as on the sign-in forms, and a session cookie that
 * happens to come along is never read (this app has no session store).
 */
export function createPartnerApp(deps: PartnerAppDeps, options: ShellOptions = {}) {
  const https = servesHttps(deps.config.baseUrl);
  const pages = pageApp(deps, csrfCookieMiddleware(deps, https), (app) => {
    app.route('/', partnerRoutes(deps));
  });
  return frontApp(https, pages, options);
}
