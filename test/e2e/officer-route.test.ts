import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, csrfFrom, outboxMessages, signIn, startTestRuntime } from '../support/local.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';
const STAFF = 'mira.melder@montfoort.example';
const MOVIERA = 'zorgcoordinatie@moviera.example';
const NLA = 'signalen@nlarbeidsinspectie.example';

function signalForm(csrf: string, submissionId: string, marker: string) {
  return {
    _csrf: csrf,
    submission_id: submissionId,
    reporter_name: `Mira Melder${marker}`,
    reporter_phone: '0348 123456',
    reporter_team: 'Wmo',
    discussed_with_coordinator: 'ja',
    coordinator_name: `Teun Coordinator${marker}`,
    'persons[0][name]': 'Anna de Vries',
    'persons[0][role]': 'victim',
    'persons[0][age]': '19',
    'persons[0][address]': 'Hoogstraat 12, 3417 AB Montfoort',
    'persons[0][phone]': '06-12345678',
    'persons[0][email]': '',
    'persons[0][notes]': '',
    location: 'Bedrijventerrein',
    observed: `Zij woont op de werkplek ${marker}.`,
    indicators: ['lives_at_work'],
    exploitation_form: 'labour',
  };
}

describe('the officer route over HTTP: enrich, hand over, partner feedback, report back, close', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  let staff: Client;
  let officer: Client;
  const ids: string[] = [];
  const refs: string[] = [];

  const csrf = async (c: Client, path: string) => csrfFrom((await c.page(path)).html);
  const post = async (
    c: Client,
    path: string,
    form: Record<string, string | string[]>,
    from = path,
  ) => c.request(path, { method: 'POST', form: { _csrf: await csrf(c, from), ...form } });

  beforeAll(async () => {
    t = await startTestRuntime();
    staff = new Client(t.runtime.url);
    officer = new Client(t.runtime.url);
    await signIn(t.runtime, staff, STAFF);
    await signIn(t.runtime, officer, OFFICER);
    for (const marker of ['EERSTEQX', 'TWEEDEQX']) {
      const { html } = await staff.page('/melden');
      const sid = html.match(/name="submission_id"[^>]*value="([^"]+)"/)?.[1] ?? '';
      const res = await staff.request('/melden', {
        method: 'POST',
        form: signalForm(csrfFrom(html), sid, marker),
      });
      refs.push((await res.text()).match(/MH-\d{4}-\d{4}/)?.[0] ?? '');
      const notice = (await outboxMessages(t.runtime)).find(
        (m) => m.to.includes(OFFICER) && m.subject.includes(refs.at(-1) ?? '-'),
      );
      ids.push(notice?.text.match(/\/inbox\/([a-z0-9]+)/)?.[1] ?? '');
    }
  });
  afterAll(() => t?.close());

  it('shows the earlier signal with the same person and phone under "Al bekend"', async () => {
    const { html } = await officer.page(`/inbox/${ids[1]}`);
    expect(html).toContain(refs[0]);
    expect(html).toMatch(/zelfde[^<]*persoon/);
    expect(html).toContain('telefoonnummer');
  });

  it('keeps staff out of every officer action', async () => {
    const csrfToken = await csrf(staff, '/melden');
    for (const path of ['notities', 'afsluiten', 'doorzetten/versturen']) {
      const res = await staff.request(`/inbox/${ids[1]}/${path}`, {
        method: 'POST',
        form: { _csrf: csrfToken, text: 'x' },
      });
      expect(res.status, path).toBe(403);
    }
    expect((await staff.request(`/inbox/${ids[1]}/doorzetten`)).status).toBe(403);
    expect((await staff.request('/overleg')).status).toBe(403);
  });

  it('refuses a form without the CSRF token', async () => {
    const res = await officer.request(`/inbox/${ids[1]}/notities`, {
      method: 'POST',
      form: { text: 'x' },
    });
    expect(res.status).toBe(403);
  });

  it('enriches: classification, a note, and the overleg agenda with the summary line only', async () => {
    const page = `/inbox/${ids[1]}`;
    let res = await post(
      officer,
      `${page}/classificatie`,
      {
        exploitationForm: 'labour',
        urgency: 'acute',
        vulnerabilities: ['poverty'],
        tags: 'horeca, netwerk',
      },
      page,
    );
    expect(res.status).toBe(303);
    res = await post(
      officer,
      `${page}/notities`,
      { text: 'Gebeld met wijkagent NOTITIEQX.' },
      page,
    );
    expect(res.status).toBe(303);
    res = await post(
      officer,
      `${page}/agenda`,
      { summary: 'Uitzendbureau, mogelijk netwerk' },
      page,
    );
    expect(res.status).toBe(303);
    const { html } = await officer.page(page);
    expect(html).toContain('NOTITIEQX');
    expect(html).toContain('Acuut gevaar');
    const agenda = (await officer.page('/overleg')).html;
    expect(agenda).toContain(refs[1]);
    expect(agenda).toContain('Uitzendbureau, mogelijk netwerk');
    expect(agenda).not.toContain('woont op de werkplek');
    expect(agenda).not.toContain('NOTITIEQX');
  });

  it('refuses an illegal move with a clear Dutch message and changes nothing', async () => {
    const page = `/inbox/${ids[1]}`;
    const res = await post(officer, `${page}/heropenen`, { reason: 'test' }, page);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Dit kan niet');
    expect(html).toContain('Er is niets gewijzigd.');
  });

  it('answers a value no form offers in Dutch, never with an English validation message', async () => {
    const page = `/inbox/${ids[0]}`;
    const res = await post(
      officer,
      `${page}/classificatie`,
      { exploitationForm: 'labour', urgency: 'normal', vulnerabilities: ['geen-code'], tags: '' },
      page,
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Controleer wat u hebt ingevuld.');
    expect(html).not.toMatch(/Invalid|expected/);
    expect(html).toContain('Er is niets gewijzigd.');
  });

  let mails: Awaited<ReturnType<typeof outboxMessages>> = [];
  const tokenIn = (text: string) => text.match(/\/partner\/([a-z0-9.]+)/)?.[1] ?? '';

  it('hands over: zorgcoördinator fixed, suggestions with reasons, draft without the reporter, preview, send', async () => {
    const page = `/inbox/${ids[1]}`;
    const choose = (await officer.page(`${page}/doorzetten`)).html;
    expect(choose).toMatch(/type="hidden" name="selected" value="zorgcoordinator"/);
    expect(choose).toContain('Het signaal is acuut');
    expect(choose).toContain('arbeidsuitbuiting');
    // Leaving out a suggestion (AVIM) without a reason is refused.
    let res = await post(
      officer,
      `${page}/doorzetten/teksten`,
      { selected: ['nla'] },
      `${page}/doorzetten`,
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Schrijf kort waarom');
    res = await post(
      officer,
      `${page}/doorzetten/teksten`,
      { selected: ['nla', 'riec'], overrideReason: 'AVIM is al op de hoogte' },
      `${page}/doorzetten`,
    );
    const texts = await res.text();
    expect(res.status).toBe(200);
    expect(texts).toContain('Anna de Vries');
    expect(texts).not.toContain('Mira Melder');
    const form = {
      selected: ['zorgcoordinator', 'nla', 'riec'],
      overrideReason: 'AVIM is al op de hoogte',
    };
    const text = 'Jonge vrouw woont op de werkplek, Hoogstraat 12. Graag opvolging.';
    // The reporter's name cannot go in, by any path.
    res = await post(
      officer,
      `${page}/doorzetten/voorbeeld`,
      {
        ...form,
        text_zorgcoordinator: `${text} Gemeld door Mira MelderTWEEDEQX`,
        text_nla: text,
        text_riec: text,
      },
      page,
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('de naam van de melder');
    res = await post(
      officer,
      `${page}/doorzetten/voorbeeld`,
      { ...form, text_zorgcoordinator: text, text_nla: `${text} NLA-DEEL`, text_riec: text },
      page,
    );
    const preview = await res.text();
    expect(res.status).toBe(200);
    expect(preview).toContain('Signaal mensenhandel');
    expect(preview).toContain('De pagina achter de link');
    res = await post(
      officer,
      `${page}/doorzetten/versturen`,
      { ...form, text_zorgcoordinator: text, text_nla: `${text} NLA-DEEL`, text_riec: text },
      page,
    );
    expect(res.status).toBe(303);
    mails = await outboxMessages(t.runtime);
    const toMoviera = mails.find((m) => m.to.includes(MOVIERA));
    expect(toMoviera?.text).toContain(refs[1]);
    expect(toMoviera?.raw.replace(/\r\n[ \t]+/g, ' ')).toMatch(
      /Reply-To: meldpunt-mensenhandel\+[a-z0-9.]+@montfoort\.example/i,
    );
    for (const m of mails.filter((x) => [MOVIERA, NLA].some((a) => x.to.includes(a)))) {
      expect(m.raw).not.toMatch(/Mira|TWEEDEQX|Teun|0348/);
      expect(m.text).not.toContain('woont op de werkplek'); // textInEmail is off by default
    }
    const detail = (await officer.page(page)).html;
    expect(detail).toContain('Verstrekkingenregister');
    expect(detail).toContain('Wacht op terugkoppeling');
  });

  it('opens only its own handover behind a partner link; altered, revoked links get one clear page', async () => {
    const moviera = tokenIn(mails.find((m) => m.to.includes(MOVIERA))?.text ?? '');
    const nla = tokenIn(mails.find((m) => m.to.includes(NLA))?.text ?? '');
    const partner = new Client(t.runtime.url);
    const own = (await partner.page(`/partner/${nla}`)).html;
    expect(own).toContain('NLA-DEEL');
    expect(own).not.toMatch(/Mira|TWEEDEQX/);
    expect((await partner.page(`/partner/${moviera}`)).html).not.toContain('NLA-DEEL');
    const altered = `${nla.slice(0, -1)}${nla.endsWith('a') ? 'b' : 'a'}`;
    const bad = await partner.page(`/partner/${altered}`);
    expect(bad.res.status).toBe(410);
    expect(bad.html).toContain('Deze link werkt niet meer');
    const page = `/inbox/${ids[1]}`;
    expect((await post(officer, `${page}/overdrachten/h2/intrekken`, {}, page)).status).toBe(303);
    const revoked = await partner.page(`/partner/${nla}`);
    expect(revoked.res.status).toBe(410);
    expect(revoked.html).toBe(bad.html);
  });

  it('mails a revoked handover a new link from the page; only the new link opens', async () => {
    const page = `/inbox/${ids[1]}`;
    const old = tokenIn(mails.find((m) => m.to.includes(NLA))?.text ?? '');
    const before = (await outboxMessages(t.runtime)).filter((m) => m.to.includes(NLA)).length;
    const res = await post(officer, `${page}/overdrachten/h2/nieuwe-link`, {}, page);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('gedaan=nieuwe-link');
    const toNla = (await outboxMessages(t.runtime)).filter((m) => m.to.includes(NLA));
    expect(toNla).toHaveLength(before + 1);
    const renewed = toNla.at(-1);
    expect(renewed?.text).toContain(refs[1]);
    expect(renewed?.raw).not.toMatch(/Mira|TWEEDEQX|Teun|0348/);
    const fresh = tokenIn(renewed?.text ?? '');
    expect(fresh).not.toBe(old);
    const partner = new Client(t.runtime.url);
    expect((await partner.page(`/partner/${fresh}`)).html).toContain('NLA-DEEL');
    expect((await partner.page(`/partner/${old}`)).res.status).toBe(410);
    const detail = (await officer.page(page)).html;
    expect(detail).toContain('Nieuwe partnerlink verstuurd');
  });

  it('records partner feedback from the page and tells the officer', async () => {
    const token = tokenIn(mails.find((m) => m.to.includes(MOVIERA))?.text ?? '');
    const partner = new Client(t.runtime.url);
    const { html } = await partner.page(`/partner/${token}`);
    const res = await partner.request(`/partner/${token}`, {
      method: 'POST',
      form: { _csrf: csrfFrom(html), takenOn: 'yes', actions: 'Casusregie gestart FEEDBACKQX' },
    });
    expect(res.status).toBe(303);
    expect((await partner.page(`/partner/${token}?ontvangen=1`)).html).toContain('Bedankt');
    const notice = (await outboxMessages(t.runtime)).find(
      (m) => m.to.includes(OFFICER) && m.subject.startsWith('Terugkoppeling'),
    );
    expect(notice?.text).toContain(refs[1]);
    expect(notice?.raw).not.toContain('FEEDBACKQX');
    expect((await officer.page(`/inbox/${ids[1]}`)).html).toContain('FEEDBACKQX');
  });

  it('records a partner reply by email to the notification as feedback, once', async () => {
    const toNla = mails.find((m) => m.to.includes(NLA));
    const replyTo = toNla?.raw
      .replace(/\r\n[ \t]+/g, ' ')
      .match(/^Reply-To:\s*<?([^\s>]+)>?/im)?.[1];
    expect(replyTo).toMatch(/^meldpunt-mensenhandel\+/);
    const transport = nodemailer.createTransport({
      host: t.runtime.smtp.host,
      port: t.runtime.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    const reply = {
      from: NLA,
      to: replyTo,
      subject: `Re: ${toNla?.subject}`,
      text: [
        'Wij hebben een inspectie ingepland. MAILFEEDBACKQX',
        '',
        'Op ma 2 mrt 2026 om 09:00 schreef Meldpunt <meldpunt-mensenhandel@montfoort.example>:',
        `> ${toNla?.text.split('\n')[0] ?? ''} QUOTEDQX`,
      ].join('\n'),
      messageId: '<antwoord-nla-1@nlarbeidsinspectie.example>',
    };
    await transport.sendMail(reply);
    await transport.sendMail(reply); // a redelivery counts once
    transport.close();
    await t.runtime.smtp.idle();
    const html = (await officer.page(`/inbox/${ids[1]}`)).html;
    expect(html.split('MAILFEEDBACKQX').length - 1).toBe(1);
    // The quoted notification is folded away under the reply, not dropped.
    expect(html).toMatch(
      /MAILFEEDBACKQX<\/p><details class="mr-details"><summary>Geciteerde tekst tonen<\/summary><p class="mr-pre mr-muted">[^<]*QUOTEDQX/,
    );
    // Not a new signal: the inbox still holds the two reported ones.
    const inbox = (await officer.page('/inbox')).html;
    expect(inbox.match(/MH-\d{4}-\d{4}/g)?.length).toBe(2);
  });

  it('reports back to the reporter and closes once no handover is open', async () => {
    const page = `/inbox/${ids[1]}`;
    let res = await post(officer, `${page}/afsluiten`, { outcome: 'handed_over' }, page);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Er staan nog overdrachten open');
    for (const h of ['h3']) {
      expect((await post(officer, `${page}/overdrachten/${h}/geen-reactie`, {}, page)).status).toBe(
        303,
      );
    }
    const draft = (await officer.page(`${page}/melder-informeren`)).html;
    expect(draft).toContain(`Hartelijk dank voor uw signaal ${refs[1]}`);
    const message = 'Wij hebben uw signaal doorgezet naar de zorgcoördinator. TERUGQX';
    res = await post(
      officer,
      `${page}/melder-informeren`,
      { message },
      `${page}/melder-informeren`,
    );
    expect(await res.text()).toContain('Voorbeeld van de e-mail');
    res = await post(
      officer,
      `${page}/melder-informeren/versturen`,
      { message },
      `${page}/melder-informeren`,
    );
    expect(res.status).toBe(303);
    const toReporter = (await outboxMessages(t.runtime)).find(
      (m) => m.to.includes(STAFF) && m.text.includes('TERUGQX'),
    );
    expect(toReporter?.subject).toBe(`Wat er met uw signaal ${refs[1]} is gedaan`);
    res = await post(officer, `${page}/afsluiten`, { outcome: 'handed_over' }, page);
    expect(res.status).toBe(303);
    const { html } = await officer.page(page);
    for (const step of [
      'Doorgezet naar ketenpartner',
      'Terugkoppeling ontvangen',
      'Melder geïnformeerd',
      'Signaal afgesloten',
      'Partnerlink geopend',
    ]) {
      expect(html, step).toContain(step);
    }
    expect((await officer.page('/overleg')).html).not.toContain(refs[1]);
  });
});
