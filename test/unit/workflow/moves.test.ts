import { describe, expect, it } from 'vitest';
import type { Handover, SignalStatus } from '#core/signal.ts';
import { checkMove, earliestOpenDue, type Move } from '#core/workflow/moves.ts';

const handover = (state: Handover['state'], dueDate = '2026-03-16'): Handover => ({
  id: 'h1',
  partnerId: 'zorgcoordinator',
  state,
  sentAt: '2026-03-02T09:00:00Z',
  sentBy: 'af@montfoort.example',
  dueDate,
  tokenVersion: 1,
  tokenExpiresAt: '2026-04-01T09:00:00Z',
  textInEmail: false,
  textCipher: new Uint8Array(),
  feedback: [],
  history: [],
});

describe('the table of allowed moves', () => {
  it('walks the route: received → in progress → handed over → feedback → reporter informed → closed', () => {
    const path: [SignalStatus, Move, SignalStatus][] = [
      ['received', 'start', 'in_progress'],
      ['in_progress', 'hand_over', 'handed_over'],
      ['handed_over', 'feedback', 'feedback_received'],
      ['feedback_received', 'inform_reporter', 'reporter_informed'],
      ['reporter_informed', 'close', 'closed'],
      ['closed', 'reopen', 'in_progress'],
    ];
    for (const [from, move, to] of path) {
      expect(checkMove({ status: from }, move)).toEqual({ ok: true, to });
    }
  });

  it('lets a signal without follow-up be closed straight from in progress', () => {
    expect(checkMove({ status: 'in_progress' }, 'close')).toEqual({ ok: true, to: 'closed' });
  });

  it('refuses moves not in the table with a Dutch reason', () => {
    const r = checkMove({ status: 'closed' }, 'hand_over');
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('Heropen het signaal eerst') });
    expect(checkMove({ status: 'received' }, 'inform_reporter').ok).toBe(false);
    expect(checkMove({ status: 'in_progress' }, 'reopen').ok).toBe(false);
  });

  it('refuses to close while a handover still waits for feedback', () => {
    const r = checkMove({ status: 'handed_over', handovers: [handover('open')] }, 'close');
    expect(r.ok).toBe(false);
    expect(
      checkMove({ status: 'handed_over', handovers: [handover('no_response')] }, 'close').ok,
    ).toBe(true);
  });

  it('never refuses feedback (nothing is lost), and moves the signal only while it waits', () => {
    expect(checkMove({ status: 'closed' }, 'feedback')).toEqual({ ok: true, to: 'closed' });
    expect(checkMove({ status: 'reporter_informed' }, 'feedback')).toEqual({
      ok: true,
      to: 'reporter_informed',
    });
  });

  it('indexes the earliest due date among open handovers only', () => {
    expect(
      earliestOpenDue({
        handovers: [
          handover('open', '2026-03-20'),
          handover('feedback_received', '2026-03-10'),
          handover('open', '2026-03-18'),
        ],
      }),
    ).toBe('2026-03-18');
    expect(earliestOpenDue({ handovers: [handover('no_response')] })).toBeUndefined();
  });
});
