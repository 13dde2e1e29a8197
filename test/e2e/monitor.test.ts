import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, csrfFrom, signIn, startTestRuntime } from '../support/local.ts';

/** The officer's monitoring page, the regional CSV and an early erasure, over HTTP. */
describe('monitoring over HTTP', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  let officer: Client;

  beforeAll(async () => {
    t = await startTestRuntime({ smtpPort: 0 });
    officer = new Client(t.runtime.url);
    await signIn(t.runtime, officer, t.runtime.config.officers[0] as string);
  });
  afterAll(() => t.close());

  it('shows figures with accessible charts for the default half-year', async () => {
    const { res, html } = await officer.page('/monitor');
    expect(res.status).toBe(200);
    expect(html).toContain('Monitoring signalen mensenhandel');
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html).toContain('<title id="g-signals-by-channel-title">');
    expect(html).not.toMatch(/<script/i);
  });

  it('answers a wrong date with a Dutch 400 page', async () => {
    const { res, html } = await officer.page('/monitor?from=2026-02-30&to=2026-06-30');
    expect(res.status).toBe(400);
    expect(html).toContain('Periode klopt niet');
  });

  it('asks for both dates in Dutch when one is missing', async () => {
    const { res, html } = await officer.page('/monitor?from=2026-01-01');
    expect(res.status).toBe(400);
    expect(html).toContain('geen datum ingevuld');
    expect(html).not.toMatch(/Invalid|expected/);
  });

  it('exports a CSV in which no count is below the threshold', async () => {
    const { res, html: csv } = await officer.page(
      '/monitor/export.csv?from=2026-01-01&to=2026-06-30',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('municipality,period,measure,breakdown,value');
    for (const line of lines.slice(1)) {
      const value = line.split(',').at(-1) as string;
      if (!line.includes(',days_') && /^\d+$/.test(value))
        expect(Number(value)).toBeGreaterThanOrEqual(5);
    }
  });

  it('keeps the figures and audit exports from people who are not signed in', async () => {
    const anonymous = new Client(t.runtime.url);
    expect((await anonymous.request('/monitor/export.csv')).status).toBe(303);
    expect((await anonymous.request('/monitor/audit.csv')).status).toBe(303);
  });

  it('asks for a reason before erasing, and refuses a post without a valid form token', async () => {
    const { res } = await officer.page('/inbox/abcdefghij12/wissen');
    expect(res.status).toBe(404);
    const post = await officer.request('/inbox/abcdefghij12/wissen', {
      method: 'POST',
      form: { reason: 'duplicate', _csrf: 'wrong' },
    });
    expect(post.status).toBe(403);
    const { html } = await officer.page('/monitor');
    expect(csrfFrom(html)).toBeTruthy();
  });
});
