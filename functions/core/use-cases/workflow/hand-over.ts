import * as z from 'zod/mini';
import type { Partner } from '../../config.ts';
import { PAGE_INPUT } from '../../input.ts';
import { plusAddress } from '../../mail/addresses.ts';
import type { OutgoingEmail, RenderedEmail } from '../../ports.ts';
import { openJson } from '../../sealing.ts';
import {
  ContentPartSchema,
  type Disclosure,
  type Handover,
  ReporterPartSchema,
  type SignalRecord,
} from '../../signal.ts';
import { dutchDate } from '../../workflow/dutch-date.ts';
import { HANDOVER_MOVES } from '../../workflow/moves.ts';
import { issuePartnerToken } from '../../workflow/partner-link.ts';
import {
  draftHandoverText,
  type PartnerView,
  partnerView,
  reporterDetailsIn,
  withoutReporter,
} from '../../workflow/partner-view.ts';
import { choosePartners, type Suggestion, suggestPartners } from '../../workflow/routing.ts';
import { addWorkingDays, amsterdamDate } from '../../working-days.ts';
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
  startIfReceived,
  type WorkflowDeps,
} from './change.ts';
import { freshLink } from './manage-handover.ts';
import { noteDraft } from './officer-actions.ts';
import { HandoverTextSchema } from './partner-feedback.ts';

/**
 * Step 4: hand a signal over to chain partners. plan → (officer edits texts)
 * → preview → send. Each partner gets its own handover (state, due date,
 * link, history), a templated email and a disclosure-register entry, all in
 * one write with the status move.
 */

export const HandoverRequestSchema = z.object({
  selected: z._default(z.array(z.string()), []),
  overrideReason: z.optional(z.string().check(z.trim(), z.maxLength(1000))),
  texts: z.record(
    z.string(),
    z
      .string()
      .check(
        z.trim(),
        z.minLength(1, 'Schrijf voor elke ketenpartner wat die te zien krijgt.'),
        z.maxLength(20000, 'Een overdrachtstekst is hoogstens 20.000 tekens.'),
      ),
  ),
});
export type HandoverRequest = z.input<typeof HandoverRequestSchema>;

export type HandoverPlan = {
  signal: SignalRecord;
  suggestions: Suggestion[];
  /** Prefilled from the signal without any reporter field, reporter details scrubbed. */
  draft: string;
};

const PURPOSE = 'Overdracht voor opvolging en terugkoppeling (meldroute stap 4 en 5)';

async function open(deps: WorkflowDeps, s: SignalRecord) {
  const [content, reporter] = await Promise.all([
    openJson(deps.crypto, s.contentCipher, ctx(deps.config, s.id, 'content'), ContentPartSchema),
    // Only to keep the reporter OUT: the firewall checks texts against it.
    openJson(deps.crypto, s.reporterCipher, ctx(deps.config, s.id, 'reporter'), ReporterPartSchema),
  ]);
  return { content, reporter };
}

export async function planHandover(
  deps: WorkflowDeps,
  input: { signalId: string },
): Promise<HandoverPlan | undefined> {
  const s = await deps.store.get(input.signalId);
  if (!s) return undefined;
  const { content, reporter } = await open(deps, s);
  const suggestions = suggestPartners(deps.config, {
    classification: s.classification,
    content,
    tags: s.tags,
  });
  const draft = withoutReporter(
    draftHandoverText({ reference: s.reference, classification: s.classification, content }),
    reporter,
  );
  return { signal: s, suggestions, draft };
}

export type HandoverPreview = {
  partner: Partner;
  email: RenderedEmail;
  page: PartnerView;
};

type Checked = { ok: true; partners: Partner[]; texts: Map<string, string>; skipped: Partner[] };

async function check(
  deps: WorkflowDeps,
  s: SignalRecord,
  raw: HandoverRequest,
): Promise<Checked | Refused> {
  const parsed = HandoverRequestSchema.safeParse(raw, PAGE_INPUT);
  if (!parsed.success) return refuse(parsed.error.issues[0]?.message ?? 'Controleer de invoer.');
  const { content, reporter } = await open(deps, s);
  const suggestions = suggestPartners(deps.config, {
    classification: s.classification,
    content,
    tags: s.tags,
  });
  const choice = choosePartners(
    deps.config,
    suggestions,
    parsed.data.selected,
    parsed.data.overrideReason,
  );
  if (!choice.ok) return choice;
  const texts = new Map<string, string>();
  for (const p of choice.partners) {
    const text = parsed.data.texts[p.id];
    if (!text) return refuse(`Schrijf wat ${p.name} te zien krijgt.`);
    const leaks = reporterDetailsIn(text, reporter);
    if (leaks.length > 0) {
      return refuse(
        `De tekst voor ${p.name} bevat ${leaks.join(' en ')}. Haal dat weg: de melder blijft bij de aandachtsfunctionaris.`,
      );
    }
    texts.set(p.id, text);
  }
  return { ok: true, partners: choice.partners, texts, skipped: choice.skippedSuggestions };
}

