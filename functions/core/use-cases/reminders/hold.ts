import * as z from 'zod/mini';
import { PAGE_INPUT } from '../../input.ts';
import type { Handover, SignalRecord } from '../../signal.ts';
import { dutchDate } from '../../workflow/dutch-date.ts';
import { addDays, amsterdamDate } from '../../working-days.ts';
import {
  changeSignal,
  type Draft,
  refuse,
  type StepResult,
  type WorkflowDeps,
} from '../workflow/change.ts';
import { noteDraft } from '../workflow/officer-actions.ts';

/**
 * The officer's hold on the chase of one handover: pause it (with a reason,
 * kept as a sealed note: history entries never hold what somebody wrote),
 * resume it, or set a new due date (the chase starts again from that date).
 * Each is one version-checked write with its history entries.
 */

type Input = { signalId: string; handoverId: string; actor: string };

export const PauseReasonSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'Schrijf waarom de herinneringen stoppen.'),
    z.maxLength(1000, 'De reden is hoogstens 1000 tekens.'),
  );

export const DueDateSchema = z.string().check(
  z.trim(),
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'Vul een datum in, zoals 2026-03-31.'),
  z.refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'Deze datum bestaat niet.'),
);

const firstIssue = (e: z.core.$ZodError) => e.issues[0]?.message ?? 'Controleer de invoer.';

function withHandover(
  deps: Pick<WorkflowDeps, 'config'>,
  s: SignalRecord,
  input: Input,
  change: (h: Handover) => Handover | string,
  event: { at: string; type: string; detail?: string },
): Draft<undefined> {
  if (s.status === 'closed') return refuse('Dit signaal is afgesloten. Heropen het eerst.');
  const h = s.handovers?.find((x) => x.id === input.handoverId);
  if (!h) return refuse('Deze overdracht bestaat niet.');
  if (h.state !== 'open') return refuse('Deze overdracht wacht niet meer op terugkoppeling.');
  const changed = change(h);
  if (typeof changed === 'string') return refuse(changed);
  const partner = deps.config.partners.find((p) => p.id === h.partnerId)?.name ?? h.partnerId;
  const detail = event.detail ? `${partner}: ${event.detail}` : partner;
  return {
    ok: true,
    value: undefined,
    next: {
      ...s,
      handovers: (s.handovers ?? []).map((x) => (x.id === h.id ? changed : x)),
      events: [...s.events, { at: event.at, actor: input.actor, type: event.type, detail }],
    },
  };
}

export async function pauseReminders(
  deps: WorkflowDeps,
  input: Input & { reason: string },
): Promise<StepResult> {
  const reason = PauseReasonSchema.safeParse(input.reason, PAGE_INPUT);
  if (!reason.success) return refuse(firstIssue(reason.error));
  return changeSignal(deps, input.signalId, async (s, at): Promise<Draft<undefined>> => {
    const paused = withHandover(
      deps,
      s,
      input,
      (h) =>
        h.paused
          ? 'De herinneringen voor deze overdracht zijn al gepauzeerd.'
          : {
              ...h,
              paused: { at, by: input.actor },
              history: [...h.history, { at, actor: input.actor, type: 'reminders_paused' }],
            },
      { at, type: 'reminders_paused' },
    );
    if (!paused.ok) return paused;
    const partnerId = s.handovers?.find((h) => h.id === input.handoverId)?.partnerId ?? '';
    const partner = deps.config.partners.find((p) => p.id === partnerId)?.name ?? partnerId;
    const noted = await noteDraft(
      deps,
      paused.next,
      at,
      input.actor,
      `Herinneringen gepauzeerd voor ${partner}: ${reason.data}`,
    );
    return noted.ok ? { ...noted, value: undefined } : noted;
  });
}

export async function resumeReminders(deps: WorkflowDeps, input: Input): Promise<StepResult> {
  return changeSignal(deps, input.signalId, async (s, at) =>
    withHandover(
      deps,
      s,
      input,
      (h) => {
        if (!h.paused) return 'De herinneringen voor deze overdracht lopen al.';
        const { paused: _, ...rest } = h;
        return {
          ...rest,
          history: [...h.history, { at, actor: input.actor, type: 'reminders_resumed' }],
        };
      },
      { at, type: 'reminders_resumed' },
    ),
  );
}

/**
 * A new feedback due date: after today, within a year. The chase starts
 * again (no reminders yet, not overdue) from that date.
 */
export async function setDueDate(
  deps: WorkflowDeps,
  input: Input & { dueDate: string },
): Promise<StepResult> {
  const parsed = DueDateSchema.safeParse(input.dueDate, PAGE_INPUT);
  if (!parsed.success) return refuse(firstIssue(parsed.error));
  const due = parsed.data;
  return changeSignal(deps, input.signalId, async (s, at) => {
    const today = amsterdamDate(new Date(at));
    if (due <= today) return refuse('Kies een datum na vandaag.');
    if (due > addDays(today, 366)) return refuse('Kies een datum binnen een jaar.');
    return withHandover(
      deps,
      s,
      input,
      (h) => {
        const { overdueSince: _o, reminders: _r, ...rest } = h;
        return {
          ...rest,
          dueDate: due,
          chase: (h.chase ?? 0) + 1,
          history: [
            ...h.history,
            { at, actor: input.actor, type: 'due_date_changed', detail: `nieuwe datum ${due}` },
          ],
        };
      },
      { at, type: 'due_date_changed', detail: dutchDate(due) },
    );
  });
}
