import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INDICATOR_GROUPS } from '#core/catalog.ts';
import { parseConfig } from '#core/config.ts';
import type { ContentPart, ReporterPart, SignalSummary } from '#core/signal.ts';
import { emptyMeldenForm, parseMeldenForm } from '#forms/melden-form.ts';
import { ErrorPage } from '#forms/pages/errors.tsx';
import { InboxPage, SignalDetailPage } from '#forms/pages/inbox.tsx';
import { renderPage } from '#forms/pages/layout.tsx';
import {
  ConfirmLoginPage,
  LinkInvalidPage,
  LoginPage,
  LoginSentPage,
} from '#forms/pages/login.tsx';
import { MeldenPage, MeldenReceivedPage } from '#forms/pages/melden.tsx';

const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));
const staff = { email: 'jan@montfoort.example', role: 'staff' as const };
const officer = { email: 'aandachtsfunctionaris@montfoort.example', role: 'officer' as const };
const XSS = '<script>alert(1)</script>';

/** hono/jsx always writes attributes as name="value": a small reader is enough here. */
function tags(html: string, name: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'g'))) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([a-z_:-]+)(?:="([^"]*)")?/gi))
      attrs[a[1] as string] = a[2] ?? '';
    out.push(attrs);
  }
  return out;
}
const ids = (html: string) => [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);

function expectSafePage(html: string) {
  expect(html.startsWith('<!doctype html><html lang="nl">')).toBe(true);
  expect(html).toContain('<link rel="stylesheet" href="/static/meldroute.css"/>');
  expect(html).not.toMatch(/<script|\sstyle=|<style|\son[a-z]+=/i);
  const all = ids(html);
  expect(new Set(all).size).toBe(all.length);
}

function expectEveryControlLabelled(html: string) {
  const controls = [
    ...tags(html, 'input'),
    ...tags(html, 'select'),
    ...tags(html, 'textarea'),
  ].filter((t) => !['hidden', 'submit'].includes(t.type ?? ''));
  expect(controls.length).toBeGreaterThan(0);
  for (const c of controls) {
    expect(c.id, JSON.stringify(c)).toBeTruthy();
    expect(html).toContain(`<label class="utrecht-form-label" for="${c.id}">`);
  }
}

describe('the staff form page', () => {
  const blank = renderPage(
    <MeldenPage
      config={config}
      user={staff}
      csrfToken="csrf-123"
      values={emptyMeldenForm(config, 'sub-0123456789abcdef')}
      errors={[]}
    />,
  );

  it('labels every field and groups the signal card as in the policy', () => {
    expectSafePage(blank);
    expectEveryControlLabelled(blank);
    for (const g of INDICATOR_GROUPS)
      expect(blank).toContain(`<legend class="utrecht-form-fieldset__legend">${g.label}</legend>`);
    expect(blank).toContain('Persoon 1</legend>');
    expect(blank).toContain('Organisatie 1</legend>');
    expect(blank).toContain('Nog een persoon toevoegen');
    expect(blank).toContain(
      'Uw naam blijft bij de aandachtsfunctionaris en wordt niet gedeeld met ketenpartners.',
    );
  });

  it('carries the CSRF token and the submission id, and shows the reporter address read-only', () => {
    expect(blank).toContain('<input type="hidden" name="_csrf" value="csrf-123"/>');
    expect(blank).toContain('name="submission_id" value="sub-0123456789abcdef"');
    const email = tags(blank, 'input').find((t) => t.id === 'reporter_email');
    expect(email).toMatchObject({ value: 'jan@montfoort.example', readonly: '' });
    expect(email?.name).toBeUndefined();
    const unknown = tags(blank, 'input').find(
      (t) => t.name === 'exploitation_form' && t.value === 'unknown',
    );
    expect(unknown).toHaveProperty('checked');
  });

  it('links each error to its field, marks the field and keeps what was entered', () => {
    const r = parseMeldenForm(
      {
        reporter_name: '',
        observed: `${XSS} en meer`,
        'persons[0][name]': XSS,
        'persons[0][email]': 'nee',
        indicators: 'bogus',
      },
      { reporterEmail: staff.email, config },
    );
    if (r.ok) throw new Error('expected errors');
    const html = renderPage(
      <MeldenPage config={config} user={staff} csrfToken="t" values={r.values} errors={r.errors} />,
    );
    expectSafePage(html);
    expect(html).toContain('<title>Fout: ');
    expect(html).toContain('role="alert"');
    const all = new Set(ids(html));
    for (const e of r.errors) {
      const target = e.field.replace(/\[/g, '-').replace(/\]/g, '');
      expect(html).toContain(`href="#${target}">${e.message}</a>`);
      expect(all.has(target), target).toBe(true);
      expect(all.has(`${target}-fout`), `${target}-fout`).toBe(true);
    }
    const name = tags(html, 'input').find((t) => t.id === 'reporter_name');
    expect(name).toMatchObject({
      'aria-invalid': 'true',
      'aria-describedby': 'reporter_name-fout',
    });
    const personName = tags(html, 'input').find((t) => t.id === 'persons-0-name');
    expect(personName?.value).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; en meer</textarea>');
    expect(html).not.toContain(XSS);
  });

  it('thanks the reporter with the reference number', () => {
    const html = renderPage(
      <MeldenReceivedPage config={config} user={staff} csrfToken="t" reference="MH-2026-0007" />,
    );
    expectSafePage(html);
    expect(html).toContain('MH-2026-0007');
    expect(html).toContain('ontvangstbevestiging');
  });
});

