import type { Config } from '#core/config.ts';
import type { RenderedEmail } from '#core/ports.ts';
import type { SignalRecord } from '#core/signal.ts';
import { Hidden, TextArea } from './components.tsx';
import { Layout, type PageUser } from './layout.tsx';

/** Officer pages of steps 3–6 that are not part of the detail page. */

type Base = { config: Config; user: PageUser | undefined; csrfToken: string | undefined };

export function BackLink(props: { signalId: string; reference?: string }) {
  return (
    <p class="utrecht-paragraph">
      <a class="utrecht-link" href={`/inbox/${encodeURIComponent(props.signalId)}`}>
        Terug naar signaal{props.reference ? ` ${props.reference}` : ''}
      </a>
    </p>
  );
}

/** An illegal move or bad input: said plainly; nothing was changed. */
export function RefusedPage(props: Base & { signalId: string; reason: string }) {
  return (
    <Layout
      title="Dit kan niet"
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <h1 class="utrecht-heading-1">Dit kan niet</h1>
      <div class="utrecht-alert utrecht-alert--error" role="alert">
        <p class="utrecht-paragraph">{props.reason}</p>
        <p class="utrecht-paragraph">Er is niets gewijzigd.</p>
      </div>
      <BackLink signalId={props.signalId} />
    </Layout>
  );
}

/** Exactly what a recipient gets: address, subject and the text of the email. */
export function EmailPreview(props: { to: string; email: RenderedEmail; label: string }) {
  return (
    <section class="mr-preview" aria-label={props.label}>
      <dl class="utrecht-data-list">
        <div class="utrecht-data-list__item">
          <dt class="utrecht-data-list__item-key">Aan</dt>
          <dd class="utrecht-data-list__item-value">{props.to}</dd>
        </div>
        <div class="utrecht-data-list__item">
          <dt class="utrecht-data-list__item-key">Onderwerp</dt>
          <dd class="utrecht-data-list__item-value">{props.email.subject}</dd>
        </div>
      </dl>
      <pre class="mr-pre mr-mail-text">{props.email.text}</pre>
    </section>
  );
}

export function ReportBackPage(
  props: Base & {
    signal: Pick<SignalRecord, 'id' | 'reference'>;
    message: string;
    preview?: { to: string; email: RenderedEmail };
    error?: string;
  },
) {
  const action = `/inbox/${encodeURIComponent(props.signal.id)}/melder-informeren`;
  return (
    <Layout
      title={`Melder informeren over ${props.signal.reference}`}
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <BackLink signalId={props.signal.id} reference={props.signal.reference} />
      <h1 class="utrecht-heading-1">Melder informeren over {props.signal.reference}</h1>
      {props.error ? (
        <div class="utrecht-alert utrecht-alert--error" role="alert">
          <p class="utrecht-paragraph">{props.error}</p>
        </div>
      ) : null}
      {props.preview ? (
        <>
          <h2 class="utrecht-heading-2">Voorbeeld van de e-mail</h2>
          <p class="utrecht-paragraph">
            Zo krijgt de melder het bericht. Klopt het? Verstuur het dan.
          </p>
          <EmailPreview
            to={props.preview.to}
            email={props.preview.email}
            label="Voorbeeld e-mail aan de melder"
          />
          <form method="post" action={`${action}/versturen`} class="mr-form">
            <Hidden name="_csrf" value={props.csrfToken} />
            <Hidden name="message" value={props.message} />
            <button type="submit" class="utrecht-button utrecht-button--primary-action">
              Bericht aan de melder versturen
            </button>
          </form>
          <h2 class="utrecht-heading-2">Nog aanpassen</h2>
        </>
      ) : (
        <p class="utrecht-paragraph">
          Schrijf de melder wat er met het signaal is gedaan. Noem geen gegevens van betrokkenen en
          geen tekst van ketenpartners, tenzij dat echt nodig is.
        </p>
      )}
      <form method="post" action={action} class="mr-form">
        <Hidden name="_csrf" value={props.csrfToken} />
        <TextArea
          name="message"
          label="Bericht aan de melder"
          value={props.message}
          maxlength={5000}
          rows={10}
        />
        <button type="submit" class="utrecht-button utrecht-button--secondary-action">
          Voorbeeld bekijken
        </button>
      </form>
    </Layout>
  );
}
