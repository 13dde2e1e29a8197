import { escalationRecipients } from '../../config.ts';
import { sha256 } from '../../hashing.ts';
import type {
  Clock,
  Crypto,
  DigestStore,
  EmailRenderer,
  OutgoingEmail,
  SignalStore,
  WorkLists,
} from '../../ports.ts';
import { sealMail } from '../../sealing.ts';
import type { SignalStatus } from '../../signal.ts';
import { dutchDate } from '../../workflow/dutch-date.ts';
import { addDays, amsterdamDate, isWorkingDay } from '../../working-days.ts';
import type { WorkflowDeps } from '../workflow/change.ts';

/**
 * The officers' daily digest (issue 5). Input: the moment it runs. Output:
 * the counts, and how many officers got it. References and counts only,
 * never content. On working days only; one item per day carries the day's
 * mails (conditional create), so a second run the same day sends nothing.
 *
 * Reads only what it lists: new signals from the received-date index
 * (newest first, stopping at the first older one), open signals per status
 * from the status index (closed ones are never read), and the signals with
 * open handovers through the due index.
 */

export type DigestDeps = Pick<WorkflowDeps, 'config'> & {
  store: Pick<SignalStore, 'list' | 'get'>;
  workLists: Pick<WorkLists, 'dueBy'>;
  digests: DigestStore;
  crypto: Crypto;
  clock: Clock;
  render: EmailRenderer;
};

export type DigestFigures = {
  since: string;
  newSignals: string[];
  waiting: string[];
  overdue: string[];
  openLong: string[];
};

export type DigestRun = {
  today: string;
  workingDay: boolean;
  dryRun: boolean;
  figures?: DigestFigures;
  /** Officers who get it today (those who turned it off are left out). */
  recipients: number;
  /** false when today's digest had already been recorded. */
  recorded: boolean;
};

const OPEN: SignalStatus[] = [
  'received',
  'in_progress',
  'handed_over',
  'feedback_received',
  'reporter_informed',
];
const PAGE = 100;
/** A long list in a mail helps nobody; the counts stay exact. */
const MAX_LISTED = 40;

export const officerKey = (email: string) => sha256(`officer\u0000${email.trim().toLowerCase()}`);

export async function runDigest(
  deps: DigestDeps,
  input: { now?: Date; dryRun?: boolean } = {},
): Promise<DigestRun> {
  const now = input.now ?? deps.clock.now();
  const today = amsterdamDate(now);
  const options = { liberationDayEveryYear: deps.config.workflow.liberationDayEveryYear };
  const run: DigestRun = {
    today,
    workingDay: isWorkingDay(today, options),
    dryRun: Boolean(input.dryRun),
    recipients: 0,
    recorded: false,
  };
  if (!run.workingDay) return run;
  const figures = await gather(deps, now, today, options);
  run.figures = figures;
  const officers: string[] = [];
  for (const o of escalationRecipients(deps.config)) {
    if (await deps.digests.isEnabled(officerKey(o))) officers.push(o);
  }
  run.recipients = officers.length;
  if (officers.length === 0 || run.dryRun) return run;
  const list = (all: string[]) => {
    const refs = [...new Set(all)];
    if (refs.length === 0) return 'geen';
    const more = refs.length > MAX_LISTED ? ` en ${refs.length - MAX_LISTED} meer` : '';
    return refs.slice(0, MAX_LISTED).join(', ') + more;
  };
  const mail = await deps.render('officer-digest', {
    municipality: deps.config.municipality.name,
    date: dutchDate(today),
    newCount: figures.newSignals.length,
    newList: list(figures.newSignals),
    waitingCount: figures.waiting.length,
    waitingList: list(figures.waiting),
    overdueCount: figures.overdue.length,
    overdueList: list(figures.overdue),
    openLongCount: figures.openLong.length,
    openLongList: list(figures.openLong),
    openLongerThanDays: deps.config.reminders.digestOpenLongerThanDays,
    link: `${deps.config.baseUrl}/inbox`,
  });
  const mails: OutgoingEmail[] = officers.map((to, i) => ({
    id: `digest-${today}-${i}`,
    to: [to],
    ...mail,
    headers: { 'Auto-Submitted': 'auto-generated' },
  }));
  const municipality = deps.config.municipality.code;
  const sealed = await Promise.all(mails.map((m) => sealMail(deps.crypto, municipality, today, m)));
  run.recorded = await deps.digests.record(today, sealed, now.toISOString());
  return run;
}

async function gather(
  deps: DigestDeps,
  now: Date,
  today: string,
  options: { liberationDayEveryYear: boolean },
): Promise<DigestFigures> {
  // Since the same time on the previous working day: daily runs cover each moment once.
  let previous = addDays(today, -1);
  while (!isWorkingDay(previous, options)) previous = addDays(previous, -1);
  const days = Math.round((Date.parse(today) - Date.parse(previous)) / 86_400_000);
  const since = new Date(now.getTime() - days * 86_400_000).toISOString();
  const cutoff = new Date(
    now.getTime() - deps.config.reminders.digestOpenLongerThanDays * 86_400_000,
  ).toISOString();

  const newSignals: string[] = [];
  let cursor: string | undefined;
  newest: do {
    const page = await deps.store.list({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const s of page.items) {
      if (s.receivedAt < since) break newest;
      if (s.receivedAt <= now.toISOString()) newSignals.push(s.reference);
    }
    cursor = page.cursor;
  } while (cursor);

  const openLong: { reference: string; receivedAt: string }[] = [];
  for (const status of OPEN) {
    let c: string | undefined;
    do {
      const page = await deps.store.list({ status, limit: PAGE, ...(c ? { cursor: c } : {}) });
      for (const s of page.items) if (s.receivedAt < cutoff) openLong.push(s);
      c = page.cursor;
    } while (c);
  }
  openLong.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));

  const waiting: string[] = [];
  const overdue: string[] = [];
  let d: string | undefined;
  do {
    const page = await deps.workLists.dueBy('9999-12-31', PAGE, d);
    for (const item of page.items) {
      const s = await deps.store.get(item.signalId);
      const open = (s?.handovers ?? []).filter((h) => h.state === 'open');
      if (!s || open.length === 0) continue;
      for (const h of open) (h.overdueSince ? overdue : waiting).push(s.reference);
    }
    d = page.cursor;
  } while (d);

  return {
    since,
    newSignals: newSignals.reverse(),
    // One entry per handover (the counts), the same reference can appear twice.
    waiting: waiting.sort(),
    overdue: overdue.sort(),
    openLong: openLong.map((s) => s.reference),
  };
}

/** The officer's own choice, from the inbox page. */
export async function setDigestPreference(
  deps: { digests: DigestStore; clock: Clock },
  input: { officer: string; enabled: boolean },
): Promise<void> {
  await deps.digests.setEnabled(
    officerKey(input.officer),
    input.enabled,
    deps.clock.now().toISOString(),
  );
}

export async function digestEnabled(
  deps: { digests: DigestStore },
  officer: string,
): Promise<boolean> {
  return deps.digests.isEnabled(officerKey(officer));
}
