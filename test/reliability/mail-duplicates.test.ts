import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, startTestRuntime } from '../support/local.ts';
import { report } from './report.ts';
import { pool, signals } from './support.ts';

const MAILS = 200;

/** One message, byte for byte the same on every delivery (as an MTA retrying after a lost 250). */
function rawMail(i: number, mailbox: string) {
  return [
    `From: Melder ${i} <dup-melder${i}@montfoort.example>`,
    `To: ${mailbox}`,
    `Subject: Signaal ${i} over een uitzendbureau`,
    `Message-ID: <dup-${i}@montfoort.example>`,
    'Date: Mon, 02 Mar 2026 09:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Signaal DUP${i}: arbeiders slapen in de loods en werken zeven dagen per week.`,
    '',
  ].join('\r\n');
}

describe('duplicate mail delivery', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    t = await startTestRuntime({ sweepIntervalMs: 1000 });
  });
  afterAll(() => t.close());

  it(`stores ${MAILS} mails delivered 2–3 times each once, with one receipt each`, async () => {
    const { host, port } = t.runtime.smtp;
    const mailbox = t.runtime.config.mailbox;
    // Every delivery of every mail, shuffled; sent by 8 concurrent SMTP clients.
    const deliveries: number[] = [];
    for (let i = 0; i < MAILS; i++) {
      const times = 2 + (i % 2);
      for (let k = 0; k < times; k++) deliveries.push(i);
    }
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j] as number, deliveries[i] as number];
    }
    const transports = Array.from({ length: 8 }, () =>
      nodemailer.createTransport({ host, port, secure: false, ignoreTLS: true, pool: true }),
    );
    let accepted = 0;
    await pool(
      8,
      deliveries.map((i, n) => async () => {
        const info = await (transports[n % 8] as (typeof transports)[0]).sendMail({
          envelope: { from: `dup-melder${i}@montfoort.example`, to: [mailbox] },
          raw: rawMail(i, mailbox),
        });
        if (/^250 /.test(info.response)) accepted++;
      }),
    );
    for (const tr of transports) tr.close();
    await t.runtime.smtp.idle();

    const stored = (await signals(t.runtime)).filter((s) => s.channel === 'email');
    const mails = await outboxMessages(t.runtime);
    const receipts = new Map<number, number>();
    for (const m of mails) {
      const i = m.to.map((a) => a.match(/^dup-melder(\d+)@/)?.[1]).find(Boolean);
      if (i !== undefined) receipts.set(Number(i), (receipts.get(Number(i)) ?? 0) + 1);
    }
    const oneReceipt = [...receipts.values()].filter((n) => n === 1).length;
    const extra = [...receipts.values()].filter((n) => n > 1).length;
    const ok = accepted === deliveries.length && stored.length === MAILS && oneReceipt === MAILS;
    report(
      'duplicate mail delivery',
      `${MAILS} mails delivered ${deliveries.length} times over SMTP (8 concurrent clients, random order), ${accepted} accepted with 250; ${stored.length} signals, ${oneReceipt} with exactly one receipt, ${extra} with more`,
      ok,
    );
    expect(accepted).toBe(deliveries.length);
    expect(stored.length).toBe(MAILS);
    expect(oneReceipt).toBe(MAILS);
    expect(extra).toBe(0);
  });
});
