import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pauseReminders, resumeReminders, setDueDate } from '#core/use-cases/reminders/hold.ts';
import { runReminders } from '#core/use-cases/reminders/run-reminders.ts';
import { closeNoResponse } from '#core/use-cases/workflow/manage-handover.ts';
import { closeSignal } from '#core/use-cases/workflow/officer-actions.ts';
import { recordPartnerFeedback } from '#core/use-cases/workflow/partner-feedback.ts';
import { scanAll, testTable } from '../support/dynamo.ts';
import { amsterdam, OFFICER, reminderWorld } from '../support/reminders.ts';

const MOVIERA = 'zorgcoordinatie@moviera.example';

describe('the reminder job against dynalite (handed over Monday 2 March 2026, due Monday 16 March)', () => {
  let t: Awaited<ReturnType<typeof testTable>>;
  let w: ReturnType<typeof reminderWorld>;
  beforeEach(async () => {
    t = await testTable('meldroute-reminders');
    w = reminderWorld(t);
  });
  afterEach(() => t.close());
  const run = (date: string, dryRun = false) =>
    runReminders(w.deps, { now: amsterdam(date), dryRun });

  it('sends the first reminder on the due date, not before, with the reference, the waiting time and the partner link only', async () => {
    const s = await w.handedOver();
    expect((await run('2026-03-13')).actions).toEqual([]);
    const r = await run('2026-03-16');
    expect(r.actions).toEqual([
      expect.objectContaining({
        reference: s.reference,
        partnerId: 'zorgcoordinator',
        kind: 'reminder',
        n: 1,
        waitingDays: 10,
      }),
    ]);
    await w.sweep();
    expect(w.sent).toHaveLength(1);
    const mail = w.sent[0];
    expect(mail?.to).toEqual([MOVIERA]);
    expect(mail?.subject).toContain(s.reference);
    expect(mail?.text).toContain('10 werkdagen');
    expect(mail?.text).toMatch(/\/partner\/[a-z0-9.]+/);
    expect(mail?.replyTo).toMatch(/\+/);
    // Never the reporter, never the case: the handover text stays behind the link.
    for (const part of [mail?.text, mail?.html, mail?.subject]) {
      expect(part).not.toContain(s.marker);
      expect(part).not.toContain('Overdrachtstekst');
    }
    const stored = await w.deps.store.get(s.signalId);
    expect(stored?.handovers?.[0]?.reminders).toEqual([
      { n: 1, on: '2026-03-16', at: amsterdam('2026-03-16').toISOString() },
    ]);
    expect(stored?.events.at(-1)).toMatchObject({ actor: 'system', type: 'reminder_sent' });
  });

  it('sends nothing on a second run the same day', async () => {
    await w.handedOver();
    expect((await run('2026-03-16')).actions).toHaveLength(1);
    expect((await runReminders(w.deps, { now: amsterdam('2026-03-16', '17:00') })).actions).toEqual(
      [],
    );
    await w.sweep();
    expect(w.sent).toHaveLength(1);
  });

  it('moves a due date on a public holiday to the next working day, and sends nothing on weekends', async () => {
    const s = await w.handedOver();
    w.clock.set('2026-04-20T09:00:00Z');
    expect(
      (
        await setDueDate(w.deps, {
          signalId: s.signalId,
          handoverId: 'h1',
          actor: OFFICER,
          dueDate: '2026-04-25',
        })
      ).ok,
    ).toBe(true);
    expect((await run('2026-04-25')).workingDay).toBe(false); // Saturday
    expect((await run('2026-04-27')).actions).toEqual([]); // Koningsdag
    // The link sent on 2 March expired on 1 April: this reminder carries a new one.
    const r = await run('2026-04-28');
    expect(r.actions).toEqual([expect.objectContaining({ kind: 'reminder', n: 1, newLink: true })]);
  });

  it('sends two reminders, N working days apart, then tells the officer and marks the handover overdue', async () => {
    const s = await w.handedOver();
    expect((await run('2026-03-16')).actions).toHaveLength(1);
    expect((await run('2026-03-20')).actions).toEqual([]);
    expect((await run('2026-03-23')).actions).toEqual([
      expect.objectContaining({ kind: 'reminder', n: 2 }),
    ]);
    expect((await run('2026-03-30')).actions).toEqual([
      expect.objectContaining({ kind: 'escalation', n: 3 }),
    ]);
    expect((await run('2026-04-06')).actions).toEqual([]);
    await w.sweep();
    expect(w.sent.map((m) => m.to[0])).toEqual([MOVIERA, MOVIERA, OFFICER]);
    const escalation = w.sent[2];
    expect(escalation?.subject).toContain(s.reference);
    expect(escalation?.text).toContain(`/inbox/${s.signalId}`);
    expect(escalation?.text).not.toContain(s.marker);
    const stored = await w.deps.store.get(s.signalId);
    expect(stored?.handovers?.[0]?.overdueSince).toBe(amsterdam('2026-03-30').toISOString());
    expect(stored?.handovers?.[0]?.state).toBe('open');
  });

  it('stops when feedback arrives between the query and the send', async () => {
    const s = await w.handedOver();
    const dueBy = w.deps.workLists.dueBy.bind(w.deps.workLists);
    const deps = {
      ...w.deps,
      workLists: {
        dueBy: async (date: string, limit: number, cursor?: string) => {
          const page = await dueBy(date, limit, cursor);
          await recordPartnerFeedback(w.deps, {
            signalId: s.signalId,
            handoverId: 'h1',
            via: 'email',
            feedback: { text: 'Wij pakken het op.' },
          });
          return page;
        },
      },
    };
    const r = await runReminders(deps, { now: amsterdam('2026-03-16') });
    expect(r.checked).toBe(1);
    expect(r.actions).toEqual([]);
    await w.sweep();
    expect(w.sent.filter((m) => m.to.includes(MOVIERA))).toEqual([]);
  });

  it('stops when feedback lands between reading the signal and writing the reminder (version check)', async () => {
    const s = await w.handedOver();
    const update = w.deps.store.update.bind(w.deps.store);
    let first = true;
    const store = Object.assign(Object.create(w.deps.store), {
      update: async (...args: Parameters<typeof update>) => {
        if (first) {
          first = false;
          await recordPartnerFeedback(w.deps, {
            signalId: s.signalId,
            handoverId: 'h1',
            via: 'page',
            feedback: { text: 'Opgepakt.' },
          });
        }
        return update(...args);
      },
    });
    const r = await runReminders({ ...w.deps, store }, { now: amsterdam('2026-03-16') });
    expect(r.actions).toEqual([]);
    expect((await w.deps.store.get(s.signalId))?.handovers?.[0]?.reminders).toBeUndefined();
  });

  it('sends one email when two runs start at the same moment', async () => {
    await w.handedOver();
    const [a, b] = await Promise.all([run('2026-03-16'), run('2026-03-16')]);
    expect(a.actions.length + b.actions.length).toBe(1);
    await w.sweep();
    expect(w.sent).toHaveLength(1);
  });

  it('still sends the reminder once after a crash between writing the record and sending', async () => {
    await w.handedOver();
    await run('2026-03-16');
    // The sender crashes mid-send: the mail stays claimed until the claim goes stale.
    w.clock.set(amsterdam('2026-03-16', '08:01').toISOString());
    const crashed = await w.sweep({
      send: async () => {
        throw new Error('process died');
      },
    });
    expect(crashed).toEqual({ sent: 0, failed: 1 });
    expect((await run('2026-03-16')).actions).toEqual([]);
    w.clock.set(amsterdam('2026-03-16', '08:10').toISOString());
    expect(await w.sweep()).toEqual({ sent: 1, failed: 0 });
    expect(await w.sweep()).toEqual({ sent: 0, failed: 0 });
    expect(w.sent).toHaveLength(1);
  });

  it('sends nothing for a paused handover, and resumes after the officer says so', async () => {
    const s = await w.handedOver();
    const input = { signalId: s.signalId, handoverId: 'h1', actor: OFFICER };
    expect(
      (await pauseReminders(w.deps, { ...input, reason: 'Partner belt zelf GEHEIMEREDEN' })).ok,
    ).toBe(true);
    expect((await run('2026-03-16')).actions).toEqual([]);
    expect(JSON.stringify(await scanAll(t.doc, t.table))).not.toContain('GEHEIMEREDEN');
    const paused = await w.deps.store.get(s.signalId);
    expect(paused?.events.map((e) => e.type)).toContain('reminders_paused');
    expect((await resumeReminders(w.deps, input)).ok).toBe(true);
    expect((await run('2026-03-17')).actions).toEqual([
      expect.objectContaining({ kind: 'reminder', n: 1 }),
    ]);
  });

  it('sends nothing for a closed signal', async () => {
    const s = await w.handedOver();
    await closeNoResponse(w.deps, { signalId: s.signalId, handoverId: 'h1', actor: OFFICER });
    expect(
      (
        await closeSignal(w.deps, {
          signalId: s.signalId,
          actor: OFFICER,
          values: { outcome: 'no_follow_up' },
        })
      ).ok,
    ).toBe(true);
    const r = await run('2026-03-16');
    expect(r).toMatchObject({ checked: 0, actions: [] });
  });

  it('restarts the chase from a new due date, with a fresh link when the old one expired', async () => {
    const s = await w.handedOver();
    await run('2026-03-16');
    await run('2026-03-23');
    await run('2026-03-30'); // escalated
    w.clock.set(amsterdam('2026-03-31').toISOString());
    expect(
      (
        await setDueDate(w.deps, {
          signalId: s.signalId,
          handoverId: 'h1',
          actor: OFFICER,
          dueDate: '2026-04-14',
        })
      ).ok,
    ).toBe(true);
    const r = await run('2026-04-14');
    expect(r.actions).toEqual([expect.objectContaining({ kind: 'reminder', n: 1, newLink: true })]);
    await w.sweep();
    const last = w.sent.at(-1);
    expect(last?.to).toEqual([MOVIERA]);
    const stored = await w.deps.store.get(s.signalId);
    expect(stored?.handovers?.[0]).toMatchObject({ chase: 1, tokenVersion: 2 });
    expect(stored?.handovers?.[0]?.overdueSince).toBeUndefined();
  });

  it('prints what it would send on a dry run and writes nothing', async () => {
    const s = await w.handedOver();
    const before = await w.deps.store.get(s.signalId);
    const r = await run('2026-03-16', true);
    expect(r.actions).toEqual([
      expect.objectContaining({ reference: s.reference, kind: 'reminder' }),
    ]);
    expect((await w.deps.store.get(s.signalId))?.version).toBe(before?.version);
    expect(await w.sweep()).toEqual({ sent: 0, failed: 0 });
  });
});
