import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, csrfFrom, outboxMessages, signIn, startTestRuntime } from '../support/local.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';
const STAFF = 'medewerker@montfoort.example';

function validForm(csrf: string, submissionId: string, marker = 'Q7MARK') {
  return {
    _csrf: csrf,
    submission_id: submissionId,
    reporter_name: `Mira Melder ${marker}`,
    reporter_phone: '0348 123456',
    reporter_team: 'Wmo',
    discussed_with_coordinator: 'ja',
    coordinator_name: `Teun Coordinator ${marker}`,
    'persons[0][name]': `Anna Slachtoffer ${marker}`,
    'persons[0][role]': 'victim',
    'persons[0][age]': '19',
    'persons[0][address]': `Hoogstraat 12, 3417 AB Montfoort ${marker}`,
    'persons[0][phone]': '0612345678',
    'persons[0][email]': 'anna@example.org',
    'persons[0][notes]': `Spreekt weinig Nederlands ${marker}`,
    'organisations[0][name]': `Schoonmaakbedrijf ${marker}`,
    'organisations[0][kvk]': '12345678',
    'organisations[0][address]': 'Industrieweg 4, Montfoort',
    location: `Bedrijventerrein ${marker}`,
    observed: `Zij woont op de werkplek en haar paspoort ligt bij de werkgever ${marker}.`,
    indicators: ['lives_at_work', 'no_passport'],
    vulnerabilities: ['poverty'],
    exploitation_form: 'labour',
  };
}

describe('the staff form (/melden)', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  let staff: Client;
  beforeAll(async () => {
    t = await startTestRuntime();
    staff = new Client(t.runtime.url);
    await signIn(t.runtime, staff, STAFF);
  });
  afterAll(() => t.close());

  it('sends anonymous visitors to sign in', async () => {
    const res = await new Client(t.runtime.url).request('/melden');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?terug=%2Fmelden');
  });

  it('stores a valid signal, shows its reference and mails a receipt without the content', async () => {
    const { html } = await staff.page('/melden');
    const id = html.match(/name="submission_id"[^>]*value="([^"]+)"/)?.[1] ?? '';
    const res = await staff.request('/melden', {
      method: 'POST',
      form: validForm(csrfFrom(html), id),
    });
    const body = await res.text();
    expect(res.status).toBe(200);
    const reference = body.match(/MH-\d{4}-\d{4}/)?.[0];
    expect(reference).toBeDefined();

    const mails = await outboxMessages(t.runtime);
    const receipt = mails.find((m) => m.to.includes(STAFF) && m.text.includes(reference as string));
    expect(receipt).toBeDefined();
    expect(receipt?.raw).not.toContain('Q7MARK');
    const notice = mails.find(
      (m) => m.to.includes(OFFICER) && m.text.includes(reference as string),
    );
    expect(notice?.text).toMatch(/\/inbox\/[a-z0-9]+/);
    expect(notice?.raw).not.toContain('Q7MARK');
  });

  it('answers a resent post with the same reference and stores it once', async () => {
    const { html } = await staff.page('/melden');
    const id = html.match(/name="submission_id"[^>]*value="([^"]+)"/)?.[1] ?? '';
    const form = validForm(csrfFrom(html), id, 'RESEND');
    const first = (await (await staff.request('/melden', { method: 'POST', form })).text()).match(
      /MH-\d{4}-\d{4}/,
    )?.[0];
    const second = (await (await staff.request('/melden', { method: 'POST', form })).text()).match(
      /MH-\d{4}-\d{4}/,
    )?.[0];
    expect(second).toBe(first);
    const officer = new Client(t.runtime.url);
    await signIn(t.runtime, officer, OFFICER);
    const inbox = await officer.page('/inbox');
    expect(inbox.html.split(first as string).length - 1).toBe(1);
  });

  it('keeps every value and names each wrong field in Dutch, storing nothing', async () => {
    const { html } = await staff.page('/melden');
    const id = html.match(/name="submission_id"[^>]*value="([^"]+)"/)?.[1] ?? '';
    const form = {
      ...validForm(csrfFrom(html), id, 'INVALID'),
      reporter_name: '',
      observed: '',
      'organisations[0][kvk]': '12AB',
    };
    const before = (await outboxMessages(t.runtime)).length;
    const res = await staff.request('/melden', { method: 'POST', form });
    const page = await res.text();
    expect(res.status).toBe(400);
    expect(page).toContain('href="#reporter_name"');
    expect(page).toContain('href="#observed"');
    expect(page).toMatch(/KvK/);
    expect(page).toContain('Anna Slachtoffer INVALID');
    expect(page).toContain('aria-invalid="true"');
    expect((await outboxMessages(t.runtime)).length).toBe(before);
  });

  it('refuses a post without the CSRF token', async () => {
    const { html } = await staff.page('/melden');
    const id = html.match(/name="submission_id"[^>]*value="([^"]+)"/)?.[1] ?? '';
    const { _csrf, ...form } = validForm(csrfFrom(html), id, 'NOCSRF');
    const res = await staff.request('/melden', { method: 'POST', form });
    expect(res.status).toBe(403);
  });

  it('refuses a post from another site even with a valid token', async () => {
    const { html } = await staff.page('/melden');
    const id = html.match(/name="submission_id"[^>]*value="([^"]+)"/)?.[1] ?? '';
    const res = await staff.request('/melden', {
      method: 'POST',
      form: validForm(csrfFrom(html), id, 'XSITE'),
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(403);
  });

  it('gives staff a 403 on the inbox and officers the signal with its content', async () => {
    expect((await staff.request('/inbox')).status).toBe(403);
    const officer = new Client(t.runtime.url);
    await signIn(t.runtime, officer, OFFICER);
    const inbox = await officer.page('/inbox');
    const link = inbox.html.match(/href="(\/inbox\/[a-z0-9]+)"/)?.[1];
    expect(link).toBeDefined();
    const detail = await officer.page(link as string);
    expect(detail.res.status).toBe(200);
    expect(detail.html).toMatch(/Mira Melder|Anna Slachtoffer/);
  });

  it('sends security headers on every page, error pages included', async () => {
    for (const path of ['/login', '/melden', '/bestaat-niet', '/healthz']) {
      const res = await staff.request(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect((await staff.request('/melden')).headers.get('cache-control')).toBe('no-store');
  });

  it('refuses an oversized post before reading it', async () => {
    const { html } = await staff.page('/melden');
    const res = await staff.request('/melden', {
      method: 'POST',
      form: { _csrf: csrfFrom(html), observed: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(res.status).toBe(413);
  });
});
