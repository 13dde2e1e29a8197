import * as z from 'zod/mini';
import type { SignalRecord, SignalSummary } from '../signal.ts';

/**
 * The clear, categorical facts about one signal that the monitoring figures
 * are computed from. The signal store writes them next to the aggregate on
 * every write (so the period query reads one small attribute from an index,
 * never ciphertext), and an erased signal keeps exactly these as its
 * anonymised remnant, so figures for past periods do not change.
 * No free text, no names, no reference number: only codes and dates.
 */

export const HandoverFactSchema = z.object({
  partnerId: z.string(),
  /** open | feedback_received | no_response | withdrawn */
  state: z.string(),
  sentAt: z.string(),
  /** Feedback due date, yyyy-mm-dd in Amsterdam. */
  dueDate: z.optional(z.string()),
  /** When the first feedback arrived. */
  feedbackAt: z.optional(z.string()),
});
export type HandoverFact = z.infer<typeof HandoverFactSchema>;

export const MonitoringFactsSchema = z.object({
  receivedAt: z.string(),
  channel: z.enum(['form', 'email']),
  reporterKind: z._default(z.enum(['internal', 'external']), 'internal'),
  exploitationForm: z.string(),
  urgency: z.string(),
  indicators: z._default(z.array(z.string()), []),
  vulnerabilities: z._default(z.array(z.string()), []),
  sourceTeam: z.optional(z.string()),
  status: z.string(),
  handovers: z._default(z.array(HandoverFactSchema), []),
  outcome: z.optional(z.string()),
  closedAt: z.optional(z.string()),
});
export type MonitoringFacts = z.infer<typeof MonitoringFactsSchema>;

/** Signals stored before `reporterKind` existed were all entered by staff on the form or by mail. */
export function reporterKindOf(c: { reporterKind?: 'internal' | 'external' | undefined }) {
  return c.reporterKind ?? 'internal';
}

/** The facts of a stored signal, from its clear fields only (nothing is decrypted). */
export function factsOf(s: SignalRecord): MonitoringFacts {
  const c = s.classification;
  return {
    ...factsFromSummary(s),
    handovers: (s.handovers ?? []).map((h) => {
      const first = [...(h.feedback ?? [])].sort((a, b) => a.at.localeCompare(b.at))[0];
      return {
        partnerId: h.partnerId,
        state: h.state,
        sentAt: h.sentAt,
        ...(h.dueDate ? { dueDate: h.dueDate } : {}),
        ...(first ? { feedbackAt: first.at } : {}),
      };
    }),
    ...(s.outcome ? { outcome: s.outcome } : {}),
    ...(s.closedAt ? { closedAt: s.closedAt } : {}),
    reporterKind: reporterKindOf(c),
  };
}

/**
 * Facts from the inbox summary alone: for items written before the store
 * kept `facts` (no handover or outcome data: those figures count them as
 * "not handed over" until the signal is next written).
 */
export function factsFromSummary(s: SignalSummary): MonitoringFacts {
  const c = s.classification;
  return {
    receivedAt: s.receivedAt,
    channel: s.channel,
    reporterKind: reporterKindOf(c),
    exploitationForm: c.exploitationForm,
    urgency: c.urgency,
    indicators: [...(c.indicators ?? [])],
    vulnerabilities: [...(c.vulnerabilities ?? [])],
    ...(c.sourceTeam ? { sourceTeam: c.sourceTeam } : {}),
    status: s.status,
    handovers: [],
  };
}
