import type { Context } from 'hono';
import * as z from 'zod/mini';
import type { ContentPart, SignalRecord } from '#core/signal.ts';
import type { WorkflowDeps } from '#core/use-cases/workflow/change.ts';
import { loadOfficerWorkflow } from '#core/use-cases/workflow/officer-view.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { PageError } from '../http/page-error.ts';
import type { WorkflowPanelsProps } from '../pages/workflow-panels.tsx';

/** Shared by the officer's route pages (workflow, handover, overleg). */

export const SignalIdParam = z.string().check(z.regex(/^[a-z0-9]{10,40}$/));
export const HandoverIdParam = z.string().check(z.regex(/^h[1-9]\d{0,5}$/));

/** The officer's route is wired when the composition root gave a link signer. */
export function workflowDepsOf(
  deps: Pick<
    AppDeps,
    | 'config'
    | 'store'
    | 'crypto'
    | 'clock'
    | 'render'
    | 'linkSigner'
    | 'blindIndex'
    | 'blindIndexStore'
    | 'workLists'
  >,
): (WorkflowDeps & Pick<AppDeps, 'workLists'>) | undefined {
  if (!deps.linkSigner) return undefined;
  return {
    config: deps.config,
    store: deps.store,
    crypto: deps.crypto,
    clock: deps.clock,
    render: deps.render,
    linkSigner: deps.linkSigner,
    ...(deps.blindIndex ? { blindIndex: deps.blindIndex } : {}),
    ...(deps.blindIndexStore ? { blindIndexStore: deps.blindIndexStore } : {}),
    ...(deps.workLists ? { workLists: deps.workLists } : {}),
  };
}

export function signalIdOf(c: Context<AppEnv>): string {
  const id = SignalIdParam.safeParse(c.req.param('id'));
  if (!id.success) throw signalNotFound();
  return id.data;
}

export function signalNotFound() {
  return new PageError(404, 'Signaal niet gevonden', 'Dit signaal bestaat niet (meer).');
}

export function actorOf(c: Context<AppEnv>): string {
  const s = c.get('session');
  if (!s) throw new Error('requireRole let an anonymous request through');
  return s.email;
}

/** After a POST that worked: back to the signal (303, so a reload does not post again). */
export function backToSignal(c: Context<AppEnv>, id: string, notice: string, anchor: string) {
  return c.redirect(`/inbox/${encodeURIComponent(id)}?gedaan=${notice}#${anchor}`, 303);
}

/** The detail page's workflow panels, or undefined where the route is not wired. */
export async function workflowPanel(
  deps: AppDeps,
  signal: Omit<SignalRecord, 'reporterCipher' | 'contentCipher'>,
  content: ContentPart,
  notice: string | undefined,
): Promise<Omit<WorkflowPanelsProps, 'csrfToken' | 'signal'> | undefined> {
  const w = workflowDepsOf(deps);
  if (!w) return undefined;
  const view = await loadOfficerWorkflow(w, signal, content);
  return { view, notice: notice && /^[a-z-]{1,30}$/.test(notice) ? notice : undefined };
}
