import * as z from 'zod/mini';
import { EXPLOITATION_FORM_CODES, VULNERABILITY_CODES } from '../../catalog.ts';
import { PAGE_INPUT } from '../../input.ts';
import { indexSignal } from '../../known/already-known.ts';
import { openJson } from '../../sealing.ts';
import { ContentPartSchema, OUTCOMES, type Outcome, type SignalRecord } from '../../signal.ts';
import {
  changeSignal,
  ctx,
  type Draft,
  move,
  refuse,
  type StepResult,
  sealText,
  startIfReceived,
  type WorkflowDeps,
} from './change.ts';

/**
 * Step 3 (enrich) and the end of step 6 (close, reopen): each is one
 * version-checked write with its history entry. Free text (notes, reasons)
 * is always sealed; history entries say what happened, never what was written.
 */

const tag = z
  .string()
  .check(
    z.trim(),
    z.toLowerCase(),
    z.regex(
      /^[a-z0-9][a-z0-9-]{1,29}$/,
      'Een label is één woord van 2 tot 30 letters, cijfers of streepjes.',
    ),
  );

export const ClassifyInputSchema = z.object({
  exploitationForm: z.enum(EXPLOITATION_FORM_CODES, 'Kies een vorm van uitbuiting.'),
  urgency: z.enum(['normal', 'acute'], 'Kies de urgentie.'),
  vulnerabilities: z._default(z.array(z.enum(VULNERABILITY_CODES as [string, ...string[]])), []),
  tags: z._default(z.array(tag).check(z.maxLength(10, 'Gebruik hoogstens 10 labels.')), []),
});
export type ClassifyInput = z.input<typeof ClassifyInputSchema>;

export const NoteTextSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'Schrijf een notitie.'),
    z.maxLength(4000, 'Een notitie is hoogstens 4000 tekens.'),
  );
export const NoteSchema = z.object({ text: z.string() });

export const AgendaSummarySchema = z.string().check(
  z.trim(),
  z.minLength(1, 'Schrijf één regel voor de agenda.'),
  z.maxLength(200, 'De regel voor de agenda is hoogstens 200 tekens.'),
  z.refine((s) => !/[\r\n]/.test(s), 'Schrijf de agendaregel op één regel.'),
);

export const CloseInputSchema = z
  .object({
    outcome: z.enum(Object.keys(OUTCOMES) as [Outcome, ...Outcome[]], 'Kies een uitkomst.'),
    mergedWith: z.optional(
      z
        .string()
        .check(
          z.trim(),
          z.toUpperCase(),
          z.regex(/^[A-Z]{1,6}-\d{4}-\d{4,}$/, 'Vul het meldnummer in, zoals MH-2026-0001.'),
        ),
    ),
  })
  .check(
    z.refine((v) => v.outcome !== 'merged' || v.mergedWith, {
      message: 'Vul het meldnummer in van het signaal waarmee dit is samengevoegd.',
      path: ['mergedWith'],
    }),
  );

type Base = { signalId: string; actor: string };

const firstIssue = (e: z.core.$ZodError) => e.issues[0]?.message ?? 'Controleer de invoer.';

export async function classifySignal(
  deps: WorkflowDeps,
  input: Base & { values: unknown },
): Promise<StepResult> {
  const parsed = ClassifyInputSchema.safeParse(input.values, PAGE_INPUT);
  if (!parsed.success) return refuse(firstIssue(parsed.error));
  const v = parsed.data;
  return changeSignal(deps, input.signalId, async (s, at): Promise<Draft<undefined>> => {
    if (s.status === 'closed') return refuse('Dit signaal is afgesloten. Heropen het eerst.');
    const next = startIfReceived(s, at, input.actor);
    return {
      ok: true,
      value: undefined,
      next: {
        ...next,
        classification: {
          ...next.classification,
          exploitationForm: v.exploitationForm,
          urgency: v.urgency,
          vulnerabilities: v.vulnerabilities,
        },
        tags: v.tags,
        events: [...next.events, { at, actor: input.actor, type: 'classified' }],
      },
    };
  });
}

