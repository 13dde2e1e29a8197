import * as z from 'zod/mini';
import type { Config } from '../config.ts';
import type { Clock, Crypto, Logger, SignalStore } from '../ports.ts';
import type { Handover, MailProblemKind, SignalEvent, SignalRecord } from '../signal.ts';
import { changeSignal, type Draft } from './workflow/change.ts';

/**
 * Bounces and complaints on the mail we sent (issue 7). The SES adapter tags
 * each mail with its id; the ids say whose mail it was:
 *   <signalId>-h<n>-v<k>            partner notification (workflow/hand-over.ts)
 *   <signalId>-h<n>-c<k>-r<n>       partner reminder (reminders/run-reminders.ts)
 *   <signalId>-<anything else>      other mail of that signal (receipt, notices, …)
 *   digest-…, login-…, quarantine-… mail that belongs to no signal
 * A permanent bounce or a complaint on a partner mail flags that handover
 * (the officer sees it on the handover panel) and writes a history entry;
 * on another mail of a signal it writes a history entry on the signal. No
 * address and no diagnostic text is kept or logged: ids and kinds only.
 */

/** What the handler hands over after parsing the SES event. */
export const MailEventInput = z.object({
  kind: z.enum(['bounce', 'complaint']),
  /** The `mail` tag of the sent mail. */
  mailId: z.string().check(z.minLength(1), z.maxLength(256)),
});
export type MailEventInput = z.infer<typeof MailEventInput>;

export type MailEventDeps = {
  config: Config;
  store: SignalStore;
  /** Only for changeSignal's sealing of mails; this use case sends none. */
  crypto: Crypto;
  clock: Clock;
  logger?: Logger;
};

export type MailEventOutcome =
  | { recorded: 'handover'; signalId: string; handoverId: string }
  | { recorded: 'signal'; signalId: string }
  | { recorded: false; reason: 'duplicate' | 'no-signal' | 'not-found' };

/** The history types (labels in forms/pages/signal-detail.tsx). */
export const MAIL_EVENT_TYPES: Readonly<Record<MailProblemKind, string>> = {
  bounce: 'mail_bounced',
  complaint: 'mail_complaint',
};

const NO_SIGNAL = /^(digest|login|quarantine)-/;
const PARTNER_MAIL = /^(h\d+)-(?:v\d+|c\d+-r\d+)$/;
/** Signal ids: lower-case Crockford base32 (randomIds) or test ids; never with '-'. */
const OWNED = /^([a-z0-9]{6,40})-([\w-]+)$/i;

export type MailOwner =
  | { kind: 'handover'; signalId: string; handoverId: string }
  | { kind: 'signal'; signalId: string; suffix: string }
  | { kind: 'none' };

export function ownerOfMail(mailId: string): MailOwner {
  if (NO_SIGNAL.test(mailId)) return { kind: 'none' };
  const owned = OWNED.exec(mailId);
  if (!owned) return { kind: 'none' };
  const [, signalId, suffix] = owned as unknown as [string, string, string];
  const partner = PARTNER_MAIL.exec(suffix);
  if (partner) return { kind: 'handover', signalId, handoverId: partner[1] as string };
  return { kind: 'signal', signalId, suffix };
}

/** Which of the signal's mails it was, in the officer's words, from the id's suffix. */
function signalMailLabel(suffix: string): string {
  if (suffix === 'receipt') return 'ontvangstbevestiging aan de melder';
  if (suffix.startsWith('notice-')) return 'bericht aan de aandachtsfunctionaris';
  if (suffix.startsWith('reporter-feedback-')) return 'terugkoppeling aan de melder';
  if (suffix === 'unprocessable') return 'bericht aan de afzender';
  if (/^h\d+-c\d+-esc-/.test(suffix)) return 'waarschuwing aan de aandachtsfunctionaris';
  if (/^h\d+-fb\d+-/.test(suffix))
    return 'bericht over terugkoppeling aan de aandachtsfunctionaris';
  return 'e-mail';
}

export async function recordMailEvent(
  deps: MailEventDeps,
  raw: MailEventInput,
): Promise<MailEventOutcome> {
  const input = MailEventInput.parse(raw);
  const owner = ownerOfMail(input.mailId);
  if (owner.kind === 'none') return { recorded: false, reason: 'no-signal' };
  const type = MAIL_EVENT_TYPES[input.kind];
  const result = await changeSignal(
    deps,
    owner.signalId,
    async (s, at): Promise<Draft<boolean>> =>
      owner.kind === 'handover'
        ? onHandover(deps.config, s, at, owner.handoverId, input, type)
        : onSignal(s, at, `${signalMailLabel(owner.suffix)} (${owner.suffix})`, type),
  );
  if (!result.ok) {
    // An erased signal, or a handover id that is not (or no longer) there.
    return { recorded: false, reason: result.reason === 'duplicate' ? 'duplicate' : 'not-found' };
  }
  return owner.kind === 'handover'
    ? { recorded: 'handover', signalId: owner.signalId, handoverId: owner.handoverId }
    : { recorded: 'signal', signalId: owner.signalId };
}

function onHandover(
  config: Config,
  s: SignalRecord,
  at: string,
  handoverId: string,
  input: MailEventInput,
  type: string,
): Draft<boolean> {
  const handovers = s.handovers ?? [];
  const h = handovers.find((x) => x.id === handoverId);
  if (!h) return { ok: false, reason: 'not-found' };
  if (h.mailProblem?.mailId === input.mailId && h.mailProblem.kind === input.kind)
    return { ok: false, reason: 'duplicate' };
  const partnerName = config.partners.find((p) => p.id === h.partnerId)?.name ?? h.partnerId;
  const what = /-v\d+$/.test(input.mailId) ? 'overdrachtsbericht' : 'herinnering';
  const entry: SignalEvent = { at, actor: 'system', type, detail: what };
  const next: Handover = {
    ...h,
    mailProblem: { at, kind: input.kind, mailId: input.mailId },
    history: [...h.history, entry],
  };
  return {
    ok: true,
    value: true,
    next: {
      ...s,
      handovers: handovers.map((x) => (x.id === handoverId ? next : x)),
      events: [...s.events, { ...entry, detail: `${partnerName}, ${what}` }],
    },
  };
}

function onSignal(s: SignalRecord, at: string, detail: string, type: string): Draft<boolean> {
  if (s.events.some((e) => e.type === type && e.detail === detail))
    return { ok: false, reason: 'duplicate' };
  return {
    ok: true,
    value: true,
    next: { ...s, events: [...s.events, { at, actor: 'system', type, detail }] },
  };
}
