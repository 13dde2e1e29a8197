/**
 * Realistic, reproducible fake data for the benchmarks: Dutch and migrant
 * names, addresses in the police base-team area (Woerden, Oudewater,
 * IJsselstein, Montfoort, Lopik), businesses where exploitation is often
 * signalled, and filled-in staff forms. Every name is invented; a seeded PRNG
 * makes runs comparable.
 */
import { EXPLOITATION_FORM_CODES, INDICATOR_CODES, VULNERABILITY_CODES } from '#core/catalog.ts';
import type { SignalSubmission } from '#core/signal.ts';

export type Rng = () => number;

/** mulberry32: tiny, fast, good enough for fake data. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
export const int = (r: Rng, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
export function some<T>(r: Rng, list: readonly T[], min: number, max: number): T[] {
  const n = int(r, min, Math.min(max, list.length));
  const copy = [...list];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(...copy.splice(Math.floor(r() * copy.length), 1));
  return out;
}

const FIRST_NAMES = [
  'Anna',
  'Sanne',
  'Lotte',
  'Fleur',
  'Emma',
  'Julia',
  'Sophie',
  'Eva',
  'Lisa',
  'Iris',
  'Daan',
  'Bram',
  'Thijs',
  'Jeroen',
  'Pieter',
  'Willem',
  'Ruud',
  'Sander',
  'Koen',
  'Joost',
  'Agnieszka',
  'Katarzyna',
  'Tomasz',
  'Piotr',
  'Marek',
  'Ioana',
  'Elena',
  'Andrei',
  'Mihai',
  'Stefan',
  'Georgi',
  'Desislava',
  'Nikolay',
  'Blessing',
  'Chiamaka',
  'Osaro',
  'Thi Lan',
  'Van Minh',
  'Hoa',
  'Fatima',
  'Mohamed',
  'Youssef',
  'Samira',
  'Aylin',
  'Mehmet',
  'Tigist',
  'Dawit',
  'Ana',
  'Luis',
  'Mariana',
  'Oksana',
  'Dmytro',
  'Natalia',
] as const;

const LAST_NAMES = [
  'de Jong',
  'Jansen',
  'de Vries',
  'van den Berg',
  'van Dijk',
  'Bakker',
  'Janssen',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'de Groot',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
  'van Leeuwen',
  'Dekker',
  'Brouwer',
  'de Wit',
  'Dijkstra',
  'van der Meer',
  'Kok',
  'Verhoef',
  'van Vliet',
  'Schouten',
  'Hoekstra',
  'Blom',
  'Kowalska',
  'Nowak',
  'Wiśniewski',
  'Popescu',
  'Ionescu',
  'Dumitru',
  'Dimitrov',
  'Georgieva',
  'Ivanov',
  'Okafor',
  'Eze',
  'Osagie',
  'Nguyen',
  'Tran',
  'Pham',
  'El Amrani',
  'Bouzid',
  'Yılmaz',
  'Demir',
  'Tesfaye',
  'Haile',
  'Silva',
  'Santos',
  'Kovalenko',
  'Shevchenko',
] as const;

/** Street, postcode prefix and place in the base-team area. */
const PLACES = [
  {
    place: 'Montfoort',
    postcode: '3417',
    streets: [
      'Hoogstraat',
      'Kerkstraat',
      'Hofland',
      'Onder de Boompjes',
      'Keizerstraat',
      'Schapenweide',
      'Willeskop',
      'Blokland',
    ],
  },
  {
    place: 'Linschoten',
    postcode: '3461',
    streets: ['Dorpsstraat', 'Noordzijdseweg', 'Kanaaldijk', 'Rapijnen'],
  },
  {
    place: 'Woerden',
    postcode: '3441',
    streets: [
      'Rijnstraat',
      'Molenstraat',
      'Leidsestraatweg',
      'Boerendijk',
      'Steinhagenseweg',
      'Utrechtsestraatweg',
    ],
  },
  { place: 'Harmelen', postcode: '3481', streets: ['Dorpsstraat', 'Kloosterweg', 'Bredeweg'] },
  { place: 'Kamerik', postcode: '3471', streets: ['Mijzijde', 'Overstraat', 'Kanis'] },
  {
    place: 'Oudewater',
    postcode: '3421',
    streets: ['Kapellestraat', 'Wijdstraat', 'Hoenkoopse Buurtweg', 'Populierenlaan'],
  },
  {
    place: 'IJsselstein',
    postcode: '3401',
    streets: [
      'Benschopperstraat',
      'Utrechtsestraat',
      'Baron van Nagellstraat',
      'Europalaan',
      'Achtersloot',
    ],
  },
  {
    place: 'Lopik',
    postcode: '3411',
    streets: ['Graaf Florisweg', 'Lopikerweg Oost', 'Schoolstraat', 'Uitweg'],
  },
  {
    place: 'Benschop',
    postcode: '3405',
    streets: ['Burgemeester Brandtstraat', 'Lange Vliet', 'Noord-IJsseldijk'],
  },
  { place: 'Polsbroek', postcode: '3415', streets: ['Dorpsstraat', 'Polsbroekerdam'] },
] as const;