describe('the layout', () => {
  it('shows the inbox only to officers, and signs out with a POST carrying the token', () => {
    const forStaff = renderPage(<LoginSentPage config={config} />);
    expect(forStaff).not.toContain('/uitloggen');
    const html = renderPage(
      <InboxPage config={config} user={officer} csrfToken="csrf-9" items={[]} />,
    );
    expect(html).toContain('href="/inbox"');
    expect(html).toContain('<form class="mr-signout" method="post" action="/uitloggen">');
    expect(html).toContain('name="_csrf" value="csrf-9"');
    expect(html).toContain('href="#inhoud"');
    const staffHtml = renderPage(
      <MeldenReceivedPage config={config} user={staff} csrfToken="t" reference="MH-1" />,
    );
    expect(staffHtml).not.toContain('href="/inbox"');
  });
});

describe('sign-in pages', () => {
  it('asks for an address and says the same whatever the address', () => {
    const login = renderPage(
      <LoginPage
        config={config}
        csrfToken="t"
        email={XSS}
        error="Vul een geldig e-mailadres in."
      />,
    );
    expectSafePage(login);
    expectEveryControlLabelled(login);
    expect(login).toContain('10 minuten');
    expect(login).toContain('href="#email"');
    expect(login).not.toContain(XSS);
    expect(renderPage(<LoginSentPage config={config} />)).toContain(
      'Als dit adres bij ons bekend is, ontvangt u binnen enkele minuten een e-mail met een aanmeldlink.',
    );
  });

  it('signs in only by a POST from the confirmation page', () => {
    const html = renderPage(<ConfirmLoginPage config={config} token="abc_DEF-123" />);
    expect(html).toContain('<form method="post" action="/aanmelden/bevestigen">');
    expect(html).toContain('name="token" value="abc_DEF-123"');
    expect(html).toContain('>Aanmelden</button>');
    expect(renderPage(<LinkInvalidPage config={config} />)).toContain('href="/login"');
  });
});

const summary = (over: Partial<SignalSummary> = {}): SignalSummary => ({
  id: '01JABC',
  reference: 'MH-2026-0001',
  status: 'received',
  channel: 'form',
  receivedAt: '2026-02-03T13:05:00.000Z',
  classification: {
    exploitationForm: 'labour',
    urgency: 'acute',
    indicators: ['companion', 'no_passport'],
    vulnerabilities: ['homeless'],
    sourceTeam: 'Wmo',
  },
  ...over,
});

