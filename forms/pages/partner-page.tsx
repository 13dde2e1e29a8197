import type { Config } from '#core/config.ts';
import { TAKEN_ON } from '#core/use-cases/workflow/partner-feedback.ts';
import { dutchDate } from '#core/workflow/dutch-date.ts';
import type { PartnerView } from '#core/workflow/partner-view.ts';
import { ChoiceGroup, Hidden, TextArea } from './components.tsx';
import { Layout } from './layout.tsx';

/**
 * What a chain partner sees behind its link. Built only from a PartnerView,
 * a type without any reporter field: this page cannot show the reporter.
 */

export function PartnerHandoverContent(props: { view: PartnerView; headingLevel?: 1 | 2 }) {
  const { view } = props;
  const title = `Signaal ${view.reference} van ${view.municipality}`;
  return (
    <>
      {props.headingLevel === 2 ? (
        <h2 class="utrecht-heading-2">{title}</h2>
      ) : (
        <h1 class="utrecht-heading-1">{title}</h1>
      )}
      <p class="utrecht-paragraph">
        Voor: {view.partnerName}.{' '}
        {view.acute ? (
          <strong class="mr-badge mr-badge--acute">
            <span aria-hidden="true">⚠ </span>Acuut: direct ingrijpen kan nodig zijn
          </strong>
        ) : (
          'Urgentie: normaal.'
        )}
      </p>
      <p class="utrecht-paragraph">
        Wij vragen uw terugkoppeling vóór <strong>{dutchDate(view.dueDate)}</strong>.
      </p>
      <p class="utrecht-paragraph mr-pre mr-observed">{view.text}</p>
    </>
  );
}

export function PartnerPage(props: {
  config: Config;
  view: PartnerView;
  token: string;
  csrfToken: string | undefined;
  error?: string | undefined;
  thanks?: boolean;
}) {
  const { view } = props;
  return (
    <Layout title={`Signaal ${view.reference}`} municipality={props.config.municipality.name}>
      {props.thanks ? (
        <p class="utrecht-alert utrecht-alert--ok" role="status">
          Bedankt. Uw terugkoppeling is ontvangen en de aandachtsfunctionaris is op de hoogte
          gebracht.
        </p>
      ) : null}
      <PartnerHandoverContent view={view} />
      <section class="mr-section" aria-labelledby="terugkoppeling">
        <h2 class="utrecht-heading-2" id="terugkoppeling">
          Uw terugkoppeling
        </h2>
        {view.feedbackCount > 0 ? (
          <p class="utrecht-paragraph">
            U heeft al {view.feedbackCount === 1 ? 'één keer' : `${view.feedbackCount} keer`}{' '}
            teruggekoppeld. U kunt hieronder iets toevoegen.
          </p>
        ) : null}
        {props.error ? (
          <div class="utrecht-alert utrecht-alert--error" role="alert">
            <p class="utrecht-paragraph">{props.error}</p>
          </div>
        ) : null}
        <form method="post" action={`/partner/${props.token}`} class="mr-form">
          <Hidden name="_csrf" value={props.csrfToken} />
          <ChoiceGroup
            name="takenOn"
            legend="Pakt u het signaal op?"
            type="radio"
            options={Object.entries(TAKEN_ON)}
            selected={[]}
          />
          <TextArea
            name="actions"
            label="Wat heeft u gedaan of wat gaat u doen?"
            value=""
            maxlength={4000}
            rows={5}
          />
          <TextArea
            name="text"
            label="Wat wilt u de aandachtsfunctionaris verder laten weten? (niet verplicht)"
            value=""
            maxlength={20000}
            rows={4}
          />
          <button type="submit" class="utrecht-button utrecht-button--primary-action">
            Terugkoppeling versturen
          </button>
        </form>
        <p class="utrecht-paragraph mr-muted">
          U kunt ook antwoorden op de e-mail waarin u deze link kreeg.
        </p>
      </section>
    </Layout>
  );
}

/** One page for an expired, revoked or altered link: it tells an outsider nothing. */
export function PartnerLinkInvalidPage(props: { config: Config }) {
  return (
    <Layout title="Deze link werkt niet meer" municipality={props.config.municipality.name}>
      <h1 class="utrecht-heading-1">Deze link werkt niet meer</h1>
      <p class="utrecht-paragraph">
        De link is verlopen, ingetrokken of niet volledig. Vraag de aandachtsfunctionaris
        mensenhandel van {props.config.municipality.name} om een nieuwe link. U kunt ook antwoorden
        op de e-mail waarin u de link kreeg.
      </p>
    </Layout>
  );
}
