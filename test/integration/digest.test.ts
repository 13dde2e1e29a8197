import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestEnabled, runDigest, setDigestPreference } from '#core/use-cases/reminders/digest.ts';
import { runReminders } from '#core/use-cases/reminders/run-reminders.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import { testTable } from '../support/dynamo.ts';
import { amsterdam, OFFICER, reminderWorld } from '../support/reminders.ts';
import { markedSubmission } from '../support/submission.ts';

describe("the officers' daily digest against dynalite", () => {
  let t: Awaited<ReturnType<typeof testTable>>;
  let w: ReturnType<typeof reminderWorld>;
  const refs: Record<string, string> = {};

  beforeAll(async () => {
    t = await testTable('meldroute-digest');
    w = reminderWorld(t);
    // A: handed over 2 February, chased twice, escalated 2 March: overdue and open > 30 days.
    w.clock.set(amsterdam('2026-02-02', '10:00').toISOString());
    refs.A = (await w.handedOver([], 'DIGA')).reference;
    for (const d of ['2026-02-16', '2026-02-23', '2026-03-02'])
      await runReminders(w.deps, { now: amsterdam(d) });
    // B: received and handed over Friday 13 March: new, and waiting for feedback.
    w.clock.set(amsterdam('2026-03-13', '10:00').toISOString());
    refs.B = (await w.handedOver([], 'DIGB')).reference;
    // C: received Monday 16 March 07:00, not handed over yet.
    w.clock.set(amsterdam('2026-03-16', '07:00').toISOString());
    const c = await submitSignal(w.deps, {
      submission: markedSubmission('DIGC'),
      channel: 'form',
      idempotencyKey: 'digc',
    });
    refs.C = c.reference;
    await w.sweep();
    w.sent.length = 0;
  }, 60_000);
  afterAll(() => t.close());

  it('lists new, waiting, overdue and long-open signals by reference, with no content', async () => {
    const r = await runDigest(w.deps, { now: amsterdam('2026-03-16') });
    expect(r.figures).toMatchObject({
      newSignals: [refs.B, refs.C],
      waiting: [refs.B],
      overdue: [refs.A],
      openLong: [refs.A],
    });
    expect(r).toMatchObject({ recipients: 1, recorded: true });
    await w.sweep();
    expect(w.sent).toHaveLength(1);
    const mail = w.sent[0];
    expect(mail?.to).toEqual([OFFICER]);
    for (const ref of Object.values(refs)) expect(mail?.text).toContain(ref);
    for (const marker of ['DIGA', 'DIGB', 'DIGC', 'Overdrachtstekst', 'Melder'])
      expect(mail?.text).not.toContain(marker);
  });

  it('sends nothing on a second run the same day, on a holiday or at the weekend', async () => {
    expect(await runDigest(w.deps, { now: amsterdam('2026-03-16', '09:00') })).toMatchObject({
      recorded: false,
    });
    expect((await runDigest(w.deps, { now: amsterdam('2026-04-06') })).workingDay).toBe(false);
    expect((await runDigest(w.deps, { now: amsterdam('2026-03-21') })).workingDay).toBe(false);
    w.sent.length = 0;
    await w.sweep();
    expect(w.sent).toEqual([]);
  });

  it('skips an officer who turned it off, until turned on again', async () => {
    await setDigestPreference(w.deps, { officer: OFFICER, enabled: false });
    expect(await digestEnabled(w.deps, OFFICER)).toBe(false);
    expect(await runDigest(w.deps, { now: amsterdam('2026-03-17') })).toMatchObject({
      recipients: 0,
      recorded: false,
    });
    await setDigestPreference(w.deps, { officer: OFFICER, enabled: true });
    expect(await runDigest(w.deps, { now: amsterdam('2026-03-18') })).toMatchObject({
      recipients: 1,
      recorded: true,
    });
  });
});
