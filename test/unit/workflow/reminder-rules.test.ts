import { describe, expect, it } from 'vitest';
import type { Handover } from '#core/signal.ts';
import { linkRevoked, nextStepOn, stepDue } from '#core/workflow/reminder-rules.ts';
import { renderEmail } from '#templates/render.ts';

const opts = { liberationDayEveryYear: true };
const settings = { reminderEveryWorkingDays: 5, remindersBeforeEscalation: 2 };
const handover = (over: Partial<Handover> = {}): Handover => ({
  id: 'h1',
  partnerId: 'nla',
  state: 'open',
  sentAt: '2026-04-13T08:00:00Z',
  sentBy: 'af@montfoort.example',
  dueDate: '2026-04-27',
  tokenVersion: 1,
  tokenExpiresAt: '2026-05-13T08:00:00Z',
  textInEmail: false,
  textCipher: new Uint8Array(),
  feedback: [],
  history: [],
  ...over,
});

describe('reminder rules', () => {
  it('moves a due date on Koningsdag to the next working day', () => {
    expect(nextStepOn(handover(), settings, opts)).toBe('2026-04-28');
    expect(stepDue(handover(), settings, '2026-04-27', opts)).toBeUndefined();
    expect(stepDue(handover(), settings, '2026-04-28', opts)).toEqual({ kind: 'reminder', n: 1 });
  });

  it('counts N working days from the last reminder (Bevrijdingsdag off), then escalates after M', () => {
    const one = handover({ reminders: [{ n: 1, on: '2026-04-28', at: 'x' }] });
    expect(nextStepOn(one, settings, opts)).toBe('2026-05-06');
    const two = handover({
      reminders: [
        { n: 1, on: '2026-04-28', at: 'x' },
        { n: 2, on: '2026-05-06', at: 'x' },
      ],
    });
    expect(stepDue(two, settings, '2026-05-13', opts)).toEqual({ kind: 'escalation', n: 3 });
    expect(stepDue(two, { ...settings, remindersBeforeEscalation: 3 }, '2026-05-13', opts)).toEqual(
      { kind: 'reminder', n: 3 },
    );
  });

  it('never chases a paused, escalated or answered handover, nor twice on one day', () => {
    const today = '2026-04-28';
    expect(
      stepDue(handover({ paused: { at: 'x', by: 'y' } }), settings, today, opts),
    ).toBeUndefined();
    expect(stepDue(handover({ overdueSince: 'x' }), settings, today, opts)).toBeUndefined();
    expect(
      stepDue(handover({ state: 'feedback_received' }), settings, today, opts),
    ).toBeUndefined();
    const done = handover({ reminders: [{ n: 1, on: today, at: 'x' }] });
    expect(
      stepDue(done, { ...settings, reminderEveryWorkingDays: 1 }, today, opts),
    ).toBeUndefined();
  });

  it('knows a revoked link stays revoked until renewed', () => {
    const revoked = handover({ history: [{ at: 'x', actor: 'af', type: 'link_revoked' }] });
    expect(linkRevoked(revoked)).toBe(true);
    expect(
      linkRevoked({
        ...revoked,
        history: [...revoked.history, { at: 'y', actor: 'system', type: 'link_renewed' }],
      }),
    ).toBe(false);
  });

  it('writes a reminder without a link when the link was revoked', () => {
    const mail = renderEmail('partner-reminder', {
      municipality: 'Gemeente Montfoort',
      reference: 'MH-2026-0009',
      partnerName: 'NLA',
      waitingDays: 11,
      dueDate: 'dinsdag 28 april 2026',
      hasLink: false,
      link: 'https://meldroute.example',
      expiresOn: 'woensdag 13 mei 2026',
    });
    expect(mail.text).toContain('Uw link is ingetrokken');
    expect(mail.text).not.toContain('https://meldroute.example');
    expect(mail.html).not.toContain('href="https://meldroute.example');
  });
});
