import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emailRenderer,
  PARTNER_FACING_TEMPLATES,
  renderEmail,
  TEMPLATE_NAMES,
  TEMPLATES,
  type TemplateInput,
  type TemplateName,
} from '#templates/render.ts';
import {
  COMPILED_DIR,
  compileTemplate,
  TEMPLATES_DIR,
  templateSources,
} from '../../scripts/compile-templates.ts';

const municipality = 'Gemeente Montfoort';
const baseUrl = 'http://localhost:3000';
const SAMPLES: { [N in TemplateName]: TemplateInput<N> } = {
  receipt: { municipality, reference: 'MH-2026-0001' },
  'receipt-email': { municipality, reference: 'MH-2026-0002', baseUrl },
  'new-signal': {
    municipality,
    reference: 'MH-2026-0003',
    link: `${baseUrl}/inbox/01JABCDEF`,
    acute: true,
  },
  'login-link': { municipality, link: `${baseUrl}/aanmelden/tok_en-123`, minutes: 10 },
  unprocessable: { municipality, baseUrl, mailbox: 'meldpunt@montfoort.example' },
  'partner-notification': {
    municipality,
    reference: 'MH-2026-0004',
    partnerName: 'Zorgcoördinator mensenhandel (Moviera)',
    acute: false,
    link: `${baseUrl}/partner/abc.1.1.x.aaaaaaaaaaaaaaaa`,
    dueDate: 'maandag 16 maart 2026',
    expiresOn: 'woensdag 1 april 2026',
    textInEmail: true,
    handoverText: 'Jonge vrouw woont op de werkplek.',
  },
  'addition-received': {
    municipality,
    reference: 'MH-2026-0006',
    link: `${baseUrl}/inbox/01JABCDEF`,
  },
  'feedback-received': {
    municipality,
    reference: 'MH-2026-0005',
    partnerName: 'Nederlandse Arbeidsinspectie (NLA)',
    link: `${baseUrl}/inbox/01JABCDEF`,
  },
  'partner-reminder': {
    municipality,
    reference: 'MH-2026-0007',
    partnerName: 'Politie, team AVIM',
    waitingDays: 12,
    dueDate: 'maandag 16 maart 2026',
    hasLink: true,
    link: `${baseUrl}/partner/abc.1.2.x.aaaaaaaaaaaaaaaa`,
    expiresOn: 'woensdag 15 april 2026',
  },
  'reminder-escalation': {
    municipality,
    reference: 'MH-2026-0008',
    partnerName: 'Politie, team AVIM',
    waitingDays: 20,
    reminders: 2,
    link: `${baseUrl}/inbox/01JABCDEF`,
  },
  'officer-digest': {
    municipality,
    date: 'maandag 16 maart 2026',
    newCount: 2,
    newList: 'MH-2026-0010, MH-2026-0011',
    waitingCount: 1,
    waitingList: 'MH-2026-0004',
    overdueCount: 0,
    overdueList: 'geen',
    openLongCount: 1,
    openLongList: 'MH-2026-0001',
    openLongerThanDays: 30,
    link: `${baseUrl}/inbox`,
  },
  'reporter-feedback': {
    municipality,
    reference: 'MH-2026-0006',
    message: 'Wij hebben uw signaal doorgezet naar de zorgcoördinator.',
  },
};
const render = <N extends TemplateName>(name: N, data: TemplateInput<N>) => renderEmail(name, data);

