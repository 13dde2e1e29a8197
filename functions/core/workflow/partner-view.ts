import { EXPLOITATION_FORMS, INDICATORS, PERSON_ROLES, VULNERABILITIES } from '../catalog.ts';
import type { Classification, ContentPart, Handover, ReporterPart } from '../signal.ts';

/**
 * Rule 1: the reporter's identity never reaches a partner. Everything a
 * partner receives is built here, from inputs whose types have no reporter
 * field (`reporter?: never` makes passing one a compile error), and the text
 * the officer writes is checked against the reporter before it is sent.
 */

/** What a partner page shows: the one handover, nothing else of the signal. */
export type PartnerView = {
  municipality: string;
  reference: string;
  partnerName: string;
  acute: boolean;
  sentAt: string;
  dueDate: string;
  text: string;
  feedbackCount: number;
};

export type PartnerViewInput = {
  municipality: string;
  signal: { reference: string; urgency: Classification['urgency']; reporter?: never };
  partnerName: string;
  handover: Pick<Handover, 'sentAt' | 'dueDate'> & { feedbackCount: number; reporter?: never };
  text: string;
  reporter?: never;
};

export function partnerView(input: PartnerViewInput): PartnerView {
  // Field by field: an object that carries more at run time still yields only these.
  return {
    municipality: input.municipality,
    reference: input.signal.reference,
    partnerName: input.partnerName,
    acute: input.signal.urgency === 'acute',
    sentAt: input.handover.sentAt,
    dueDate: input.handover.dueDate,
    text: input.text,
    feedbackCount: input.handover.feedbackCount,
  };
}

export type DraftFacts = {
  reference: string;
  classification: Classification;
  content: ContentPart;
  reporter?: never;
};

/** The officer's starting point for a handover text: the signal without any reporter field. */
export function draftHandoverText(facts: DraftFacts): string {
  const { classification: k, content: c } = facts;
  const lines: string[] = [
    `Signaal ${facts.reference} (${EXPLOITATION_FORMS[k.exploitationForm]}${k.urgency === 'acute' ? ', ACUUT' : ''}).`,
    '',
    'Wat is er gezien:',
    c.observed || '(niet ingevuld)',
  ];
  if (c.location) lines.push('', `Locatie: ${c.location}`);
  for (const [i, p] of c.persons.entries()) {
    const parts = [
      p.name,
      p.ageOrBirthDate && `leeftijd/geboortedatum ${p.ageOrBirthDate}`,
      p.address && `adres ${p.address}`,
      p.phone && `tel. ${p.phone}`,
      p.email && `e-mail ${p.email}`,
    ].filter(Boolean);
    lines.push(
      '',
      `Persoon ${i + 1} (${PERSON_ROLES[p.role]}): ${parts.join(', ') || 'geen gegevens'}`,
    );
    if (p.notes) lines.push(p.notes);
  }
  for (const [i, o] of c.organisations.entries()) {
    const parts = [o.name, o.kvk && `KvK ${o.kvk}`, o.address && `adres ${o.address}`].filter(
      Boolean,
    );
    lines.push('', `Organisatie ${i + 1}: ${parts.join(', ') || 'geen gegevens'}`);
  }
  if (k.indicators.length) {
    lines.push('', 'Signalen:', ...k.indicators.map((code) => `- ${INDICATORS[code] ?? code}`));
  }
  if (k.vulnerabilities.length) {
    lines.push(
      '',
      'Kwetsbaarheid:',
      ...k.vulnerabilities.map((code) => `- ${VULNERABILITIES[code] ?? code}`),
    );
  }
  return lines.join('\n');
}

type Needle = { what: string; pattern: RegExp };

function needles(reporter: ReporterPart): Needle[] {
  const out: Needle[] = [];
  const word = (s: string) =>
    s
      .trim()
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\s+/g, '\\s+');
  if (reporter.name.trim().length >= 3) {
    out.push({
      what: 'de naam van de melder',
      pattern: new RegExp(`(?<![\\p{L}\\p{N}])${word(reporter.name)}(?![\\p{L}\\p{N}])`, 'giu'),
    });
  }
  if (reporter.coordinatorName && reporter.coordinatorName.trim().length >= 3) {
    out.push({
      what: 'de naam van de teamcoördinator',
      pattern: new RegExp(
        `(?<![\\p{L}\\p{N}])${word(reporter.coordinatorName)}(?![\\p{L}\\p{N}])`,
        'giu',
      ),
    });
  }
  if (reporter.email.trim()) {
    out.push({
      what: 'het e-mailadres van de melder',
      pattern: new RegExp(word(reporter.email), 'gi'),
    });
  }
  const digits = (reporter.phone ?? '').replace(/\D/g, '').replace(/^(0031|31)/, '0');
  if (digits.length >= 6) {
    // Allow spaces, dashes and a +31 prefix between the digits.
    const body = digits.replace(/^0/, '').split('').join('[\\s.-]*');
    out.push({
      what: 'het telefoonnummer van de melder',
      pattern: new RegExp(`(?:\\+31|0031|0)[\\s.-]*(?:\\(0\\))?[\\s.-]*${body}`, 'g'),
    });
  }
  return out;
}

/** Which reporter details occur in `text` (Dutch descriptions, never the values). */
export function reporterDetailsIn(text: string, reporter: ReporterPart): string[] {
  return needles(reporter)
    .filter((n) => {
      n.pattern.lastIndex = 0;
      return n.pattern.test(text);
    })
    .map((n) => n.what);
}

/** Replaces reporter details in a draft (an emailed signal's body often ends with a signature). */
export function withoutReporter(text: string, reporter: ReporterPart): string {
  let out = text;
  for (const n of needles(reporter)) out = out.replace(n.pattern, '[melder]');
  return out;
}
