import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '#forms/http/security.ts';

describe('security headers', () => {
  const app = new Hono();
  app.use(securityHeaders({ https: true }));
  app.get('/download', (c) =>
    c.body('x', 200, { 'Content-Security-Policy': "sandbox; default-src 'none'" }),
  );
  app.get('/page', (c) => c.html('<p>x</p>'));

  it('keeps a download sandboxed while applying the app policy', async () => {
    const csp = (await app.request('/download')).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("object-src 'none'");
    expect(csp).toMatch(/; sandbox$/);
  });

  it('gives pages the app policy without a sandbox, and HSTS over HTTPS', async () => {
    const res = await app.request('/page');
    expect(res.headers.get('content-security-policy')).not.toContain('sandbox');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
  });
});
