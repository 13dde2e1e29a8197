import { Hono } from 'hono';
import {
  planHandover,
  previewHandover,
  resendPartnerLink,
  sendHandover,
} from '#core/use-cases/workflow/hand-over.ts';
import { closeNoResponse, revokePartnerLink } from '#core/use-cases/workflow/manage-handover.ts';
import { choosePartners } from '#core/workflow/routing.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { formFields, page } from '../http/respond.ts';
import { assertCsrf, requireRole } from '../http/session.ts';
import {
  ChoosePartnersPage,
  type HandoverState,
  PreviewHandoverPage,
  WriteTextsPage,
} from '../pages/handover-pages.tsx';
import { RefusedPage } from '../pages/workflow-pages.tsx';
import {
  actorOf,
  backToSignal,
  HandoverIdParam,
  signalIdOf,
  signalNotFound,
  workflowDepsOf,
} from './workflow-shared.ts';

function stateFrom(body: Record<string, string | string[]>): HandoverState {
  const raw = body.selected;
  const selected = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const texts: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const m = /^text_([a-z0-9-]+)$/.exec(k);
    if (m?.[1] && typeof v === 'string') texts[m[1]] = v;
  }
  const reason = Array.isArray(body.overrideReason) ? body.overrideReason[0] : body.overrideReason;
  return { selected: [...new Set(selected)], overrideReason: (reason ?? '').trim(), texts };
}

const request = (s: HandoverState) => ({
  selected: s.selected,
  texts: s.texts,
  ...(s.overrideReason ? { overrideReason: s.overrideReason } : {}),
});

/** Step 4 (choose, write, preview, send) and the officer's hold on running handovers. */
export function handoverRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const w = workflowDepsOf(deps);
  if (!w) return app;
  const { config } = deps;
  app.use('/inbox/:id/*', requireRole('officer'));
  const base = (c: Parameters<typeof page>[0]) => ({
    config,
    user: c.get('session'),
    csrfToken: c.get('csrfToken') as string | undefined,
  });

  const plan = async (id: string) => {
    const p = await planHandover(w, { signalId: id });
    if (!p) throw signalNotFound();
    return p;
  };

  app.get('/inbox/:id/doorzetten', async (c) => {
    const id = signalIdOf(c);
    const p = await plan(id);
    await deps.store.appendAudit(id, {
      at: deps.clock.now().toISOString(),
      actor: actorOf(c),
      type: 'handover_prepared',
    });
    return page(
      c,
      <ChoosePartnersPage
        {...base(c)}
        signal={p.signal}
        partners={config.partners}
        suggestions={p.suggestions}
      />,
    );
  });

  app.post('/inbox/:id/doorzetten/teksten', async (c) => {
    const body = await formFields(c);
    assertCsrf(c, body._csrf);
    const id = signalIdOf(c);
    const p = await plan(id);
    const state = stateFrom(body);
    const choice = choosePartners(config, p.suggestions, state.selected, state.overrideReason);
    if (!choice.ok) {
      return page(
        c,
        <ChoosePartnersPage
          {...base(c)}
          signal={p.signal}
          partners={config.partners}
          suggestions={p.suggestions}
          state={state}
          error={choice.reason}
        />,
        400,
      );
    }
    const texts = Object.fromEntries(
      choice.partners.map((x) => [x.id, state.texts[x.id] ?? p.draft]),
    );
    const next = { ...state, selected: choice.partners.map((x) => x.id), texts };
    return page(
      c,
      <WriteTextsPage {...base(c)} signal={p.signal} partners={choice.partners} state={next} />,
    );
  });

  app.post('/inbox/:id/doorzetten/voorbeeld', async (c) => {
    const body = await formFields(c);
    assertCsrf(c, body._csrf);
    const id = signalIdOf(c);
    const state = stateFrom(body);
    const r = await previewHandover(w, { signalId: id, request: request(state) });
    if (!r) throw signalNotFound();
    const s = await deps.store.get(id);
    if (!s) throw signalNotFound();
    if (!r.ok) {
      const partners = config.partners.filter((p) => state.selected.includes(p.id));
      return page(
        c,
        <WriteTextsPage
          {...base(c)}
          signal={s}
          partners={partners}
          state={state}
          error={r.reason}
        />,
        400,
      );
    }
    return page(
      c,
      <PreviewHandoverPage {...base(c)} signal={s} previews={r.previews} state={state} />,
    );
  });

  app.post('/inbox/:id/doorzetten/versturen', async (c) => {
    const body = await formFields(c);
    assertCsrf(c, body._csrf);
    const id = signalIdOf(c);
    const r = await sendHandover(w, {
      signalId: id,
      actor: actorOf(c),
      request: request(stateFrom(body)),
    });
    if (r.ok) {
      deps.logger.info('handed over', { signalId: id, handovers: r.value.length });
      deps.afterWrite?.();
      return backToSignal(c, id, 'doorgezet', 'overdrachten');
    }
    if (r.reason === 'not-found') throw signalNotFound();
    return page(c, <RefusedPage {...base(c)} signalId={id} reason={r.reason} />, 400);
  });

  for (const [path, run, notice] of [
    ['intrekken', revokePartnerLink, 'ingetrokken'],
    ['nieuwe-link', resendPartnerLink, 'nieuwe-link'],
    ['geen-reactie', closeNoResponse, 'geen-reactie'],
  ] as const) {
    app.post(`/inbox/:id/overdrachten/:hid/${path}`, async (c) => {
      const body = await formFields(c);
      assertCsrf(c, body._csrf);
      const id = signalIdOf(c);
      const hid = HandoverIdParam.safeParse(c.req.param('hid'));
      if (!hid.success) throw signalNotFound();
      const r = await run(w, { signalId: id, handoverId: hid.data, actor: actorOf(c) });
      if (r.ok) {
        deps.logger.info('handover changed', { signalId: id, handoverId: hid.data, step: path });
        deps.afterWrite?.(); // a new link is mailed
        return backToSignal(c, id, notice, 'overdrachten');
      }
      if (r.reason === 'not-found') throw signalNotFound();
      return page(c, <RefusedPage {...base(c)} signalId={id} reason={r.reason} />, 400);
    });
  }

  return app;
}
