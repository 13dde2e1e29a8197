import type { HandoverView } from '#core/use-cases/workflow/officer-view.ts';
import { Hidden } from './components.tsx';
import { formatDateTime } from './format.ts';

/**
 * The chase of one handover on the detail page (issue 5): where it stands,
 * and the officer's buttons to pause or resume it and to set a new due date.
 * Plain forms (POST with the CSRF token); ids carry the handover id, because
 * several handovers share the page.
 */
export function ReminderControls(props: {
  base: string;
  handover: HandoverView;
  csrfToken: string | undefined;
}) {
  const h = props.handover;
  if (h.state !== 'open') return null;
  const action = (path: string) => `${props.base}/${h.id}/${path}`;
  return (
    <div class="mr-reminders">
      <p class="utrecht-paragraph">
        {h.overdueSince ? (
          <strong class="mr-badge mr-badge--warning">
            Te laat: geen terugkoppeling na {h.reminders - 1} herinnering(en)
          </strong>
        ) : h.paused ? (
          <>
            Herinneringen gepauzeerd sinds{' '}
            <time datetime={h.paused.at}>{formatDateTime(h.paused.at)}</time> door {h.paused.by}.
          </>
        ) : (
          `Herinneringen verstuurd: ${h.reminders}.`
        )}
      </p>
      <details class="mr-details">
        <summary>Herinneringen pauzeren of een nieuwe datum kiezen</summary>
        {h.paused ? (
          <form method="post" action={action('herinneringen-hervatten')}>
            <Hidden name="_csrf" value={props.csrfToken} />
            <button type="submit" class="utrecht-button utrecht-button--secondary-action">
              Herinneringen hervatten
            </button>
          </form>
        ) : (
          <form method="post" action={action('herinneringen-pauzeren')}>
            <Hidden name="_csrf" value={props.csrfToken} />
            <div class="utrecht-form-field">
              <label class="utrecht-form-label" for={`reden-${h.id}`}>
                Waarom stoppen de herinneringen? (verplicht)
              </label>
              <textarea
                class="utrecht-textarea"
                id={`reden-${h.id}`}
                name="reason"
                rows={2}
                maxlength={1000}
                required
              />
            </div>
            <button type="submit" class="utrecht-button utrecht-button--secondary-action">
              Herinneringen pauzeren
            </button>
          </form>
        )}
        <form method="post" action={action('nieuwe-datum')}>
          <Hidden name="_csrf" value={props.csrfToken} />
          <div class="utrecht-form-field">
            <label class="utrecht-form-label" for={`datum-${h.id}`}>
              Nieuwe datum voor de terugkoppeling
            </label>
            <input
              class="utrecht-textbox"
              type="date"
              id={`datum-${h.id}`}
              name="dueDate"
              required
            />
          </div>
          <button type="submit" class="utrecht-button utrecht-button--secondary-action">
            Nieuwe datum opslaan
          </button>
        </form>
      </details>
    </div>
  );
}

/** On the inbox page: the officer's own daily digest, on or off. */
export function DigestToggle(props: { enabled: boolean; csrfToken: string | undefined }) {
  return (
    <section class="mr-section" aria-labelledby="overzicht">
      <h2 class="utrecht-heading-2" id="overzicht">
        Dagelijks overzicht per e-mail
      </h2>
      <p class="utrecht-paragraph">
        {props.enabled
          ? 'U krijgt elke werkdag een overzicht met meldnummers en aantallen.'
          : 'U krijgt geen dagelijks overzicht.'}
      </p>
      <form method="post" action="/inbox/overzicht">
        <Hidden name="_csrf" value={props.csrfToken} />
        <input type="hidden" name="digest" value={props.enabled ? 'uit' : 'aan'} />
        <button type="submit" class="utrecht-button utrecht-button--secondary-action">
          {props.enabled ? 'Dagelijks overzicht uitzetten' : 'Dagelijks overzicht aanzetten'}
        </button>
      </form>
    </section>
  );
}
