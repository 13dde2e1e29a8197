import type { Child } from 'hono/jsx';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Role } from '#core/ports.ts';

/**
 * The page frame. No inline style or script anywhere: the Content Security
 * Policy forbids both. Everything works without JavaScript.
 */

export type PageUser = { email: string; role: Role };

export type LayoutProps = {
  title: string;
  municipality: string;
  user?: PageUser | undefined;
  csrfToken?: string | undefined;
  children: Child;
};

export function Layout(props: LayoutProps) {
  const { user, municipality } = props;
  const fullTitle = [props.title, 'Meldroute', municipality].filter(Boolean).join(' – ');
  return (
    <html lang="nl">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <title>{fullTitle}</title>
        <link rel="stylesheet" href="/static/meldroute.css" />
      </head>
      <body class="utrecht-page utrecht-document">
        <a class="utrecht-skip-link" href="#inhoud">
          Direct naar de inhoud
        </a>
        <header class="utrecht-page-header mr-header">
          <div class="mr-container mr-header__inner">
            <p class="mr-brand">
              {municipality ? <span class="mr-brand__municipality">{municipality}</span> : null}
              <span class="mr-brand__product">Meldroute</span>
            </p>
            {user ? <SignOut user={user} csrfToken={props.csrfToken} /> : null}
          </div>
          {user ? <Navigation role={user.role} /> : null}
        </header>
        <main id="inhoud" class="mr-container mr-main" tabindex={-1}>
          {props.children}
        </main>
        <footer class="utrecht-page-footer mr-footer">
          <div class="mr-container">
            <p>
              Meldroute is de interne meldroute mensenhandel van {municipality || 'de gemeente'}.
              Bij acuut gevaar belt u altijd 112.
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

function Navigation(props: { role: Role }) {
  return (
    <nav class="mr-nav" aria-label="Hoofdmenu">
      <ul class="mr-container mr-nav__list">
        <li>
          <a class="mr-nav__link" href="/melden">
            Signaal melden
          </a>
        </li>
        {props.role === 'officer' ? (
          <li>
            <a class="mr-nav__link" href="/inbox">
              Inbox
            </a>
          </li>
        ) : null}
        {props.role === 'officer' ? (
          <li>
            <a class="mr-nav__link" href="/overleg">
              Overleg
            </a>
          </li>
        ) : null}
        {props.role === 'officer' ? (
          <li>
            <a class="mr-nav__link" href="/monitor">
              Monitoring
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

function SignOut(props: { user: PageUser; csrfToken?: string | undefined }) {
  return (
    <form class="mr-signout" method="post" action="/uitloggen">
      <span class="mr-signout__who">
        Aangemeld als <span class="mr-nowrap">{props.user.email}</span>
      </span>
      {props.csrfToken === undefined ? null : (
        <input type="hidden" name="_csrf" value={props.csrfToken} />
      )}
      <button type="submit" class="utrecht-button utrecht-button--secondary-action">
        Afmelden
      </button>
    </form>
  );
}

/** The HTML text of a page, with its doctype. Pages are synchronous; an async one is a bug. */
export function renderPage(page: HtmlEscapedString | Promise<HtmlEscapedString>): string {
  if (page instanceof Promise) throw new Error('renderPage: pages must render synchronously');
  // A JSX node's toString() returns a Promise when something inside is async.
  const html: unknown = page.toString();
  if (typeof html !== 'string') throw new Error('renderPage: pages must render synchronously');
  return `<!doctype html>${html}`;
}
