import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../support/fakes.ts';
import { Client, csrfFrom, signIn, startTestRuntime } from '../support/local.ts';
import { report } from './report.ts';
import { freshForm, rawItems, signals } from './support.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';

/** Fills route parameters with something plausible so every route can be called. */
function concrete(path: string, signalId: string): string {
  return path
    .replace(/:id\b/g, signalId)
    .replace(/:token\b/g, 'x'.repeat(43))
    .replace(/:[a-zA-Z]+/g, 'x')
    .replace(/\*$/, '');
}

/** What a state change looks like in the table: anything but an audit or rate-limit item. */
async function stateOf(t: Awaited<ReturnType<typeof startTestRuntime>>) {
  const items = await rawItems(t.runtime);
  return JSON.stringify(
    items
      .filter(
        (i) =>
          !['audit', 'rate', 'session'].includes(String(i.kind)) &&
          !String(i.pk).startsWith('AUDIT#'),
      )
      .map((i) => ({
        pk: i.pk,
        sk: i.sk,
        v: i.version,
        status: i.status,
        pending: i.pendingMails,
        used: i.usedAt,
      })),
  );
}

describe('web security', () => {
  const clock = fixedClock(new Date().toISOString());
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  let officer: Client;
  let staff: Client;
  let signalId: string;

  beforeAll(async () => {
    t = await startTestRuntime({ clock });
    staff = new Client(t.runtime.url);
    await signIn(t.runtime, staff, 'veilig@montfoort.example');
    const res = await staff.request('/melden', {
      method: 'POST',
      form: await freshForm(staff, 'SEC'),
    });
    expect(res.status).toBe(200);
    signalId = String((await signals(t.runtime))[0]?.id);
    officer = new Client(t.runtime.url);
    await signIn(t.runtime, officer, OFFICER);
  });
  afterAll(() => t.close());

  it('sends the security headers on every route, error pages included', async () => {
    const routes = t.runtime.routes.filter((r) => r.method === 'GET' || r.method === 'ALL');
    const paths = [...new Set(routes.map((r) => concrete(r.path, signalId))), '/bestaat-niet'];
    const failures: string[] = [];
    for (const path of paths) {
      for (const who of [officer, staff, new Client(t.runtime.url)]) {
        const res = await who.request(path);
        await res.arrayBuffer();
        const h = res.headers;
        const csp = h.get('content-security-policy') ?? '';
        const okHeaders =
          csp.includes("object-src 'none'") &&
          csp.includes("frame-ancestors 'none'") &&
          csp.includes("base-uri 'none'") &&
          h.get('x-content-type-options') === 'nosniff' &&
          h.get('referrer-policy') === 'no-referrer';
        const signedIn = who === staff || who === officer;
        const cacheOk =
          !signedIn || path.startsWith('/static/') || h.get('cache-control') === 'no-store';
        if (!okHeaders || !cacheOk) failures.push(`${path} (${res.status})`);
      }
    }
    report(
      'security headers',
      `${paths.length} routes × 3 users, ${failures.length} without the required headers`,
      failures.length === 0,
    );
    expect(failures).toEqual([]);
  });

  it('changes no state on any GET', async () => {
    const before = await stateOf(t);
    const gets = t.runtime.routes.filter((r) => r.method === 'GET');
    for (const r of gets) {
      for (const who of [officer, staff])
        await (await who.request(concrete(r.path, signalId))).arrayBuffer();
    }
    const after = await stateOf(t);
    report(
      'no state change on GET',
      `${gets.length} GET routes called as officer and staff; table state ${before === after ? 'unchanged' : 'CHANGED'}`,
      before === after,
    );
    expect(after).toBe(before);
  });

  it('refuses every cross-origin state change', async () => {
    const posts = t.runtime.routes.filter((r) => r.method === 'POST');
    const before = await stateOf(t);
    let refused = 0;
    for (const r of posts) {
      const { html } = await officer.page('/inbox');
      const res = await officer.request(concrete(r.path, signalId), {
        method: 'POST',
        form: { _csrf: csrfFrom(html), token: 'x' },
        headers: { origin: 'https://aanvaller.example', 'sec-fetch-site': 'cross-site' },
      });
      if (res.status === 403) refused++;
    }
    const after = await stateOf(t);
    report(
      'sessions and CSRF: cross-origin',
      `${refused}/${posts.length} cross-origin POST routes refused, state ${before === after ? 'unchanged' : 'CHANGED'}`,
      refused === posts.length && before === after,
    );
    expect(refused).toBe(posts.length);
    expect(after).toBe(before);
  });

  it('accepts no replayed, idle or expired session', async () => {
    const results: boolean[] = [];
    // Sign-out ends the session server-side: the old cookie is dead.
    const c1 = new Client(t.runtime.url);
    await signIn(t.runtime, c1, 'replay@montfoort.example');
    const cookie = c1.cookie('mr_session');
    const { html } = await c1.page('/melden');
    await c1.request('/uitloggen', { method: 'POST', form: { _csrf: csrfFrom(html) } });
    const replay = await fetch(`${t.runtime.url}/melden`, {
      headers: { cookie: `mr_session=${cookie}` },
      redirect: 'manual',
    });
    results.push(replay.status === 303);
    // Idle for 31 minutes.
    const c2 = new Client(t.runtime.url);
    await signIn(t.runtime, c2, 'idle@montfoort.example');
    clock.advance(31 * 60_000);
    results.push((await c2.request('/melden')).status === 303);
    // Active every 20 minutes, but past 12 hours.
    const c3 = new Client(t.runtime.url);
    await signIn(t.runtime, c3, 'lang@montfoort.example');
    for (let i = 0; i < 36; i++) {
      clock.advance(20 * 60_000);
      await (await c3.request('/melden')).arrayBuffer();
    }
    clock.advance(60_000);
    results.push((await c3.request('/melden')).status === 303);
    const accepted = results.filter((r) => !r).length;
    report(
      'sessions and CSRF: replay and timeouts',
      `sign-out replay, 31 min idle, 12 h absolute: ${accepted} of ${results.length} accepted`,
      accepted === 0,
    );
    expect(results).toEqual([true, true, true]);
  });

  it('holds the abuse limits', async () => {
    const anon = new Client(t.runtime.url);
    const { html } = await anon.page('/login');
    const token = csrfFrom(html);
    // A burst of sign-in requests for one address.
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await anon.request('/login', {
        method: 'POST',
        form: { email: 'doelwit@montfoort.example', _csrf: token },
      });
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    const limited = statuses.filter((s) => s === 429).length;
    // Guessing sign-in tokens.
    const GUESSES = Number(process.env.RELIABILITY_GUESSES ?? 10_000);
    let signedIn = 0;
    for (let i = 0; i < GUESSES; i++) {
      const guess = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      const r = await anon.request('/aanmelden/bevestigen', {
        method: 'POST',
        form: { token: guess },
      });
      if (r.status === 303) signedIn++;
      await r.arrayBuffer();
    }
    // A 2 MB body is refused before it is parsed.
    const big = await staff.request('/melden', {
      method: 'POST',
      form: { observed: 'x'.repeat(2 * 1024 * 1024) },
    });
    const alive = (await anon.request('/healthz')).status === 200;
    report(
      'abuse limits',
      `30 link requests for one address: ${limited} refused with 429; ${GUESSES} token guesses: ${signedIn} sign-ins; 2 MB body: ${big.status}; still healthy: ${alive}`,
      limited >= 25 && signedIn === 0 && big.status === 413 && alive,
    );
    expect(limited).toBeGreaterThanOrEqual(25);
    expect(signedIn).toBe(0);
    expect(big.status).toBe(413);
    expect(alive).toBe(true);
  });
});