function dueDateFor(deps: WorkflowDeps, partner: Partner, now: Date): string {
  return addWorkingDays(amsterdamDate(now), partner.feedbackWorkingDays, {
    liberationDayEveryYear: deps.config.workflow.liberationDayEveryYear,
  });
}

async function notification(
  deps: WorkflowDeps,
  s: Pick<SignalRecord, 'reference' | 'classification'>,
  partner: Partner,
  text: string,
  link: string,
  dueDate: string,
  expiresAt: Date,
): Promise<RenderedEmail> {
  return deps.render('partner-notification', {
    municipality: deps.config.municipality.name,
    reference: s.reference,
    partnerName: partner.name,
    acute: s.classification.urgency === 'acute',
    link,
    dueDate: dutchDate(dueDate),
    expiresOn: dutchDate(amsterdamDate(expiresAt)),
    textInEmail: partner.textInEmail,
    handoverText: partner.textInEmail ? text : '',
  });
}

/**
 * The handover mail to a partner for one version of its link, and the
 * register entry for what it discloses. A reply goes to a plus-address that
 * names the link, so the partner can also answer by email.
 */
async function handoverMail(
  deps: WorkflowDeps,
  s: Pick<SignalRecord, 'id' | 'reference' | 'classification'>,
  partner: Partner,
  h: { id: string; version: number; token: string; text: string; dueDate: string; expiresAt: Date },
  by: { at: string; actor: string },
): Promise<{ mail: OutgoingEmail; disclosure: Disclosure }> {
  const link = `${deps.config.baseUrl}/partner/${h.token}`;
  const rendered = await notification(deps, s, partner, h.text, link, h.dueDate, h.expiresAt);
  return {
    mail: {
      id: `${s.id}-${h.id}-v${h.version}`,
      to: [partner.email],
      ...rendered,
      replyTo: plusAddress(deps.config, h.token),
      headers: AUTO_SUBMITTED,
    },
    disclosure: {
      at: by.at,
      by: by.actor,
      partnerId: partner.id,
      handoverId: h.id,
      parts: ['reference', 'urgency', 'handover_text'],
      channel: partner.textInEmail ? 'email_and_link' : 'link',
      purpose: PURPOSE,
    },
  };
}

/** Exactly what each partner will receive, without storing or sending anything. */
export async function previewHandover(
  deps: WorkflowDeps,
  input: { signalId: string; request: HandoverRequest },
): Promise<{ ok: true; previews: HandoverPreview[] } | Refused | undefined> {
  const s = await deps.store.get(input.signalId);
  if (!s) return undefined;
  const checked = await check(deps, s, input.request);
  if (!checked.ok) return checked;
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.workflow.partnerLinkDays * 86_400_000);
  const previews: HandoverPreview[] = [];
  for (const partner of checked.partners) {
    const text = checked.texts.get(partner.id) ?? '';
    const dueDate = dueDateFor(deps, partner, now);
    const link = `${deps.config.baseUrl}/partner/voorbeeld`;
    previews.push({
      partner,
      email: await notification(deps, s, partner, text, link, dueDate, expiresAt),
      page: partnerView({
        municipality: deps.config.municipality.name,
        signal: { reference: s.reference, urgency: s.classification.urgency },
        partnerName: partner.name,
        handover: { sentAt: now.toISOString(), dueDate, feedbackCount: 0 },
        text,
      }),
    });
  }
  return { ok: true, previews };
}