const ORGANISATIONS = [
  'Schoonmaakbedrijf De Glans B.V.',
  'Uitzendbureau FlexWerk Midden',
  'Nagelstudio Lucky Nails',
  'Autowasstraat Snelwas',
  'Champignonkwekerij Van Dam',
  'Kwekerij De Groene Kas',
  'Massagesalon Lotus',
  'Bouwbedrijf Gebroeders Kok',
  'Pizzeria Da Marco',
  'Transportbedrijf IJsselland',
  'Vleesverwerking De Waard',
  'Hotel De Oude Brug',
  'Maaltijdbezorging Snel & Vers',
  'Fruitteeltbedrijf Lopikerwaard',
  'Klusbedrijf Handig Holland',
  'Loonbedrijf Achthoven',
] as const;

const ORGANISATION_STREETS = [
  'Industrieweg',
  'Handelsweg',
  'Bedrijvenpark Heeswijk',
  'Marconiweg',
  'Lage Biezen',
  'Pelmolenlaan',
] as const;

const PERSON_NOTES = [
  'Spreekt weinig Nederlands, een ander voert het woord.',
  'Had geen eigen identiteitsbewijs bij zich.',
  'Lijkt jonger dan de opgegeven leeftijd.',
  'Woont met veel anderen op één adres.',
  'Wordt steeds door dezelfde man gebracht en gehaald.',
  'Heeft schulden bij de werkgever, zegt zelf dat zij die moet terugbetalen.',
] as const;

const OBSERVATIONS = [
  'Bij een huisbezoek voor de Wmo trof ik zes matrassen in één kamer aan. De bewoners werken allemaal bij hetzelfde bedrijf.',
  'Tijdens een controle van de BOA bleek dat medewerkers op het bedrijfsterrein overnachten. Het paspoort van een van hen ligt bij de werkgever.',
  'Een cliënt vertelde dat zij zeven dagen per week werkt en haar loon contant aan een tussenpersoon moet afgeven.',
  'Aan de balie van Burgerzaken wilde een man zich inschrijven op een adres waar al veertien personen staan ingeschreven.',
  'Een jonge vrouw kwam met een oudere man langs voor een uitkering. Hij beantwoordde alle vragen voor haar en hield haar telefoon vast.',
  'Bij de schuldhulp meldde een jongen dat hij drugs moet vervoeren om een schuld af te lossen. Hij is bang voor de mensen die hem daartoe dwingen.',
  'Via de wijkagent hoorde ik dat er in een woning steeds wisselende vrouwen verblijven en dat er ’s nachts veel bezoek komt.',
  'Een medewerker van de kwekerij vertelde dat hij voor huisvesting en vervoer zoveel inhoudingen heeft dat er bijna geen loon overblijft.',
] as const;

const OBSERVATION_EXTRA = [
  'De situatie duurt volgens de buren al enkele maanden.',
  'Ik heb dit besproken met mijn teamcoördinator en wij twijfelen of er acuut gevaar is.',
  'Er zijn ook minderjarigen op het adres gezien.',
  'De betrokkene wil niet dat de politie wordt ingeschakeld.',
  'Het bedrijf is eerder in het nieuws geweest vanwege onderbetaling.',
  '',
] as const;

export const fullName = (r: Rng) => `${pick(r, FIRST_NAMES)} ${pick(r, LAST_NAMES)}`;

export function address(r: Rng): string {
  const p = pick(r, PLACES);
  const letters = String.fromCharCode(65 + int(r, 0, 25), 65 + int(r, 0, 25));
  return `${pick(r, p.streets)} ${int(r, 1, 180)}, ${p.postcode} ${letters} ${p.place}`;
}

export const mobile = (r: Rng) => `06 ${String(int(r, 10000000, 99999999))}`;
export const kvk = (r: Rng) => String(int(r, 10000000, 99999999));

const emailLocal = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[^\w\s]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '.');

type FakePerson = {
  name: string;
  role: 'victim' | 'perpetrator' | 'other';
  age: string;
  address: string;
  phone: string;
  email: string;
  notes: string;
};

/** One signal as a member of staff would report it; rendered as a form post or a submission. */
export type FakeSignal = {
  reporterName: string;
  reporterPhone: string;
  team: string;
  discussed: boolean;
  coordinatorName: string;
  location: string;
  observed: string;
  indicators: string[];
  vulnerabilities: string[];
  exploitationForm: (typeof EXPLOITATION_FORM_CODES)[number];
  acute: boolean;
  persons: FakePerson[];
  organisation?: { name: string; kvk: string; address: string };
};

