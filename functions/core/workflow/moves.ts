import type { HandoverState, SignalRecord, SignalStatus } from '../signal.ts';

/**
 * The officer's route as ONE table of allowed moves (appendix 4.2, steps 3–6).
 * A move not in the table is refused with a Dutch reason and changes nothing.
 */

export type Move = 'start' | 'hand_over' | 'feedback' | 'inform_reporter' | 'close' | 'reopen';

type MoveRule = {
  from: readonly SignalStatus[];
  /** undefined: the status stays as it is (e.g. late feedback on a closed signal). */
  to: SignalStatus | ((from: SignalStatus) => SignalStatus);
  label: string;
};

export const MOVES: Readonly<Record<Move, MoveRule>> = {
  start: { from: ['received'], to: 'in_progress', label: 'In behandeling genomen' },
  // More partners can be added at any time before closing; each runs on its own.
  hand_over: {
    from: ['received', 'in_progress', 'handed_over', 'feedback_received', 'reporter_informed'],
    to: 'handed_over',
    label: 'Doorgezet naar ketenpartner',
  },
  // Feedback is never refused (nothing is lost); it moves the signal only while waiting.
  feedback: {
    from: [
      'received',
      'in_progress',
      'handed_over',
      'feedback_received',
      'reporter_informed',
      'closed',
    ],
    to: (from) => (from === 'handed_over' ? 'feedback_received' : from),
    label: 'Terugkoppeling ontvangen',
  },
  // In progress too: a signal discussed in the overleg and not handed over still gets an answer.
  inform_reporter: {
    from: ['in_progress', 'handed_over', 'feedback_received', 'reporter_informed'],
    to: 'reporter_informed',
    label: 'Melder geïnformeerd',
  },
  close: {
    from: ['received', 'in_progress', 'handed_over', 'feedback_received', 'reporter_informed'],
    to: 'closed',
    label: 'Signaal afgesloten',
  },
  reopen: { from: ['closed'], to: 'in_progress', label: 'Signaal heropend' },
};

export type MoveResult = { ok: true; to: SignalStatus } | { ok: false; reason: string };

const STATUS_WORDS: Record<SignalStatus, string> = {
  received: 'net ontvangen',
  in_progress: 'in behandeling',
  handed_over: 'doorgezet',
  feedback_received: 'terugkoppeling ontvangen',
  reporter_informed: 'melder geïnformeerd',
  closed: 'afgesloten',
};

/** Whether `move` is allowed now; guards that need more than the status live here too. */
export function checkMove(
  signal: Pick<SignalRecord, 'status' | 'handovers'>,
  move: Move,
): MoveResult {
  const rule = MOVES[move];
  if (!rule.from.includes(signal.status)) {
    return {
      ok: false,
      reason:
        `Dit kan niet: het signaal is ${STATUS_WORDS[signal.status]}. ${hint(signal.status, move)}`.trim(),
    };
  }
  if (move === 'close' && openHandovers(signal).length > 0) {
    return {
      ok: false,
      reason:
        'Er staan nog overdrachten open. Wacht op de terugkoppeling, of sluit die overdrachten eerst af als ‘geen reactie’.',
    };
  }
  const to = typeof rule.to === 'function' ? rule.to(signal.status) : rule.to;
  return { ok: true, to };
}

function hint(status: SignalStatus, move: Move): string {
  if (status === 'closed') return 'Heropen het signaal eerst.';
  if (move === 'inform_reporter' && status === 'received')
    return 'Neem het signaal eerst in behandeling.';
  if (move === 'reopen') return 'Alleen een afgesloten signaal kan worden heropend.';
  return '';
}

/** Handover states: feedback is accepted late, a withdrawn handover is final. */
export const HANDOVER_MOVES: Readonly<
  Record<'feedback' | 'no_response' | 'withdraw', readonly HandoverState[]>
> = {
  feedback: ['open', 'feedback_received', 'no_response'],
  no_response: ['open'],
  withdraw: ['open'],
};

export function openHandovers(signal: Pick<SignalRecord, 'handovers'>) {
  return (signal.handovers ?? []).filter((h) => h.state === 'open');
}

/** The earliest due date among open handovers: what the reminder index sorts on. */
export function earliestOpenDue(signal: Pick<SignalRecord, 'handovers'>): string | undefined {
  return openHandovers(signal)
    .map((h) => h.dueDate)
    .sort()[0];
}
