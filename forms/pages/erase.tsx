import type { Config } from '#core/config.ts';
import { ERASURE_REASONS, OFFICER_REASONS } from '#core/use-cases/erasure.ts';
import { Layout, type PageUser } from './layout.tsx';

type Props = { config: Config; user: PageUser | undefined; csrfToken: string | undefined };

/** Step before an early erasure: says what goes and what stays, and asks for a reason (a choice, not text). */
export function EraseConfirmPage(
  props: Props & { id: string; reference: string; error?: string | undefined },
) {
  return (
    <Layout
      title="Signaal wissen"
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={`/inbox/${encodeURIComponent(props.id)}`}>
          Terug naar het signaal
        </a>
      </p>
      <h1 class="utrecht-heading-1">Signaal {props.reference} wissen</h1>
      <div class="utrecht-alert utrecht-alert--warning">
        <p class="utrecht-paragraph">
          Wissen kan niet ongedaan worden gemaakt. Alles wat over personen in dit signaal staat
          verdwijnt: de melder, de beschrijving, notities, bijlagen, overdrachten en de links van
          ketenpartners.
        </p>
        <p class="utrecht-paragraph">
          Wat blijft: alleen de cijfers voor de monitoring (zoals vorm van uitbuiting en datum van
          ontvangst), en dat u dit signaal heeft gewist, wanneer en met welke reden.
        </p>
      </div>
      <form method="post" action={`/inbox/${encodeURIComponent(props.id)}/wissen`}>
        <input type="hidden" name="_csrf" value={props.csrfToken ?? ''} />
        <fieldset
          class={`utrecht-form-fieldset${props.error ? ' utrecht-form-fieldset--invalid' : ''}`}
          aria-describedby={props.error ? 'reden-fout' : undefined}
        >
          <legend class="utrecht-form-fieldset__legend">
            Waarom wist u dit signaal? (verplicht)
          </legend>
          {props.error ? (
            <p class="utrecht-form-field-error-message" id="reden-fout">
              <span class="mr-visually-hidden">Fout: </span>
              {props.error}
            </p>
          ) : null}
          {OFFICER_REASONS.map((code, i) => (
            <div class="utrecht-form-field utrecht-form-field--radio">
              <input
                class="utrecht-radio-button"
                type="radio"
                id={i === 0 ? 'reason' : `reason-${code}`}
                name="reason"
                value={code}
                required
              />
              <label class="utrecht-form-label" for={i === 0 ? 'reason' : `reason-${code}`}>
                {ERASURE_REASONS[code]}
              </label>
            </div>
          ))}
        </fieldset>
        <button type="submit" class="utrecht-button utrecht-button--primary-action mr-danger">
          Signaal definitief wissen
        </button>
      </form>
    </Layout>
  );
}

export function ErasedPage(props: Props & { reference: string }) {
  return (
    <Layout
      title="Signaal gewist"
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <h1 class="utrecht-heading-1">Signaal {props.reference} is gewist</h1>
      <p class="utrecht-paragraph" role="status">
        De gegevens over personen zijn verwijderd. Het wissen staat in het overzicht van wie wat
        heeft gedaan.
      </p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/inbox">
          Naar de inbox
        </a>
      </p>
    </Layout>
  );
}
