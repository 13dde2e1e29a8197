import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileOutbox } from '#adapters/file-outbox.ts';
import type { OutgoingEmail } from '#core/ports.ts';
import { outboxMessages, startTestRuntime } from '../support/local.ts';
import { report } from './report.ts';
import { freshForm, pool, referenceIn, signals, staffClients } from './support.ts';

/** An SDK middleware inside the retry loop that throttles a share of DynamoDB calls. */
function throttle(doc: DynamoDBDocumentClient, share: () => number) {
  doc.middlewareStack.add(
    (next) => async (args) => {
      if (Math.random() < share()) {
        const err = new Error('Rate of requests exceeds the allowed throughput.');
        err.name = 'ProvisionedThroughputExceededException';
        Object.assign(err, { $metadata: { httpStatusCode: 400 }, $fault: 'client' });
        throw err;
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'faultInjection' },
  );
}

describe('DynamoDB throttling and outage', () => {
  let share = 0;
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    t = await startTestRuntime({
      onDynamoClient: (doc) => throttle(doc, () => share),
      sweepIntervalMs: 500,
    });
  });
  afterAll(() => t.close());

  it('loses and duplicates nothing, and answers 503 with Retry-After during an outage', async () => {
    const clients = await staffClients(t.runtime, 10, 'throttle');
    const forms = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        freshForm((clients[i % 10] as (typeof clients)[0]).client, `THR${i}`),
      ),
    );
    const post = (i: number) =>
      (clients[i % 10] as (typeof clients)[0]).client.request('/melden', {
        method: 'POST',
        form: forms[i] as Record<string, string | string[]>,
      });

    // Phase 1: 30% of calls throttled; clients retry on 503 as told.
    share = 0.3;
    let answered503 = 0;
    const refs1 = await pool(
      10,
      Array.from({ length: 50 }, (_, i) => async () => {
        for (;;) {
          const res = await post(i);
          const html = await res.text();
          if (res.status === 200) return referenceIn(html);
          expect(res.status).toBe(503);
          answered503++;
        }
      }),
    );

    // Phase 2: everything fails for a minute. Every answer must be a 503 with
    // Retry-After and a Dutch message, never a success.
    share = 1;
    const outageMs = Number(process.env.RELIABILITY_OUTAGE_MS ?? 60_000);
    const started = Date.now();
    const outage: { status: number; retryAfter: string | null; dutch: boolean }[] = [];
    await pool(
      10,
      Array.from({ length: 10 }, (_, w) => async () => {
        for (let k = 0; Date.now() - started < outageMs; k++) {
          const res = await post(50 + ((w * 5 + k) % 50));
          const html = await res.text();
          outage.push({
            status: res.status,
            retryAfter: res.headers.get('retry-after'),
            dutch: /probeer het/i.test(html),
          });
        }
      }),
    );
    const falseSuccess = outage.filter((o) => o.status < 300).length;
    const proper503 = outage.filter((o) => o.status === 503 && o.retryAfter && o.dutch).length;
    const outageSeconds = Math.round((Date.now() - started) / 1000);

    // Recovery: the same 50 posts again.
    share = 0;
    const refs2 = await pool(
      10,
      Array.from({ length: 50 }, (_, j) => async () => {
        const res = await post(50 + j);
        return referenceIn(await res.text());
      }),
    );
    const stored = await signals(t.runtime);
    const refs = [...refs1, ...refs2];
    const ok =
      falseSuccess === 0 &&
      proper503 === outage.length &&
      stored.length === 100 &&
      new Set(refs).size === 100;
    report(
      'throttling',
      `30% throttled: 50 stored, ${answered503} answered 503 then retried; 100% outage for ${outageSeconds} s: ${proper503}/${outage.length} posts answered 503 with Retry-After and a Dutch message, ${falseSuccess} false successes; after recovery ${stored.length}/100 stored, ${refs.length - new Set(refs).size} duplicated`,
      ok,
    );
    expect(falseSuccess).toBe(0);
    expect(proper503).toBe(outage.length);
    expect(stored.length).toBe(100);
    expect(new Set(refs).size).toBe(100);
  });
});

describe('mail server down', () => {
  let failing = false;
  const attempts = new Map<string, number>();
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    t = await startTestRuntime({
      sweepIntervalMs: 200,
      mailRetryMs: 300,
      mailer: (dir, config) => {
        const real = new FileOutbox({ dir, from: config.mailFrom });
        return {
          async send(mail: OutgoingEmail) {
            attempts.set(mail.id, (attempts.get(mail.id) ?? 0) + 1);
            if (failing) throw new Error('connection refused');
            return real.send(mail);
          },
        };
      },
    });
  });
  afterAll(() => t.close());

  it('sends every email exactly once after the mail server comes back', async () => {
    const clients = await staffClients(t.runtime, 5, 'outbox');
    const before = (await outboxMessages(t.runtime)).length; // sign-in mails went out before the failure
    failing = true;
    for (let i = 0; i < 20; i++) {
      const { client } = clients[i % 5] as (typeof clients)[0];
      const res = await client.request('/melden', {
        method: 'POST',
        form: await freshForm(client, `OBX${i}`),
      });
      expect(res.status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 1500));
    const duringOutage = (await outboxMessages(t.runtime)).length - before;
    failing = false;
    let mails = await outboxMessages(t.runtime);
    for (let i = 0; i < 50 && mails.length - before < 40; i++) {
      await new Promise((r) => setTimeout(r, 200));
      mails = await outboxMessages(t.runtime);
    }
    const perMessageId = new Map<string, number>();
    for (const m of mails) {
      const id = m.raw.match(/^Message-ID:\s*(\S+)/im)?.[1] ?? m.file;
      perMessageId.set(id, (perMessageId.get(id) ?? 0) + 1);
    }
    const twice = [...perMessageId.values()].filter((n) => n > 1).length;
    const sent = mails.length - before;
    report(
      'outbox faults',
      `20 signals while every send failed (${[...attempts.values()].reduce((a, b) => a + b, 0)} attempts, ${duringOutage} delivered during the outage); after recovery ${sent}/40 emails delivered, ${twice} twice`,
      sent === 40 && twice === 0 && duringOutage === 0,
    );
    expect(duringOutage).toBe(0);
    expect(sent).toBe(40);
    expect(twice).toBe(0);
  });
});
