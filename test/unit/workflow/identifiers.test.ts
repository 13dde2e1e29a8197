import { describe, expect, it } from 'vitest';
import {
  ageBand,
  birthDate,
  identifiersInText,
  identifiersOf,
  normaliseAddress,
  normaliseEmail,
  normaliseKvk,
  normaliseName,
  normalisePhone,
  normalisePlate,
} from '#core/known/identifiers.ts';

describe('normalising identifiers for "already known"', () => {
  it('writes names one way: lower case, no accents or punctuation, single spaces', () => {
    expect(normaliseName('  Anna-Maria  de  JONG ')).toBe('anna maria de jong');
    expect(normaliseName('Çelik, Zoë')).toBe('celik zoe');
    expect(normaliseName("d'Hondt")).toBe('d hondt');
  });

  it('reads Dutch and ISO birth dates, and rejects impossible ones', () => {
    expect(birthDate('3-7-2008')).toBe('2008-07-03');
    expect(birthDate('03/07/2008')).toBe('2008-07-03');
    expect(birthDate('geboren 2008-07-03')).toBe('2008-07-03');
    expect(birthDate('31-02-2008')).toBeUndefined();
  });

  it('puts an age and a birth year in the same five-year band', () => {
    expect(ageBand('17', 2026)).toBe('2005');
    expect(ageBand('ongeveer 18 jaar', 2027)).toBe('2005');
    expect(ageBand('3-7-2008', 2026)).toBe('2005');
  });

  it('keeps KvK numbers as 8 digits', () => {
    expect(normaliseKvk('KvK 1234 5678')).toBe('12345678');
    expect(normaliseKvk('123')).toBeUndefined();
  });

  it('reduces an address to postcode and house number', () => {
    expect(normaliseAddress('Hoofdstraat 12a, 3417 ab Montfoort')).toBe('3417AB 12A');
    expect(normaliseAddress('3417AB 12')).toBe('3417AB 12');
    expect(normaliseAddress('Hoofdstraat 12, Montfoort')).toBeUndefined();
  });

  it('writes phone numbers E.164-style', () => {
    expect(normalisePhone('06-12345678')).toBe('+31612345678');
    expect(normalisePhone('+31 (0)6 1234 5678')).toBe('+31612345678');
    expect(normalisePhone('0031 6 12345678')).toBe('+31612345678');
    expect(normalisePhone('12345')).toBeUndefined();
  });

  it('lower-cases emails and upper-cases plates', () => {
    expect(normaliseEmail(' Piet@Example.ORG ')).toBe('piet@example.org');
    expect(normalisePlate('12-abc-3')).toBe('12ABC3');
    expect(normalisePlate('ABCDEF')).toBeUndefined();
  });

  it('finds emails, mobiles, full addresses and plates in free text', () => {
    const found = identifiersInText(
      'Auto met kenteken 12-ABC-3 bij Kerkstraat 5, 3417 AB. Bel 06 1234 5678 of mail X@Y.nl',
    );
    expect(found).toEqual(
      expect.arrayContaining([
        { kind: 'plate', value: '12ABC3' },
        { kind: 'address', value: '3417AB 5' },
        { kind: 'phone', value: '+31612345678' },
        { kind: 'email', value: 'x@y.nl' },
      ]),
    );
  });

  it('gives one identifier per distinct value of a signal', () => {
    const ids = identifiersOf(
      {
        persons: [
          { name: 'Petra Jansen', role: 'victim', ageOrBirthDate: '17', phone: '0612345678' },
          { name: 'Petra  Jansen', role: 'victim', ageOrBirthDate: '17', phone: '06-12345678' },
        ],
        organisations: [{ name: 'Uitzendbureau Snel B.V.', kvk: '12345678' }],
        observed: 'niets bijzonders',
      },
      2026,
    );
    expect(ids).toEqual([
      { kind: 'person', value: 'petra jansen|~2005' },
      { kind: 'phone', value: '+31612345678' },
      { kind: 'organisation', value: 'kvk:12345678' },
      { kind: 'organisation', value: 'naam:uitzendbureau snel' },
    ]);
  });
});
