import type { Config } from '#core/config.ts';
import { ErrorSummary, Hidden, TextField } from './components.tsx';
import { Layout } from './layout.tsx';

/**
 * The officer's second step after the email link: set up an authenticator app
 * once, then give a code from it at every sign-in. No script: the QR code is
 * an image made on the server, and the secret is also shown as text.
 */

type Base = { config: Config; csrfToken: string | undefined };

function CancelSignIn(props: { csrfToken: string | undefined }) {
  return (
    <form class="mr-actions" method="post" action="/uitloggen">
      <Hidden name="_csrf" value={props.csrfToken} />
      <button type="submit" class="utrecht-button utrecht-button--secondary-action">
        Stoppen en afmelden
      </button>
    </form>
  );
}

export function SetupIntroPage(props: Base) {
  const { config } = props;
  return (
    <Layout title="Tweede stap instellen" municipality={config.municipality.name}>
      <h1 class="utrecht-heading-1">Stel een tweede stap in</h1>
      <p class="utrecht-paragraph">
        U werkt als aandachtsfunctionaris met gegevens over mogelijke misdrijven en kwetsbare
        mensen. Daarom vragen wij bij het aanmelden een tweede stap: een code uit een app op uw
        telefoon.
      </p>
      <p class="utrecht-paragraph">
        U heeft een authenticator-app nodig. Dat kan elke app zijn, bijvoorbeeld:
      </p>
      <ul class="utrecht-unordered-list">
        <li>Microsoft Authenticator</li>
        <li>Google Authenticator</li>
        <li>de app die uw organisatie al gebruikt</li>
      </ul>
      <p class="utrecht-paragraph">U stelt dit één keer in. Het duurt ongeveer twee minuten.</p>
      <form method="post" action="/tweede-stap/instellen">
        <Hidden name="_csrf" value={props.csrfToken} />
        <button type="submit" class="utrecht-button utrecht-button--primary-action">
          Authenticator-app instellen
        </button>
      </form>
      <CancelSignIn csrfToken={props.csrfToken} />
    </Layout>
  );
}

/** The secret in groups of four, easier to type over. */
const grouped = (secret: string) => secret.replace(/=+$/, '').replace(/(.{4})(?=.)/g, '$1 ');

export function EnrolPage(
  props: Base & { qrDataUrl: string; secret: string; error?: string | undefined },
) {
  const { config, error } = props;
  const errors = error ? [{ field: 'code', message: error }] : [];
  return (
    <Layout
      title={error ? 'Fout: Authenticator-app instellen' : 'Authenticator-app instellen'}
      municipality={config.municipality.name}
    >
      <h1 class="utrecht-heading-1">Authenticator-app instellen</h1>
      <ErrorSummary errors={errors} />
      <ol class="utrecht-ordered-list">
        <li>Open de authenticator-app op uw telefoon en kies "account toevoegen".</li>
        <li>
          Scan de QR-code hieronder.
          <img
            class="mr-qr"
            src={props.qrDataUrl}
            width={240}
            height={240}
            alt="QR-code om Meldroute toe te voegen aan uw authenticator-app"
          />
        </li>
        <li>
          Kunt u niet scannen? Kies dan "sleutel invoeren" en typ deze geheime sleutel over:
          <p class="mr-secret">
            <span class="mr-visually-hidden">Geheime sleutel: </span>
            <code id="geheime-sleutel">{grouped(props.secret)}</code>
          </p>
        </li>
        <li>Vul hieronder de code van zes cijfers in die de app nu laat zien.</li>
      </ol>
      <p class="utrecht-paragraph">
        Deel deze QR-code en sleutel met niemand. Wij laten ze maar één keer zien.
      </p>
      <form class="mr-form" method="post" action="/tweede-stap/instellen/bevestigen" novalidate>
        <Hidden name="_csrf" value={props.csrfToken} />
        <TextField
          name="code"
          label="Code uit de app"
          hint="Zes cijfers, zonder spaties."
          value=""
          error={error}
          inputmode="numeric"
          autocomplete="one-time-code"
          required
          maxlength={7}
        />
        <button type="submit" class="utrecht-button utrecht-button--primary-action">
          Bevestigen
        </button>
      </form>
      <CancelSignIn csrfToken={props.csrfToken} />
    </Layout>
  );
}

export function RecoveryCodesPage(props: {
  config: Config;
  codes: readonly string[];
  next: string;
}) {
  const { config } = props;
  return (
    <Layout title="Uw herstelcodes" municipality={config.municipality.name}>
      <h1 class="utrecht-heading-1">De app is ingesteld</h1>
      <div class="utrecht-alert utrecht-alert--warning" role="status">
        <p class="utrecht-paragraph">
          <strong>Bewaar deze herstelcodes nu.</strong> Wij laten ze maar één keer zien.
        </p>
      </div>
      <p class="utrecht-paragraph">
        Heeft u uw telefoon niet bij de hand? Dan kunt u ook aanmelden met een van deze codes. Elke
        code werkt maar één keer. Bewaar ze op een veilige plek, bijvoorbeeld in een kluis of een
        wachtwoordmanager. Niet in uw e-mail.
      </p>
      <ul class="mr-recovery-codes" aria-label="Herstelcodes">
        {props.codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={props.next}>
          Ik heb de codes bewaard, ga verder
        </a>
      </p>
    </Layout>
  );
}

export function CodePage(props: Base & { error?: string | undefined }) {
  const { config, error } = props;
  const errors = error ? [{ field: 'code', message: error }] : [];
  return (
    <Layout
      title={error ? 'Fout: Code invullen' : 'Code invullen'}
      municipality={config.municipality.name}
    >
      <h1 class="utrecht-heading-1">Vul de code uit uw app in</h1>
      <ErrorSummary errors={errors} />
      <p class="utrecht-paragraph">
        Open de authenticator-app op uw telefoon. Vul de code van zes cijfers in die bij Meldroute
        staat.
      </p>
      <form class="mr-form" method="post" action="/tweede-stap" novalidate>
        <Hidden name="_csrf" value={props.csrfToken} />
        <TextField
          name="code"
          label="Code"
          hint="Zes cijfers uit de app, of een van uw herstelcodes."
          value=""
          error={error}
          autocomplete="one-time-code"
          required
          maxlength={12}
        />
        <button type="submit" class="utrecht-button utrecht-button--primary-action">
          Aanmelden
        </button>
      </form>
      <p class="utrecht-paragraph">
        Telefoon kwijt en geen herstelcodes meer? Vraag de beheerder van Meldroute om uw tweede stap
        opnieuw in te stellen.
      </p>
      <CancelSignIn csrfToken={props.csrfToken} />
    </Layout>
  );
}
