import { escalationRecipients, type Partner } from '../../config.ts';
import { plusAddress } from '../../mail/addresses.ts';
import type { Clock, OutgoingEmail, WorkLists } from '../../ports.ts';
import type { Handover, SignalEvent, SignalRecord } from '../../signal.ts';
import { dutchDate } from '../../workflow/dutch-date.ts';
import { issuePartnerToken } from '../../workflow/partner-link.ts';
import {
  linkRevoked,
  type ReminderStep,
  stepDue,
  waitingWorkingDays,
} from '../../workflow/reminder-rules.ts';
import { amsterdamDate, isWorkingDay } from '../../working-days.ts';
import { AUTO_SUBMITTED, changeSignal, type Draft, type WorkflowDeps } from '../workflow/change.ts';
import { freshLink } from '../workflow/manage-handover.ts';

/**
 * The reminder job (issue 5). Input: the moment it runs and whether to write.
 * Output: what was (or would be) sent, by reference and partner id.
 *
 * 1. Read only the signals whose earliest open handover is due by today
 *    (the sparse `due` index), page by page: never the whole table.
 * 2. For each, in ONE version-checked write (changeSignal re-reads the item
 *    first, and again after a conflict): work out per handover what is due
 *    today on the fresh item — feedback, a pause or a closed signal that came
 *    in after the query stops it — and write the reminder record, the
 *    history entries and the emails together. A second or concurrent run
 *    finds the record (or loses the version check, re-reads and finds it)
 *    and sends nothing; a crash after the write leaves the mails in the
 *    outbox, which sends each once.
 * Nothing happens on weekends and Dutch public holidays.
 */

export type ReminderDeps = Pick<
  WorkflowDeps,
  'config' | 'store' | 'crypto' | 'clock' | 'render' | 'linkSigner'
> & { workLists: Pick<WorkLists, 'dueBy'> };

export type ReminderAction = {
  signalId: string;
  reference: string;
  handoverId: string;
  partnerId: string;
  kind: ReminderStep['kind'];
  n: number;
  waitingDays: number;
  /** A reminder whose old link had expired carries a new one. */
  newLink: boolean;
};

export type ReminderRun = {
  today: string;
  workingDay: boolean;
  dryRun: boolean;
  /** Signals read through the due index. */
  checked: number;
  actions: ReminderAction[];
  failed: { signalId: string; error: string }[];
};

const PAGE = 50;
/** A link that stops working this soon is renewed in a reminder, so the partner can still use it. */
const RENEW_WITHIN_MS = 3 * 86_400_000;

export async function runReminders(
  deps: ReminderDeps,
  input: { now?: Date; dryRun?: boolean } = {},
): Promise<ReminderRun> {
  const clock: Clock = input.now ? fixed(input.now) : deps.clock;
  const d = { ...deps, clock };
  const now = clock.now();
  const today = amsterdamDate(now);
  const options = { liberationDayEveryYear: deps.config.workflow.liberationDayEveryYear };
  const run: ReminderRun = {
    today,
    workingDay: isWorkingDay(today, options),
    dryRun: Boolean(input.dryRun),
    checked: 0,
    actions: [],
    failed: [],
  };
  if (!run.workingDay) return run;
  let cursor: string | undefined;
  do {
    const page = await deps.workLists.dueBy(today, PAGE, cursor);
    cursor = page.cursor;
    for (const item of page.items) {
      run.checked++;
      try {
        run.actions.push(...(await remindSignal(d, item.signalId, today, run.dryRun)));
      } catch (err) {
        run.failed.push({ signalId: item.signalId, error: (err as Error).name });
      }
    }
  } while (cursor);
  return run;
}

async function remindSignal(
  deps: ReminderDeps,
  signalId: string,
  today: string,
  dryRun: boolean,
): Promise<ReminderAction[]> {
  if (dryRun) {
    const s = await deps.store.get(signalId);
    if (!s) return [];
    const draft = await plan(deps, s, today, deps.clock.now().toISOString());
    return draft.ok ? draft.value : [];
  }
  const r = await changeSignal(deps, signalId, (s, at) => plan(deps, s, today, at));
  return r.ok ? r.value : [];
}

