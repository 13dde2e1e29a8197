import * as z from 'zod/mini';
import { sha256 } from '../../hashing.ts';
import type { LinkSigner, OutgoingEmail, SignalStore } from '../../ports.ts';
import { openJson } from '../../sealing.ts';
import type { Handover, SignalRecord } from '../../signal.ts';
import { HANDOVER_MOVES } from '../../workflow/moves.ts';
import { readPartnerToken } from '../../workflow/partner-link.ts';
import { type PartnerView, partnerView } from '../../workflow/partner-view.ts';
import {
  AUTO_SUBMITTED,
  changeSignal,
  ctx,
  type Draft,
  move,
  refuse,
  sealText,
  type WorkflowDeps,
} from './change.ts';

/**
 * Step 5: a partner opens its link and answers, on the page or by replying
 * to the notification email. Only the handover's own text is ever decrypted
 * here: this path never opens the reporter or the signal's content.
 */

export const HandoverTextSchema = z.object({ text: z.string() });

export const FeedbackSchema = z
  .object({
    takenOn: z.optional(z.enum(['yes', 'no', 'unknown'])),
    actions: z.optional(
      z.string().check(z.trim(), z.maxLength(4000, 'Schrijf hoogstens 4000 tekens.')),
    ),
    text: z.optional(
      z.string().check(z.trim(), z.maxLength(20000, 'Schrijf hoogstens 20.000 tekens.')),
    ),
  })
  .check(
    z.refine((f) => Boolean(f.actions || f.text), 'Schrijf wat er met het signaal is gedaan.'),
  );
export type Feedback = z.infer<typeof FeedbackSchema>;

export const TAKEN_ON = { yes: 'Ja', no: 'Nee', unknown: 'Nog niet bekend' } as const;

/** Why a link does not work. The page shows one and the same text for all of them. */
export type LinkRefusal = 'invalid' | 'expired' | 'revoked' | 'withdrawn';

type Located = { signal: SignalRecord; handover: Handover };

async function locate(
  deps: { linkSigner: LinkSigner; store: SignalStore; clock: { now(): Date } },
  token: string,
  strict: boolean,
): Promise<{ ok: true; found: Located } | { ok: false; reason: LinkRefusal; signalId?: string }> {
  const read = readPartnerToken(deps.linkSigner, token);
  if (!read.ok) return { ok: false, reason: 'invalid' };
  const { signalId, handoverId, version, expiresAt } = read.claims;
  const signal = await deps.store.get(signalId);
  const handover = signal?.handovers?.find((h) => h.id === handoverId);
  if (!signal || !handover) return { ok: false, reason: 'invalid' };
  if (strict) {
    if (handover.state === 'withdrawn') return { ok: false, reason: 'withdrawn', signalId };
    if (version !== handover.tokenVersion) return { ok: false, reason: 'revoked', signalId };
    if (expiresAt.getTime() <= deps.clock.now().getTime()) {
      return { ok: false, reason: 'expired', signalId };
    }
  }
  return { ok: true, found: { signal, handover } };
}

export type OpenedLink =
  | { ok: true; view: PartnerView; signalId: string; handoverId: string }
  | { ok: false; reason: LinkRefusal };

/** GET of a partner link: shows, never changes. Every open (and refusal) is audited. */
export async function openPartnerLink(
  deps: WorkflowDeps,
  input: { token: string },
): Promise<OpenedLink> {
  const r = await locate(deps, input.token, true);
  const at = deps.clock.now().toISOString();
  if (!r.ok) {
    if (r.signalId) {
      await deps.store.appendAudit(r.signalId, {
        at,
        actor: 'partner',
        type: 'partner_link_refused',
        detail: r.reason,
      });
    }
    return { ok: false, reason: r.reason };
  }
  const { signal, handover } = r.found;
  const partner = deps.config.partners.find((p) => p.id === handover.partnerId);
  await deps.store.appendAudit(signal.id, {
    at,
    actor: `partner:${handover.partnerId}`,
    type: 'partner_link_opened',
    detail: handover.id,
  });
  const { text } = await openJson(
    deps.crypto,
    handover.textCipher,
    ctx(deps.config, signal.id, `handover:${handover.id}`),
    HandoverTextSchema,
  );
  return {
    ok: true,
    signalId: signal.id,
    handoverId: handover.id,
    view: partnerView({
      municipality: deps.config.municipality.name,
      signal: { reference: signal.reference, urgency: signal.classification.urgency },
      partnerName: partner?.name ?? handover.partnerId,
      handover: {
        sentAt: handover.sentAt,
        dueDate: handover.dueDate,
        feedbackCount: handover.feedback.length,
      },
      text,
    }),
  };
}

export type FeedbackInput = ({ token: string } | { signalId: string; handoverId: string }) & {
  via: 'page' | 'email';
  feedback: Feedback | { text: string };
  /** Redelivery of the same email reply: give its Message-ID (or any stable key). */
  dedupeKey?: string;
};

