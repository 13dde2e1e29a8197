import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '#forms/http/security.ts';
import { startTestRuntime } from '../support/local.ts';

/**
 * The local server adds the security headers itself, not the app's middleware
 * (issue 8), and answers health and the stylesheet before the pages' session
 * middleware: every kind of answer still carries them.
 */
describe('security headers from the local server', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    t = await startTestRuntime();
  });
  afterAll(() => t.close());

  const get = (path: string, init: RequestInit = {}) =>
    fetch(t.runtime.url + path, { redirect: 'manual', ...init });

  function expectSecurityHeaders(res: Response, cacheControl = 'no-store') {
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
    expect(res.headers.get('cache-control')).toBe(cacheControl);
    // Local mode serves plain HTTP: no HSTS.
    expect(res.headers.get('strict-transport-security')).toBeNull();
  }

  it('sends them on /healthz, for GET and HEAD', async () => {
    const res = await get('/healthz');
    expect(await res.text()).toBe('ok');
    expectSecurityHeaders(res);
    expectSecurityHeaders(await get('/healthz', { method: 'HEAD' }));
  });

  it("keeps the stylesheet's own Cache-Control", async () => {
    const res = await get('/static/meldroute.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expectSecurityHeaders(res, 'public, max-age=3600');
  });

  it('sends them on pages, redirects and the not-found page, with the CSRF cookie', async () => {
    const login = await get('/login');
    expect(login.status).toBe(200);
    expect(login.headers.getSetCookie().some((c) => c.startsWith('mr_csrf='))).toBe(true);
    expectSecurityHeaders(login);
    const home = await get('/');
    expect(home.status).toBe(303);
    expectSecurityHeaders(home);
    const missing = await get('/bestaat-niet');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Pagina niet gevonden');
    expectSecurityHeaders(missing);
  });

  it('sends them on a refused cross-site post (a thrown PageError)', async () => {
    const res = await get('/melden', {
      method: 'POST',
      headers: {
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'x=1',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Verzoek geweigerd');
    expectSecurityHeaders(res);
  });

  it('lists the pages among its routes', () => {
    const paths = t.runtime.routes.map((r) => r.path);
    expect(paths).toContain('/healthz');
    expect(paths).toContain('/melden');
  });
});
