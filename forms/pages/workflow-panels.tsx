import { EXPLOITATION_FORMS, URGENCIES, VULNERABILITIES } from '#core/catalog.ts';
import { IDENTIFIER_LABELS } from '#core/known/identifiers.ts';
import { OUTCOMES, type SignalRecord } from '#core/signal.ts';
import type { OfficerWorkflowView } from '#core/use-cases/workflow/officer-view.ts';
import { ChoiceGroup, Hidden, SelectField, TextArea, TextField } from './components.tsx';
import { formatDateTime } from './format.ts';
import { HandoverList, ReporterFeedbackList } from './handover-panels.tsx';

/**
 * The officer's actions on the detail page (steps 3–6). Plain forms: every
 * button is a POST with the CSRF token, and everything works without JavaScript.
 */

export type WorkflowPanelsProps = {
  signal: Pick<SignalRecord, 'id' | 'status' | 'classification' | 'tags' | 'outcome' | 'closedAt'>;
  view: OfficerWorkflowView;
  csrfToken: string | undefined;
  notice?: string | undefined;
};

/** Success messages by code: the query string never carries text to show. */
export const NOTICES: Readonly<Record<string, string>> = {
  geclassificeerd: 'De classificatie is opgeslagen.',
  notitie: 'De notitie is toegevoegd.',
  agenda: 'Het signaal staat op de agenda van het volgende overleg.',
  'agenda-af': 'Het signaal is van de agenda gehaald.',
  doorgezet:
    'Het signaal is doorgezet. De ketenpartners krijgen nu een e-mail met hun persoonlijke link.',
  ingetrokken: 'De link is ingetrokken. Oude links werken niet meer.',
  'nieuwe-link':
    'De partner krijgt nu een e-mail met een nieuwe link. Oude links werken niet meer.',
  'geen-reactie': 'De overdracht is afgesloten zonder reactie.',
  gepauzeerd: 'De herinneringen voor deze overdracht zijn gepauzeerd.',
  hervat: 'De herinneringen voor deze overdracht lopen weer.',
  'nieuwe-datum':
    'De nieuwe datum is opgeslagen. De herinneringen beginnen opnieuw vanaf die datum.',
  'melder-geinformeerd': 'De melder krijgt nu een e-mail met uw terugkoppeling.',
  afgesloten: 'Het signaal is afgesloten.',
  heropend: 'Het signaal is heropend.',
};

function Csrf(props: { token: string | undefined }) {
  return <Hidden name="_csrf" value={props.token} />;
}

function Section(props: { id: string; title: string; children: unknown }) {
  return (
    <section class="mr-section mr-workflow" aria-labelledby={props.id}>
      <h2 class="utrecht-heading-2" id={props.id}>
        {props.title}
      </h2>
      {props.children as never}
    </section>
  );
}

export function WorkflowNotice(props: { notice: string | undefined }) {
  const text = props.notice ? NOTICES[props.notice] : undefined;
  if (!text) return null;
  return (
    <p class="utrecht-alert utrecht-alert--ok" role="status">
      {text}
    </p>
  );
}

