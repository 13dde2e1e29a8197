import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config.ts';
import { SignalSubmissionSchema } from '#core/signal.ts';
import {
  emptyMeldenForm,
  type FormBody,
  formAction,
  parseMeldenForm,
  valuesFromBody,
} from '#forms/melden-form.ts';

const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));
const ctx = { reporterEmail: 'Jan.Jansen@montfoort.example', config };
const ID = '0f8e7c1a-4a59-4f7e-9d1b-2c3e4f5a6b7c';

const valid: Record<string, string | string[]> = {
  _csrf: 'token',
  submission_id: ID,
  reporter_name: 'Jan Jansen',
  reporter_phone: '06 12345678',
  reporter_team: 'Wmo',
  discussed_with_coordinator: 'ja',
  coordinator_name: 'Petra de Vries',
  observed: 'Een vrouw kwam aan de balie met een man die steeds het woord deed.',
  location: 'Stadhuis, balie Burgerzaken',
  indicators: ['companion', 'no_passport'],
  vulnerabilities: 'homeless',
  exploitation_form: 'labour',
  acute: 'ja',
  'persons[0][name]': 'Anna',
  'persons[0][role]': 'victim',
  'persons[0][age]': 'ongeveer 20',
  'persons[0][email]': 'anna@example.org',
  'persons[0][notes]': 'Spreekt geen Nederlands.\nLijkt bang.',
  'organisations[0][name]': 'Uitzendbureau Snel BV',
  'organisations[0][kvk]': '1234 5678',
};

function errorsOf(body: FormBody) {
  const r = parseMeldenForm(body, ctx);
  if (r.ok) throw new Error('expected the form to be refused');
  return r;
}

