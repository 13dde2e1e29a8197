import type { Config } from '#core/config.ts';

/**
 * The staff form's values as entered: read from the flat HTML fields, kept
 * whole for showing the form again. Field names are a public contract
 * (docs/form-fields.md): integrations post to them.
 */

export type FormBody = Readonly<Record<string, string | string[]>>;
export type FieldError = { field: string; message: string };
export type FormAction = 'submit' | 'add_person' | 'add_organisation';

export const MAX_ROWS = 20;
export const PERSON_FIELDS = ['name', 'role', 'age', 'address', 'phone', 'email', 'notes'] as const;
export const ORGANISATION_FIELDS = ['name', 'kvk', 'address'] as const;
export type PersonValues = Record<(typeof PERSON_FIELDS)[number], string>;
export type OrganisationValues = Record<(typeof ORGANISATION_FIELDS)[number], string>;

/** Everything as entered, so a page can show it again after an error. */
export type MeldenFormValues = {
  submissionId: string;
  reporterName: string;
  reporterPhone: string;
  reporterTeam: string;
  discussedWithCoordinator: string;
  coordinatorName: string;
  persons: PersonValues[];
  organisations: OrganisationValues[];
  location: string;
  observed: string;
  indicators: string[];
  vulnerabilities: string[];
  exploitationForm: string;
  acute: string;
};

export type TopKey = Exclude<keyof MeldenFormValues, 'persons' | 'organisations'>;
/** The HTML `name` of each top-level value. */
export const FIELD_NAMES = {
  submissionId: 'submission_id',
  reporterName: 'reporter_name',
  reporterPhone: 'reporter_phone',
  reporterTeam: 'reporter_team',
  discussedWithCoordinator: 'discussed_with_coordinator',
  coordinatorName: 'coordinator_name',
  location: 'location',
  observed: 'observed',
  indicators: 'indicators',
  vulnerabilities: 'vulnerabilities',
  exploitationForm: 'exploitation_form',
  acute: 'acute',
} as const satisfies Record<TopKey, string>;

export const rowFieldName = (kind: 'persons' | 'organisations', index: number, field: string) =>
  `${kind}[${index}][${field}]`;

/** A UUID, a ULID or another opaque id an integration chose; nothing that needs escaping. */
export const SUBMISSION_ID = /^[A-Za-z0-9-]{16,64}$/;
const ROW = /^(persons|organisations)\[(\d{1,6})\]\[([a-z_]+)\]$/;

const blankPerson = (): PersonValues => ({
  name: '',
  role: '',
  age: '',
  address: '',
  phone: '',
  email: '',
  notes: '',
});
const blankOrganisation = (): OrganisationValues => ({ name: '', kvk: '', address: '' });

/** A fresh form; pass `submissionId` to use your own id generator instead of a random UUID. */
export function emptyMeldenForm(_config: Config, submissionId?: string): MeldenFormValues {
  return {
    submissionId: submissionId ?? crypto.randomUUID(),
    reporterName: '',
    reporterPhone: '',
    reporterTeam: '',
    discussedWithCoordinator: '',
    coordinatorName: '',
    persons: [blankPerson()],
    organisations: [blankOrganisation()],
    location: '',
    observed: '',
    indicators: [],
    vulnerabilities: [],
    exploitationForm: 'unknown',
    acute: '',
  };
}

function all(body: FormBody, name: string): string[] {
  const out: string[] = [];
  for (const key of [name, `${name}[]`]) {
    const v = body[key];
    for (const s of Array.isArray(v) ? v : [v]) if (typeof s === 'string') out.push(s);
  }
  return out;
}
const first = (body: FormBody, name: string): string => all(body, name)[0] ?? '';

export function formAction(body: FormBody): FormAction {
  const a = first(body, 'action');
  return a === 'add_person' || a === 'add_organisation' ? a : 'submit';
}

/** Rows keyed `persons[3][name]` in, a dense array in body order of index out. */
function rows<K extends string>(
  body: FormBody,
  kind: 'persons' | 'organisations',
  fields: readonly K[],
): Record<K, string>[] {
  const byIndex = new Map<number, Record<K, string>>();
  for (const key of Object.keys(body)) {
    const m = ROW.exec(key);
    if (!m || m[1] !== kind) continue;
    const field = m[3] as K;
    if (!fields.includes(field)) continue;
    const index = Number(m[2]);
    let row = byIndex.get(index);
    if (!row) {
      row = Object.fromEntries(fields.map((f) => [f, ''])) as Record<K, string>;
      byIndex.set(index, row);
    }
    row[field] = first(body, key);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

/**
 * Every entered value, for showing the form again; with an add action, one
 * more blank row. A missing or malformed submission id is replaced by a new one.
 */
export function valuesFromBody(
  body: FormBody,
  _config: Config,
  action: FormAction = 'submit',
): MeldenFormValues {
  const id = first(body, 'submission_id').trim();
  return addRow(
    {
      submissionId: SUBMISSION_ID.test(id) ? id : crypto.randomUUID(),
      reporterName: first(body, 'reporter_name'),
      reporterPhone: first(body, 'reporter_phone'),
      reporterTeam: first(body, 'reporter_team'),
      discussedWithCoordinator: first(body, 'discussed_with_coordinator'),
      coordinatorName: first(body, 'coordinator_name'),
      persons: rows(body, 'persons', PERSON_FIELDS),
      organisations: rows(body, 'organisations', ORGANISATION_FIELDS),
      location: first(body, 'location'),
      observed: first(body, 'observed'),
      indicators: [...new Set(all(body, 'indicators'))],
      vulnerabilities: [...new Set(all(body, 'vulnerabilities'))],
      exploitationForm: first(body, 'exploitation_form') || 'unknown',
      acute: first(body, 'acute'),
    },
    action,
  );
}

/** One extra blank row for the no-JavaScript "add another" buttons (up to MAX_ROWS). */
export function addRow(values: MeldenFormValues, action: FormAction): MeldenFormValues {
  if (action === 'add_person' && values.persons.length < MAX_ROWS)
    return { ...values, persons: [...values.persons, blankPerson()] };
  if (action === 'add_organisation' && values.organisations.length < MAX_ROWS)
    return { ...values, organisations: [...values.organisations, blankOrganisation()] };
  return values;
}

export const isBlankRow = (row: Record<string, string>) =>
  Object.values(row).every((v) => !v.trim());