/** Appends a sealed note; a correction is a new note. Also indexes what the note reveals. */
export async function addNote(
  deps: WorkflowDeps,
  input: Base & { text: string },
): Promise<StepResult<number>> {
  const parsed = NoteTextSchema.safeParse(input.text, PAGE_INPUT);
  if (!parsed.success) return refuse(firstIssue(parsed.error));
  const r = await changeSignal(deps, input.signalId, (s, at) =>
    noteDraft(deps, startIfReceived(s, at, input.actor), at, input.actor, parsed.data),
  );
  if (r.ok && deps.blindIndex && deps.blindIndexStore) {
    const content = await openJson(
      deps.crypto,
      r.signal.contentCipher,
      ctx(deps.config, r.signal.id, 'content'),
      ContentPartSchema,
    );
    await indexSignal(
      { blindIndex: deps.blindIndex, blindIndexStore: deps.blindIndexStore },
      r.signal,
      content,
      [parsed.data],
    );
  }
  return r;
}

/** A sealed note plus its history entry; other steps use it for their free-text reasons. */
export async function noteDraft(
  deps: WorkflowDeps,
  s: SignalRecord,
  at: string,
  actor: string,
  text: string,
): Promise<Draft<number>> {
  const n = (s.notes ?? []).reduce((max, x) => Math.max(max, x.n), 0) + 1;
  const cipher = await sealText(deps, s.id, `note:${n}`, { text });
  return {
    ok: true,
    value: n,
    next: {
      ...s,
      notes: [...(s.notes ?? []), { n, at, by: actor, cipher }],
      events: [...s.events, { at, actor, type: 'note_added', detail: `notitie ${n}` }],
    },
  };
}

export async function putOnAgenda(
  deps: WorkflowDeps,
  input: Base & { summary: string },
): Promise<StepResult> {
  const parsed = AgendaSummarySchema.safeParse(input.summary, PAGE_INPUT);
  if (!parsed.success) return refuse(firstIssue(parsed.error));
  return changeSignal(deps, input.signalId, async (s, at): Promise<Draft<undefined>> => {
    if (s.status === 'closed') return refuse('Dit signaal is afgesloten. Heropen het eerst.');
    const next = startIfReceived(s, at, input.actor);
    const cipher = await sealText(deps, s.id, 'agenda', { text: parsed.data });
    return {
      ok: true,
      value: undefined,
      next: {
        ...next,
        agenda: { at, by: input.actor, cipher },
        events: [...next.events, { at, actor: input.actor, type: 'agenda_added' }],
      },
    };
  });
}

/** After the overleg: off the agenda, recorded as discussed (or simply removed). */
export async function takeOffAgenda(
  deps: WorkflowDeps,
  input: Base & { discussed: boolean },
): Promise<StepResult> {
  return changeSignal(deps, input.signalId, async (s, at): Promise<Draft<undefined>> => {
    if (!s.agenda) return refuse('Dit signaal staat niet op de agenda.');
    const { agenda: _a, ...rest } = s;
    return {
      ok: true,
      value: undefined,
      next: {
        ...rest,
        events: [
          ...s.events,
          { at, actor: input.actor, type: input.discussed ? 'agenda_discussed' : 'agenda_removed' },
        ],
      },
    };
  });
}

export async function closeSignal(
  deps: WorkflowDeps,
  input: Base & { values: unknown },
): Promise<StepResult> {
  const parsed = CloseInputSchema.safeParse(input.values, PAGE_INPUT);
  if (!parsed.success) return refuse(firstIssue(parsed.error));
  const { outcome, mergedWith } = parsed.data;
  return changeSignal(deps, input.signalId, async (s, at): Promise<Draft<undefined>> => {
    const detail =
      OUTCOMES[outcome] + (outcome === 'merged' && mergedWith ? ` (${mergedWith})` : '');
    const r = move(s, 'close', { at, actor: input.actor, detail });
    if (!r.ok) return r;
    const { agenda: _a, ...rest } = r.signal;
    return { ok: true, value: undefined, next: { ...rest, outcome, closedAt: at } };
  });
}

export async function reopenSignal(
  deps: WorkflowDeps,
  input: Base & { reason: string },
): Promise<StepResult> {
  const reason = NoteTextSchema.safeParse(input.reason, PAGE_INPUT);
  if (!reason.success) return refuse('Schrijf waarom u het signaal heropent.');
  return changeSignal(deps, input.signalId, async (s, at): Promise<Draft<undefined>> => {
    const r = move(s, 'reopen', { at, actor: input.actor });
    if (!r.ok) return r;
    const { outcome: _o, closedAt: _c, ...rest } = r.signal;
    const noted = await noteDraft(deps, rest, at, input.actor, `Heropend: ${reason.data}`);
    if (!noted.ok) return noted;
    const events = noted.next.events;
    const last = events.at(-1);
    const reopened = events.at(-2);
    if (reopened && last) reopened.detail = `reden in ${last.detail}`;
    return { ok: true, value: undefined, next: noted.next };
  });
}
