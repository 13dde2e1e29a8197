import type { Partner } from '../../config.ts';
import { findKnown, type KnownMatch } from '../../known/already-known.ts';
import type { ViewEvent, WorkLists } from '../../ports.ts';
import { openJson } from '../../sealing.ts';
import type {
  ContentPart,
  Disclosure,
  Handover,
  HandoverState,
  MailProblem,
  SignalEvent,
  SignalRecord,
} from '../../signal.ts';
import { type Suggestion, suggestPartners } from '../../workflow/routing.ts';
import { ctx, type WorkflowDeps } from './change.ts';
import { NoteSchema } from './officer-actions.ts';
import { type Feedback, FeedbackSchema, HandoverTextSchema } from './partner-feedback.ts';

/**
 * What the officer's detail page shows of steps 3–6, decrypted. Called by
 * the signal view, whose audit entry covers these reads too.
 */

export type TextEntry = { n: number; at: string; by: string; text: string };

export type HandoverView = {
  id: string;
  partner: Pick<Partner, 'id' | 'name'>;
  state: HandoverState;
  sentAt: string;
  sentBy: string;
  dueDate: string;
  tokenExpiresAt: string;
  linkActive: boolean;
  text: string;
  feedback: (Feedback & { n: number; at: string; via: 'page' | 'email' })[];
  history: SignalEvent[];
  /** Reminders (issue 5): how many were sent, and whether the chase is paused or ended late. */
  reminders: number;
  paused?: { at: string; by: string };
  overdueSince?: string;
  /** SES reported a permanent bounce or a complaint on a mail to this partner. */
  mailProblem?: MailProblem;
};

export type OfficerWorkflowView = {
  notes: TextEntry[];
  agenda?: { at: string; by: string; summary: string };
  handovers: HandoverView[];
  reporterFeedback: TextEntry[];
  disclosures: (Disclosure & { partnerName: string })[];
  suggestions: Suggestion[];
  /** undefined when no blind index is configured. */
  known?: KnownMatch[];
};

type ViewableSignal = Omit<SignalRecord, 'reporterCipher' | 'contentCipher'>;

const TextSchema = NoteSchema;

export async function loadOfficerWorkflow(
  deps: WorkflowDeps,
  signal: ViewableSignal,
  content: ContentPart,
): Promise<OfficerWorkflowView> {
  const at = (part: string) => ctx(deps.config, signal.id, part);
  const partnerOf = (id: string) =>
    deps.config.partners.find((p) => p.id === id) ?? { id, name: id };
  const now = deps.clock.now().getTime();

  const notes = await Promise.all(
    (signal.notes ?? []).map(async (n) => ({
      n: n.n,
      at: n.at,
      by: n.by,
      text: (await openJson(deps.crypto, n.cipher, at(`note:${n.n}`), TextSchema)).text,
    })),
  );
  const reporterFeedback = await Promise.all(
    (signal.reporterFeedback ?? []).map(async (n) => ({
      n: n.n,
      at: n.at,
      by: n.by,
      text: (await openJson(deps.crypto, n.cipher, at(`reporter-feedback:${n.n}`), TextSchema))
        .text,
    })),
  );
  const handovers = await Promise.all(
    (signal.handovers ?? []).map((h) =>
      handoverView(deps, signal.id, h, partnerOf(h.partnerId), now),
    ),
  );
  const agenda = signal.agenda
    ? {
        at: signal.agenda.at,
        by: signal.agenda.by,
        summary: (await openJson(deps.crypto, signal.agenda.cipher, at('agenda'), TextSchema)).text,
      }
    : undefined;
  const known =
    deps.blindIndex && deps.blindIndexStore
      ? await findKnown(
          { blindIndex: deps.blindIndex, blindIndexStore: deps.blindIndexStore },
          signal,
          content,
          notes.map((n) => n.text),
        )
      : undefined;
  return {
    notes,
    ...(agenda ? { agenda } : {}),
    handovers,
    reporterFeedback,
    disclosures: (signal.disclosures ?? []).map((d) => ({
      ...d,
      partnerName: partnerOf(d.partnerId).name,
    })),
    suggestions: suggestPartners(deps.config, {
      classification: signal.classification,
      content,
      tags: signal.tags,
    }),
    ...(known ? { known } : {}),
  };
}

async function handoverView(
  deps: WorkflowDeps,
  signalId: string,
  h: Handover,
  partner: Pick<Partner, 'id' | 'name'>,
  now: number,
): Promise<HandoverView> {
  const c = (part: string) => ctx(deps.config, signalId, part);
  const { text } = await openJson(
    deps.crypto,
    h.textCipher,
    c(`handover:${h.id}`),
    HandoverTextSchema,
  );
  const feedback = await Promise.all(
    h.feedback.map(async (f) => ({
      n: f.n,
      at: f.at,
      via: f.via,
      ...(await openJson(deps.crypto, f.cipher, c(`feedback:${h.id}:${f.n}`), FeedbackSchema)),
    })),
  );
  return {
    id: h.id,
    partner: { id: partner.id, name: partner.name },
    state: h.state,
    sentAt: h.sentAt,
    sentBy: h.sentBy,
    dueDate: h.dueDate,
    tokenExpiresAt: h.tokenExpiresAt,
    linkActive: h.state !== 'withdrawn' && Date.parse(h.tokenExpiresAt) > now,
    text,
    feedback,
    history: h.history,
    reminders: h.reminders?.length ?? 0,
    ...(h.paused ? { paused: h.paused } : {}),
    ...(h.overdueSince ? { overdueSince: h.overdueSince } : {}),
    ...(h.mailProblem ? { mailProblem: h.mailProblem } : {}),
  };
}

export type AgendaLine = { signalId: string; reference: string; summary: string; since: string };

/** The printable overleg agenda: references and the officer's one-line summaries only. */
export async function overlegAgenda(
  deps: WorkflowDeps & { workLists: WorkLists },
  input: { actor: string },
): Promise<AgendaLine[]> {
  const items = await deps.workLists.agenda(200);
  const at = deps.clock.now().toISOString();
  return Promise.all(
    items.map(async (i) => {
      const { text } = await openJson(
        deps.crypto,
        i.agenda.cipher,
        ctx(deps.config, i.signalId, 'agenda'),
        TextSchema,
      );
      const view: ViewEvent = { at, actor: input.actor, type: 'agenda_viewed' };
      await deps.store.appendAudit(i.signalId, view);
      return { signalId: i.signalId, reference: i.reference, summary: text, since: i.agenda.at };
    }),
  );
}