describe('the inbox', () => {
  it('lists signals in a table with Dutch times, and marks acute in words', () => {
    const html = renderPage(
      <InboxPage
        config={config}
        user={officer}
        csrfToken="t"
        items={[
          summary(),
          summary({
            id: '01JDEF',
            reference: 'MH-2026-0002',
            channel: 'email',
            senderUnverified: true,
            classification: { ...summary().classification, urgency: 'normal' },
          }),
        ]}
        status="received"
        nextCursor="a b&c"
      />,
    );
    expectSafePage(html);
    expect(html).toContain('<caption');
    expect(tags(html, 'th').filter((t) => t.scope === 'col')).toHaveLength(6);
    expect(html).toContain('href="/inbox/01JABC">MH-2026-0001</a>');
    expect(html).toContain('3 feb 2026, 14:05');
    expect(html).toContain('Acuut</strong>');
    expect(html).toContain('Arbeidsuitbuiting');
    expect(html).toContain('afzender niet bevestigd');
    expect(html).toContain('href="/inbox?status=received&amp;cursor=a+b%26c"');
  });

  it('says so when there is nothing', () => {
    const html = renderPage(
      <InboxPage config={config} user={officer} csrfToken="t" items={[]} status="closed" />,
    );
    expect(html).toContain('Er zijn geen signalen met de status ‘Afgesloten’.');
    expect(html).not.toContain('<table');
  });

  it('shows a signal in sections, user text as text only', () => {
    const reporter: ReporterPart = {
      name: XSS,
      email: 'jan@montfoort.example',
      external: false,
      discussedWithCoordinator: true,
    };
    const content: ContentPart = {
      persons: [{ role: 'victim', name: 'Anna', notes: 'regel 1\nregel 2' }],
      organisations: [{ kvk: '12345678' }],
      observed: `Gezien:\n${XSS}`,
      attachments: [{ id: 'att 1', filename: 'foto.jpg', contentType: 'image/jpeg', size: 2048 }],
    };
    const html = renderPage(
      <SignalDetailPage
        config={config}
        user={officer}
        csrfToken="t"
        signal={{
          ...summary(),
          events: [{ at: '2026-02-03T13:05:00.000Z', actor: 'melder', type: 'received' }],
        }}
        reporter={reporter}
        content={content}
        audit={[{ at: '2026-02-03T12:00:00.000Z', actor: officer.email, type: 'viewed' }]}
      />,
    );
    expectSafePage(html);
    expect(html).not.toContain(XSS);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const title of [
      'Melder',
      'Wat is er gezien',
      'Betrokken personen',
      'Organisaties',
      'Locatie',
      'Signalenkaart',
      'Kwetsbaarheid',
      'Classificatie',
      'Bijlagen',
      'Geschiedenis',
    ])
      expect(html).toContain(`>${title}</h2>`);
    expect(html).toContain('Alleen zichtbaar voor de aandachtsfunctionaris');
    expect(html).toContain('Er is meestal een begeleider bij de persoon');
    expect(html).toContain('Mogelijk slachtoffer');
    expect(html).toContain('href="/inbox/01JABC/bijlagen/att%201"');
    expect(html).toContain('2 kB');
    expect(html.indexOf('Signaal bekeken')).toBeLessThan(html.indexOf('Signaal ontvangen'));
  });
});

describe('error pages', () => {
  it.each([400, 403, 404, 413, 429, 500, 503])('renders %i in Dutch', (status) => {
    const html = renderPage(
      <ErrorPage status={status} title="Er ging iets mis" message="Probeer het later opnieuw." />,
    );
    expectSafePage(html);
    expect(html).toContain('<h1 class="utrecht-heading-1">Er ging iets mis</h1>');
    expect(html).toContain(`Foutcode ${status}`);
  });
});
