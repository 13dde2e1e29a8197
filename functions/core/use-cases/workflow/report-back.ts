import * as z from 'zod/mini';
import { PAGE_INPUT } from '../../input.ts';
import type { RenderedEmail } from '../../ports.ts';
import { openJson } from '../../sealing.ts';
import { ReporterPartSchema, type SignalRecord } from '../../signal.ts';
import {
  AUTO_SUBMITTED,
  changeSignal,
  ctx,
  type Draft,
  move,
  type Refused,
  refuse,
  type StepResult,
  sealText,
  type WorkflowDeps,
} from './change.ts';

/**
 * Step 6: the officer tells the reporter what was done with the signal. The
 * text starts from a template with the reference and the partners handed
 * over to; no partner's own words unless the officer puts them in.
 */

export const ReporterMessageSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(10, 'Schrijf wat er met het signaal is gedaan.'),
    z.maxLength(5000, 'Het bericht is hoogstens 5000 tekens.'),
  );

export function reporterFeedbackDraft(
  deps: Pick<WorkflowDeps, 'config'>,
  s: Pick<SignalRecord, 'reference' | 'handovers'>,
): string {
  const names = [...new Set((s.handovers ?? []).map((h) => h.partnerId))]
    .map((id) => deps.config.partners.find((p) => p.id === id)?.name ?? id)
    .join(', ');
  return [
    `Hartelijk dank voor uw signaal ${s.reference}.`,
    '',
    names
      ? `Wij hebben het signaal bekeken en doorgegeven aan: ${names}. Zij pakken het verder op.`
      : 'Wij hebben het signaal bekeken en besproken.',
    '',
    'Meer kunnen wij u over de afloop niet vertellen: de gegevens van de betrokkenen zijn vertrouwelijk.',
    'Ziet of hoort u opnieuw iets? Meld het dan weer.',
  ].join('\n');
}

async function reporterEmail(deps: WorkflowDeps, s: SignalRecord): Promise<string | undefined> {
  const reporter = await openJson(
    deps.crypto,
    s.reporterCipher,
    ctx(deps.config, s.id, 'reporter'),
    ReporterPartSchema,
  );
  return reporter.email || undefined;
}

async function renderFeedback(deps: WorkflowDeps, s: SignalRecord, message: string) {
  return deps.render('reporter-feedback', {
    municipality: deps.config.municipality.name,
    reference: s.reference,
    message,
  });
}

export async function previewReporterFeedback(
  deps: WorkflowDeps,
  input: { signalId: string; message: string },
): Promise<{ ok: true; to: string; email: RenderedEmail } | Refused | undefined> {
  const s = await deps.store.get(input.signalId);
  if (!s) return undefined;
  const message = ReporterMessageSchema.safeParse(input.message, PAGE_INPUT);
  if (!message.success)
    return refuse(message.error.issues[0]?.message ?? 'Controleer het bericht.');
  const to = await reporterEmail(deps, s);
  if (!to) return refuse(NO_EMAIL);
  return { ok: true, to, email: await renderFeedback(deps, s, message.data) };
}

const NO_EMAIL =
  'Van de melder is geen e-mailadres bekend. Informeer de melder op een andere manier en leg dat vast in een notitie.';

export async function sendReporterFeedback(
  deps: WorkflowDeps,
  input: { signalId: string; actor: string; message: string },
): Promise<StepResult> {
  const message = ReporterMessageSchema.safeParse(input.message, PAGE_INPUT);
  if (!message.success)
    return refuse(message.error.issues[0]?.message ?? 'Controleer het bericht.');
  return changeSignal(deps, input.signalId, async (s, at): Promise<Draft<undefined>> => {
    const moved = move(s, 'inform_reporter', { at, actor: input.actor, detail: 'per e-mail' });
    if (!moved.ok) return moved;
    const to = await reporterEmail(deps, s);
    if (!to) return refuse(NO_EMAIL);
    const n = (s.reporterFeedback?.length ?? 0) + 1;
    const cipher = await sealText(deps, s.id, `reporter-feedback:${n}`, { text: message.data });
    const mail = await renderFeedback(deps, s, message.data);
    return {
      ok: true,
      value: undefined,
      mails: [{ id: `${s.id}-reporter-feedback-${n}`, to: [to], ...mail, headers: AUTO_SUBMITTED }],
      next: {
        ...moved.signal,
        reporterFeedback: [...(s.reporterFeedback ?? []), { n, at, by: input.actor, cipher }],
      },
    };
  });
}