export function WorkflowPanels(props: WorkflowPanelsProps) {
  const { signal, view } = props;
  const base = `/inbox/${encodeURIComponent(signal.id)}`;
  const closed = signal.status === 'closed';
  return (
    <>
      <nav class="mr-actions-nav" aria-label="Acties voor dit signaal">
        <ul class="mr-inline-list">
          <li>
            <a class="utrecht-link" href="#verrijken">
              Verrijken
            </a>
          </li>
          <li>
            <a class="utrecht-link" href="#al-bekend">
              Al bekend
            </a>
          </li>
          <li>
            <a class="utrecht-link" href="#overdrachten">
              Doorzetten
            </a>
          </li>
          <li>
            <a class="utrecht-link" href="#melder-informeren">
              Melder informeren
            </a>
          </li>
          <li>
            <a class="utrecht-link" href="#afsluiten">
              {closed ? 'Heropenen' : 'Afsluiten'}
            </a>
          </li>
        </ul>
      </nav>

      <Section id="al-bekend" title="Al bekend?">
        <Known view={view} />
      </Section>

      <Section id="verrijken" title="Verrijken (stap 3)">
        {closed ? (
          <p class="utrecht-paragraph mr-muted">
            Dit signaal is afgesloten. Heropen het om de classificatie te wijzigen.
          </p>
        ) : (
          <form method="post" action={`${base}/classificatie`} class="mr-card mr-form">
            <Csrf token={props.csrfToken} />
            <SelectField
              name="exploitationForm"
              label="Vorm van uitbuiting"
              value={signal.classification.exploitationForm}
              options={Object.entries(EXPLOITATION_FORMS)}
              empty="Kies een vorm"
              required
            />
            <ChoiceGroup
              name="urgency"
              legend="Urgentie"
              type="radio"
              options={Object.entries(URGENCIES)}
              selected={[signal.classification.urgency]}
            />
            <ChoiceGroup
              name="vulnerabilities"
              legend="Doelgroepen en kwetsbaarheid"
              type="checkbox"
              options={Object.entries(VULNERABILITIES)}
              selected={signal.classification.vulnerabilities}
            />
            <TextField
              name="tags"
              label="Labels"
              hint="Losse woorden, gescheiden door komma's, bijvoorbeeld: horeca, netwerk. Geen namen."
              value={(signal.tags ?? []).join(', ')}
              maxlength={400}
            />
            <button type="submit" class="utrecht-button utrecht-button--primary-action">
              Classificatie opslaan
            </button>
          </form>
        )}

        <h3 class="utrecht-heading-3" id="notities">
          Notities
        </h3>
        {view.notes.length === 0 ? (
          <p class="utrecht-paragraph mr-muted">Nog geen notities.</p>
        ) : (
          <ol class="mr-notes">
            {view.notes.map((n) => (
              <li>
                <p class="mr-muted">
                  Notitie {n.n}, <time datetime={n.at}>{formatDateTime(n.at)}</time>, {n.by}
                </p>
                <p class="mr-pre">{n.text}</p>
              </li>
            ))}
          </ol>
        )}
        <form method="post" action={`${base}/notities`} class="mr-form">
          <Csrf token={props.csrfToken} />
          <TextArea
            name="text"
            label="Nieuwe notitie"
            hint="Een notitie kan niet worden gewijzigd. Een correctie schrijft u als nieuwe notitie."
            value=""
            maxlength={4000}
            rows={3}
          />
          <button type="submit" class="utrecht-button utrecht-button--secondary-action">
            Notitie toevoegen
          </button>
        </form>

        <h3 class="utrecht-heading-3" id="overleg">
          Ondermijningsoverleg
        </h3>
        {view.agenda ? (
          <form method="post" action={`${base}/agenda/af`} class="mr-form">
            <Csrf token={props.csrfToken} />
            <p class="utrecht-paragraph">
              Op de agenda sinds{' '}
              <time datetime={view.agenda.at}>{formatDateTime(view.agenda.at)}</time>:{' '}
              <span class="mr-pre">{view.agenda.summary}</span>
            </p>
            <button
              type="submit"
              name="discussed"
              value="ja"
              class="utrecht-button utrecht-button--secondary-action"
            >
              Besproken, van de agenda halen
            </button>{' '}
            <button
              type="submit"
              name="discussed"
              value="nee"
              class="utrecht-button utrecht-button--secondary-action"
            >
              Van de agenda halen zonder bespreking
            </button>
          </form>
        ) : closed ? null : (
          <form method="post" action={`${base}/agenda`} class="mr-form">
            <Csrf token={props.csrfToken} />
            <TextField
              name="summary"
              label="Regel voor de agenda"
              hint="Eén regel. Deze regel en het meldnummer staan op de agenda die u kunt afdrukken."
              value=""
              maxlength={200}
            />
            <button type="submit" class="utrecht-button utrecht-button--secondary-action">
              Op de agenda zetten
            </button>
          </form>
        )}
      </Section>

      <Section id="overdrachten" title="Doorzetten naar ketenpartners (stap 4 en 5)">
        <HandoverList signalId={signal.id} view={view} csrfToken={props.csrfToken} />
        {closed ? null : (
          <p class="utrecht-paragraph">
            <a class="utrecht-link mr-strong-link" href={`${base}/doorzetten`}>
              Doorzetten naar ketenpartners
            </a>
          </p>
        )}
      </Section>

      <Section id="melder-informeren" title="Melder informeren (stap 6)">
        <ReporterFeedbackList view={view} />
        {closed || signal.status === 'received' ? null : (
          <p class="utrecht-paragraph">
            <a class="utrecht-link mr-strong-link" href={`${base}/melder-informeren`}>
              Melder informeren
            </a>
          </p>
        )}
      </Section>

      <Section id="afsluiten" title={closed ? 'Heropenen' : 'Afsluiten'}>
        {closed ? (
          <form method="post" action={`${base}/heropenen`} class="mr-form">
            <Csrf token={props.csrfToken} />
            <p class="utrecht-paragraph">
              Afgesloten{signal.closedAt ? ` op ${formatDateTime(signal.closedAt)}` : ''}
              {signal.outcome ? `: ${OUTCOMES[signal.outcome]}` : ''}.
            </p>
            <TextArea
              name="reason"
              label="Waarom heropent u het signaal?"
              value=""
              maxlength={4000}
              rows={2}
            />
            <button type="submit" class="utrecht-button utrecht-button--secondary-action">
              Signaal heropenen
            </button>
          </form>
        ) : (
          <form method="post" action={`${base}/afsluiten`} class="mr-form">
            <Csrf token={props.csrfToken} />
            <ChoiceGroup
              name="outcome"
              legend="Uitkomst"
              type="radio"
              options={Object.entries(OUTCOMES)}
              selected={[]}
            />
            <TextField
              name="mergedWith"
              label="Samengevoegd met meldnummer"
              hint="Alleen bij ‘samengevoegd’, bijvoorbeeld MH-2026-0001."
              value=""
              maxlength={20}
            />
            <button type="submit" class="utrecht-button utrecht-button--primary-action">
              Signaal afsluiten
            </button>
          </form>
        )}
      </Section>
    </>
  );
}

function Known(props: { view: OfficerWorkflowView }) {
  const known = props.view.known;
  if (!known) {
    return <p class="utrecht-paragraph mr-muted">Het zoeken naar eerdere signalen staat uit.</p>;
  }
  if (known.length === 0) {
    return (
      <p class="utrecht-paragraph">
        Geen andere signalen met dezelfde persoon, organisatie, adres, telefoonnummer, e-mailadres
        of kenteken.
      </p>
    );
  }
  return (
    <ul class="utrecht-unordered-list">
      {known.map((m) => (
        <li>
          <a class="utrecht-link" href={`/inbox/${encodeURIComponent(m.signalId)}`}>
            {m.reference}
          </a>{' '}
          (<time datetime={m.receivedAt}>{formatDateTime(m.receivedAt)}</time>): zelfde{' '}
          {m.kinds.map((k) => IDENTIFIER_LABELS[k]).join(', ')}
        </li>
      ))}
    </ul>
  );
}
