import * as z from 'zod/mini';
import {
  EXPLOITATION_FORM_CODES,
  INDICATORS,
  PERSON_ROLES,
  VULNERABILITIES,
} from '#core/catalog.ts';
import type { Config } from '#core/config.ts';
import { PAGE_INPUT } from '#core/input.ts';
import { type SignalSubmission, SignalSubmissionSchema } from '#core/signal.ts';
import {
  FIELD_NAMES,
  type FieldError,
  type FormBody,
  isBlankRow,
  MAX_ROWS,
  type MeldenFormValues,
  rowFieldName,
  SUBMISSION_ID,
  type TopKey,
  valuesFromBody,
} from './melden-values.ts';

/**
 * The staff form (`/melden`): flat HTML fields in, a `SignalSubmission` out,
 * or Dutch (B1) messages that name each wrong field in words.
 */

export * from './melden-values.ts';

function isPhone(s: string): boolean {
  const digits = s.replace(/\D/g, '').length;
  return /^\+?[0-9 ()./-]+$/.test(s) && digits >= 6 && digits <= 15;
}
const kvkDigits = (s: string) => s.replace(/[\s.]/g, '');

const max = (n: number, what: string) =>
  z.string().check(z.trim(), z.maxLength(n, `${what} mag maximaal ${n} tekens hebben.`));
const phone = (what: string, invalid: string) =>
  max(40, what).check(
    z.refine((s) => s === '' || isPhone(s), `${invalid}, bijvoorbeeld 06 12345678.`),
  );

/**
 * Schemas are built once and reused: zod compiles each object schema on first
 * use, so building them per post cost about 1 ms and 0.4 MB of garbage a post
 * (bench: form row). Rows beyond the form's maximum are not cached; they only
 * get the "too many" message anyway.
 */
function cachedPerRow<S>(build: (n: number) => S): (n: number) => S {
  const cache = new Map<number, S>();
  return (n) => {
    if (n > MAX_ROWS + 1) return build(n);
    const cached = cache.get(n);
    if (cached) return cached;
    const schema = build(n);
    cache.set(n, schema);
    return schema;
  };
}

const personSchema = cachedPerRow((n: number) =>
  z.object({
    name: max(200, `De naam van persoon ${n}`),
    role: z.string().check(
      z.refine((r) => r !== '', `Kies de rol van persoon ${n}.`),
      z.refine(
        (r) => r === '' || Object.hasOwn(PERSON_ROLES, r),
        `Kies bij persoon ${n} een rol uit de lijst.`,
      ),
    ),
    age: max(40, `De leeftijd of geboortedatum van persoon ${n}`),
    address: max(300, `Het adres van persoon ${n}`),
    phone: phone(
      `Het telefoonnummer van persoon ${n}`,
      `Vul bij persoon ${n} een geldig telefoonnummer in`,
    ),
    email: max(254, `Het e-mailadres van persoon ${n}`).check(
      z.refine(
        (s) => s === '' || z.email().safeParse(s).success,
        `Vul bij persoon ${n} een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.`,
      ),
    ),
    notes: max(2000, `De toelichting bij persoon ${n}`),
  }),
);

const organisationSchema = cachedPerRow((n: number) =>
  z.object({
    name: max(200, `De naam van organisatie ${n}`),
    kvk: z
      .string()
      .check(
        z.refine(
          (s) => s.trim() === '' || /^\d{8}$/.test(kvkDigits(s)),
          `Het KvK-nummer van organisatie ${n} moet uit 8 cijfers bestaan.`,
        ),
      ),
    address: max(300, `Het adres van organisatie ${n}`),
  }),
);

const formSchemas = new WeakMap<Config, ReturnType<typeof buildFormSchema>>();
function formSchema(config: Config) {
  const cached = formSchemas.get(config);
  if (cached) return cached;
  const schema = buildFormSchema(config);
  formSchemas.set(config, schema);
  return schema;
}

function buildFormSchema(config: Config) {
  const codes = (known: Readonly<Record<string, string>>, message: string) =>
    z
      .array(z.string())
      .check(z.refine((list) => list.every((c) => Object.hasOwn(known, c)), message));
  return z.object({
    submissionId: z.string().check(z.regex(SUBMISSION_ID)),
    reporterName: z
      .string()
      .check(
        z.trim(),
        z.minLength(1, { error: 'Vul uw naam in.', abort: true }),
        z.maxLength(200, 'Uw naam mag maximaal 200 tekens hebben.'),
      ),
    reporterPhone: phone('Uw telefoonnummer', 'Vul een geldig telefoonnummer in'),
    reporterTeam: z
      .string()
      .check(z.refine((t) => t === '' || config.teams.includes(t), 'Kies uw team uit de lijst.')),
    discussedWithCoordinator: z.enum(['ja', 'nee'], {
      error: 'Geef aan of u het signaal heeft besproken met uw teamcoördinator.',
    }),
    coordinatorName: max(200, 'De naam van de teamcoördinator'),
    persons: z.array(z.record(z.string(), z.string())),
    organisations: z.array(z.record(z.string(), z.string())),
    location: max(500, 'De locatie'),
    observed: z
      .string()
      .check(
        z.trim(),
        z.minLength(1, { error: 'Vul in wat u heeft gezien.', abort: true }),
        z.minLength(10, 'Beschrijf wat u heeft gezien in minstens 10 tekens.'),
        z.maxLength(20000, 'Wat u heeft gezien mag maximaal 20.000 tekens hebben.'),
      ),
    indicators: codes(INDICATORS, 'Kies bij de signalenkaart alleen signalen uit de lijst.'),
    vulnerabilities: codes(VULNERABILITIES, 'Kies bij kwetsbaarheid alleen punten uit de lijst.'),
    exploitationForm: z.enum(EXPLOITATION_FORM_CODES, {
      error: 'Kies een vorm van uitbuiting. Weet u het niet? Kies dan ‘Onbekend’.',
    }),
    acute: z.enum(['', 'ja'], {
      error: 'Acuut gevaar: vink het vakje aan of laat het leeg.',
    }),
  });
}

