import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { DynamoDigestStore } from '#adapters/dynamo/digest-store.ts';
import { DynamoOutboxStore } from '#adapters/dynamo/outbox-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { DynamoWorkLists } from '#adapters/dynamo/work-lists.ts';
import { type Config, parseConfig } from '#core/config.ts';
import type { OutgoingEmail } from '#core/ports.ts';
import { deliverOutbox } from '#core/use-cases/deliver-outbox.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import { sendHandover } from '#core/use-cases/workflow/hand-over.ts';
import { emailRenderer } from '#templates/render.ts';
import type { testTable } from './dynamo.ts';
import { counterIds, fixedClock, testCrypto } from './fakes.ts';
import { markedSubmission } from './submission.ts';

export const OFFICER = 'aandachtsfunctionaris@montfoort.example';
export const exampleConfig = (patch: (raw: Record<string, unknown>) => void = () => {}): Config => {
  const raw = JSON.parse(readFileSync('config/montfoort.example.json', 'utf8'));
  patch(raw);
  return parseConfig(raw);
};

/** The reminder job's world against one dynalite table, with a clock the test moves. */
export function reminderWorld(t: Awaited<ReturnType<typeof testTable>>, config = exampleConfig()) {
  const clock = fixedClock('2026-03-02T09:00:00Z');
  const store = new DynamoSignalStore(t.doc, t.table);
  const crypto = testCrypto();
  const deps = {
    config,
    store,
    crypto,
    clock,
    render: emailRenderer,
    ids: counterIds(),
    linkSigner: new HmacLinkSigner(randomBytes(32)),
    workLists: new DynamoWorkLists(t.doc, t.table),
    digests: new DynamoDigestStore(t.doc, t.table),
  };
  const sent: OutgoingEmail[] = [];
  let n = 0;
  return {
    deps,
    clock,
    sent,
    /** A signal handed over to the care coordinator (and `partners`) at the clock's time. */
    async handedOver(partners: string[] = [], marker = `M${++n}`) {
      const r = await submitSignal(deps, {
        submission: markedSubmission(marker),
        channel: 'form',
        idempotencyKey: `key-${marker}`,
      });
      const texts = Object.fromEntries(
        ['zorgcoordinator', ...partners].map((p) => [p, `Overdrachtstekst ${marker}.`]),
      );
      const h = await sendHandover(deps, {
        signalId: r.signalId,
        actor: OFFICER,
        request: { selected: partners, texts, overrideReason: 'Niet nodig voor deze test.' },
      });
      if (!h.ok) throw new Error(`hand over failed: ${h.reason}`);
      // Receipt, officer notice and partner notification out of the way: tests see what comes next.
      await this.sweep();
      sent.length = 0;
      return { signalId: r.signalId, reference: r.reference, marker };
    },
    /** Sends what the outbox holds into `sent` (a test mailer). */
    async sweep(mailer = { send: async (m: OutgoingEmail) => void sent.push(m) }) {
      const r = await deliverOutbox({
        outbox: new DynamoOutboxStore(t.doc, t.table),
        crypto,
        mailer,
        clock,
        municipality: config.municipality.code,
      });
      return { sent: r.sent, failed: r.failed };
    },
  };
}

/** 08:00 in Amsterdam on a date (CET in March, CEST from the last Sunday of March). */
export function amsterdam(date: string, time = '08:00'): Date {
  const summer = date >= '2026-03-29' && date < '2026-10-25';
  return new Date(`${date}T${time}:00${summer ? '+02:00' : '+01:00'}`);
}