describe('the staff form', () => {
  it('turns a complete form into a submission from the signed-in reporter', () => {
    const r = parseMeldenForm(valid, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.submissionId).toBe(ID);
    expect(r.submission.reporter).toEqual({
      name: 'Jan Jansen',
      email: 'jan.jansen@montfoort.example',
      phone: '06 12345678',
      team: 'Wmo',
      external: false,
      discussedWithCoordinator: true,
      coordinatorName: 'Petra de Vries',
    });
    expect(r.submission.content.persons).toEqual([
      {
        name: 'Anna',
        role: 'victim',
        ageOrBirthDate: 'ongeveer 20',
        email: 'anna@example.org',
        notes: 'Spreekt geen Nederlands.\nLijkt bang.',
      },
    ]);
    expect(r.submission.content.organisations).toEqual([
      { name: 'Uitzendbureau Snel BV', kvk: '12345678' },
    ]);
    expect(r.submission.classification).toEqual({
      exploitationForm: 'labour',
      urgency: 'acute',
      indicators: ['companion', 'no_passport'],
      vulnerabilities: ['homeless'],
      sourceTeam: 'Wmo',
    });
    expect(SignalSubmissionSchema.safeParse(r.submission).success).toBe(true);
  });

  it('is normal urgency and unknown exploitation form when those are left out', () => {
    const { acute: _a, exploitation_form: _e, ...rest } = valid;
    const r = parseMeldenForm(rest, ctx);
    expect(r.ok && r.submission.classification).toMatchObject({
      urgency: 'normal',
      exploitationForm: 'unknown',
    });
  });

  it.each([
    ['reporter_name', { reporter_name: '  ' }, /uw naam/i],
    ['reporter_phone', { reporter_phone: 'bel me' }, /telefoonnummer/],
    ['reporter_team', { reporter_team: 'Geheime dienst' }, /team/],
    ['discussed_with_coordinator', { discussed_with_coordinator: '' }, /teamcoördinator/],
    ['observed', { observed: '' }, /wat u heeft gezien/],
    ['observed', { observed: 'kort' }, /minstens 10 tekens/],
    ['exploitation_form', { exploitation_form: 'organ' }, /vorm van uitbuiting/],
    ['acute', { acute: 'yes' }, /acuut gevaar/i],
    ['indicators', { indicators: ['companion', 'made_up'] }, /signalenkaart/],
    ['vulnerabilities', { vulnerabilities: 'toString' }, /kwetsbaarheid/],
    ['persons[0][role]', { 'persons[0][role]': '' }, /rol van persoon 1/],
    ['persons[0][role]', { 'persons[0][role]': 'constructor' }, /persoon 1 een rol/],
    ['persons[0][email]', { 'persons[0][email]': 'anna@' }, /e-mailadres/],
    ['persons[0][phone]', { 'persons[0][phone]': '12' }, /telefoonnummer/],
    ['organisations[0][kvk]', { 'organisations[0][kvk]': '1234567' }, /KvK-nummer.*8 cijfers/],
    ['organisations[0][kvk]', { 'organisations[0][kvk]': 'abcdefgh' }, /8 cijfers/],
  ])(
    'refuses a wrong %s with a Dutch message and keeps what was entered',
    (field, change, message) => {
      const body: FormBody = { ...valid, ...change };
      const r = errorsOf(body);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toEqual({ field, message: expect.stringMatching(message) });
      expect(r.values.reporterName).toBe(body.reporter_name);
      expect(r.values.observed).toBe(body.observed);
      expect(r.values.persons[0]?.notes).toBe('Spreekt geen Nederlands.\nLijkt bang.');
      expect(r.values.submissionId).toBe(ID);
    },
  );

  it('lists the problems in the order of the form, one per field', () => {
    const r = errorsOf({ indicators: 'nope', 'persons[0][email]': 'x', reporter_name: '' });
    expect(r.errors.map((e) => e.field)).toEqual([
      'reporter_name',
      'discussed_with_coordinator',
      'observed',
      'persons[0][role]',
      'persons[0][email]',
      'indicators',
    ]);
  });

  it('drops rows that are left empty, without an error', () => {
    const r = parseMeldenForm(
      {
        ...valid,
        'persons[1][name]': ' ',
        'persons[1][role]': '',
        'organisations[1][name]': '',
        'organisations[1][kvk]': '',
      },
      ctx,
    );
    expect(r.ok && r.submission.content.persons).toHaveLength(1);
    expect(r.ok && r.submission.content.organisations).toHaveLength(1);
  });

  it('takes rows in index order and tolerates gaps', () => {
    const v = valuesFromBody(
      { 'persons[7][name]': 'Zeven', 'persons[2][name]': 'Twee', 'persons[2][role]': 'other' },
      config,
    );
    expect(v.persons.map((p) => p.name)).toEqual(['Twee', 'Zeven']);
  });

  it('refuses more than 20 persons', () => {
    const body: Record<string, string | string[]> = { ...valid };
    for (let i = 0; i < 21; i++) {
      body[`persons[${i}][name]`] = `Persoon ${i}`;
      body[`persons[${i}][role]`] = 'other';
    }
    expect(errorsOf(body).errors).toEqual([
      { field: 'persons', message: expect.stringMatching(/maximaal 20 personen/) },
    ]);
  });

  it('knows which button was pressed and adds one blank row for "add another"', () => {
    expect(formAction(valid)).toBe('submit');
    expect(formAction({ ...valid, action: 'add_person' })).toBe('add_person');
    expect(formAction({ ...valid, action: 'drop_tables' })).toBe('submit');
    const v = valuesFromBody({ ...valid, action: 'add_person' }, config, 'add_person');
    expect(v.persons).toHaveLength(2);
    expect(v.persons[1]).toEqual({
      name: '',
      role: '',
      age: '',
      address: '',
      phone: '',
      email: '',
      notes: '',
    });
    expect(v.persons[0]?.name).toBe('Anna');
    expect(valuesFromBody(valid, config, 'add_organisation').organisations).toHaveLength(2);
  });

  it('makes a new submission id when it is missing or malformed', () => {
    const missing = valuesFromBody({}, config).submissionId;
    const malformed = valuesFromBody({ submission_id: '<x>' }, config).submissionId;
    expect(missing).toMatch(/^[0-9a-f-]{36}$/);
    expect(malformed).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      valuesFromBody({ submission_id: '01JABCDEFGHJKMNPQRSTVWXYZ0' }, config).submissionId,
    ).toBe('01JABCDEFGHJKMNPQRSTVWXYZ0');
  });

  it('starts empty with one blank row each and "unknown" chosen', () => {
    const v = emptyMeldenForm(config, 'given-id-0123456789');
    expect(v.submissionId).toBe('given-id-0123456789');
    expect(v.persons).toHaveLength(1);
    expect(v.organisations).toHaveLength(1);
    expect(v.exploitationForm).toBe('unknown');
  });

  it('never throws on arbitrary input, and every accepted form is a valid submission', () => {
    const names = [
      'reporter_name',
      'reporter_phone',
      'reporter_team',
      'discussed_with_coordinator',
      'observed',
      'indicators',
      'acute',
      'exploitation_form',
      'persons[0][name]',
      'persons[0][role]',
      'persons[0][email]',
      'organisations[0][kvk]',
      'persons[99][__proto__]',
    ];
    const value = fc.oneof(fc.string(), fc.constantFrom('ja', 'nee', 'victim', 'Wmo', 'companion'));
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names), fc.oneof(value, fc.array(value))),
        (body) => {
          const r = parseMeldenForm({ ...valid, ...body }, ctx);
          if (r.ok) expect(SignalSubmissionSchema.safeParse(r.submission).success).toBe(true);
          else for (const e of r.errors) expect(e.message).toMatch(/[a-z]/);
        },
      ),
    );
  });
});
