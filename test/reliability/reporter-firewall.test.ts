import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, csrfFrom, outboxMessages, signIn, startTestRuntime } from '../support/local.ts';
import { report } from './report.ts';
import { freshForm, pool, rawItems, signals } from './support.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';
const STAFF = 'firewall-medewerker@montfoort.example';
const FORMS = 70;
const MAILS = 30;
const CANARY = 'kanarieqx';
const PARTNERS = ['zorgcoordinator', 'nla', 'riec'];

/** Key attributes: the table's and every index's (names as the adapter writes them). */
const KEY = /^(pk|sk|gsi\d*(pk|sk)|[a-z]*(pk|sk)\d*)$/i;

describe('reporter firewall', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    t = await startTestRuntime();
  });
  afterAll(() => t.close());

  it('lets no reporter value reach a partner, a URL, a log line, a context or a key', async () => {
    const { runtime } = t;
    const staff = new Client(runtime.url);
    await signIn(runtime, staff, STAFF);
    const officer = new Client(runtime.url);
    await signIn(runtime, officer, OFFICER);
    for (let i = 0; i < FORMS; i++) {
      const form = await freshForm(staff, `${CANARY}n${i}`);
      Object.assign(form, {
        reporter_phone: '0348 123456',
        reporter_team: 'Wmo',
        discussed_with_coordinator: 'ja',
        coordinator_name: `Coordinator ${CANARY}c${i}`,
      });
      const res = await staff.request('/melden', { method: 'POST', form });
      const html = await res.text();
      expect(res.status, html.match(/class="[^"]*error[^"]*"[^>]*>([^<]+)/)?.[1]).toBe(200);
    }
    const transport = nodemailer.createTransport({
      host: runtime.smtp.host,
      port: runtime.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    for (let i = 0; i < MAILS; i++) {
      await transport.sendMail({
        from: `"Melder ${CANARY}d${i}" <melder${i}@montfoort.example>`,
        to: runtime.config.mailbox,
        subject: `Signaal over de werkplaats ${i}`,
        headers: { 'X-Afdeling': `Afdeling ${CANARY}h${i}` },
        text: `Iemand slaapt in de werkplaats ${i}.\n\n-- \nMet groet,\nMelder ${CANARY}s${i}\nTel 0348 ${CANARY}`,
      });
    }
    transport.close();
    await runtime.smtp.idle();

    const all = await signals(runtime);
    expect(all).toHaveLength(FORMS + MAILS);
    await pool(
      2,
      all.map((s) => async () => {
        const page = `/inbox/${s.id}`;
        const form: Record<string, string | string[]> = {
          _csrf: csrfFrom((await officer.page(page)).html),
          selected: PARTNERS,
          overrideReason: 'test',
        };
        for (const p of PARTNERS) form[`text_${p}`] = 'Graag opvolging van dit signaal.';
        const res = await officer.request(`${page}/doorzetten/versturen`, { method: 'POST', form });
        expect(res.status).toBe(303);
      }),
    );

    const partnerAddresses = new Set(runtime.config.partners.map((p) => p.email));
    const mails = await outboxMessages(runtime);
    const toPartners = mails.filter((m) => m.to.some((a) => partnerAddresses.has(a)));
    const has = (s: string) => s.toLowerCase().includes(CANARY);
    const hits = { mails: 0, pages: 0, urls: 0, logs: 0, contexts: 0, keys: 0 };
    hits.mails = toPartners.filter((m) => has(m.raw) || has(m.text) || has(m.html)).length;
    const urls = mails.flatMap((m) => `${m.raw}\n${m.text}`.match(/https?:\/\/[^\s"'<>]+/g) ?? []);
    hits.urls = urls.filter(has).length;
    const partner = new Client(runtime.url);
    const tokens = toPartners.flatMap((m) => m.text.match(/\/partner\/([a-z0-9.]+)/)?.[1] ?? []);
    for (const token of tokens) {
      const { res, html } = await partner.page(`/partner/${token}`);
      expect(res.status).toBe(200);
      if (has(html)) hits.pages++;
    }
    hits.logs = t.logger.lines.filter(has).length;

    const items = await rawItems(runtime);
    let ciphertexts = 0;
    let keyAttributes = 0;
    const walk = (v: unknown) => {
      if (v instanceof Uint8Array) {
        ciphertexts++;
        // The Encryption SDK's header carries the context in clear.
        if (Buffer.from(v).toString('latin1').toLowerCase().includes(CANARY)) hits.contexts++;
      } else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    for (const item of items) {
      walk(item);
      for (const [k, v] of Object.entries(item)) {
        if (!KEY.test(k)) continue;
        keyAttributes++;
        if (has(String(v))) hits.keys++;
      }
    }

    const total = Object.values(hits).reduce((a, b) => a + b, 0);
    report(
      '6. reporter firewall',
      `${FORMS + MAILS} signals (${FORMS} form with the canary in reporter and coordinator name; team and phone are validated choices, ${MAILS} mailed ` +
        `over SMTP with it in From name, signature and a header), each handed to ${PARTNERS.length} partners: ` +
        `${total} canary hits (partner mails ${hits.mails}/${toPartners.length}, partner pages ` +
        `${hits.pages}/${tokens.length}, URLs ${hits.urls}/${urls.length}, log lines ${hits.logs}/` +
        `${t.logger.lines.length}, ciphertext headers ${hits.contexts}/${ciphertexts}, key attributes ` +
        `${hits.keys}/${keyAttributes}); reminder mails not covered`,
      total === 0 && tokens.length === all.length * PARTNERS.length,
    );
    expect(tokens).toHaveLength(all.length * PARTNERS.length);
    expect(hits).toEqual({ mails: 0, pages: 0, urls: 0, logs: 0, contexts: 0, keys: 0 });
  });
});
