/**
 * The policy's fixed lists (appendix 4.3 signal card, §1.1 exploitation forms,
 * CoMensha's registration categories). Codes are stable identifiers stored in
 * clear for monitoring; labels are the Dutch words users see.
 */

export const EXPLOITATION_FORMS = {
  unknown: 'Onbekend',
  sexual: 'Seksuele uitbuiting',
  criminal: 'Criminele uitbuiting',
  labour: 'Arbeidsuitbuiting',
  combination: 'Combinatie van vormen',
  other: 'Anders (bijvoorbeeld orgaanverwijdering)',
} as const;
export type ExploitationForm = keyof typeof EXPLOITATION_FORMS;
export const EXPLOITATION_FORM_CODES = Object.keys(EXPLOITATION_FORMS) as [
  ExploitationForm,
  ...ExploitationForm[],
];

export const URGENCIES = {
  normal: 'Normaal',
  acute: 'Acuut gevaar, direct ingrijpen nodig',
} as const;
export type Urgency = keyof typeof URGENCIES;

export const CHANNELS = { form: 'Webformulier', email: 'E-mail' } as const;
export type Channel = keyof typeof CHANNELS;

export const PERSON_ROLES = {
  victim: 'Mogelijk slachtoffer',
  perpetrator: 'Mogelijke dader',
  other: 'Anders',
} as const;
export type PersonRole = keyof typeof PERSON_ROLES;

export type IndicatorGroup = {
  readonly code: string;
  readonly label: string;
  readonly items: Readonly<Record<string, string>>;
};

/** Appendix 4.3 "Signalen(kaart)", grouped as in the policy. */
export const INDICATOR_GROUPS: readonly IndicatorGroup[] = [
  {
    code: 'all',
    label: 'Alle vormen van mensenhandel',
    items: {
      companion: 'Er is meestal een begeleider bij de persoon',
      vague_injuries: 'Vage uitleg over verwondingen',
      threats: 'Bedreiging van het slachtoffer zelf of van familieleden',
      work_complaints: 'Klachten door het werk',
      psychosomatic: 'Psychosomatische klachten',
      addiction: 'Drugs- of alcoholverslaving',
      trafficker_tattoo: 'Tatoeages van de mensenhandelaar, zoals een naam of icoon',
    },
  },
  {
    code: 'domestic',
    label: 'Mensenhandel binnen Nederland',
    items: {
      isolated: 'Wordt geïsoleerd van familie of vrienden en is afhankelijk van een ander',
      sudden_money: 'Plotseling veel geld of andere kleding',
      behaviour_change: 'Gedragsveranderingen',
      extortion: 'Afpersing (bijvoorbeeld met filmpjes)',
      school_decline: 'Verslechterende schoolprestaties',
    },
  },
  {
    code: 'cross_border',
    label: 'Mensenhandel over grenzen',
    items: {
      lives_at_work: 'Woont op de werkplek',
      no_passport: 'Paspoort niet in eigen bezit',
      travel_arranged: 'Heeft de reis niet zelf geregeld',
      work_address_unknown: 'Werkadres onbekend',
      debts: 'Opgebouwde ‘schulden’',
      undocumented: 'Ongedocumenteerd',
    },
  },
];

export const INDICATORS: Readonly<Record<string, string>> = Object.fromEntries(
  INDICATOR_GROUPS.flatMap((g) => Object.entries(g.items)),
);
export const INDICATOR_CODES = Object.keys(INDICATORS);

/** Appendix 4.3, last paragraph: who is more vulnerable. */
export const VULNERABILITIES: Readonly<Record<string, string>> = {
  psychological: 'Psychische klachten',
  lvb: 'Licht verstandelijke beperking (LVB)',
  multi_problem_family: 'Afkomstig uit een multiprobleem- of gebroken gezin',
  orphan: 'Wees',
  low_self_esteem: 'Laag zelfbeeld',
  homeless: 'Dakloos',
  violence_history: 'Voorgeschiedenis van geweld, trauma of jeugdhulp',
  refugee_undocumented: 'Vluchteling of ongedocumenteerd',
  poverty: 'Armoede',
  easily_influenced: 'Makkelijk beïnvloedbaar',
  age_12_24: 'Leeftijd 12 tot 24 jaar',
  lgbti_boys: 'LHBTI+ (jongens)',
};
export const VULNERABILITY_CODES = Object.keys(VULNERABILITIES);
