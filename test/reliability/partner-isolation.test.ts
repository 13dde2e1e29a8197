import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client,
  csrfFrom,
  outboxMessages,
  realTimeClock,
  signIn,
  startTestRuntime,
} from '../support/local.ts';
import { report } from './report.ts';
import { freshForm, pool, rawItems, signals } from './support.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';
const STAFF = 'iso-medewerker@montfoort.example';
const PARTNERS = ['zorgcoordinator', 'nla', 'riec', 'veilig-thuis', 'om'];
const SIGNALS = 10;
const TARGET = 12_250;

type Try = { kind: string; method: 'GET' | 'POST'; token: string };

/** A token is `<signalId>.<n>.<version>.<expiry>.<mac>`: its payload and its signature. */
const parts = (token: string) => {
  const p = token.split('.');
  return { payload: p.slice(0, 4), mac: p[4] ?? '' };
};
const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);

describe('partner isolation', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  const clock = realTimeClock();
  beforeAll(async () => {
    t = await startTestRuntime({ clock });
  });
  afterAll(() => t.close());

  it('opens no handover with another handover’s, an expired, a revoked or an altered link', async () => {
    const { runtime } = t;
    const staff = new Client(runtime.url);
    await signIn(runtime, staff, STAFF);
    const officer = new Client(runtime.url);
    await signIn(runtime, officer, OFFICER);

    for (let i = 0; i < SIGNALS; i++) {
      const res = await staff.request('/melden', {
        method: 'POST',
        form: await freshForm(staff, `ISOSIG${i}`),
      });
      expect(res.status).toBe(200);
      await res.text();
    }
    const ids = (await signals(runtime)).map((s) => String(s.id));
    expect(ids).toHaveLength(SIGNALS);
    for (const [i, id] of ids.entries()) {
      const page = `/inbox/${id}`;
      const form: Record<string, string | string[]> = {
        _csrf: csrfFrom((await officer.page(page)).html),
        selected: PARTNERS,
        overrideReason: 'test',
      };
      for (const p of PARTNERS) form[`text_${p}`] = `Graag opvolging. ISOQX-${i}-${p}-END`;
      const res = await officer.request(`${page}/doorzetten/versturen`, { method: 'POST', form });
      expect(res.status).toBe(303);
    }

    // The partners' links, each checked against its own handover's text.
    const addresses = new Map(runtime.config.partners.map((p) => [p.email, p.id]));
    const tokens: { token: string; marker: string }[] = [];
    for (const m of await outboxMessages(runtime)) {
      const partnerId = m.to.map((a) => addresses.get(a)).find(Boolean);
      const token = m.text.match(/\/partner\/([a-z0-9.]+)/)?.[1];
      if (!partnerId || !token) continue;
      const signalIndex = ids.indexOf(parts(token).payload[0] ?? '');
      tokens.push({ token, marker: `ISOQX-${signalIndex}-${partnerId}-END` });
    }
    expect(tokens).toHaveLength(SIGNALS * PARTNERS.length);
    const partner = new Client(runtime.url);
    let csrf = '';
    for (const { token, marker } of tokens) {
      const { res, html } = await partner.page(`/partner/${token}`);
      expect(res.status).toBe(200);
      expect(html.match(/ISOQX-\d+-[a-z-]+-END/g)).toEqual([marker]);
      csrf = csrfFrom(html);
    }

    // Every denial must be this one page.
    const canonical = await partner.page('/partner/ongeldig-maar-lang-genoeg-x');
    const tries: Try[] = [];
    const both = (kind: string, token: string) => {
      tries.push({ kind, method: 'GET', token }, { kind, method: 'POST', token });
    };
    for (const a of tokens) {
      for (const b of tokens) {
        if (a === b) continue;
        // a's signature on b's handover; a's handover moved to b's signal.
        both('other-handover', [...parts(b.token).payload, parts(a.token).mac].join('.'));
        const own = parts(a.token);
        own.payload[0] = parts(b.token).payload[0] ?? '';
        if (own.payload[0] !== parts(a.token).payload[0])
          both('other-signal', [...own.payload, own.mac].join('.'));
      }
      both('tampered', flip(a.token, a.token.length - 1));
      both('tampered', flip(a.token, 3));
    }
    // The officer revokes the first signal's links.
    const revoked = tokens.filter((x) => x.token.startsWith(`${ids[0]}.`));
    const detail = `/inbox/${ids[0]}`;
    for (const r of revoked) {
      const h = `h${Number.parseInt(parts(r.token).payload[1] ?? '', 36)}`;
      const res = await officer.request(`${detail}/overdrachten/${h}/intrekken`, {
        method: 'POST',
        form: { _csrf: csrfFrom((await officer.page(detail)).html) },
      });
      expect(res.status).toBe(303);
      both('revoked', r.token);
    }

    const outcome = { successes: 0, differing: 0, byKind: new Map<string, number>() };
    const run = (list: Try[]) =>
      pool(
        8,
        list.map((x) => async () => {
          const res = await partner.request(`/partner/${x.token}`, {
            method: x.method,
            ...(x.method === 'POST'
              ? { form: { _csrf: csrf, takenOn: 'yes', actions: 'ISOFEEDBACK' } }
              : {}),
          });
          const html = await res.text();
          if (res.status < 400 || /ISOQX/.test(html)) outcome.successes++;
          else if (res.status !== canonical.res.status || html !== canonical.html)
            outcome.differing++;
          outcome.byKind.set(x.kind, (outcome.byKind.get(x.kind) ?? 0) + 1);
        }),
      );
    await run(tries);

    // Past the link lifetime every remaining link is expired.
    clock.advance((runtime.config.workflow.partnerLinkDays + 1) * 86_400_000);
    const expired: Try[] = [];
    for (const x of tokens.filter((x) => !revoked.includes(x))) both('expired', x.token);
    expired.push(...tries.splice(tries.length - 2 * (tokens.length - revoked.length)));
    // Reach the target: the cross-handover tries again, now also past expiry (repeats).
    const distinct = tries.length + expired.length;
    const repeats = tries.filter((x) => x.kind === 'other-handover').slice(0, TARGET - distinct);
    await run([...expired, ...repeats.map((x) => ({ ...x, kind: 'repeat' }))]);
    const total = distinct + repeats.length;

    const items = await rawItems(runtime);
    const audited = items.filter((i) => i.type === 'partner_link_refused');
    const feedback = items.flatMap((i) =>
      ((i.handovers as { feedback: unknown[] }[] | undefined) ?? []).flatMap((h) => h.feedback),
    );
    const logged = t.logger.lines.filter((l) => l.includes('"partner link refused"')).length;
    const expectedAudits = 2 * (revoked.length + tokens.length - revoked.length);
    const kinds = [...outcome.byKind].map(([k, n]) => `${k} ${n}`).join(', ');
    const holds =
      total >= TARGET &&
      outcome.successes === 0 &&
      outcome.differing === 0 &&
      feedback.length === 0 &&
      audited.length === expectedAudits &&
      logged >= total;
    report(
      '5. partner isolation',
      `${PARTNERS.length} partners × ${SIGNALS} signals = ${tokens.length} handovers (over HTTP); ` +
        `${total} tries (${distinct} distinct + ${repeats.length} repeats; ${kinds}; GET and POST each), ` +
        `${outcome.successes} successes, ${outcome.differing} denials differing from the one 410 page, ` +
        `${audited.length} refusals audited on the handover (expired/revoked), ${logged} logged`,
      holds,
    );
    expect(outcome.successes).toBe(0);
    expect(outcome.differing).toBe(0);
    expect(feedback).toHaveLength(0);
    expect(audited.length).toBe(expectedAudits);
    expect(new Set(audited.map((a) => a.detail))).toEqual(new Set(['revoked', 'expired']));
    expect(logged).toBeGreaterThanOrEqual(total);
    expect(total).toBeGreaterThanOrEqual(TARGET);
  });
});
