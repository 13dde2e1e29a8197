import { Hono } from 'hono';
import * as z from 'zod/mini';
import { NotFoundError } from '#core/errors.ts';
import { SIGNAL_STATUSES, type SignalStatus } from '#core/signal.ts';
import { listInbox, viewSignal } from '#core/use-cases/inbox.ts';
import { digestEnabled } from '#core/use-cases/reminders/digest.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { PageError } from '../http/page-error.ts';
import { page } from '../http/respond.ts';
import { requireRole } from '../http/session.ts';
import { InboxPage, SignalDetailPage } from '../pages/inbox.tsx';
import { workflowPanel } from './workflow-shared.ts';

const PAGE_SIZE = 25;
const StatusParam = z.enum(Object.keys(SIGNAL_STATUSES) as [SignalStatus, ...SignalStatus[]]);
const SignalId = z.string().check(z.regex(/^[a-z0-9]{10,40}$/));

/** Step 2: the officer's inbox and a signal's detail page. */
export function inboxRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  app.use('/inbox', requireRole('officer'));
  app.use('/inbox/*', requireRole('officer'));

  app.get('/inbox', async (c) => {
    const statusRaw = c.req.query('status');
    const status = statusRaw ? StatusParam.safeParse(statusRaw) : undefined;
    if (status && !status.success) {
      throw new PageError(400, 'Onbekende status', 'Kies een status uit de lijst.');
    }
    const cursor = c.req.query('cursor');
    const result = await listInbox(deps, {
      limit: PAGE_SIZE,
      ...(status?.data ? { status: status.data } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const session = c.get('session');
    const digest =
      deps.digests && session
        ? await digestEnabled({ digests: deps.digests }, session.email)
        : undefined;
    return page(
      c,
      <InboxPage
        config={config}
        user={session}
        csrfToken={c.get('csrfToken')}
        items={result.items}
        status={status?.data}
        nextCursor={result.cursor}
        digest={digest}
      />,
    );
  });

  app.get('/inbox/:id', async (c) => {
    const id = SignalId.safeParse(c.req.param('id'));
    const session = c.get('session');
    if (!id.success || !session) throw notFound();
    try {
      const detail = await viewSignal(deps, { id: id.data, actor: session.email });
      deps.logger.info('signal viewed', { signalId: id.data });
      const workflow = await workflowPanel(
        deps,
        detail.signal,
        detail.content,
        c.req.query('gedaan'),
      );
      return page(
        c,
        <SignalDetailPage
          config={config}
          user={session}
          csrfToken={c.get('csrfToken')}
          signal={detail.signal}
          reporter={detail.reporter}
          content={detail.content}
          audit={detail.audit}
          workflow={workflow}
        />,
      );
    } catch (err) {
      if (err instanceof NotFoundError) throw notFound();
      throw err;
    }
  });

  return app;
}

function notFound() {
  return new PageError(404, 'Signaal niet gevonden', 'Dit signaal bestaat niet (meer).');
}
