import type { Partner } from '../config.ts';
import type { Handover } from '../signal.ts';
import {
  addWorkingDays,
  isWorkingDay,
  type WorkingDayOptions,
  workingDaysBetween,
} from '../working-days.ts';

/**
 * When a handover is chased (issue 5, step 5 of the route). The first
 * reminder goes out on the due date (or the next working day when that is a
 * weekend or holiday), the next ones every N working days after the last one
 * sent, and after M reminders the next step is the escalation to the officers
 * instead. Nothing is ever due on a day that is not a working day.
 */

export type ChaseSettings = Pick<Partner, 'reminderEveryWorkingDays' | 'remindersBeforeEscalation'>;

export type ReminderStep = { kind: 'reminder'; n: number } | { kind: 'escalation'; n: number };

/** Whether the chase of this handover is running at all (open, not paused, not escalated). */
export function isChased(h: Handover): boolean {
  return h.state === 'open' && !h.paused && !h.overdueSince;
}

/** The date the next step falls due, or undefined when the handover is not chased. */
export function nextStepOn(
  h: Handover,
  settings: ChaseSettings,
  options: WorkingDayOptions,
): string | undefined {
  if (!isChased(h)) return undefined;
  const last = h.reminders?.at(-1);
  return last
    ? addWorkingDays(last.on, settings.reminderEveryWorkingDays, options)
    : addWorkingDays(h.dueDate, 0, options);
}

/**
 * What is due for this handover today (an Amsterdam date), if anything. A
 * record for today means it already happened: a second run sends nothing.
 */
export function stepDue(
  h: Handover,
  settings: ChaseSettings,
  today: string,
  options: WorkingDayOptions,
): ReminderStep | undefined {
  if (!isWorkingDay(today, options)) return undefined;
  const on = nextStepOn(h, settings, options);
  if (!on || today < on) return undefined;
  if (h.reminders?.some((r) => r.on === today)) return undefined;
  const n = (h.reminders?.length ?? 0) + 1;
  return n > settings.remindersBeforeEscalation
    ? { kind: 'escalation', n }
    : { kind: 'reminder', n };
}

/** Working days the handover has been waiting since it was sent (sentDate exclusive). */
export function waitingWorkingDays(
  sentDate: string,
  today: string,
  options: WorkingDayOptions,
): number {
  return workingDaysBetween(sentDate, today, options);
}

/** History entries after which a handover has a working link again: by the reminder job, or the officer. */
const LINK_ISSUED = new Set(['link_renewed', 'link_resent']);

/** Revoked by the officer (and not renewed since): a reminder must not hand out a new link. */
export function linkRevoked(h: Handover): boolean {
  const last = h.history.findLast((e) => e.type === 'link_revoked' || LINK_ISSUED.has(e.type));
  return last?.type === 'link_revoked';
}
