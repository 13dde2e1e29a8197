import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOutboxStore } from '#adapters/dynamo/outbox-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { parseConfig } from '#core/config.ts';
import type { OutgoingEmail } from '#core/ports.ts';
import { sealMail } from '#core/sealing.ts';
import { deliverOutbox, drainOutbox } from '#core/use-cases/deliver-outbox.ts';
import { viewSignal } from '#core/use-cases/inbox.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import { scanAll, testTable } from '../support/dynamo.ts';
import { counterIds, echoRenderer, fixedClock, testCrypto } from '../support/fakes.ts';
import { markedSubmission } from '../support/submission.ts';

const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));

describe('storing a reported signal', () => {
  let t: Awaited<ReturnType<typeof testTable>>;
  let store: DynamoSignalStore;
  const crypto = testCrypto();
  const clock = fixedClock('2026-03-02T09:00:00Z');
  const deps = () => ({ config, store, crypto, clock, ids: counterIds(), render: echoRenderer });

  beforeAll(async () => {
    t = await testTable();
    store = new DynamoSignalStore(t.doc, t.table);
  });
  afterAll(() => t.close());

  it('gives sequential reference numbers per year', async () => {
    const a = await submitSignal(deps(), {
      submission: markedSubmission('A1'),
      channel: 'form',
      idempotencyKey: 'a',
    });
    const b = await submitSignal(deps(), {
      submission: markedSubmission('B1'),
      channel: 'form',
      idempotencyKey: 'b',
    });
    expect(a.reference).toBe('MH-2026-0001');
    expect(b.reference).toBe('MH-2026-0002');
  });

  it('stores a resent submission once and answers with the first reference', async () => {
    const first = await submitSignal(deps(), {
      submission: markedSubmission('C1'),
      channel: 'form',
      idempotencyKey: 'same',
    });
    const again = await submitSignal(deps(), {
      submission: markedSubmission('C1'),
      channel: 'form',
      idempotencyKey: 'same',
    });
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it('hands out unique references under concurrent posts', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        submitSignal(deps(), {
          submission: markedSubmission(`P${i}`),
          channel: 'form',
          idempotencyKey: `p${i}`,
        }),
      ),
    );
    const refs = results.map((r) => r.reference);
    expect(new Set(refs).size).toBe(40);
  });

  it('keeps every personal detail out of the stored items, in clear', async () => {
    const marker = 'ZQXMARKER7731';
    const r = await submitSignal(deps(), {
      submission: markedSubmission(marker),
      channel: 'form',
      idempotencyKey: 'm',
    });
    const raw = JSON.stringify(await scanAll(t.doc, t.table), (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    expect(raw).toContain(r.reference);
    expect(raw.toLowerCase()).not.toContain(marker.toLowerCase());
  });

  it('shows the officer everything and records the view', async () => {
    const r = await submitSignal(deps(), {
      submission: markedSubmission('VIEW1'),
      channel: 'form',
      idempotencyKey: 'v',
    });
    const detail = await viewSignal(
      { config, store, crypto, clock },
      { id: r.signalId, actor: 'aandachtsfunctionaris@montfoort.example' },
    );
    expect(detail.reporter.name).toBe('Melder VIEW1');
    expect(detail.content.persons[0]?.name).toBe('Persoon VIEW1');
    expect(detail.audit).toEqual([
      expect.objectContaining({ type: 'viewed', actor: 'aandachtsfunctionaris@montfoort.example' }),
    ]);
  });

  it('sends the receipt and the officer notice once each, even when swept twice at once', async () => {
    const outbox = new DynamoOutboxStore(t.doc, t.table);
    const sent: OutgoingEmail[] = [];
    const mailer = { send: async (m: OutgoingEmail) => void sent.push(m) };
    const d = { outbox, crypto, mailer, clock, municipality: config.municipality.code };
    await Promise.all([deliverOutbox(d, 100), deliverOutbox(d, 100)]);
    while ((await deliverOutbox(d, 100)).sent > 0);
    const ids = sent.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const receipt = sent.find((m) => m.to[0] === 'melder.view1@montfoort.example');
    expect(receipt?.text).toContain('MH-2026-');
    expect(receipt?.text).not.toContain('VIEW1');
    const notices = sent.filter((m) => m.to[0] === config.officers[0]);
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices.every((m) => !/VIEW1|Persoon/.test(m.text + m.html))).toBe(true);
    expect(await outbox.listPending(100, new Date().toISOString())).toEqual([]);
  });

  it('drains a full outbox in rounds, and stops after a round that found less than a batch', async () => {
    const outbox = new DynamoOutboxStore(t.doc, t.table);
    const sent: OutgoingEmail[] = [];
    const mailer = { send: async (m: OutgoingEmail) => void sent.push(m) };
    const d = { outbox, crypto, mailer, clock, municipality: config.municipality.code };
    await drainOutbox(d); // what earlier tests left
    sent.length = 0;
    for (let i = 0; i < 7; i++) {
      await submitSignal(deps(), {
        submission: markedSubmission(`DRAIN${i}`),
        channel: 'form',
        idempotencyKey: `drain-${i}`,
      });
    }
    const mailsPerSignal = 1 + config.officers.length;
    // A batch of 5 mails: several rounds, the last one short, no empty round after it.
    const r = await drainOutbox(d, { batch: 5 });
    expect(r.sent).toBe(7 * mailsPerSignal);
    expect(new Set(sent.map((m) => m.id)).size).toBe(7 * mailsPerSignal);
    expect(r.rounds).toBeLessThanOrEqual(Math.ceil((7 * mailsPerSignal) / 5));
    expect(await outbox.listPending(100, new Date().toISOString())).toEqual([]);

    // One new signal: one round, not a second one to find the outbox empty.
    await submitSignal(deps(), {
      submission: markedSubmission('DRAIN-ONE'),
      channel: 'form',
      idempotencyKey: 'drain-one',
    });
    expect(await drainOutbox(d)).toMatchObject({ sent: mailsPerSignal, rounds: 1 });
  });

  it('sends what the item holds when the outbox index shows an older image of it', async () => {
    const outbox = new DynamoOutboxStore(t.doc, t.table);
    const sent: OutgoingEmail[] = [];
    const mailer = { send: async (m: OutgoingEmail) => void sent.push(m) };
    const d = { outbox, crypto, mailer, clock, municipality: config.municipality.code };
    await drainOutbox(d);
    sent.length = 0;
    const r = await submitSignal(deps(), {
      submission: markedSubmission('IMAGE1'),
      channel: 'form',
      idempotencyKey: 'image1',
    });
    // An index entry can lag the item (DynamoDB's indexes are eventually consistent; the
    // embedded dynalite writes them before the item, so a crash between leaves one behind).
    const stale = await sealMail(crypto, config.municipality.code, r.signalId, {
      id: 'stale',
      to: ['verouderd@montfoort.example'],
      subject: 'Verouderd MH-2026-9999',
      html: '',
      text: 'Verouderd',
    });
    const lagging = {
      ...outbox,
      claim: outbox.claim.bind(outbox),
      markSent: outbox.markSent.bind(outbox),
      listPending: async (limit: number, staleBefore: string) =>
        (await outbox.listPending(limit, staleBefore)).map((p) => ({ ...p, cipher: stale.cipher })),
    };
    await drainOutbox({ ...d, outbox: lagging });
    expect(sent.length).toBe(1 + config.officers.length);
    expect(sent.map((m) => m.subject).join(' ')).toContain(r.reference);
    expect(sent.some((m) => m.subject.includes('Verouderd'))).toBe(false);
  });

  it('retries a send that failed, once its claim is stale', async () => {
    const outbox = new DynamoOutboxStore(t.doc, t.table);
    await submitSignal(deps(), {
      submission: markedSubmission('FAIL1'),
      channel: 'form',
      idempotencyKey: 'f',
    });
    let fail = true;
    const sent: string[] = [];
    const mailer = {
      send: async (m: OutgoingEmail) => {
        if (fail) throw new Error('smtp down');
        sent.push(m.id);
      },
    };
    const d = { outbox, crypto, mailer, clock, municipality: config.municipality.code };
    expect((await deliverOutbox(d)).failed).toBeGreaterThan(0);
    fail = false;
    expect((await deliverOutbox(d)).sent).toBe(0); // still claimed: not hammered again at once
    clock.advance(6 * 60_000);
    expect((await deliverOutbox(d)).sent).toBeGreaterThan(0);
    expect(new Set(sent).size).toBe(sent.length);
  });
});