export type FeedbackResult =
  | { ok: true; signalId: string; handoverId: string; reference: string; duplicate: boolean }
  | { ok: false; reason: LinkRefusal | 'not-found' | 'empty' | string };

/**
 * Records a partner's feedback on one handover: the handover becomes
 * "feedback received", the signal moves when it was waiting, the officers
 * get a notice (reference and link only), and it joins the history, in one
 * write. From the page the link must be valid now; an email reply only needs
 * an authentic token (an expired or revoked link still says which handover
 * it answers, and an answer is never thrown away).
 */
export async function recordPartnerFeedback(
  deps: WorkflowDeps,
  input: FeedbackInput,
): Promise<FeedbackResult> {
  const parsed = FeedbackSchema.safeParse(input.feedback);
  if (!parsed.success) return { ok: false, reason: 'empty' };
  let signalId: string;
  let handoverId: string;
  if ('token' in input) {
    const r = await locate(deps, input.token, input.via === 'page');
    if (!r.ok) return { ok: false, reason: r.reason };
    signalId = r.found.signal.id;
    handoverId = r.found.handover.id;
  } else {
    signalId = input.signalId;
    handoverId = input.handoverId;
  }
  const key = input.dedupeKey ? sha256(input.dedupeKey).slice(0, 22) : undefined;
  let duplicate = false;
  const result = await changeSignal(deps, signalId, async (s, at): Promise<Draft<undefined>> => {
    const handover = s.handovers?.find((h) => h.id === handoverId);
    if (!handover) return refuse('not-found');
    if (key && handover.feedback.some((f) => f.key === key)) {
      duplicate = true;
      return refuse('duplicate');
    }
    if (!HANDOVER_MOVES.feedback.includes(handover.state)) return refuse('withdrawn');
    const partner = deps.config.partners.find((p) => p.id === handover.partnerId);
    const n = handover.feedback.length + 1;
    const cipher = await sealText(deps, s.id, `feedback:${handover.id}:${n}`, parsed.data);
    const via = input.via === 'page' ? 'via de partnerpagina' : 'per e-mail';
    const updated: Handover = {
      ...handover,
      state: 'feedback_received',
      feedback: [
        ...handover.feedback,
        {
          n,
          at,
          by: `partner:${handover.partnerId}`,
          via: input.via,
          cipher,
          ...(key ? { key } : {}),
        },
      ],
      history: [
        ...handover.history,
        { at, actor: `partner:${handover.partnerId}`, type: 'feedback_received', detail: via },
      ],
    };
    const moved = move(s, 'feedback', {
      at,
      actor: `partner:${handover.partnerId}`,
      detail: `${partner?.name ?? handover.partnerId}, ${via}`,
    });
    if (!moved.ok) return moved;
    const notice = await deps.render('feedback-received', {
      municipality: deps.config.municipality.name,
      reference: s.reference,
      partnerName: partner?.name ?? handover.partnerId,
      link: `${deps.config.baseUrl}/inbox/${s.id}`,
    });
    const mails: OutgoingEmail[] = deps.config.officers.map((officer, i) => ({
      id: `${s.id}-${handover.id}-fb${n}-${i}`,
      to: [officer],
      ...notice,
      headers: AUTO_SUBMITTED,
    }));
    return {
      ok: true,
      value: undefined,
      mails,
      next: {
        ...moved.signal,
        handovers: (s.handovers ?? []).map((h) => (h.id === handover.id ? updated : h)),
      },
    };
  });
  if (!result.ok) {
    if (duplicate) {
      const s = await deps.store.get(signalId);
      return { ok: true, signalId, handoverId, reference: s?.reference ?? '', duplicate: true };
    }
    return { ok: false, reason: result.reason };
  }
  return { ok: true, signalId, handoverId, reference: result.signal.reference, duplicate: false };
}

/**
 * For the mail intake's `partnerReplies` hook: a reply addressed to
 * `mailbox+<partner token>@…` becomes feedback on that handover. Returns
 * undefined when no token is one of ours (the intake then goes on as usual).
 */
export function partnerReplyHook(deps: WorkflowDeps) {
  return async (reply: {
    message: { text?: string | undefined; messageId?: string | undefined };
    tokens: string[];
  }): Promise<{ signalId: string; handoverId: string } | undefined> => {
    for (const token of reply.tokens) {
      if (!readPartnerToken(deps.linkSigner, token).ok) continue;
      const text = (reply.message.text ?? '').trim() || '(lege e-mail)';
      const r = await recordPartnerFeedback(deps, {
        token,
        via: 'email',
        feedback: { text },
        ...(reply.message.messageId ? { dedupeKey: reply.message.messageId } : { dedupeKey: text }),
      });
      if (r.ok) return { signalId: r.signalId, handoverId: r.handoverId };
    }
    return undefined;
  };
}
