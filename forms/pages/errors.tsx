import type { Config } from '#core/config.ts';
import { Layout, type PageUser } from './layout.tsx';

/** Default Dutch texts per status, for callers without a more specific message. */
export const ERROR_TEXTS: Readonly<Record<number, { title: string; message: string }>> = {
  400: {
    title: 'Dit verzoek klopt niet',
    message: 'Wij konden uw verzoek niet verwerken. Er is niets opgeslagen. Probeer het opnieuw.',
  },
  403: {
    title: 'Geen toegang',
    message:
      'U mag deze pagina niet bekijken. Bent u afgemeld? Meld u dan opnieuw aan. Was het formulier lang open? Laad de pagina opnieuw.',
  },
  404: {
    title: 'Pagina niet gevonden',
    message: 'Deze pagina bestaat niet. Controleer het adres of ga terug naar de startpagina.',
  },
  410: {
    title: 'Deze link werkt niet meer',
    message: 'Deze link is verlopen of al gebruikt.',
  },
  413: {
    title: 'Te veel gegevens',
    message:
      'Het formulier bevat meer tekst dan wij in één keer kunnen aannemen. Maak de tekst korter, of stuur het signaal per e-mail.',
  },
  429: {
    title: 'Te veel aanvragen',
    message: 'U heeft dit te vaak geprobeerd. Wacht een kwartier en probeer het dan opnieuw.',
  },
  500: {
    title: 'Er ging iets mis',
    message:
      'Er ging bij ons iets mis. Probeer het later opnieuw. Blijft dit gebeuren? Neem dan contact op met de aandachtsfunctionaris.',
  },
  503: {
    title: 'Even niet beschikbaar',
    message:
      'Meldroute kan uw verzoek nu niet verwerken. Er is niets opgeslagen. Probeer het over een minuut opnieuw.',
  },
};

export function errorText(status: number): { title: string; message: string } {
  return ERROR_TEXTS[status] ?? (ERROR_TEXTS[500] as { title: string; message: string });
}

export function ErrorPage(props: {
  config?: Config | undefined;
  status: number;
  title: string;
  message: string;
  user?: PageUser | undefined;
  csrfToken?: string | undefined;
}) {
  return (
    <Layout
      title={props.title}
      municipality={props.config?.municipality.name ?? ''}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <h1 class="utrecht-heading-1">{props.title}</h1>
      <p class="utrecht-paragraph">{props.message}</p>
      <p class="utrecht-paragraph mr-muted">Foutcode {props.status}</p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/">
          Naar de startpagina
        </a>
      </p>
    </Layout>
  );
}
