import { Hono } from 'hono';
import {
  openPartnerLink,
  recordPartnerFeedback,
} from '#core/use-cases/workflow/partner-feedback.ts';
import { readPartnerToken } from '#core/workflow/partner-link.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { formFields, page } from '../http/respond.ts';
import { assertCsrf } from '../http/session.ts';
import { PartnerLinkInvalidPage, PartnerPage } from '../pages/partner-page.tsx';
import { workflowDepsOf } from './workflow-shared.ts';

const TOKEN = /^[a-z0-9.]{20,80}$/;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

/** Only what the partner pages use: never the session store, the blind index or blobs. */
export type PartnerRouteDeps = Pick<
  AppDeps,
  'config' | 'store' | 'crypto' | 'clock' | 'render' | 'logger' | 'linkSigner' | 'afterWrite'
>;

/**
 * Step 5 for chain partners: no account, only the signed link. GET shows the
 * handover (and is audited); only the partner's POST records anything, so a
 * mail scanner that opens the link changes nothing.
 */
export function partnerRoutes(deps: PartnerRouteDeps) {
  const app = new Hono<AppEnv>();
  const w = workflowDepsOf(deps);
  if (!w) return app;
  const { config } = deps;
  const invalid = (c: Parameters<typeof page>[0]) =>
    page(c, <PartnerLinkInvalidPage config={config} />, 410);

  app.get('/partner/:token', async (c) => {
    const token = c.req.param('token');
    if (!TOKEN.test(token)) return invalid(c);
    const r = await openPartnerLink(w, { token });
    if (!r.ok) {
      deps.logger.info('partner link refused', { reason: r.reason });
      return invalid(c);
    }
    deps.logger.info('partner link opened', { signalId: r.signalId, handoverId: r.handoverId });
    return page(
      c,
      <PartnerPage
        config={config}
        view={r.view}
        token={token}
        csrfToken={c.get('csrfToken')}
        thanks={c.req.query('ontvangen') === '1'}
      />,
    );
  });

  app.post('/partner/:token', async (c) => {
    const token = c.req.param('token');
    const body = await formFields(c);
    assertCsrf(c, body._csrf);
    if (!TOKEN.test(token)) return invalid(c);
    const takenOn = one(body.takenOn);
    const r = await recordPartnerFeedback(w, {
      token,
      via: 'page',
      feedback: {
        ...(['yes', 'no', 'unknown'].includes(takenOn) ? { takenOn: takenOn as 'yes' } : {}),
        actions: one(body.actions),
        text: one(body.text),
      },
    });
    if (r.ok) {
      deps.logger.info('partner feedback', {
        signalId: r.signalId,
        handoverId: r.handoverId,
        via: 'page',
      });
      deps.afterWrite?.();
      return c.redirect(`/partner/${token}?ontvangen=1`, 303);
    }
    if (r.reason !== 'empty') {
      // As on GET: a refusal is logged, and audited on the handover the authentic link names.
      deps.logger.info('partner link refused', { reason: r.reason });
      const read = readPartnerToken(w.linkSigner, token);
      const signal = read.ok ? await w.store.get(read.claims.signalId) : undefined;
      if (read.ok && signal?.handovers?.some((h) => h.id === read.claims.handoverId)) {
        await w.store.appendAudit(signal.id, {
          at: w.clock.now().toISOString(),
          actor: 'partner',
          type: 'partner_link_refused',
          detail: r.reason,
        });
      }
      return invalid(c);
    }
    const opened = await openPartnerLink(w, { token });
    if (!opened.ok) return invalid(c);
    return page(
      c,
      <PartnerPage
        config={config}
        view={opened.view}
        token={token}
        csrfToken={c.get('csrfToken')}
        error="Schrijf wat er met het signaal is gedaan. Uw terugkoppeling is nog niet verstuurd."
      />,
      400,
    );
  });

  return app;
}
