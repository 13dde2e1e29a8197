import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReminders } from '#core/use-cases/reminders/run-reminders.ts';
import { testTable } from '../support/dynamo.ts';
import { amsterdam, reminderWorld } from '../support/reminders.ts';

/**
 * The job's cost grows with what is due, not with what is stored: 10,000
 * closed signals with answered handovers and 10 due ones, and the job reads
 * about 10 items (counted as DynamoDB returns them, by an SDK middleware).
 */
describe('the reminder job at scale', () => {
  let t: Awaited<ReturnType<typeof testTable>>;
  let w: ReturnType<typeof reminderWorld>;
  const returned = { queried: 0, got: 0, calls: [] as string[] };

  beforeAll(async () => {
    t = await testTable('meldroute-reminders-scale');
    w = reminderWorld(t);
    t.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const r = await next(args);
        const out = r.output as { Items?: unknown[]; Item?: unknown };
        returned.queried += out.Items?.length ?? 0;
        returned.got += out.Item ? 1 : 0;
        returned.calls.push(context.commandName ?? '?');
        return r;
      },
      { step: 'initialize', name: 'countReturnedItems' },
    );
    const closed = Array.from({ length: 10_000 }, (_, i) => closedSignal(i));
    const batches = [];
    for (let i = 0; i < closed.length; i += 25) batches.push(closed.slice(i, i + 25));
    for (let i = 0; i < batches.length; i += 20) {
      await Promise.all(
        batches.slice(i, i + 20).map((items) =>
          t.doc.send(
            new BatchWriteCommand({
              RequestItems: { [t.table]: items.map((Item) => ({ PutRequest: { Item } })) },
            }),
          ),
        ),
      );
    }
    for (let i = 0; i < 10; i++) await w.handedOver();
  }, 180_000);
  afterAll(() => t.close());

  it('reads only the 10 due signals, not the 10,000 closed ones', async () => {
    Object.assign(returned, { queried: 0, got: 0, calls: [] });
    const r = await runReminders(w.deps, { now: amsterdam('2026-03-16') });
    expect(r.checked).toBe(10);
    expect(r.actions).toHaveLength(10);
    // 10 index entries from the `due` query, then each due signal once (re-read before its write).
    expect(returned.queried).toBe(10);
    expect(returned.got).toBe(10);
    expect(returned.calls).not.toContain('ScanCommand');
  });
});

function closedSignal(i: number) {
  const id = `closed${String(i).padStart(10, '0')}`;
  const receivedAt = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
  return {
    pk: `SIG#${id}`,
    sk: 'A',
    kind: 'signal',
    id,
    reference: `MH-2025-${String(i + 1).padStart(5, '0')}`,
    status: 'closed',
    channel: 'form',
    classification: {
      exploitationForm: 'labour',
      urgency: 'normal',
      indicators: [],
      vulnerabilities: [],
    },
    receivedAt,
    updatedAt: receivedAt,
    version: 5,
    events: [],
    handovers: [
      {
        id: 'h1',
        partnerId: 'zorgcoordinator',
        state: 'feedback_received',
        sentAt: receivedAt,
        sentBy: 'aandachtsfunctionaris@montfoort.example',
        dueDate: '2025-02-01',
        tokenVersion: 1,
        tokenExpiresAt: receivedAt,
        textInEmail: false,
        feedback: [],
        history: [],
      },
    ],
    outcome: 'handed_over',
    closedAt: receivedAt,
    inboxPk: 'INBOX',
    statusPk: 'STATUS#closed',
    receivedKey: `${receivedAt}#${id}`,
  };
}
