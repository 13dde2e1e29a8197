import {
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  type RequestListener,
  ServerResponse,
} from 'node:http';
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

/** Used only when the route set no Cache-Control of its own. */
export const DEFAULT_CACHE_CONTROL = 'no-store';

/**
 * The headers that always win over a route's, in one list for both ways of
 * setting them (the middleware and the Node response below), so they cannot
 * drift. Content-Security-Policy and Cache-Control are not here: the route has
 * a say in those.
 */
export function fixedSecurityHeaders(opts: {
  https: boolean;
}): ReadonlyArray<readonly [string, string]> {
  return [
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()'],
    ...(opts.https
      ? [['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'] as const]
      : []),
  ];
}

const SANDBOXED_POLICY = `${CONTENT_SECURITY_POLICY}; sandbox`;

/** Whether the app is served over HTTPS: then HSTS, and `__Host-` cookies. */
export function servesHttps(baseUrl: string): boolean {
  return baseUrl.startsWith('https://');
}

/**
 * The app's policy, whatever the route set; a route may only ask for a
 * sandbox (attachment downloads), which is then added to it.
 */
export function contentSecurityPolicy(routePolicy: string | null | undefined): string {
  return routePolicy && /(^|;)\s*sandbox\b/.test(routePolicy)
    ? SANDBOXED_POLICY
    : CONTENT_SECURITY_POLICY;
}

/**
 * The security headers as a Hono middleware: how the Lambda (and tests that
 * call `app.request`) get them. It edits the finished response, which costs
 * a copy of its headers; the local server adds them in Node's `writeHead`
 * instead (`withSecurityHeaders`), see issue 8.
 */
export function securityHeaders(opts: { https: boolean }): MiddlewareHandler {
  const fixed = fixedSecurityHeaders(opts);
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', contentSecurityPolicy(h.get('Content-Security-Policy')));
    for (const [name, value] of fixed) h.set(name, value);
    if (!h.has('Cache-Control')) h.set('Cache-Control', DEFAULT_CACHE_CONTROL);
  };
}

/**
 * The same headers for the local server, added where @hono/node-server hands
 * the answer to Node: `writeHead`, which every response passes (pages,
 * redirects, error pages, the adapter's own 400 and 500). There the route's
 * headers are still a plain object, so adding ours costs a few property
 * writes; the middleware's edit of `c.res.headers` builds a WHATWG Headers
 * object that is validated and copied again, ~45% of the throughput of
 * /healthz (issue 8). Same rules as the middleware: the route's Cache-Control
 * and sandbox are kept, the rest of ours wins. Names go out in lower case, as
 * they do through a Headers object.
 *
 * The hook is set on each response rather than by subclassing ServerResponse:
 * a class extending it cost ~5 µs per request on Node 20 (measured), a
 * quarter of a bare answer.
 */
export function withSecurityHeaders(
  listener: RequestListener,
  opts: {
    /** Asked per response: the local server listens before it has read its configuration. */
    https: () => boolean;
  },
): RequestListener {
  const lowerCased = (https: boolean) =>
    fixedSecurityHeaders({ https }).map(([name, value]) => [name.toLowerCase(), value] as const);
  const overHttp = lowerCased(false);
  const overHttps = lowerCased(true);
  const nodeWriteHead: (
    this: ServerResponse,
    statusCode: number,
    reason: string | undefined,
    headers: OutgoingHttpHeaders,
  ) => ServerResponse = ServerResponse.prototype.writeHead;

  function writeHead(
    this: ServerResponse,
    statusCode: number,
    reason?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
    headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ): ServerResponse {
    const given = typeof reason === 'string' ? headers : reason;
    const out: OutgoingHttpHeaders = {};
    if (Array.isArray(given)) {
      // Raw pairs, where a name may repeat (Set-Cookie).
      for (let i = 0; i + 1 < given.length; i += 2) {
        const name = String(given[i]).toLowerCase();
        const value = given[i + 1] as string | number | string[];
        const before = out[name];
        out[name] = before === undefined ? value : [before, value].flat().map(String);
      }
    } else if (given) {
      for (const name in given) {
        const value = given[name];
        if (value !== undefined) out[name.toLowerCase()] = value;
      }
    }
    // Headers set with setHeader beforehand count as the route's: Node merges them with `out`.
    const policy = out['content-security-policy'] ?? this.getHeader('content-security-policy');
    out['content-security-policy'] = contentSecurityPolicy(
      Array.isArray(policy) ? policy.join('; ') : policy?.toString(),
    );
    for (const [name, value] of opts.https() ? overHttps : overHttp) out[name] = value;
    if (out['cache-control'] === undefined && !this.hasHeader('cache-control')) {
      out['cache-control'] = DEFAULT_CACHE_CONTROL;
    }
    return nodeWriteHead.call(
      this,
      statusCode,
      typeof reason === 'string' ? reason : undefined,
      out,
    );
  }

  return (req, res) => {
    res.writeHead = writeHead;
    return listener(req, res);
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
