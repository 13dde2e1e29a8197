import type { MiddlewareHandler } from 'hono';
import { PageError } from './page-error.ts';

/**
 * Headers on every response, error pages included. No script runs on any
 * page (the app works without JavaScript), so the CSP can forbid all of it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
  "script-src 'none'",
].join('; ');

export function securityHeaders(opts: { https: boolean }): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    // A route may ask for a sandbox (attachment downloads): keep the app's policy and add it.
    const sandbox = /(^|;)\s*sandbox\b/.test(h.get('Content-Security-Policy') ?? '');
    h.set(
      'Content-Security-Policy',
      sandbox ? `${CONTENT_SECURITY_POLICY}; sandbox` : CONTENT_SECURITY_POLICY,
    );
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Cross-Origin-Resource-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
    if (opts.https) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}

/**
 * Refuses state-changing requests from other sites: the browser says where a
 * request comes from (Sec-Fetch-Site, Origin). Tokens in forms are checked too;
 * this is the second, independent line.
 */
export function sameOriginWrites(allowedOrigin: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    // Modern browsers say where a request comes from in Sec-Fetch-Site. With
    // Referrer-Policy no-referrer they send `Origin: null` on same-site posts,
    // so the Origin header is only consulted when Sec-Fetch-Site is absent.
    const ok =
      site !== undefined
        ? site === 'same-origin' || site === 'none'
        : origin === undefined || origin === allowedOrigin || origin === new URL(c.req.url).origin;
    if (!ok) {
      throw new PageError(
        403,
        'Verzoek geweigerd',
        'Deze actie is geweigerd: het verzoek kwam niet van deze website. Open Meldroute zelf en probeer het opnieuw.',
      );
    }
    return next();
  };
}
