import { Hono } from 'hono';
import type { StepResult } from '#core/use-cases/workflow/change.ts';
import {
  addNote,
  classifySignal,
  closeSignal,
  putOnAgenda,
  reopenSignal,
  takeOffAgenda,
} from '#core/use-cases/workflow/officer-actions.ts';
import {
  previewReporterFeedback,
  reporterFeedbackDraft,
  sendReporterFeedback,
} from '#core/use-cases/workflow/report-back.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { formFields, page } from '../http/respond.ts';
import { assertCsrf, requireRole } from '../http/session.ts';
import { RefusedPage, ReportBackPage } from '../pages/workflow-pages.tsx';
import {
  actorOf,
  backToSignal,
  signalIdOf,
  signalNotFound,
  workflowDepsOf,
} from './workflow-shared.ts';

const list = (v: string | string[] | undefined) =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

/**
 * Step 3 (enrich), step 6 (report back) and closing. Every POST: officer role,
 * CSRF token, zod-checked input, one use case, then a redirect back (303).
 */
export function workflowRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const w = workflowDepsOf(deps);
  if (!w) return app;
  const { config } = deps;
  app.use('/inbox/:id/*', requireRole('officer'));

  /** Runs a step and answers: back to the signal, or the refusal in Dutch (nothing changed). */
  const step = (
    path: string,
    notice: string,
    anchor: string,
    run: (
      id: string,
      actor: string,
      body: Record<string, string | string[]>,
    ) => Promise<StepResult<unknown>>,
  ) =>
    app.post(`/inbox/:id/${path}`, async (c) => {
      const body = await formFields(c);
      assertCsrf(c, body._csrf);
      const id = signalIdOf(c);
      const r = await run(id, actorOf(c), body);
      if (r.ok) {
        deps.logger.info('workflow step', { signalId: id, step: path });
        deps.afterWrite?.();
        return backToSignal(c, id, notice, anchor);
      }
      if (r.reason === 'not-found') throw signalNotFound();
      return page(
        c,
        <RefusedPage
          config={config}
          user={c.get('session')}
          csrfToken={c.get('csrfToken')}
          signalId={id}
          reason={r.reason}
        />,
        400,
      );
    });

  step('classificatie', 'geclassificeerd', 'verrijken', (signalId, actor, body) =>
    classifySignal(w, {
      signalId,
      actor,
      values: {
        exploitationForm: one(body.exploitationForm),
        urgency: one(body.urgency),
        vulnerabilities: list(body.vulnerabilities),
        tags: one(body.tags)
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      },
    }),
  );
  step('notities', 'notitie', 'notities', (signalId, actor, body) =>
    addNote(w, { signalId, actor, text: one(body.text) }),
  );
  step('agenda', 'agenda', 'overleg', (signalId, actor, body) =>
    putOnAgenda(w, { signalId, actor, summary: one(body.summary) }),
  );
  step('agenda/af', 'agenda-af', 'overleg', (signalId, actor, body) =>
    takeOffAgenda(w, { signalId, actor, discussed: one(body.discussed) === 'ja' }),
  );
  step('afsluiten', 'afgesloten', 'afsluiten', (signalId, actor, body) =>
    closeSignal(w, {
      signalId,
      actor,
      values: {
        outcome: one(body.outcome),
        ...(one(body.mergedWith).trim() ? { mergedWith: one(body.mergedWith) } : {}),
      },
    }),
  );
  step('heropenen', 'heropend', 'afsluiten', (signalId, actor, body) =>
    reopenSignal(w, { signalId, actor, reason: one(body.reason) }),
  );
  step(
    'melder-informeren/versturen',
    'melder-geinformeerd',
    'melder-informeren',
    (signalId, actor, body) =>
      sendReporterFeedback(w, { signalId, actor, message: one(body.message) }),
  );

  // Step 6: write (from a template), preview, then send.
  app.get('/inbox/:id/melder-informeren', async (c) => {
    const id = signalIdOf(c);
    const s = await deps.store.get(id);
    if (!s) throw signalNotFound();
    return page(
      c,
      <ReportBackPage
        config={config}
        user={c.get('session')}
        csrfToken={c.get('csrfToken')}
        signal={s}
        message={reporterFeedbackDraft(w, s)}
      />,
    );
  });

  app.post('/inbox/:id/melder-informeren', async (c) => {
    const body = await formFields(c);
    assertCsrf(c, body._csrf);
    const id = signalIdOf(c);
    const s = await deps.store.get(id);
    if (!s) throw signalNotFound();
    const message = one(body.message);
    const preview = await previewReporterFeedback(w, { signalId: id, message });
    if (!preview) throw signalNotFound();
    return page(
      c,
      <ReportBackPage
        config={config}
        user={c.get('session')}
        csrfToken={c.get('csrfToken')}
        signal={s}
        message={message}
        {...(preview.ok
          ? { preview: { to: preview.to, email: preview.email } }
          : { error: preview.reason })}
      />,
      preview.ok ? 200 : 400,
    );
  });

  return app;
}
