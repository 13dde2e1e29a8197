import { PERSON_ROLES } from '#core/catalog.ts';
import {
  type FieldError,
  MAX_ROWS,
  type MeldenFormValues,
  type OrganisationValues,
  type PersonValues,
  rowFieldName,
} from '#forms/melden-form.ts';
import { errorFor, SelectField, TextArea, TextField } from './components.tsx';
import { errorId, fieldId } from './format.ts';

/**
 * The repeatable parts of the staff form. Without JavaScript a row is added by
 * a submit button; the server shows the form again with one more blank row.
 */

const ROLE_OPTIONS = Object.entries(PERSON_ROLES);

const blankPerson: PersonValues = {
  name: '',
  role: '',
  age: '',
  address: '',
  phone: '',
  email: '',
  notes: '',
};
const blankOrganisation: OrganisationValues = { name: '', kvk: '', address: '' };

/** The form always shows at least one (blank) row. */
const atLeastOne = <T,>(rows: readonly T[], blank: T): readonly T[] =>
  rows.length > 0 ? rows : [blank];

function GroupError(props: { name: string; errors: readonly FieldError[] }) {
  const message = errorFor(props.errors, props.name);
  if (!message) return null;
  return (
    <p class="utrecht-form-field-error-message" id={errorId(props.name)}>
      <span class="mr-visually-hidden">Fout: </span>
      {message}
    </p>
  );
}

export function PersonRows(props: { values: MeldenFormValues; errors: readonly FieldError[] }) {
  const persons = atLeastOne(props.values.persons, blankPerson);
  const f = (i: number, field: string) => rowFieldName('persons', i, field);
  const e = (i: number, field: string) => errorFor(props.errors, f(i, field));
  return (
    <section class="mr-section" aria-labelledby="personen-titel">
      <h2 class="utrecht-heading-2" id="personen-titel">
        Betrokken personen
      </h2>
      <p class="utrecht-paragraph">
        Wie zijn erbij betrokken, en in welke rol? Vul in wat u weet. Niets is verplicht. Een lege
        persoon slaan wij niet op.
      </p>
      <div id={fieldId('persons')} tabindex={-1}>
        <GroupError name="persons" errors={props.errors} />
        {persons.map((p, i) => (
          <fieldset class="utrecht-form-fieldset mr-row" id={`persoon-${i + 1}`}>
            <legend class="utrecht-form-fieldset__legend">Persoon {i + 1}</legend>
            <TextField
              name={f(i, 'name')}
              label="Naam"
              value={p.name}
              error={e(i, 'name')}
              maxlength={200}
            />
            <SelectField
              name={f(i, 'role')}
              label="Rol"
              value={p.role}
              empty="Kies een rol"
              options={ROLE_OPTIONS}
              error={e(i, 'role')}
            />
            <TextField
              name={f(i, 'age')}
              label="Leeftijd of geboortedatum"
              value={p.age}
              error={e(i, 'age')}
              maxlength={40}
            />
            <TextField
              name={f(i, 'address')}
              label="Adres"
              value={p.address}
              error={e(i, 'address')}
              maxlength={300}
            />
            <TextField
              name={f(i, 'phone')}
              label="Telefoonnummer"
              type="tel"
              value={p.phone}
              error={e(i, 'phone')}
              maxlength={40}
            />
            <TextField
              name={f(i, 'email')}
              label="E-mailadres"
              type="email"
              value={p.email}
              error={e(i, 'email')}
              maxlength={254}
            />
            <TextArea
              name={f(i, 'notes')}
              label="Wat weet u nog meer over deze persoon?"
              hint="Bijvoorbeeld uiterlijk, taal, kenteken of relatie tot de andere personen."
              value={p.notes}
              error={e(i, 'notes')}
              maxlength={2000}
              rows={3}
            />
          </fieldset>
        ))}
      </div>
      <AddButton
        action="add_person"
        count={persons.length}
        label="Nog een persoon toevoegen"
        anchor="persoon"
      />
    </section>
  );
}

export function OrganisationRows(props: {
  values: MeldenFormValues;
  errors: readonly FieldError[];
}) {
  const organisations = atLeastOne(props.values.organisations, blankOrganisation);
  const f = (i: number, field: string) => rowFieldName('organisations', i, field);
  const e = (i: number, field: string) => errorFor(props.errors, f(i, field));
  return (
    <section class="mr-section" aria-labelledby="organisaties-titel">
      <h2 class="utrecht-heading-2" id="organisaties-titel">
        Betrokken organisaties
      </h2>
      <p class="utrecht-paragraph">
        Bijvoorbeeld een bedrijf, uitzendbureau of verhuurder. Niets is verplicht.
      </p>
      <div id={fieldId('organisations')} tabindex={-1}>
        <GroupError name="organisations" errors={props.errors} />
        {organisations.map((o, i) => (
          <fieldset class="utrecht-form-fieldset mr-row" id={`organisatie-${i + 1}`}>
            <legend class="utrecht-form-fieldset__legend">Organisatie {i + 1}</legend>
            <TextField
              name={f(i, 'name')}
              label="Naam"
              value={o.name}
              error={e(i, 'name')}
              maxlength={200}
            />
            <TextField
              name={f(i, 'kvk')}
              label="KvK-nummer"
              hint="8 cijfers"
              inputmode="numeric"
              value={o.kvk}
              error={e(i, 'kvk')}
              maxlength={20}
            />
            <TextField
              name={f(i, 'address')}
              label="Adres"
              value={o.address}
              error={e(i, 'address')}
              maxlength={300}
            />
          </fieldset>
        ))}
      </div>
      <AddButton
        action="add_organisation"
        count={organisations.length}
        label="Nog een organisatie toevoegen"
        anchor="organisatie"
      />
    </section>
  );
}

/** After the page comes back, the fragment in formaction scrolls to the new row. */
function AddButton(props: { action: string; count: number; label: string; anchor: string }) {
  if (props.count >= MAX_ROWS) return null;
  return (
    <button
      type="submit"
      name="action"
      value={props.action}
      formaction={`/melden#${props.anchor}-${props.count + 1}`}
      class="utrecht-button utrecht-button--secondary-action"
    >
      {props.label}
    </button>
  );
}
