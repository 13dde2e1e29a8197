import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageError } from '#forms/http/page-error.ts';
import {
  CONTENT_SECURITY_POLICY,
  securityHeaders,
  withSecurityHeaders,
} from '#forms/http/security.ts';

/** Every header the two ways of adding them decide on. */
const DECIDED = [
  'content-security-policy',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'permissions-policy',
  'cache-control',
  'strict-transport-security',
];

/** Routes like the app's: pages, a sandboxed download, own caching, redirects, errors. */
function routes(app: Hono) {
  app.get('/page', (c) => c.html('<p>x</p>'));
  app.get('/text', (c) => c.text('ok'));
  app.get('/download', (c) =>
    c.body('x', 200, {
      'Content-Type': 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'",
      'Cache-Control': 'no-store',
    }),
  );
  app.get('/style.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body('p{}', 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  app.get('/own-policy', (c) =>
    c.body('x', 200, {
      'Content-Security-Policy': "default-src *; script-src 'unsafe-inline'",
      'X-Frame-Options': 'SAMEORIGIN',
      'Referrer-Policy': 'unsafe-url',
    }),
  );
  app.get('/redirect', (c) => c.redirect('/page', 303));
  app.get('/cookies', (c) => {
    c.header('Set-Cookie', 'a=1; Path=/', { append: true });
    c.header('Set-Cookie', 'b=2; Path=/', { append: true });
    return c.text('two cookies');
  });
  app.get('/raw', () => new Response('raw', { headers: new Headers({ 'X-Route': 'yes' }) }));
  app.get('/forbidden', () => {
    throw new PageError(403, 'Geen toegang', 'Nee.');
  });
  app.get('/broken', () => {
    throw new Error('boom');
  });
  app.notFound((c) => c.html('<p>niet gevonden</p>', 404));
  app.onError((err, c) =>
    c.html(`<p>${err.message}</p>`, err instanceof PageError ? err.status : 500),
  );
  return app;
}

const PATHS = [
  '/page',
  '/text',
  '/download',
  '/style.css',
  '/own-policy',
  '/redirect',
  '/cookies',
  '/raw',
  '/forbidden',
  '/broken',
  '/bestaat-niet',
];

function decided(res: Response): Record<string, string | null> {
  return Object.fromEntries(DECIDED.map((name) => [name, res.headers.get(name)]));
}

async function listen(listener: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.each([
  { https: false, label: 'over HTTP' },
  { https: true, label: 'over HTTPS' },
])('security headers set by the local server, $label', ({ https }) => {
  // The Lambda's way: the middleware, on the answer as the app builds it.
  const withMiddleware = routes(new Hono().use(securityHeaders({ https }))) as Hono;
  let node: { server: Server; url: string };

  beforeAll(async () => {
    // The local server's way: no middleware, Node's writeHead adds them.
    node = await listen(
      withSecurityHeaders(getRequestListener(routes(new Hono()).fetch), { https: () => https }),
    );
  });
  afterAll(() => new Promise<void>((r) => node.server.close(() => r())));

  it.each(PATHS)('answers %s with the same headers as the middleware', async (path) => {
    const viaNode = await fetch(node.url + path, { redirect: 'manual' });
    const viaMiddleware = await withMiddleware.request(path);
    expect(viaNode.status).toBe(viaMiddleware.status);
    expect(decided(viaNode)).toEqual(decided(viaMiddleware));
    expect(viaNode.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(viaNode.headers.get('x-frame-options')).toBe('DENY');
  });

  it('keeps the sandbox a download asks for, inside the app policy', async () => {
    const res = await fetch(`${node.url}/download`);
    expect(res.headers.get('content-security-policy')).toBe(`${CONTENT_SECURITY_POLICY}; sandbox`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
  });

  it("lets a route's own Cache-Control win, and says no-store otherwise", async () => {
    expect((await fetch(`${node.url}/style.css`)).headers.get('cache-control')).toBe(
      'public, max-age=3600',
    );
    expect((await fetch(`${node.url}/page`)).headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${node.url}/bestaat-niet`)).headers.get('cache-control')).toBe('no-store');
  });

  it('sends HSTS only over HTTPS', async () => {
    const hsts = (await fetch(`${node.url}/page`)).headers.get('strict-transport-security');
    expect(hsts).toBe(https ? 'max-age=31536000; includeSubDomains' : null);
  });

  it("keeps the route's other headers, every cookie included", async () => {
    const res = await fetch(`${node.url}/cookies`);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect((await fetch(`${node.url}/raw`)).headers.get('x-route')).toBe('yes');
    expect(
      (await fetch(`${node.url}/redirect`, { redirect: 'manual' })).headers.get('location'),
    ).toBe('/page');
  });

  it('reads the HSTS decision per response (the server listens before its config is read)', async () => {
    let late = false;
    const s = await listen(withSecurityHeaders((_req, res) => res.end('x'), { https: () => late }));
    try {
      expect((await fetch(s.url)).headers.get('strict-transport-security')).toBeNull();
      late = true;
      expect((await fetch(s.url)).headers.get('strict-transport-security')).not.toBeNull();
    } finally {
      await new Promise<void>((r) => s.server.close(() => r()));
    }
  });
});

describe('security headers on answers Node writes itself', () => {
  let node: { server: Server; url: string };
  beforeAll(async () => {
    node = await listen(
      withSecurityHeaders(
        (req, res) => {
          if (req.url === '/implicit') {
            res.setHeader('Cache-Control', 'max-age=60');
            res.end('implicit');
          } else if (req.url === '/raw-pairs') {
            res.writeHead(200, 'Fine', [
              'Set-Cookie',
              'a=1',
              'Set-Cookie',
              'b=2',
              'Content-Security-Policy',
              'sandbox',
            ]);
            res.end('pairs');
          } else {
            res.writeHead(500, { 'Content-Type': 'text/plain' });
            res.end('adapter error');
          }
        },
        { https: () => false },
      ),
    );
  });
  afterAll(() => new Promise<void>((r) => node.server.close(() => r())));

  it('adds them to implicit headers, keeping a Cache-Control set with setHeader', async () => {
    const res = await fetch(`${node.url}/implicit`);
    expect(res.headers.get('cache-control')).toBe('max-age=60');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('adds them to raw header pairs with a status message, keeping repeated names', async () => {
    const res = await fetch(`${node.url}/raw-pairs`);
    expect(res.statusText).toBe('Fine');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('content-security-policy')).toBe(`${CONTENT_SECURITY_POLICY}; sandbox`);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it("adds them to the adapter's own error answers", async () => {
    const res = await fetch(`${node.url}/other`);
    expect(res.status).toBe(500);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
