import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client,
  csrfFrom,
  outboxMessages,
  signIn,
  startOfRateWindow,
  startTestRuntime,
} from '../support/local.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';
const STAFF2 = 'koekjes@montfoort.example';

describe('signing in with an email link', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    t = await startTestRuntime();
  });
  afterAll(() => t.close());

  it('signs a staff member in through the link in the email and sends them to the form', async () => {
    const client = new Client(t.runtime.url);
    const { location } = await signIn(t.runtime, client, 'jan.jansen@montfoort.example');
    expect(location).toBe('/melden');
    const { res, html } = await client.page('/melden');
    expect(res.status).toBe(200);
    expect(html).toContain('jan.jansen@montfoort.example');
  });

  it('never uses the link up on GET (mail scanners open links), only on the POST', async () => {
    const client = new Client(t.runtime.url);
    const { html } = await client.page('/login');
    const seen = new Set((await outboxMessages(t.runtime)).map((m) => m.file));
    await client.request('/login', {
      method: 'POST',
      form: { email: OFFICER, _csrf: csrfFrom(html) },
    });
    const mail = (await outboxMessages(t.runtime)).find(
      (m) => !seen.has(m.file) && m.to.includes(OFFICER),
    );
    const token = mail?.text.match(/\/aanmelden\/([\w-]+)/)?.[1] ?? '';
    for (let i = 0; i < 3; i++)
      expect((await client.request(`/aanmelden/${token}`)).status).toBe(200);
    const ok = await client.request('/aanmelden/bevestigen', { method: 'POST', form: { token } });
    expect(ok.status).toBe(303);
    // An officer gives the second factor next (test/e2e/second-factor.test.ts).
    expect(ok.headers.get('location')).toBe('/tweede-stap');
    // Single use: a second POST with the same token is refused.
    const again = await new Client(t.runtime.url).request('/aanmelden/bevestigen', {
      method: 'POST',
      form: { token },
    });
    expect(again.status).toBe(410);
    expect((await client.request(`/aanmelden/${token}`)).status).toBe(410);
  });

  it('answers an unknown address exactly like a known one, and mails nothing', async () => {
    const before = (await outboxMessages(t.runtime)).length;
    const answer = async (email: string) => {
      const client = new Client(t.runtime.url);
      const { html } = await client.page('/login');
      const res = await client.request('/login', {
        method: 'POST',
        form: { email, _csrf: csrfFrom(html) },
      });
      return {
        status: res.status,
        body: (await res.text()).replace(/name="_csrf" value="[^"]+"/g, ''),
      };
    };
    const unknown = await answer('iemand@elders.example');
    const known = await answer('piet@montfoort.example');
    expect(unknown).toEqual(known);
    const after = await outboxMessages(t.runtime);
    expect(after.length).toBe(before + 1);
    expect(after.some((m) => m.to.includes('iemand@elders.example'))).toBe(false);
  });

  it('refuses a sign-in request without the form token', async () => {
    const client = new Client(t.runtime.url);
    await client.page('/login');
    const res = await client.request('/login', { method: 'POST', form: { email: OFFICER } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('verlopen');
  });

  it('limits repeated link requests for one address', async () => {
    startOfRateWindow(t.runtime);
    const client = new Client(t.runtime.url);
    const { html } = await client.page('/login');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await client.request('/login', {
        method: 'POST',
        form: { email: 'veel@montfoort.example', _csrf: csrfFrom(html) },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const mails = (await outboxMessages(t.runtime)).filter((m) =>
      m.to.includes('veel@montfoort.example'),
    );
    expect(mails.length).toBe(5);
  });

  it('ends the session at once on sign-out: the old cookie no longer works', async () => {
    const client = new Client(t.runtime.url);
    await signIn(t.runtime, client, OFFICER);
    const cookie = client.cookie('mr_session');
    const { html } = await client.page('/inbox');
    const out = await client.request('/uitloggen', {
      method: 'POST',
      form: { _csrf: csrfFrom(html) },
    });
    expect(out.status).toBe(303);
    const replay = await fetch(`${t.runtime.url}/inbox`, {
      headers: { cookie: `mr_session=${cookie}` },
      redirect: 'manual',
    });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toMatch(/^\/login/);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax', async () => {
    const client = new Client(t.runtime.url);
    const { html } = await client.page('/login');
    const seen = new Set((await outboxMessages(t.runtime)).map((m) => m.file));
    await client.request('/login', {
      method: 'POST',
      form: { email: STAFF2, _csrf: csrfFrom(html) },
    });
    const mail = (await outboxMessages(t.runtime)).find(
      (m) => !seen.has(m.file) && m.to.includes(STAFF2),
    );
    const token = mail?.text.match(/\/aanmelden\/([\w-]+)/)?.[1] ?? '';
    const res = await client.request('/aanmelden/bevestigen', { method: 'POST', form: { token } });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mr_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });
});