export function fakeSignal(r: Rng, teams: readonly string[]): FakeSignal {
  const discussed = r() < 0.7;
  const persons: FakePerson[] = [];
  for (let i = int(r, 1, 3); i > 0; i--) {
    const name = fullName(r);
    persons.push({
      name,
      role: persons.length === 0 ? 'victim' : pick(r, ['victim', 'perpetrator', 'other'] as const),
      age: String(int(r, 16, 58)),
      address: address(r),
      phone: r() < 0.6 ? mobile(r) : '',
      email: r() < 0.3 ? `${emailLocal(name)}@example.org` : '',
      notes: r() < 0.7 ? pick(r, PERSON_NOTES) : '',
    });
  }
  return {
    reporterName: fullName(r),
    reporterPhone: `0348 ${int(r, 100000, 999999)}`,
    team: pick(r, teams),
    discussed,
    coordinatorName: discussed ? fullName(r) : '',
    location: r() < 0.8 ? address(r) : '',
    observed: `${pick(r, OBSERVATIONS)} ${pick(r, OBSERVATION_EXTRA)}`.trim(),
    indicators: some(r, INDICATOR_CODES, 1, 5),
    vulnerabilities: some(r, VULNERABILITY_CODES, 0, 3),
    exploitationForm: pick(r, EXPLOITATION_FORM_CODES),
    acute: r() < 0.06,
    persons,
    ...(r() < 0.6
      ? {
          organisation: {
            name: pick(r, ORGANISATIONS),
            kvk: r() < 0.7 ? kvk(r) : '',
            address: `${pick(r, ORGANISATION_STREETS)} ${int(r, 1, 60)}, ${pick(r, PLACES).place}`,
          },
        }
      : {}),
  };
}

/** The staff form (`/melden`) as the browser posts it. */
export function meldenFormBody(
  f: FakeSignal,
  options: { csrf: string; submissionId: string },
): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {
    _csrf: options.csrf,
    submission_id: options.submissionId,
    reporter_name: f.reporterName,
    reporter_phone: f.reporterPhone,
    reporter_team: f.team,
    discussed_with_coordinator: f.discussed ? 'ja' : 'nee',
    coordinator_name: f.coordinatorName,
    location: f.location,
    observed: f.observed,
    indicators: f.indicators,
    vulnerabilities: f.vulnerabilities,
    exploitation_form: f.exploitationForm,
  };
  if (f.acute) body.acute = 'ja';
  for (const [i, p] of f.persons.entries()) {
    body[`persons[${i}][name]`] = p.name;
    body[`persons[${i}][role]`] = p.role;
    body[`persons[${i}][age]`] = p.age;
    body[`persons[${i}][address]`] = p.address;
    body[`persons[${i}][phone]`] = p.phone;
    body[`persons[${i}][email]`] = p.email;
    body[`persons[${i}][notes]`] = p.notes;
  }
  if (f.organisation) {
    body['organisations[0][name]'] = f.organisation.name;
    body['organisations[0][kvk]'] = f.organisation.kvk;
    body['organisations[0][address]'] = f.organisation.address;
  }
  return body;
}

const orUndefined = (s: string) => (s ? s : undefined);

/**
 * The submission the form parser makes of `meldenFormBody(f)` (what
 * forms/melden-form.ts's `toSubmission` builds), without parsing: seeding
 * 100,000 signals through zod would take minutes.
 */
export function submissionOf(f: FakeSignal, reporterEmail: string): SignalSubmission {
  return {
    reporter: {
      name: f.reporterName,
      email: reporterEmail,
      phone: f.reporterPhone,
      team: f.team,
      external: false,
      discussedWithCoordinator: f.discussed,
      coordinatorName: orUndefined(f.coordinatorName),
    },
    content: {
      persons: f.persons.map((p) => ({
        name: p.name,
        role: p.role,
        ageOrBirthDate: p.age,
        address: p.address,
        phone: orUndefined(p.phone),
        email: orUndefined(p.email),
        notes: orUndefined(p.notes),
      })),
      organisations: f.organisation
        ? [
            {
              name: f.organisation.name,
              kvk: orUndefined(f.organisation.kvk),
              address: f.organisation.address,
            },
          ]
        : [],
      location: orUndefined(f.location),
      observed: f.observed,
    },
    classification: {
      exploitationForm: f.exploitationForm,
      urgency: f.acute ? 'acute' : 'normal',
      indicators: f.indicators,
      vulnerabilities: f.vulnerabilities,
      sourceTeam: f.team,
    },
  };
}

/** A submission id as the form's hidden field carries it (16–64 url-safe characters). */
export const submissionId = (r: Rng, n: number) =>
  `bench-${n.toString(36).padStart(6, '0')}-${Math.floor(r() * 2 ** 48).toString(36)}`;
