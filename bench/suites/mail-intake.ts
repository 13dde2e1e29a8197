/**
 * Mail intake of a 1 MB message with 5 attachments, from the stored raw
 * message to the stored signal (`intakeRawMail`, as local mode runs it: handed
 * the bytes in clear by the SMTP intake, the parser in a worker thread,
 * attachments sealed into the file blob store side by side),
 * against the bare parser (postal-mime, in process) on the same bytes plus
 * the bare, equally durable blob writes of the five attachments.
 *
 * Storing the raw message (sealed) happens before the SMTP "250" and is not
 * part of either side. Each message has its own Message-ID, so each becomes a
 * new signal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import PostalMime from 'postal-mime';
import { FileBlobStore } from '#adapters/blob/file-blob-store.ts';
import { intakeRawMail } from '#core/use-cases/intake-mail.ts';
import { mailIntakeHarness } from '../../test/support/mail-intake.ts';
import { fakeSignal, int, rng } from '../lib/dutch.ts';
import { atMost, failed, measured, type Row } from '../lib/harness.ts';
import type { BenchContext } from '../lib/setup.ts';
import { median } from '../lib/stats.ts';

export const INTAKE = 'mail intake of a 1 MB message with 5 attachments (p50)';
const BUDGET = atMost(2);

const ATTACHMENTS = [
  { filename: 'foto-woning-1.jpg', contentType: 'image/jpeg', size: 190_000 },
  { filename: 'foto-woning-2.jpg', contentType: 'image/jpeg', size: 170_000 },
  { filename: 'verklaring-buurman.pdf', contentType: 'application/pdf', size: 150_000 },
  {
    filename: 'werkrooster.xlsx',
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    size: 60_000,
  },
  { filename: 'schermafdruk-whatsapp.png', contentType: 'image/png', size: 165_000 },
];

export async function mailIntakeSuite(ctx: BenchContext): Promise<Row[]> {
  const h = await mailIntakeHarness();
  const bareDir = await mkdtemp(join(tmpdir(), 'meldroute-bench-blobs-'));
  try {
    const iterations = ctx.quick ? 5 : 30;
    const warmup = ctx.quick ? 2 : 5;
    const template = await message(ctx);
    const bare = new FileBlobStore(bareDir);
    const intake: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < warmup + iterations; i++) {
      const raw = withMessageId(template, i);
      const rawKey = await h.storeRaw(raw);
      const t0 = performance.now();
      // As the SMTP intake hands it on: the key of the stored raw mail and the bytes in clear.
      const outcome = (await intakeRawMail(h.deps, { rawKey, raw, receivedVia: 'smtp' })).kind;
      const t1 = performance.now();
      if (outcome !== 'signal') throw new Error(`the message became ${outcome}, not a signal`);

      const t2 = performance.now();
      const parsed = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
      if (parsed.attachments.length !== ATTACHMENTS.length)
        throw new Error('the bare parser lost attachments');
      // Side by side, as the intake writes them.
      await Promise.all(
        parsed.attachments.map((a, k) =>
          bare.put(`bare/${i}/${k}`, new Uint8Array(a.content as ArrayBuffer)),
        ),
      );
      const t3 = performance.now();
      if (i >= warmup) {
        intake.push(t1 - t0);
        base.push(t3 - t2);
      }
    }
    return [
      measured({
        metric: INTAKE,
        unit: 'ms',
        value: median(intake),
        baseline: { label: 'postal-mime + 5 durable writes', value: median(base) },
        budget: BUDGET,
        note: `${(template.byteLength / 1024 / 1024).toFixed(2)} MiB message, ${iterations} messages after ${warmup} warm-up; local mode (parser in a worker thread)`,
      }),
    ];
  } catch (err) {
    return [failed(INTAKE, BUDGET, err)];
  } finally {
    await h.close();
    await rm(bareDir, { recursive: true, force: true });
  }
}

/** A member of staff mailing the mailbox: a Dutch text and five attachments, about 1 MB. */
async function message(ctx: BenchContext): Promise<Buffer> {
  const r = rng(2026);
  const f = fakeSignal(r, ctx.config.teams);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(r, 0, 255)));
  const text = [
    'Beste aandachtsfunctionaris,',
    '',
    f.observed,
    '',
    ...f.persons.map((p) => `- ${p.name}, ongeveer ${p.age} jaar, ${p.address}. ${p.notes}`.trim()),
    f.organisation ? `Het gaat om ${f.organisation.name}, ${f.organisation.address}.` : '',
    '',
    'In de bijlagen foto’s van de woning, een verklaring van de buurman en het werkrooster.',
    '',
    'Met vriendelijke groet,',
    f.reporterName,
    `Team ${f.team}`,
  ].join('\n');
  const composer = new MailComposer({
    from: `${f.reporterName} <${ctx.staff}>`,
    to: ctx.config.mailbox,
    subject: 'Signaal mogelijke uitbuiting, zie bijlagen',
    messageId: '<bench-000000000000@montfoort.example>',
    date: new Date('2026-03-02T09:30:00+01:00'),
    text,
    html: `<p>${text.replaceAll('\n\n', '</p><p>').replaceAll('\n', '<br>')}</p>`,
    attachments: ATTACHMENTS.map((a) => ({ ...a, content: bytes(a.size) })),
  });
  return composer.compile().build();
}

/** The same message with its own Message-ID (same length, so the same size). */
function withMessageId(template: Buffer, i: number): Buffer {
  const id = `bench-${String(i).padStart(12, '0')}`;
  return Buffer.from(template.toString('latin1').replace('bench-000000000000', id), 'latin1');
}
