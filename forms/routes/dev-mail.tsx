import { Hono } from 'hono';
import type { Child } from 'hono/jsx';

/**
 * The local outbox in the browser, so a newcomer can follow a sign-in link
 * without a mail client. Mounted only when running locally: the mails hold
 * sign-in links. The HTML part is never rendered here (it is mail content, not
 * our page); the text part is shown escaped, its http(s) links made clickable,
 * and the whole message can be downloaded as .eml.
 *
 * The web app may not import adapters, so the outbox comes in as a
 * `DevMailbox`; the local composition root passes `outboxReader(dir)` from
 * #adapters/file-outbox.ts.
 */
export function devMailRoutes(options: {
  mailbox: DevMailbox;
  municipality: string;
  /** Where the sub-app is mounted; links are absolute to it. */
  basePath?: string;
}): Hono {
  const { mailbox, municipality } = options;
  const base = (options.basePath ?? '/dev/mail').replace(/\/+$/, '');
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    // Sign-in links must not linger in a shared browser cache.
    c.header('Cache-Control', 'no-store');
  });

  app.get('/', async (c) => {
    const entries = await mailbox.list();
    return c.html(
      <Page municipality={municipality}>
        {entries.length === 0 ? <p>Er zijn nog geen e-mails verzonden.</p> : null}
        {entries.length > 0 ? <MailTable entries={entries} base={base} /> : null}
      </Page>,
    );
  });

  app.get('/:name', async (c) => {
    const name = c.req.param('name');
    const raw = name.endsWith('.eml');
    const message = await mailbox.read(raw ? name : `${name}.eml`);
    if (!message) {
      return c.html(
        <Page municipality={municipality}>
          <p>Deze e-mail bestaat niet.</p>
          <p>
            <a href={`${base}/`}>Terug naar de lijst</a>
          </p>
        </Page>,
        404,
      );
    }
    if (raw) {
      return c.body(new Uint8Array(message.raw), 200, {
        'Content-Type': 'message/rfc822',
        'Content-Disposition': `attachment; filename="${message.file}"`,
      });
    }
    return c.html(
      <Page municipality={municipality}>
        <MailView message={message} base={base} />
      </Page>,
    );
  });

  return app;
}

export type DevMailEntry = {
  file: string;
  date: string;
  from: string;
  to: string;
  subject: string;
};
export type DevMailMessage = DevMailEntry & { text: string; raw: Uint8Array };
export type DevMailbox = {
  /** Newest first. */
  list(): Promise<DevMailEntry[]>;
  /** undefined for any name that is not a message in the outbox (no paths). */
  read(file: string): Promise<DevMailMessage | undefined>;
};

function Page(props: { municipality: string; children: Child }) {
  return (
    <html lang="nl">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <title>Verzonden e-mails (alleen lokaal) – {props.municipality}</title>
        <link rel="stylesheet" href="/static/meldroute.css" />
      </head>
      <body>
        <main>
          <p>{props.municipality} · Meldroute</p>
          <h1>Verzonden e-mails (alleen lokaal)</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

function MailTable(props: { entries: DevMailEntry[]; base: string }) {
  return (
    <table>
      <caption>Nieuwste bovenaan</caption>
      <thead>
        <tr>
          <th scope="col">Datum</th>
          <th scope="col">Aan</th>
          <th scope="col">Onderwerp</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((e) => (
          <tr>
            <td>{formatDate(e.date)}</td>
            <td>{e.to}</td>
            <td>
              <a href={`${props.base}/${encodeURIComponent(e.file.slice(0, -'.eml'.length))}`}>
                {e.subject || '(geen onderwerp)'}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MailView(props: { message: DevMailMessage; base: string }) {
  const m = props.message;
  return (
    <>
      <p>
        <a href={`${props.base}/`}>Terug naar de lijst</a>
      </p>
      <h2>{m.subject || '(geen onderwerp)'}</h2>
      <dl>
        <dt>Van</dt>
        <dd>{m.from}</dd>
        <dt>Aan</dt>
        <dd>{m.to}</dd>
        <dt>Onderwerp</dt>
        <dd>{m.subject}</dd>
        <dt>Datum</dt>
        <dd>{formatDate(m.date)}</dd>
      </dl>
      <h3>Tekst</h3>
      <pre>{linkify(m.text)}</pre>
      <p>
        De opgemaakte (HTML-)versie wordt hier niet getoond. Open het bestand in een mailprogramma:{' '}
        <a href={`${props.base}/${encodeURIComponent(m.file)}`} download={m.file}>
          {m.file} downloaden
        </a>
      </p>
    </>
  );
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g;

/** Text with its http(s) URLs as links; every piece is escaped by JSX. */
export function linkify(text: string): Child[] {
  const out: Child[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    // A sentence's closing punctuation is not part of the link.
    const url = m[0].replace(/[.,;:!?)\]']+$/, '');
    out.push(text.slice(last, m.index));
    out.push(<a href={url}>{url}</a>);
    last = m.index + url.length;
  }
  out.push(text.slice(last));
  return out;
}

const DATE_FORMAT = new Intl.DateTimeFormat('nl-NL', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'Europe/Amsterdam',
});

function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : DATE_FORMAT.format(d);
}
