import { Hono } from 'hono';
import { overlegAgenda } from '#core/use-cases/workflow/officer-view.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { page } from '../http/respond.ts';
import { requireRole } from '../http/session.ts';
import { OverlegPage } from '../pages/overleg-page.tsx';
import { actorOf, workflowDepsOf } from './workflow-shared.ts';

/** Step 3: the printable agenda of the next ondermijningsoverleg (references and summaries only). */
export function overlegRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const w = workflowDepsOf(deps);
  const workLists = deps.workLists;
  if (!w || !workLists) return app;
  app.use('/overleg', requireRole('officer'));
  app.get('/overleg', async (c) => {
    const lines = await overlegAgenda({ ...w, workLists }, { actor: actorOf(c) });
    return page(
      c,
      <OverlegPage
        config={deps.config}
        user={c.get('session')}
        csrfToken={c.get('csrfToken')}
        lines={lines}
      />,
    );
  });
  return app;
}