export async function sendHandover(
  deps: WorkflowDeps,
  input: { signalId: string; actor: string; request: HandoverRequest },
): Promise<StepResult<string[]>> {
  return changeSignal(deps, input.signalId, async (s, at): Promise<Draft<string[]>> => {
    const checked = await check(deps, s, input.request);
    if (!checked.ok) return checked;
    const now = new Date(at);
    const expiresAt = new Date(now.getTime() + deps.config.workflow.partnerLinkDays * 86_400_000);
    const moved = move(startIfReceived(s, at, input.actor), 'hand_over', {
      at,
      actor: input.actor,
      detail: checked.partners.map((p) => p.name).join(', '),
    });
    if (!moved.ok) return moved;
    let next = moved.signal;
    let n = (s.handovers ?? []).reduce((max, h) => Math.max(max, Number(h.id.slice(1))), 0);
    const handovers: Handover[] = [...(s.handovers ?? [])];
    const disclosures: Disclosure[] = [...(s.disclosures ?? [])];
    const mails: OutgoingEmail[] = [];
    for (const partner of checked.partners) {
      const id = `h${++n}`;
      const text = checked.texts.get(partner.id) ?? '';
      const dueDate = dueDateFor(deps, partner, now);
      const token = issuePartnerToken(deps.linkSigner, {
        signalId: s.id,
        handoverId: id,
        version: 1,
        expiresAt,
      });
      handovers.push({
        id,
        partnerId: partner.id,
        state: 'open',
        sentAt: at,
        sentBy: input.actor,
        dueDate,
        tokenVersion: 1,
        tokenExpiresAt: expiresAt.toISOString(),
        textInEmail: partner.textInEmail,
        textCipher: await sealText(deps, s.id, `handover:${id}`, { text }),
        feedback: [],
        history: [
          {
            at,
            actor: input.actor,
            type: 'sent',
            detail: `terugkoppeling gevraagd vóór ${dueDate}`,
          },
        ],
      });
      const sent = await handoverMail(
        deps,
        s,
        partner,
        { id, version: 1, token, text, dueDate, expiresAt },
        { at, actor: input.actor },
      );
      disclosures.push(sent.disclosure);
      mails.push(sent.mail);
    }
    next = { ...next, handovers, disclosures };
    if (checked.skipped.length > 0 && input.request.overrideReason) {
      const names = checked.skipped.map((p) => p.name).join(', ');
      const noted = await noteDraft(
        deps,
        next,
        at,
        input.actor,
        `Voorgestelde partner niet gekozen (${names}): ${input.request.overrideReason}`,
      );
      if (!noted.ok) return noted;
      next = noted.next;
    }
    return {
      ok: true,
      next,
      mails,
      value: handovers.slice(-checked.partners.length).map((h) => h.id),
    };
  });
}

/**
 * A new link for a handover that still takes feedback, mailed to the partner
 * as the handover was first sent (with the text where the partner takes it by
 * email): for a link that expired, was revoked, or whose mail went missing —
 * the reminder tells the partner to ask the officer for one. Older links stop
 * working, the due date stays, and the register records the disclosure again.
 */
export async function resendPartnerLink(
  deps: WorkflowDeps,
  input: { signalId: string; handoverId: string; actor: string },
): Promise<StepResult> {
  return changeSignal(deps, input.signalId, async (s, at): Promise<Draft<undefined>> => {
    const h = s.handovers?.find((x) => x.id === input.handoverId);
    if (!h) return refuse('Deze overdracht bestaat niet.');
    if (!HANDOVER_MOVES.feedback.includes(h.state)) {
      return refuse(
        'Een ingetrokken overdracht krijgt geen nieuwe link. Zet het signaal zo nodig opnieuw door.',
      );
    }
    const partner = deps.config.partners.find((p) => p.id === h.partnerId);
    if (!partner) {
      return refuse(
        'Deze partner staat niet meer in de instellingen. Zet het signaal opnieuw door.',
      );
    }
    const fresh = freshLink(deps, s, h, at);
    const { text } = partner.textInEmail
      ? await openJson(
          deps.crypto,
          h.textCipher,
          ctx(deps.config, s.id, `handover:${h.id}`),
          HandoverTextSchema,
        )
      : { text: '' };
    const sent = await handoverMail(
      deps,
      s,
      partner,
      {
        id: h.id,
        version: fresh.handover.tokenVersion,
        token: fresh.token,
        text,
        dueDate: h.dueDate,
        expiresAt: new Date(fresh.handover.tokenExpiresAt),
      },
      { at, actor: input.actor },
    );
    const entry = { at, actor: input.actor, type: 'link_resent' };
    // A bounce or complaint was about an earlier mail (the history keeps it); this one gets its own.
    const { mailProblem: _earlier, ...linked } = fresh.handover;
    const handover = { ...linked, history: [...h.history, entry] };
    return {
      ok: true,
      value: undefined,
      next: {
        ...s,
        handovers: (s.handovers ?? []).map((x) => (x.id === h.id ? handover : x)),
        disclosures: [...(s.disclosures ?? []), sent.disclosure],
        events: [
          ...s.events,
          { at, actor: input.actor, type: 'link_resent', detail: partner.name },
        ],
      },
      mails: [sent.mail],
    };
  });
}