function checkRows(
  list: Record<string, string>[],
  kind: 'persons' | 'organisations',
  schemaFor: (n: number) => z.ZodMiniType,
  tooMany: string,
  errors: FieldError[],
): void {
  let filled = 0;
  list.forEach((row, i) => {
    if (isBlankRow(row)) return;
    filled++;
    const r = schemaFor(i + 1).safeParse(row, PAGE_INPUT);
    if (r.success) return;
    for (const issue of r.error.issues)
      errors.push({ field: rowFieldName(kind, i, String(issue.path[0])), message: issue.message });
  });
  if (filled > MAX_ROWS) errors.push({ field: kind, message: tooMany });
}

/** The order in which the page shows the fields; the error summary follows it. */
const FORM_ORDER = [
  'acute',
  'reporter_name',
  'reporter_phone',
  'reporter_team',
  'discussed_with_coordinator',
  'coordinator_name',
  'observed',
  'location',
  'persons',
  'organisations',
  'indicators',
  'vulnerabilities',
  'exploitation_form',
];
const rank = (field: string) => FORM_ORDER.indexOf(field.replace(/\[.*$/, ''));

/** One message per field, the first found, in form order. */
function firstPerField(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors
    .filter((e) => !seen.has(e.field) && seen.add(e.field))
    .sort((a, b) => rank(a.field) - rank(b.field));
}

export function parseMeldenForm(
  body: FormBody,
  ctx: { reporterEmail: string; config: Config },
):
  | { ok: true; submission: SignalSubmission; submissionId: string }
  | { ok: false; values: MeldenFormValues; errors: FieldError[] } {
  const values = valuesFromBody(body, ctx.config);
  const errors: FieldError[] = [];
  const parsed = formSchema(ctx.config).safeParse(values, PAGE_INPUT);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as TopKey;
      errors.push({ field: FIELD_NAMES[key] ?? String(key), message: issue.message });
    }
  }
  checkRows(
    values.persons,
    'persons',
    personSchema,
    `U kunt maximaal ${MAX_ROWS} personen invullen. Noem de anderen bij ‘Wat heeft u gezien?’.`,
    errors,
  );
  checkRows(
    values.organisations,
    'organisations',
    organisationSchema,
    `U kunt maximaal ${MAX_ROWS} organisaties invullen. Noem de andere bij ‘Wat heeft u gezien?’.`,
    errors,
  );
  if (errors.length > 0) return { ok: false, values, errors: firstPerField(errors) };

  const result = SignalSubmissionSchema.safeParse(toSubmission(values, ctx.reporterEmail));
  if (!result.success) {
    // The form schema above is meant to be stricter than the domain's; this is a safety net.
    return {
      ok: false,
      values,
      errors: [
        {
          field: 'observed',
          message: 'Het signaal kon niet worden verwerkt. Controleer uw antwoorden.',
        },
      ],
    };
  }
  return { ok: true, submission: result.data, submissionId: values.submissionId };
}

function toSubmission(v: MeldenFormValues, reporterEmail: string): unknown {
  return {
    reporter: {
      name: v.reporterName,
      email: reporterEmail,
      phone: v.reporterPhone,
      team: v.reporterTeam,
      external: false,
      discussedWithCoordinator: v.discussedWithCoordinator === 'ja',
      coordinatorName: v.coordinatorName,
    },
    content: {
      persons: v.persons
        .filter((p) => !isBlankRow(p))
        .map((p) => ({
          name: p.name,
          role: p.role,
          ageOrBirthDate: p.age,
          address: p.address,
          phone: p.phone,
          email: p.email,
          notes: p.notes,
        })),
      organisations: v.organisations
        .filter((o) => !isBlankRow(o))
        .map((o) => ({ name: o.name, kvk: kvkDigits(o.kvk), address: o.address })),
      location: v.location,
      observed: v.observed,
    },
    classification: {
      exploitationForm: v.exploitationForm,
      urgency: v.acute === 'ja' ? 'acute' : 'normal',
      indicators: v.indicators,
      vulnerabilities: v.vulnerabilities,
      sourceTeam: v.reporterTeam,
    },
  };
}
