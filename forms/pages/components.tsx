import type { Child } from 'hono/jsx';
import { URGENCIES } from '#core/catalog.ts';
import { splitQuoted } from '#core/mail/quoted.ts';
import type { FieldError } from '#forms/melden-form.ts';
import { errorId, fieldId, hintId, labelOf } from './format.ts';

/**
 * Form building blocks with the NL Design System (Utrecht) class names. Every
 * input has a label; an error is linked with aria-describedby and aria-invalid.
 */

export const errorFor = (errors: readonly FieldError[], name: string): string | undefined =>
  errors.find((e) => e.field === name)?.message;

const describedBy = (name: string, hint: boolean, error: boolean): string | undefined =>
  [hint ? hintId(name) : '', error ? errorId(name) : ''].filter(Boolean).join(' ') || undefined;

/** Top of the page when the form came back: every problem links to its field. */
export function ErrorSummary(props: { errors: readonly FieldError[] }) {
  if (props.errors.length === 0) return null;
  return (
    <div
      class="utrecht-alert utrecht-alert--error mr-error-summary"
      role="alert"
      aria-labelledby="foutmeldingen-titel"
    >
      <h2 id="foutmeldingen-titel" class="utrecht-heading-2" tabindex={-1}>
        Het formulier is nog niet verstuurd. Verbeter deze punten:
      </h2>
      <ul class="utrecht-unordered-list">
        {props.errors.map((e) => (
          <li>
            <a class="utrecht-link" href={`#${fieldId(e.field)}`}>
              {e.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Message(props: { name: string; error?: string | undefined }) {
  if (!props.error) return null;
  return (
    <p class="utrecht-form-field-error-message" id={errorId(props.name)}>
      <span class="mr-visually-hidden">Fout: </span>
      {props.error}
    </p>
  );
}

function Hint(props: { name: string; hint?: string | undefined }) {
  if (!props.hint) return null;
  return (
    <p class="utrecht-form-field-description" id={hintId(props.name)}>
      {props.hint}
    </p>
  );
}

type FieldProps = {
  name: string;
  label: string;
  value: string;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
  maxlength?: number;
};

const fieldClass = (error: string | undefined) =>
  error ? 'utrecht-form-field utrecht-form-field--invalid' : 'utrecht-form-field';

export function TextField(
  props: FieldProps & {
    type?: 'text' | 'email' | 'tel';
    autocomplete?: string;
    inputmode?: 'text' | 'numeric' | 'tel' | 'email';
  },
) {
  const { name, error, hint } = props;
  return (
    <div class={fieldClass(error)}>
      <label class="utrecht-form-label" for={fieldId(name)}>
        {props.label}
        {props.required ? ' (verplicht)' : ''}
      </label>
      <Hint name={name} hint={hint} />
      <Message name={name} error={error} />
      <input
        class="utrecht-textbox"
        type={props.type ?? 'text'}
        id={fieldId(name)}
        name={name}
        value={props.value}
        maxlength={props.maxlength}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        spellcheck={false}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, Boolean(hint), Boolean(error))}
      />
    </div>
  );
}

export function TextArea(props: FieldProps & { rows?: number }) {
  const { name, error, hint } = props;
  return (
    <div class={fieldClass(error)}>
      <label class="utrecht-form-label" for={fieldId(name)}>
        {props.label}
        {props.required ? ' (verplicht)' : ''}
      </label>
      <Hint name={name} hint={hint} />
      <Message name={name} error={error} />
      <textarea
        class="utrecht-textarea"
        id={fieldId(name)}
        name={name}
        rows={props.rows ?? 4}
        maxlength={props.maxlength}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, Boolean(hint), Boolean(error))}
      >
        {/* HTML drops one newline right after <textarea>: add one so the value's own stays. */}
        {`\n${props.value}`}
      </textarea>
    </div>
  );
}

export function SelectField(
  props: FieldProps & { options: readonly (readonly [string, string])[]; empty: string },
) {
  const { name, error, hint } = props;
  const known = props.value === '' || props.options.some(([v]) => v === props.value);
  return (
    <div class={fieldClass(error)}>
      <label class="utrecht-form-label" for={fieldId(name)}>
        {props.label}
        {props.required ? ' (verplicht)' : ''}
      </label>
      <Hint name={name} hint={hint} />
      <Message name={name} error={error} />
      <select
        class="utrecht-select"
        id={fieldId(name)}
        name={name}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, Boolean(hint), Boolean(error))}
      >
        <option value="">{props.empty}</option>
        {known ? null : (
          <option value={props.value} selected>
            {props.value}
          </option>
        )}
        {props.options.map(([v, label]) => (
          <option value={v} selected={v === props.value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Checkboxes or radio buttons in a fieldset. The first option gets the field's
 * own id (`anchor`) so an error summary link lands on it.
 */
export function ChoiceGroup(props: {
  name: string;
  legend: string;
  type: 'checkbox' | 'radio';
  options: readonly (readonly [string, string])[];
  selected: readonly string[];
  error?: string | undefined;
  hint?: string | undefined;
  anchor?: boolean;
  required?: boolean;
  /** Set when the error message is shown outside this fieldset (several groups, one field). */
  errorShownElsewhere?: boolean;
  children?: Child;
}) {
  const { name, error, hint } = props;
  const anchor = props.anchor ?? true;
  const ownError = props.errorShownElsewhere ? undefined : error;
  const inputClass = props.type === 'checkbox' ? 'utrecht-checkbox' : 'utrecht-radio-button';
  return (
    <fieldset
      class={`utrecht-form-fieldset${error ? ' utrecht-form-fieldset--invalid' : ''}`}
      aria-describedby={describedBy(name, Boolean(hint), Boolean(error))}
    >
      <legend class="utrecht-form-fieldset__legend">
        {props.legend}
        {props.required ? ' (verplicht)' : ''}
      </legend>
      <Hint name={name} hint={hint} />
      <Message name={name} error={ownError} />
      {props.options.map(([value, label], i) => {
        const id = anchor && i === 0 ? fieldId(name) : `${fieldId(name)}-${value}`;
        return (
          <div class={`utrecht-form-field utrecht-form-field--${props.type}`}>
            <input
              class={inputClass}
              type={props.type}
              id={id}
              name={name}
              value={value}
              checked={props.selected.includes(value)}
              aria-invalid={error ? 'true' : undefined}
            />
            <label class="utrecht-form-label" for={id}>
              {label}
            </label>
          </div>
        );
      })}
      {props.children}
    </fieldset>
  );
}

export function Hidden(props: { name: string; value: string | undefined }) {
  if (props.value === undefined) return null;
  return <input type="hidden" name={props.name} value={props.value} />;
}

/** Acute is said in words and marked with a border and icon, not by colour alone. */
export function Urgency(props: { urgency: string }) {
  if (props.urgency === 'acute') {
    return (
      <strong class="mr-badge mr-badge--acute">
        <span aria-hidden="true">⚠ </span>Acuut
      </strong>
    );
  }
  return <span>{labelOf(URGENCIES, props.urgency)}</span>;
}

/**
 * The text of an email someone sent us: their reply, with the original they
 * quoted folded away (one click opens it; nothing is left out).
 */
export function MailText(props: { text: string; class?: string }) {
  const { reply, quoted } = splitQuoted(props.text);
  const cls = props.class ? `mr-pre ${props.class}` : 'mr-pre';
  return (
    <>
      <p class={cls}>{reply}</p>
      {quoted ? (
        <details class="mr-details">
          <summary>Geciteerde tekst tonen</summary>
          <p class="mr-pre mr-muted">{quoted}</p>
        </details>
      ) : null}
    </>
  );
}
