import type { Config } from '#core/config.ts';
import { ErrorSummary, Hidden, TextField } from './components.tsx';
import { Layout } from './layout.tsx';

/**
 * Sign-in by emailed link. The "sent" page says the same for every address (no
 * account probing), and a link opened with GET only shows a button: mail
 * scanners open links, so only the person's POST signs in.
 */

export function LoginPage(props: {
  config: Config;
  csrfToken: string | undefined;
  error?: string | undefined;
  email?: string | undefined;
  /** Where to go after signing in (already checked to be one of our paths). */
  returnTo?: string | undefined;
}) {
  const { config, error } = props;
  const minutes = config.signIn.linkMinutes;
  const errors = error ? [{ field: 'email', message: error }] : [];
  const sso = config.sso;
  const links = !sso || sso.emailLink.officers || sso.emailLink.staff;
  const ssoHref = `/login/sso${props.returnTo ? `?terug=${encodeURIComponent(props.returnTo)}` : ''}`;
  return (
    <Layout title={error ? 'Fout: Aanmelden' : 'Aanmelden'} municipality={config.municipality.name}>
      <h1 class="utrecht-heading-1">Aanmelden bij Meldroute</h1>
      <ErrorSummary errors={errors} />
      <p class="utrecht-paragraph">
        Met Meldroute meldt u als medewerker van {config.municipality.name} een signaal van
        mensenhandel bij de aandachtsfunctionaris.
      </p>
      {sso ? (
        <>
          <p class="utrecht-paragraph">
            Meld u aan met het account waarmee u ook op uw werkcomputer aanmeldt.
          </p>
          <p class="utrecht-paragraph">
            <a class="utrecht-button-link utrecht-button--primary-action" href={ssoHref}>
              {sso.buttonLabel}
            </a>
          </p>
          {links ? <h2 class="utrecht-heading-2">Of aanmelden met een link per e-mail</h2> : null}
          {links && !sso.emailLink.officers ? (
            <p class="utrecht-paragraph">
              De aandachtsfunctionaris meldt zich altijd aan met het account van de gemeente.
            </p>
          ) : null}
        </>
      ) : null}
      {links ? (
        <EmailLinkForm
          config={config}
          csrfToken={props.csrfToken}
          error={error}
          email={props.email}
          minutes={minutes}
        />
      ) : null}
    </Layout>
  );
}

function EmailLinkForm(props: {
  config: Config;
  csrfToken: string | undefined;
  error?: string | undefined;
  email?: string | undefined;
  minutes: number;
}) {
  const { error, minutes } = props;
  return (
    <>
      <p class="utrecht-paragraph">
        Vul uw e-mailadres van het werk in. U krijgt dan een e-mail met een aanmeldlink. De link is{' '}
        {minutes} minuten geldig en werkt maar één keer. U heeft geen wachtwoord nodig.
      </p>
      <form class="mr-form" method="post" action="/login" novalidate>
        <Hidden name="_csrf" value={props.csrfToken} />
        <TextField
          name="email"
          label="Uw e-mailadres"
          type="email"
          autocomplete="email"
          value={props.email ?? ''}
          error={error}
          required
          maxlength={254}
        />
        <button type="submit" class="utrecht-button utrecht-button--primary-action">
          Stuur mij een aanmeldlink
        </button>
      </form>
    </>
  );
}

export function LoginSentPage(props: { config: Config }) {
  const { config } = props;
  return (
    <Layout title="Controleer uw e-mail" municipality={config.municipality.name}>
      <h1 class="utrecht-heading-1">Controleer uw e-mail</h1>
      <p class="utrecht-paragraph">
        Als dit adres bij ons bekend is, ontvangt u binnen enkele minuten een e-mail met een
        aanmeldlink.
      </p>
      <p class="utrecht-paragraph">
        Open de link op dit apparaat. De link is {config.signIn.linkMinutes} minuten geldig en werkt
        maar één keer.
      </p>
      <p class="utrecht-paragraph">
        Geen e-mail gekregen? Kijk ook in de map met ongewenste e-mail. Of{' '}
        <a class="utrecht-link" href="/login">
          vraag een nieuwe link aan
        </a>
        .
      </p>
    </Layout>
  );
}

export function ConfirmLoginPage(props: {
  config: Config;
  token: string;
  csrfToken?: string | undefined;
}) {
  return (
    <Layout title="Aanmelden bevestigen" municipality={props.config.municipality.name}>
      <h1 class="utrecht-heading-1">Aanmelden bij Meldroute</h1>
      <p class="utrecht-paragraph">Klik op de knop om aan te melden.</p>
      <form method="post" action="/aanmelden/bevestigen">
        <input type="hidden" name="token" value={props.token} />
        <Hidden name="_csrf" value={props.csrfToken} />
        <button type="submit" class="utrecht-button utrecht-button--primary-action">
          Aanmelden
        </button>
      </form>
    </Layout>
  );
}

export function LinkInvalidPage(props: { config: Config }) {
  const { config } = props;
  return (
    <Layout title="Deze link werkt niet meer" municipality={config.municipality.name}>
      <h1 class="utrecht-heading-1">Deze link werkt niet meer</h1>
      <p class="utrecht-paragraph">
        Een aanmeldlink is {config.signIn.linkMinutes} minuten geldig en werkt maar één keer. Deze
        link is verlopen of al gebruikt.
      </p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/login">
          Vraag een nieuwe aanmeldlink aan
        </a>
      </p>
    </Layout>
  );
}

export function SsoRefusedPage(props: { config: Config; title: string; message: string }) {
  const { config } = props;
  return (
    <Layout title={props.title} municipality={config.municipality.name}>
      <h1 class="utrecht-heading-1">{props.title}</h1>
      <p class="utrecht-paragraph">{props.message}</p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/login">
          Probeer opnieuw aan te melden
        </a>
      </p>
      <p class="utrecht-paragraph">
        Lukt het steeds niet? Neem dan contact op met de servicedesk van de gemeente.
      </p>
    </Layout>
  );
}
