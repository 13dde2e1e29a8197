import { Hono } from 'hono';
import { setDigestPreference } from '#core/use-cases/reminders/digest.ts';
import { pauseReminders, resumeReminders, setDueDate } from '#core/use-cases/reminders/hold.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { formFields, page } from '../http/respond.ts';
import { assertCsrf, requireRole } from '../http/session.ts';
import { RefusedPage } from '../pages/workflow-pages.tsx';
import {
  actorOf,
  backToSignal,
  HandoverIdParam,
  signalIdOf,
  signalNotFound,
  workflowDepsOf,
} from './workflow-shared.ts';

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

/**
 * Issue 5: the officer's hold on the chase of a handover (pause with a
 * reason, resume, new due date) and the officer's own digest switch.
 */
export function reminderRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  app.use('/inbox/*', requireRole('officer'));

  const digests = deps.digests;
  if (digests) {
    app.post('/inbox/overzicht', async (c) => {
      const body = await formFields(c);
      assertCsrf(c, body._csrf);
      const enabled = one(body.digest) === 'aan';
      await setDigestPreference({ digests, clock: deps.clock }, { officer: actorOf(c), enabled });
      deps.logger.info('digest preference changed', { enabled });
      return c.redirect(`/inbox?overzicht=${enabled ? 'aan' : 'uit'}`, 303);
    });
  }

  const w = workflowDepsOf(deps);
  if (!w) return app;
  const steps = {
    'herinneringen-pauzeren': (b: Record<string, string | string[]>) => (i: Base) =>
      pauseReminders(w, { ...i, reason: one(b.reason) }),
    'herinneringen-hervatten': () => (i: Base) => resumeReminders(w, i),
    'nieuwe-datum': (b: Record<string, string | string[]>) => (i: Base) =>
      setDueDate(w, { ...i, dueDate: one(b.dueDate) }),
  } as const;
  const notices = {
    'herinneringen-pauzeren': 'gepauzeerd',
    'herinneringen-hervatten': 'hervat',
    'nieuwe-datum': 'nieuwe-datum',
  } as const;

  for (const path of Object.keys(steps) as (keyof typeof steps)[]) {
    app.post(`/inbox/:id/overdrachten/:hid/${path}`, async (c) => {
      const body = await formFields(c);
      assertCsrf(c, body._csrf);
      const id = signalIdOf(c);
      const hid = HandoverIdParam.safeParse(c.req.param('hid'));
      if (!hid.success) throw signalNotFound();
      const r = await steps[path](body)({ signalId: id, handoverId: hid.data, actor: actorOf(c) });
      if (r.ok) {
        deps.logger.info('handover chase changed', {
          signalId: id,
          handoverId: hid.data,
          step: path,
        });
        return backToSignal(c, id, notices[path], 'overdrachten');
      }
      if (r.reason === 'not-found') throw signalNotFound();
      const user = c.get('session');
      const csrfToken = c.get('csrfToken') as string | undefined;
      return page(
        c,
        <RefusedPage
          config={config}
          user={user}
          csrfToken={csrfToken}
          signalId={id}
          reason={r.reason}
        />,
        400,
      );
    });
  }
  return app;
}

type Base = { signalId: string; handoverId: string; actor: string };
