import type { Context } from 'hono';
import { Hono } from 'hono';
import { NotFoundError } from '#core/errors.ts';
import type { BlobStore } from '#core/ports.ts';
import { ADDITION_ID } from '#core/use-cases/append-reporter-addition.ts';
import {
  ATTACHMENT_ID,
  downloadAttachment,
  viewAddition,
  viewMailHeaders,
} from '#core/use-cases/mail-files.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { PageError } from '../http/page-error.ts';
import { page } from '../http/respond.ts';
import { requireRole } from '../http/session.ts';
import { MailText } from '../pages/components.tsx';
import { formatBytes, formatDateTime } from '../pages/format.ts';
import { Layout } from '../pages/layout.tsx';

const SignalId = /^[a-z0-9]{10,40}$/;

export type MailViewDeps = AppDeps & { blobs: BlobStore };

/**
 * The officer's views of what came in by mail: attachment downloads, the
 * original message's headers, and a reporter's later additions. Officers
 * only; every read is audited by the use case before anything is sent.
 * Attachments are always downloads (never rendered in our origin), served as
 * application/octet-stream unless their bytes prove an inert type.
 */
export function mailViewRoutes(deps: MailViewDeps) {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  app.use('/inbox/*', requireRole('officer'));

  app.get('/inbox/:id/bijlagen/:attachmentId', async (c) => {
    const { signalId, actor } = parse(c);
    const attachmentId = c.req.param('attachmentId');
    if (!ATTACHMENT_ID.test(attachmentId)) throw notFound('Bijlage niet gevonden');
    const file = await orNotFound(
      downloadAttachment(deps, { signalId, attachmentId, actor }),
      'Bijlage niet gevonden',
    );
    deps.logger.info('attachment downloaded', { signalId, attachmentId });
    return c.body(new Uint8Array(file.bytes), 200, {
      'Content-Type': file.servedAs,
      'Content-Disposition': contentDisposition(file.meta.filename),
      'Content-Length': String(file.bytes.byteLength),
      'X-Content-Type-Options': 'nosniff',
      // Should a browser render it anyway, nothing in it may run or load.
      'Content-Security-Policy': "sandbox; default-src 'none'",
      'Cache-Control': 'no-store',
    });
  });

  app.get('/inbox/:id/kopregels', async (c) => {
    const { signalId, actor } = parse(c);
    const headers = await orNotFound(
      viewMailHeaders(deps, { signalId, actor }),
      'Geen kopregels bij dit signaal',
    );
    deps.logger.info('mail headers viewed', { signalId });
    const text = headers.map((h) => `${h.key}: ${h.value}`).join('\n');
    return page(
      c,
      <Layout
        title="Kopregels van de e-mail"
        municipality={config.municipality.name}
        user={c.get('session')}
        csrfToken={c.get('csrfToken')}
      >
        <BackLink signalId={signalId} />
        <h1 class="utrecht-heading-1">Kopregels van de oorspronkelijke e-mail</h1>
        <p class="utrecht-paragraph">
          De technische gegevens van de e-mail zoals die binnenkwam, onder andere de afzender en de
          route langs mailservers. Deze weergave staat in de geschiedenis van het signaal.
        </p>
        <pre class="mr-pre">{text}</pre>
      </Layout>,
    );
  });

  app.get('/inbox/:id/aanvullingen/:additionId', async (c) => {
    const { signalId, actor } = parse(c);
    const additionId = c.req.param('additionId');
    if (!ADDITION_ID.test(additionId)) throw notFound('Aanvulling niet gevonden');
    const addition = await orNotFound(
      viewAddition(deps, { signalId, additionId, actor }),
      'Aanvulling niet gevonden',
    );
    deps.logger.info('addition viewed', { signalId, additionId });
    const base = `/inbox/${encodeURIComponent(signalId)}/bijlagen/`;
    return page(
      c,
      <Layout
        title="Aanvulling van de melder"
        municipality={config.municipality.name}
        user={c.get('session')}
        csrfToken={c.get('csrfToken')}
      >
        <BackLink signalId={signalId} />
        <h1 class="utrecht-heading-1">Aanvulling van de melder</h1>
        <p class="utrecht-paragraph">
          Per e-mail ontvangen op <time datetime={addition.at}>{formatDateTime(addition.at)}</time>.
        </p>
        {addition.subject ? <p class="utrecht-paragraph">Onderwerp: {addition.subject}</p> : null}
        {addition.text ? (
          <MailText text={addition.text} class="utrecht-paragraph" />
        ) : (
          <p class="utrecht-paragraph">Geen tekst.</p>
        )}
        {addition.intakeNotes.length > 0 ? (
          <ul class="utrecht-unordered-list">
            {addition.intakeNotes.map((n) => (
              <li>{n}</li>
            ))}
          </ul>
        ) : null}
        {addition.attachments.length > 0 ? (
          <>
            <h2 class="utrecht-heading-2">Bijlagen</h2>
            <ul class="utrecht-unordered-list">
              {addition.attachments.map((a) => (
                <li>
                  <a class="utrecht-link" href={base + encodeURIComponent(a.id)}>
                    {a.filename}
                  </a>{' '}
                  ({a.contentType}, {formatBytes(a.size)})
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Layout>,
    );
  });

  return app;
}

function parse(c: Context<AppEnv>): { signalId: string; actor: string } {
  const id = c.req.param('id') ?? '';
  const session = c.get('session');
  if (!SignalId.test(id) || !session) throw notFound('Signaal niet gevonden');
  return { signalId: id, actor: session.email };
}

async function orNotFound<T>(work: Promise<T>, title: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof NotFoundError) throw notFound(title);
    throw err;
  }
}

function notFound(title: string) {
  return new PageError(404, title, 'Dit bestaat niet (meer), of hoort niet bij dit signaal.');
}

function BackLink(props: { signalId: string }) {
  return (
    <p class="utrecht-paragraph">
      <a class="utrecht-link" href={`/inbox/${encodeURIComponent(props.signalId)}`}>
        Terug naar het signaal
      </a>
    </p>
  );
}

/** RFC 6266: an ASCII fallback name plus the exact name in UTF-8; no quote or CR/LF survives. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'bijlage';
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}
