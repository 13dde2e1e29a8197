import { EXPLOITATION_FORMS, INDICATOR_GROUPS, VULNERABILITIES } from '#core/catalog.ts';
import type { Config } from '#core/config.ts';
import type { FieldError, MeldenFormValues } from '#forms/melden-form.ts';
import {
  ChoiceGroup,
  ErrorSummary,
  errorFor,
  Hidden,
  SelectField,
  TextArea,
  TextField,
} from './components.tsx';
import { errorId } from './format.ts';
import { Layout, type PageUser } from './layout.tsx';
import { OrganisationRows, PersonRows } from './melden-rows.tsx';

export type MeldenPageProps = {
  config: Config;
  user: PageUser | undefined;
  csrfToken: string | undefined;
  values: MeldenFormValues;
  errors: readonly FieldError[];
};

/** Step 1 of the route (appendix 4.2): the staff form, following the signal card (4.3). */
export function MeldenPage(props: MeldenPageProps) {
  const { config, values: v, errors } = props;
  const err = (name: string) => errorFor(errors, name);
  const title = 'Signaal van mensenhandel melden';
  return (
    <Layout
      title={errors.length > 0 ? `Fout: ${title}` : title}
      municipality={config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <h1 class="utrecht-heading-1">{title}</h1>
      <ErrorSummary errors={errors} />
      <p class="utrecht-paragraph">
        Ziet of hoort u iets dat kan wijzen op mensenhandel? Meld het hier. Uw melding gaat naar de
        aandachtsfunctionaris mensenhandel. U hoeft niet zeker te weten dat het om mensenhandel
        gaat.
      </p>
      <p class="utrecht-paragraph mr-privacy">
        Uw naam blijft bij de aandachtsfunctionaris en wordt niet gedeeld met ketenpartners.
      </p>
      <form class="mr-form" method="post" action="/melden" novalidate>
        {/* The first submit button is the one Enter uses: make that "send", not "add a row". */}
        {/* `hidden` keeps it out of sight, focus and the accessibility tree; Enter still uses it. */}
        <button type="submit" name="action" value="submit" hidden>
          Signaal versturen
        </button>
        <Hidden name="_csrf" value={props.csrfToken} />
        <Hidden name="submission_id" value={v.submissionId} />

        <div class="utrecht-alert utrecht-alert--warning mr-acute">
          <p class="utrecht-paragraph">
            <strong>Is er direct gevaar? Bel dan eerst 112.</strong> Meld het daarna ook hier.
          </p>
          <ChoiceGroup
            name="acute"
            legend="Acuut gevaar"
            type="checkbox"
            options={[['ja', 'Er is acuut gevaar: direct ingrijpen is nodig']]}
            selected={[v.acute]}
            error={err('acute')}
          />
        </div>

        <section class="mr-section" aria-labelledby="melder-titel">
          <h2 class="utrecht-heading-2" id="melder-titel">
            Uw gegevens (melder)
          </h2>
          <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="reporter_email">
              Uw e-mailadres
            </label>
            <p class="utrecht-form-field-description" id="reporter_email-uitleg">
              Hiermee bent u aangemeld. Wij sturen hier de ontvangstbevestiging naartoe.
            </p>
            <input
              class="utrecht-textbox utrecht-textbox--readonly"
              type="email"
              id="reporter_email"
              value={props.user?.email ?? ''}
              readonly
              aria-describedby="reporter_email-uitleg"
            />
          </div>
          <TextField
            name="reporter_name"
            label="Uw naam"
            value={v.reporterName}
            error={err('reporter_name')}
            required
            autocomplete="name"
            maxlength={200}
          />
          <TextField
            name="reporter_phone"
            label="Uw telefoonnummer"
            hint="Zodat de aandachtsfunctionaris u kan bellen met vragen."
            type="tel"
            value={v.reporterPhone}
            error={err('reporter_phone')}
            autocomplete="tel"
            maxlength={40}
          />
          <SelectField
            name="reporter_team"
            label="Uw team"
            value={v.reporterTeam}
            empty="Kies uw team"
            options={config.teams.map((t) => [t, t] as const)}
            error={err('reporter_team')}
          />
          <ChoiceGroup
            name="discussed_with_coordinator"
            legend="Heeft u het signaal besproken met uw teamcoördinator?"
            type="radio"
            options={[
              ['ja', 'Ja'],
              ['nee', 'Nee'],
            ]}
            selected={[v.discussedWithCoordinator]}
            error={err('discussed_with_coordinator')}
            required
          />
          <TextField
            name="coordinator_name"
            label="Naam van uw teamcoördinator"
            hint="Alleen als u het signaal met hem of haar heeft besproken."
            value={v.coordinatorName}
            error={err('coordinator_name')}
            maxlength={200}
          />
        </section>

        <section class="mr-section" aria-labelledby="gezien-titel">
          <h2 class="utrecht-heading-2" id="gezien-titel">
            Wat heeft u gezien?
          </h2>
          <TextArea
            name="observed"
            label="Wat heeft u gezien of gehoord?"
            hint="Beschrijf wat er gebeurde, wanneer, en waarom het u opviel. Schrijf op wat u zelf zag of hoorde."
            value={v.observed}
            error={err('observed')}
            required
            maxlength={20000}
            rows={8}
          />
          <TextField
            name="location"
            label="Waar was dit?"
            hint="Een adres, een bedrijf of een plek in de gemeente."
            value={v.location}
            error={err('location')}
            maxlength={500}
          />
        </section>

        <PersonRows values={v} errors={errors} />
        <OrganisationRows values={v} errors={errors} />

        <section class="mr-section" aria-labelledby="signalenkaart-titel">
          <h2 class="utrecht-heading-2" id="signalenkaart-titel">
            Signalenkaart
          </h2>
          <p class="utrecht-paragraph">Kruis aan wat u heeft gezien. Niets is verplicht.</p>
          {err('indicators') ? (
            <p class="utrecht-form-field-error-message" id={errorId('indicators')}>
              <span class="mr-visually-hidden">Fout: </span>
              {err('indicators')}
            </p>
          ) : null}
          {INDICATOR_GROUPS.map((group, i) => (
            <ChoiceGroup
              name="indicators"
              legend={group.label}
              type="checkbox"
              options={Object.entries(group.items)}
              selected={v.indicators}
              error={err('indicators')}
              errorShownElsewhere
              anchor={i === 0}
            />
          ))}
          <ChoiceGroup
            name="vulnerabilities"
            legend="Kwetsbaarheid: wat geldt voor de persoon?"
            type="checkbox"
            options={Object.entries(VULNERABILITIES)}
            selected={v.vulnerabilities}
            error={err('vulnerabilities')}
          />
          <ChoiceGroup
            name="exploitation_form"
            legend="Om welke vorm van uitbuiting gaat het volgens u?"
            hint="Weet u het niet? Kies dan ‘Onbekend’."
            type="radio"
            options={Object.entries(EXPLOITATION_FORMS)}
            selected={[v.exploitationForm]}
            error={err('exploitation_form')}
          />
        </section>

        <div class="mr-actions">
          <button
            type="submit"
            name="action"
            value="submit"
            class="utrecht-button utrecht-button--primary-action"
          >
            Signaal versturen
          </button>
        </div>
      </form>
    </Layout>
  );
}

export function MeldenReceivedPage(props: {
  config: Config;
  user: PageUser | undefined;
  csrfToken: string | undefined;
  reference: string;
}) {
  return (
    <Layout
      title="Signaal ontvangen"
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <div class="utrecht-alert utrecht-alert--ok">
        <h1 class="utrecht-heading-1">Bedankt, uw signaal is ontvangen</h1>
        <p class="utrecht-paragraph">
          Het referentienummer is <strong class="mr-reference">{props.reference}</strong>.
        </p>
      </div>
      <h2 class="utrecht-heading-2">Wat gebeurt er nu?</h2>
      <ul class="utrecht-unordered-list">
        <li>
          Wij hebben een ontvangstbevestiging met dit nummer gestuurd naar{' '}
          {props.user?.email ?? 'uw e-mailadres'}.
        </li>
        <li>
          De aandachtsfunctionaris bekijkt uw signaal en zet het zo nodig door naar een
          ketenpartner.
        </li>
        <li>U hoort van de aandachtsfunctionaris wat er met uw signaal is gedaan.</li>
        <li>
          Uw naam blijft bij de aandachtsfunctionaris en wordt niet gedeeld met ketenpartners.
        </li>
      </ul>
      <p class="utrecht-paragraph">
        Noem het referentienummer als u later iets wilt aanvullen. Bij direct gevaar belt u 112.
      </p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/melden">
          Nog een signaal melden
        </a>
      </p>
    </Layout>
  );
}