describe('email templates', () => {
  it.each(TEMPLATE_NAMES)('%s renders both parts with every placeholder filled', (name) => {
    const mail = render(name, SAMPLES[name]);
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.html).toMatch(/^<!doctype html>/i);
    expect(mail.html).toContain('lang="nl"');
    for (const part of [mail.html, mail.text]) {
      expect(part).not.toContain('{{');
      expect(part).toContain(municipality);
    }
    expect(mail.text.trim().length).toBeGreaterThan(50);
    expect(mail.html).toContain(`<title>${mail.subject}</title>`);
  });

  it('has one registry entry, one compiled HTML and one text part per .mjml source', async () => {
    expect([...TEMPLATE_NAMES].sort()).toEqual(await templateSources());
    for (const name of TEMPLATE_NAMES) {
      await expect(readFile(join(TEMPLATES_DIR, `${name}.txt`), 'utf8')).resolves.toBeTruthy();
    }
  });

  it('committed compiled HTML is up to date with the .mjml sources (npm run build:templates)', async () => {
    for (const name of await templateSources()) {
      const committed = await readFile(join(COMPILED_DIR, `${name}.html`), 'utf8');
      expect(committed, `${name}: run npm run build:templates`).toBe(await compileTemplate(name));
    }
  });

  it('names the reference in receipts but says the reporter stays with the officer', () => {
    const mail = render('receipt', SAMPLES.receipt);
    expect(mail.subject).toBe('Ontvangstbevestiging signaal MH-2026-0001');
    expect(mail.text).toContain('MH-2026-0001');
    expect(mail.text).toContain('Uw naam blijft bij de aandachtsfunctionaris');
  });

  it('points mailbox reporters to the web form', () => {
    const mail = render('receipt-email', SAMPLES['receipt-email']);
    expect(mail.text).toContain('http://localhost:3000/melden');
    expect(mail.html).toContain('href="http://localhost:3000/melden"');
  });

  it('tells the officer about urgency only when the signal is acute', () => {
    const acute = render('new-signal', SAMPLES['new-signal']);
    expect(acute.subject).toBe('Nieuw signaal MH-2026-0003 (acuut)');
    expect(acute.text).toContain('acuut gemarkeerd');
    expect(acute.html).toContain('href="http://localhost:3000/inbox/01JABCDEF"');
    const normal = render('new-signal', { ...SAMPLES['new-signal'], acute: false });
    expect(normal.subject).toBe('Nieuw signaal MH-2026-0003');
    expect(normal.text).toContain('niet als acuut gemarkeerd');
    expect(normal.text).not.toContain('LET OP');
  });

  it('says how long a sign-in link works and that it can be ignored', () => {
    const mail = render('login-link', SAMPLES['login-link']);
    expect(mail.text).toContain('werkt 10 minuten');
    expect(mail.text).toContain('Heeft u dit niet aangevraagd? Dan kunt u deze e-mail negeren.');
    expect(render('login-link', { ...SAMPLES['login-link'], minutes: 1 }).text).toContain(
      'werkt 1 minuut',
    );
  });

  it('explains an unreadable mail, and a too large one', () => {
    expect(render('unprocessable', SAMPLES.unprocessable).text).not.toContain('te groot');
    const large = render('unprocessable', { ...SAMPLES.unprocessable, reason: 'too-large' });
    expect(large.text).toContain('De e-mail was te groot.');
  });

  it('escapes values in the HTML part and keeps them plain in the text part', () => {
    const mail = render('receipt', { municipality: '<b>x</b> & "y"', reference: "R-<i>'1'</i>" });
    expect(mail.html).not.toContain('<b>x</b>');
    expect(mail.html).not.toContain('<i>');
    expect(mail.html).toContain('&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;');
    expect(mail.text).toContain('<b>x</b> & "y"');
  });

  it('never lets a value leave the HTML text or attribute it was put in', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (m, r) => {
        fc.pre(m.trim().length > 0 && r.trim().length > 0 && m.length <= 120 && r.length <= 64);
        const mail = render('receipt', { municipality: m, reference: r });
        const tags = (html: string) => html.match(/<[a-zA-Z/!]/g)?.length ?? 0;
        const baseline = render('receipt', { municipality: 'M', reference: 'R' });
        expect(tags(mail.html)).toBe(tags(baseline.html));
        expect(mail.subject).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 200 },
    );
  });

  it('gives no partner-facing template a reporter field', () => {
    for (const name of PARTNER_FACING_TEMPLATES) {
      const shape = (TEMPLATES[name].schema as unknown as { shape: Record<string, unknown> }).shape;
      expect(
        Object.keys(shape).filter((k) => /reporter|melder|sender/i.test(k)),
        name,
      ).toEqual([]);
    }
  });

  it('puts the handover text in a partner email only when the directory allows it', () => {
    const sample = SAMPLES['partner-notification'];
    expect(render('partner-notification', sample).text).toContain('woont op de werkplek');
    const behindLink = render('partner-notification', { ...sample, textInEmail: false });
    expect(behindLink.text).not.toContain('woont op de werkplek');
    expect(behindLink.html).not.toContain('woont op de werkplek');
    expect(behindLink.text).toContain('staat bewust niet in deze e-mail');
  });

  it('strips CR and LF from the subject', () => {
    const mail = render('receipt', { municipality, reference: 'MH-1\r\nBcc: someone@example.org' });
    expect(mail.subject).toBe('Ontvangstbevestiging signaal MH-1 Bcc: someone@example.org');
  });

  it('refuses invalid data and names the field, not its value', () => {
    expect(() =>
      render('login-link', { municipality, link: 'javascript:alert(1)', minutes: 10 }),
    ).toThrow(/login-link: link/);
    expect(() => render('receipt', { municipality: 'geheim', reference: '' })).toThrow(
      expect.objectContaining({
        code: 'TEMPLATE_INVALID',
        message: expect.not.stringContaining('geheim'),
      }),
    );
  });

  it('serves the core through the EmailRenderer port, refusing unknown names', async () => {
    await expect(emailRenderer('receipt', SAMPLES.receipt)).resolves.toMatchObject({
      subject: 'Ontvangstbevestiging signaal MH-2026-0001',
    });
    await expect(emailRenderer('toString', {})).rejects.toThrow(/Unknown email template/);
  });
});