/** Everything due today on this (fresh) signal, as one draft; refused when nothing is due. */
async function plan(
  deps: ReminderDeps,
  s: SignalRecord,
  today: string,
  at: string,
): Promise<Draft<ReminderAction[]>> {
  const nothing = { ok: false as const, reason: 'nothing-due' };
  if (s.status === 'closed') return nothing;
  const options = { liberationDayEveryYear: deps.config.workflow.liberationDayEveryYear };
  const actions: ReminderAction[] = [];
  const mails: OutgoingEmail[] = [];
  const events: SignalEvent[] = [];
  const handovers: Handover[] = [];
  for (const h of s.handovers ?? []) {
    const partner = deps.config.partners.find((p) => p.id === h.partnerId);
    const step = partner ? stepDue(h, partner, today, options) : undefined;
    if (!partner || !step) {
      handovers.push(h);
      continue;
    }
    const waitingDays = waitingWorkingDays(amsterdamDate(new Date(h.sentAt)), today, options);
    const chase = h.chase ?? 0;
    const record = { n: step.n, on: today, at };
    let next: Handover = { ...h, reminders: [...(h.reminders ?? []), record] };
    let newLink = false;
    if (step.kind === 'reminder') {
      const link = linkFor(deps, s, next, at);
      next = link.handover;
      newLink = link.renewed;
      const mail = await deps.render('partner-reminder', {
        municipality: deps.config.municipality.name,
        reference: s.reference,
        partnerName: partner.name,
        waitingDays,
        dueDate: dutchDate(h.dueDate),
        hasLink: Boolean(link.url),
        link: link.url ?? deps.config.baseUrl,
        expiresOn: dutchDate(amsterdamDate(new Date(next.tokenExpiresAt))),
      });
      mails.push({
        id: `${s.id}-${h.id}-c${chase}-r${step.n}`,
        to: [partner.email],
        ...mail,
        ...(link.token ? { replyTo: plusAddress(deps.config, link.token) } : {}),
        headers: AUTO_SUBMITTED,
      });
      const entry = { at, actor: 'system', type: 'reminder_sent', detail: `herinnering ${step.n}` };
      next.history = [...next.history, entry];
      events.push({ ...entry, detail: `${partner.name}, herinnering ${step.n}` });
    } else {
      next = { ...next, overdueSince: at };
      mails.push(...(await escalation(deps, s, h, partner, waitingDays, step.n - 1)));
      const entry = { at, actor: 'system', type: 'handover_overdue' };
      next.history = [...next.history, entry];
      events.push({ ...entry, detail: partner.name });
    }
    handovers.push(next);
    actions.push({
      signalId: s.id,
      reference: s.reference,
      handoverId: h.id,
      partnerId: h.partnerId,
      kind: step.kind,
      n: step.n,
      waitingDays,
      newLink,
    });
  }
  if (actions.length === 0) return nothing;
  return {
    ok: true,
    value: actions,
    mails,
    next: { ...s, handovers, events: [...s.events, ...events] },
  };
}

/**
 * The partner's link for a reminder: the same one while it works (tokens are
 * deterministic), a fresh one when it expired or is about to, none when the
 * officer revoked it (replying to the email still works: a reply needs only
 * an authentic token).
 */
function linkFor(
  deps: ReminderDeps,
  s: SignalRecord,
  h: Handover,
  at: string,
): { handover: Handover; url?: string; token?: string; renewed: boolean } {
  const current = () =>
    issuePartnerToken(deps.linkSigner, {
      signalId: s.id,
      handoverId: h.id,
      version: h.tokenVersion,
      expiresAt: new Date(h.tokenExpiresAt),
    });
  if (linkRevoked(h)) return { handover: h, token: current(), renewed: false };
  if (Date.parse(h.tokenExpiresAt) - Date.parse(at) > RENEW_WITHIN_MS) {
    const token = current();
    return { handover: h, token, url: `${deps.config.baseUrl}/partner/${token}`, renewed: false };
  }
  const fresh = freshLink(deps, s, h, at);
  const entry = { at, actor: 'system', type: 'link_renewed' };
  return {
    handover: { ...fresh.handover, history: [...fresh.handover.history, entry] },
    token: fresh.token,
    url: fresh.link,
    renewed: true,
  };
}

async function escalation(
  deps: ReminderDeps,
  s: SignalRecord,
  h: Handover,
  partner: Partner,
  waitingDays: number,
  reminders: number,
): Promise<OutgoingEmail[]> {
  const mail = await deps.render('reminder-escalation', {
    municipality: deps.config.municipality.name,
    reference: s.reference,
    partnerName: partner.name,
    waitingDays,
    reminders,
    link: `${deps.config.baseUrl}/inbox/${s.id}`,
  });
  return escalationRecipients(deps.config).map((to, i) => ({
    id: `${s.id}-${h.id}-c${h.chase ?? 0}-esc-${i}`,
    to: [to],
    ...mail,
    headers: AUTO_SUBMITTED,
  }));
}

function fixed(at: Date): Clock {
  return { now: () => new Date(at) };
}
