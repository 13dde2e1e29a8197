import type { Config, Partner } from '#core/config.ts';
import type { SignalRecord } from '#core/signal.ts';
import type { HandoverPreview } from '#core/use-cases/workflow/hand-over.ts';
import type { Suggestion } from '#core/workflow/routing.ts';
import { Hidden, TextArea } from './components.tsx';
import { Layout, type PageUser } from './layout.tsx';
import { PartnerHandoverContent } from './partner-page.tsx';
import { BackLink, EmailPreview } from './workflow-pages.tsx';

/**
 * Step 4 in three screens: choose partners, write what each may see, preview
 * exactly what each gets. The state travels in hidden fields; nothing is
 * stored until "Versturen".
 */

type Base = {
  config: Config;
  user: PageUser | undefined;
  csrfToken: string | undefined;
  signal: Pick<SignalRecord, 'id' | 'reference'>;
  error?: string | undefined;
};

export type HandoverState = {
  selected: string[];
  overrideReason: string;
  texts: Record<string, string>;
};

function Frame(props: Base & { title: string; children: unknown }) {
  return (
    <Layout
      title={props.title}
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <BackLink signalId={props.signal.id} reference={props.signal.reference} />
      <h1 class="utrecht-heading-1">{props.title}</h1>
      {props.error ? (
        <div class="utrecht-alert utrecht-alert--error" role="alert">
          <p class="utrecht-paragraph">{props.error}</p>
          <p class="utrecht-paragraph">Er is nog niets verstuurd.</p>
        </div>
      ) : null}
      {props.children as never}
    </Layout>
  );
}

const action = (id: string, step: string) => `/inbox/${encodeURIComponent(id)}/doorzetten/${step}`;

function Carry(props: { state: HandoverState; texts?: boolean; csrfToken: string | undefined }) {
  return (
    <>
      <Hidden name="_csrf" value={props.csrfToken} />
      {props.state.selected.map((id) => (
        <Hidden name="selected" value={id} />
      ))}
      <Hidden name="overrideReason" value={props.state.overrideReason} />
      {props.texts
        ? Object.entries(props.state.texts).map(([id, text]) => (
            <Hidden name={`text_${id}`} value={text} />
          ))
        : null}
    </>
  );
}

export function ChoosePartnersPage(
  props: Base & {
    partners: readonly Partner[];
    suggestions: readonly Suggestion[];
    state?: HandoverState;
  },
) {
  const why = new Map(props.suggestions.map((s) => [s.partner.id, s]));
  const selected = new Set(props.state?.selected ?? props.suggestions.map((s) => s.partner.id));
  return (
    <Frame {...props} title={`Signaal ${props.signal.reference} doorzetten`}>
      <p class="utrecht-paragraph">
        Kies de ketenpartners. Meldroute stelt partners voor volgens de meldroute; u beslist.
      </p>
      <form method="post" action={action(props.signal.id, 'teksten')} class="mr-form">
        <Hidden name="_csrf" value={props.csrfToken} />
        <fieldset class="utrecht-form-fieldset">
          <legend class="utrecht-form-fieldset__legend">Ketenpartners</legend>
          {props.partners.map((p) => {
            const s = why.get(p.id);
            const id = `partner-${p.id}`;
            return (
              <div class="utrecht-form-field utrecht-form-field--checkbox">
                {s?.required ? <Hidden name="selected" value={p.id} /> : null}
                <input
                  class="utrecht-checkbox"
                  type="checkbox"
                  id={id}
                  name={s?.required ? undefined : 'selected'}
                  value={p.id}
                  checked={s?.required || selected.has(p.id)}
                  disabled={s?.required}
                  aria-describedby={s ? `${id}-waarom` : undefined}
                />
                <label class="utrecht-form-label" for={id}>
                  {p.name}
                  {s?.required ? ' (altijd)' : ''}
                  {s ? (
                    <span class="mr-suggestion" id={`${id}-waarom`}>
                      {s.required ? '' : 'Voorgesteld: '}
                      {s.reasons.join(' ')}
                    </span>
                  ) : null}
                </label>
              </div>
            );
          })}
        </fieldset>
        <TextArea
          name="overrideReason"
          label="Waarom kiest u een voorgestelde partner niet? (alleen nodig als u afwijkt)"
          value={props.state?.overrideReason ?? ''}
          maxlength={1000}
          rows={2}
        />
        <button type="submit" class="utrecht-button utrecht-button--primary-action">
          Verder: teksten schrijven
        </button>
      </form>
    </Frame>
  );
}

export function WriteTextsPage(
  props: Base & { partners: readonly Partner[]; state: HandoverState },
) {
  return (
    <Frame {...props} title={`Wat ziet elke partner van ${props.signal.reference}?`}>
      <p class="utrecht-paragraph">
        De tekst is vooraf ingevuld uit het signaal, zonder de gegevens van de melder. Laat weg wat
        een partner niet nodig heeft.
      </p>
      <form method="post" action={action(props.signal.id, 'voorbeeld')} class="mr-form">
        <Carry state={{ ...props.state, texts: {} }} csrfToken={props.csrfToken} />
        {props.partners.map((p) => (
          <TextArea
            name={`text_${p.id}`}
            label={`Tekst voor ${p.name}`}
            hint={
              p.textInEmail
                ? 'Deze partner krijgt de tekst in de e-mail én achter de link.'
                : 'Deze partner leest de tekst alleen achter de persoonlijke link.'
            }
            value={props.state.texts[p.id] ?? ''}
            maxlength={20000}
            rows={12}
          />
        ))}
        <button type="submit" class="utrecht-button utrecht-button--primary-action">
          Voorbeeld bekijken
        </button>
      </form>
    </Frame>
  );
}

export function PreviewHandoverPage(
  props: Base & { previews: readonly HandoverPreview[]; state: HandoverState },
) {
  return (
    <Frame {...props} title={`Voorbeeld: zo gaat ${props.signal.reference} naar de partners`}>
      <p class="utrecht-paragraph">
        Hieronder ziet u precies wat elke partner krijgt: de e-mail en de pagina achter de link. De
        link zelf wordt bij het versturen gemaakt.
      </p>
      {props.previews.map((p) => (
        <section class="mr-card" aria-label={`Voorbeeld voor ${p.partner.name}`}>
          <h2 class="utrecht-heading-2">{p.partner.name}</h2>
          <h3 class="utrecht-heading-3">De e-mail</h3>
          <EmailPreview
            to={p.partner.email}
            email={p.email}
            label={`E-mail aan ${p.partner.name}`}
          />
          <h3 class="utrecht-heading-3">De pagina achter de link</h3>
          <div class="mr-preview mr-page-preview">
            <PartnerHandoverContent view={p.page} headingLevel={2} />
          </div>
        </section>
      ))}
      <form method="post" action={action(props.signal.id, 'versturen')} class="mr-form">
        <Carry state={props.state} texts csrfToken={props.csrfToken} />
        <button type="submit" class="utrecht-button utrecht-button--primary-action">
          Versturen naar{' '}
          {props.previews.length === 1 ? 'deze partner' : `deze ${props.previews.length} partners`}
        </button>
      </form>
      <form method="post" action={action(props.signal.id, 'teksten')} class="mr-form">
        <Carry state={props.state} texts csrfToken={props.csrfToken} />
        <button type="submit" class="utrecht-button utrecht-button--secondary-action">
          Teksten aanpassen
        </button>
      </form>
    </Frame>
  );
}
