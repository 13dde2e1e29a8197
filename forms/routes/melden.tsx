import { Hono } from 'hono';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { formFields, page } from '../http/respond.ts';
import { assertCsrf, requireRole } from '../http/session.ts';
import { emptyMeldenForm, formAction, parseMeldenForm, valuesFromBody } from '../melden-form.ts';
import { MeldenPage, MeldenReceivedPage } from '../pages/melden.tsx';

/** Step 1 of the route: a signed-in employee reports a signal. */
export function meldenRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  app.use('/melden', requireRole('staff'));

  app.get('/melden', (c) => {
    const values = emptyMeldenForm(config, deps.ids.id());
    return page(
      c,
      <MeldenPage
        config={config}
        user={c.get('session')}
        csrfToken={c.get('csrfToken')}
        values={values}
        errors={[]}
      />,
    );
  });

  app.post('/melden', async (c) => {
    const body = await formFields(c);
    assertCsrf(c, body._csrf);
    const session = c.get('session');
    if (!session) throw new Error('requireRole let an anonymous request through');
    const user = { email: session.email, role: session.role };

    const action = formAction(body);
    if (action !== 'submit') {
      // No-JavaScript "add a row": show the form again with one more blank row, store nothing.
      return page(
        c,
        <MeldenPage
          config={config}
          user={user}
          csrfToken={c.get('csrfToken')}
          values={valuesFromBody(body, config, action)}
          errors={[]}
        />,
      );
    }
    const parsed = parseMeldenForm(body, { reporterEmail: session.email, config });
    if (!parsed.ok) {
      return page(
        c,
        <MeldenPage
          config={config}
          user={user}
          csrfToken={c.get('csrfToken')}
          values={parsed.values}
          errors={parsed.errors}
        />,
        400,
      );
    }
    const result = await submitSignal(deps, {
      submission: parsed.submission,
      channel: 'form',
      idempotencyKey: `${session.email}\u0000${parsed.submissionId}`,
    });
    deps.logger.info(result.duplicate ? 'form resubmitted' : 'signal received', {
      signalId: result.signalId,
      reference: result.reference,
      channel: 'form',
    });
    if (!result.duplicate) deps.afterWrite?.();
    return page(
      c,
      <MeldenReceivedPage
        config={config}
        user={user}
        csrfToken={c.get('csrfToken')}
        reference={result.reference}
      />,
    );
  });

  return app;
}
