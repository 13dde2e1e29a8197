import type { IdentifierKind } from '../ports.ts';
import type { ContentPart } from '../signal.ts';

/**
 * Normalised identifiers for "already known" (step 3). Two spellings of the
 * same thing must normalise to the same string, because only the HMAC of it
 * is stored: a match is exact or it is not found. Pure and deterministic.
 */

export type Identifier = { kind: IdentifierKind; value: string };

export const IDENTIFIER_LABELS: Readonly<Record<IdentifierKind, string>> = {
  person: 'persoon (naam en geboortedatum of leeftijd)',
  organisation: 'organisatie (KvK-nummer of naam)',
  address: 'adres (postcode en huisnummer)',
  phone: 'telefoonnummer',
  email: 'e-mailadres',
  plate: 'kenteken',
};

/** Lower case, accents and punctuation gone, one space between words. */
export function normaliseName(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** A birth date as yyyy-mm-dd from the usual Dutch ways of writing one. */
export function birthDate(raw: string): string | undefined {
  const s = raw.trim();
  let m = /(\d{4})-(\d{1,2})-(\d{1,2})/.exec(s);
  let y: number;
  let mo: number;
  let d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = /(\d{1,2})[-/.\s](\d{1,2})[-/.\s](\d{4})/.exec(s);
    if (!m) return undefined;
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d)
    return undefined;
  return t.toISOString().slice(0, 10);
}

/**
 * A five-year band of the (estimated) birth year: "17" reported in 2026 and
 * "18" reported in 2027 land in the same band. Neighbours across a band edge
 * are missed; that is the price of storing no age in clear.
 */
export function ageBand(raw: string, referenceYear: number): string | undefined {
  const date = birthDate(raw);
  let born: number | undefined;
  if (date) born = Number(date.slice(0, 4));
  else {
    const year = /\b(19\d{2}|20\d{2})\b/.exec(raw);
    if (year) born = Number(year[1]);
    else {
      const age = /\b(\d{1,3})\b/.exec(raw);
      if (age && Number(age[1]) <= 110) born = referenceYear - Number(age[1]);
    }
  }
  return born === undefined ? undefined : String(Math.floor(born / 5) * 5);
}

export function normaliseKvk(raw: string): string | undefined {
  const digits = raw.replace(/\D/g, '');
  return digits.length === 8 ? digits : undefined;
}

/** Postcode `1234AB` plus house number (with a letter suffix when given). */
export function normaliseAddress(raw: string): string | undefined {
  const pc = /\b([1-9]\d{3})\s?([a-z]{2})\b/i.exec(raw);
  if (!pc) return undefined;
  const rest = `${raw.slice(0, pc.index)} ${raw.slice(pc.index + pc[0].length)}`;
  const nr = /(?:^|[^\d])(\d{1,5})(?:\s*[-]?\s*([a-z])\b)?/i.exec(rest);
  if (!nr) return undefined;
  return `${pc[1]}${pc[2]?.toUpperCase()} ${nr[1]}${nr[2] ? nr[2].toUpperCase() : ''}`;
}

/** E.164-like: +31612345678 for 06-12345678, 0031 6 …, +31 (0)6 …. */
export function normalisePhone(raw: string): string | undefined {
  let s = raw.replace(/\(0\)/g, '').replace(/[^\d+]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  else if (s.startsWith('0')) s = `+31${s.slice(1)}`;
  else if (!s.startsWith('+')) return undefined;
  const digits = s.slice(1);
  return /^\d{9,15}$/.test(digits) ? `+${digits}` : undefined;
}

export function normaliseEmail(raw: string): string | undefined {
  const s = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(s) ? s : undefined;
}

export function normalisePlate(raw: string): string | undefined {
  const s = raw.replace(/[^a-z0-9]/gi, '').toUpperCase();
  return s.length === 6 && /[A-Z]/.test(s) && /\d/.test(s) ? s : undefined;
}

const EMAIL_IN_TEXT = /[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[a-z]{2,}/gi;
const MOBILE_IN_TEXT = /(?:\+31|0031|0)[\s-]?(?:\(0\))?[\s-]?6[\s-]?(?:\d[\s-]?){8}/g;
const ADDRESS_IN_TEXT = /[\p{L}.'-]+\s+\d{1,5}\s*[a-z]?\s*,?\s*[1-9]\d{3}\s?[a-z]{2}\b/giu;
// Dutch licence plates are written with dashes (sidecodes such as 12-ABC-3, AB-123-C).
const PLATE_IN_TEXT = /\b[a-z0-9]{1,3}-[a-z0-9]{2,3}-[a-z0-9]{1,3}\b/gi;

/** Identifiers that free text reveals without guessing: emails, mobiles, full addresses, plates. */
export function identifiersInText(text: string): Identifier[] {
  const out: Identifier[] = [];
  const add = (kind: Identifier['kind'], value: string | undefined) => {
    if (value) out.push({ kind, value });
  };
  for (const m of text.matchAll(EMAIL_IN_TEXT)) add('email', normaliseEmail(m[0]));
  for (const m of text.matchAll(MOBILE_IN_TEXT)) add('phone', normalisePhone(m[0]));
  for (const m of text.matchAll(ADDRESS_IN_TEXT)) add('address', normaliseAddress(m[0]));
  for (const m of text.matchAll(PLATE_IN_TEXT)) add('plate', normalisePlate(m[0]));
  return out;
}

/** Every identifier of a signal's content (and the officer's notes), deduplicated. */
export function identifiersOf(
  content: Pick<ContentPart, 'persons' | 'organisations' | 'location' | 'observed'>,
  receivedYear: number,
  extraTexts: readonly string[] = [],
): Identifier[] {
  const out: Identifier[] = [];
  const add = (kind: Identifier['kind'], value: string | undefined) => {
    if (value) out.push({ kind, value });
  };
  for (const p of content.persons) {
    const name = p.name ? normaliseName(p.name) : '';
    if (name && p.ageOrBirthDate) {
      const date = birthDate(p.ageOrBirthDate);
      if (date) add('person', `${name}|${date}`);
      const band = ageBand(p.ageOrBirthDate, receivedYear);
      if (band) add('person', `${name}|~${band}`);
    }
    if (p.address) add('address', normaliseAddress(p.address));
    if (p.phone) add('phone', normalisePhone(p.phone));
    if (p.email) add('email', normaliseEmail(p.email));
    if (p.notes) out.push(...identifiersInText(p.notes));
  }
  for (const o of content.organisations) {
    if (o.kvk) add('organisation', normaliseKvk(o.kvk) && `kvk:${normaliseKvk(o.kvk)}`);
    if (o.name) {
      const n = normaliseName(o.name)
        .replace(/\b(b ?v|v ?o ?f|n ?v|holding)\b/g, '')
        .trim();
      if (n.length >= 3) add('organisation', `naam:${n.replace(/\s+/g, ' ')}`);
    }
    if (o.address) add('address', normaliseAddress(o.address));
  }
  for (const text of [content.location ?? '', content.observed, ...extraTexts]) {
    out.push(...identifiersInText(text));
  }
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${i.kind}\u0000${i.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
