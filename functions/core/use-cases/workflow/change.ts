import type { Config } from '../../config.ts';
import { ConflictError } from '../../errors.ts';
import type {
  BlindIndex,
  BlindIndexStore,
  Clock,
  Crypto,
  EmailRenderer,
  LinkSigner,
  OutgoingEmail,
  SignalStore,
} from '../../ports.ts';
import { sealJson, sealMail } from '../../sealing.ts';
import type { SignalEvent, SignalRecord } from '../../signal.ts';
import { checkMove, type Move } from '../../workflow/moves.ts';

/** What every step of the officer's route needs; the web app's AppDeps has all of it. */
export type WorkflowDeps = {
  config: Config;
  store: SignalStore;
  crypto: Crypto;
  clock: Clock;
  render: EmailRenderer;
  linkSigner: LinkSigner;
  blindIndex?: BlindIndex;
  blindIndexStore?: BlindIndexStore;
};

/** Expected refusals are values (an illegal move, bad input), never exceptions. */
export type Refused = { ok: false; reason: string };
export type Done<T = undefined> = { ok: true; signal: SignalRecord; value: T };
export type StepResult<T = undefined> = Done<T> | Refused | { ok: false; reason: 'not-found' };

export type Draft<T> =
  | Refused
  | { ok: true; next: SignalRecord; mails?: OutgoingEmail[]; value: T };

export const refuse = (reason: string): Refused => ({ ok: false, reason });

/**
 * Read, change, write with a version check; when someone else wrote first the
 * change is worked out again on the fresh signal (a few times, then a
 * ConflictError). The mails are sealed into the same write, so the change and
 * its emails succeed or fail together.
 */
export async function changeSignal<T>(
  deps: Pick<WorkflowDeps, 'config' | 'store' | 'crypto' | 'clock'>,
  signalId: string,
  work: (current: SignalRecord, at: string) => Promise<Draft<T>>,
): Promise<StepResult<T>> {
  const municipality = deps.config.municipality.code;
  for (let attempt = 0; attempt < 4; attempt++) {
    const current = await deps.store.get(signalId);
    if (!current) return { ok: false, reason: 'not-found' };
    const at = deps.clock.now().toISOString();
    const draft = await work(current, at);
    if (!draft.ok) return draft;
    const next: SignalRecord = { ...draft.next, version: current.version + 1, updatedAt: at };
    const sealed = await Promise.all(
      (draft.mails ?? []).map((m) => sealMail(deps.crypto, municipality, signalId, m)),
    );
    if (await deps.store.update(next, current.version, sealed)) {
      return { ok: true, signal: next, value: draft.value };
    }
  }
  throw new ConflictError('signal kept changing under a workflow step');
}

/** The history entry each move writes (labels in forms/pages/signal-detail.tsx). */
export const MOVE_EVENTS: Readonly<Record<Move, string>> = {
  start: 'status_changed',
  hand_over: 'handed_over',
  feedback: 'feedback_received',
  inform_reporter: 'reporter_informed',
  close: 'closed',
  reopen: 'reopened',
};

/** Applies a move from the table, or says why not; the move is one history entry. */
export function move(
  signal: SignalRecord,
  m: Move,
  event: { at: string; actor: string; detail?: string },
): { ok: true; signal: SignalRecord } | Refused {
  const check = checkMove(signal, m);
  if (!check.ok) return check;
  const entry: SignalEvent = { at: event.at, actor: event.actor, type: MOVE_EVENTS[m] };
  if (event.detail) entry.detail = event.detail;
  return { ok: true, signal: { ...signal, status: check.to, events: [...signal.events, entry] } };
}

/** Any officer action on a fresh signal means it is being worked on. */
export function startIfReceived(signal: SignalRecord, at: string, actor: string): SignalRecord {
  if (signal.status !== 'received') return signal;
  const r = move(signal, 'start', { at, actor, detail: 'In behandeling genomen' });
  return r.ok ? r.signal : signal;
}

export const ctx = (config: Config, signalId: string, part: string) => ({
  municipality: config.municipality.code,
  signalId,
  part,
});

export function sealText(
  deps: Pick<WorkflowDeps, 'crypto' | 'config'>,
  signalId: string,
  part: string,
  value: unknown,
) {
  return sealJson(deps.crypto, value, ctx(deps.config, signalId, part));
}

/** RFC 3834: our mails are automatic. */
export const AUTO_SUBMITTED = { 'Auto-Submitted': 'auto-generated' };
