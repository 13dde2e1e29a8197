import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeys } from '#core/mail/raw-mail.ts';
import type { IntakeOutcome } from '#core/use-cases/intake-mail.ts';
import { mailIntakeHarness } from '../support/mail-intake.ts';

/**
 * Every message of the shared developer corpus (../shared/mail-corpus, read
 * in place, never copied) through the real intake: each ends as exactly one
 * outcome, nothing throws, nothing accepted is lost, and no receipt ever goes
 * to a machine.
 */
const CORPUS = join(process.cwd(), '..', 'shared', 'mail-corpus');
const files = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.eml'))
      .sort()
  : [];

/**
 * Non-delivery reports whose file names do not start with bounce-: the name
 * says what they exercise (line endings, a malformed DSN), the content is a
 * bounce, and a bounce must never get a receipt.
 */
const BOUNCES_BY_CONTENT = new Set([
  'line-endings-cr-only-sendmail-bounce.eml',
  'line-endings-crlf-exim-bounce.eml',
  'malformed-dsn-extra-blank-lines-no-from.eml',
]);

/** No From header at all: kept for the officer, nobody to answer. */
const NO_SENDER = new Set([
  'headerless-mhtml-multipart-related-content-location.eml',
  'malformed-headers-only-bad-encoded-word-subject.eml',
]);

function expectedKinds(file: string): IntakeOutcome['kind'][] {
  if (file.startsWith('autoreply-')) return ['auto-reply-ignored'];
  if (file.startsWith('bounce-') || BOUNCES_BY_CONTENT.has(file)) return ['bounce-ignored'];
  if (NO_SENDER.has(file)) return ['unprocessable'];
  return ['signal', 'unprocessable'];
}

describe('the shared mail corpus through the intake', () => {
  let h: Awaited<ReturnType<typeof mailIntakeHarness>>;
  const outcomes = new Map<string, IntakeOutcome>();

  beforeAll(async () => {
    h = await mailIntakeHarness();
  });
  afterAll(() => h?.close());

  it('is present beside the checkout with its 65 messages', () => {
    expect(files.length).toBe(65);
  });

  it.each(files)('%s ends as exactly one expected outcome', async (file) => {
    const raw = readFileSync(join(CORPUS, file));
    const outcome = await h.deliver(raw);
    outcomes.set(file, outcome);
    expect(expectedKinds(file)).toContain(outcome.kind);

    // Nothing lost: the raw message stays, and it is marked as processed.
    const rawId = outcome.rawId;
    expect(await h.blobs.get(blobKeys.raw(rawId))).toBeDefined();
    expect(await h.blobs.get(blobKeys.processed(rawId))).toBeDefined();

    if (outcome.kind === 'signal' || outcome.kind === 'unprocessable') {
      // The officer can open it, and every listed attachment is there.
      const { reporter, content } = await h.opened(outcome.signalId);
      for (const a of content.attachments ?? []) {
        expect(await h.blobs.get(blobKeys.attachment(outcome.signalId, a.id))).toBeDefined();
      }
      const mails = await h.queuedMails(outcome.signalId);
      const toSender = mails.filter((m) => reporter.email && m.to.includes(reporter.email));
      if (outcome.kind === 'signal') {
        expect(content.observed.length + (content.attachments?.length ?? 0)).toBeGreaterThan(0);
        expect(toSender.map((m) => m.id)).toEqual([`${outcome.signalId}-receipt`]);
      } else {
        expect(content.attachments?.map((a) => a.filename)).toContain('origineel.eml');
        expect(toSender.every((m) => m.id.endsWith('-unprocessable'))).toBe(true);
      }
    }
  });

  it('sends nothing to auto-repliers and bounces, and makes no signal of them', async () => {
    const ignored = [...outcomes.values()].filter(
      (o) => o.kind === 'auto-reply-ignored' || o.kind === 'bounce-ignored',
    );
    expect(ignored.length).toBe(
      files.filter(
        (f) => f.startsWith('autoreply-') || f.startsWith('bounce-') || BOUNCES_BY_CONTENT.has(f),
      ).length,
    );
    const signals = (await h.store.list({ limit: 500 })).items.length;
    const made = [...outcomes.values()].filter(
      (o) => o.kind === 'signal' || o.kind === 'unprocessable',
    );
    expect(signals).toBe(new Set(made.map((o) => ('signalId' in o ? o.signalId : ''))).size);
    expect(h.sentDirectly).toEqual([]);
  });

  it('turns HTML-only mail into plain text without markup', async () => {
    const outcome = outcomes.get('stress-html-spam-1.1mb-out-of-memory.eml');
    expect(outcome?.kind).toBe('signal');
    if (outcome?.kind !== 'signal') return;
    const { content } = await h.opened(outcome.signalId);
    expect(content.observed.length).toBeGreaterThan(0);
    expect(content.observed).not.toMatch(/<[a-z][^>]*>/i);
    expect(content.intakeNotes?.join(' ')).toMatch(/HTML/);
  });

  it('keeps attachments with their names and real sizes', async () => {
    const outcome = outcomes.get('pdf-attachment-8bit-in-headers-crlf.eml');
    expect(outcome?.kind).toBe('signal');
    if (outcome?.kind !== 'signal') return;
    const { content } = await h.opened(outcome.signalId);
    expect(content.attachments).toEqual([
      expect.objectContaining({ filename: 'broken.pdf', contentType: 'application/pdf' }),
    ]);
  });

  it('logs ids and codes only, never an address or a subject', () => {
    const log = h.logger.lines.join('\n');
    expect(log).toContain('"outcome"');
    for (const needle of ['@example.com', '@example.org', 'Nyaan', 'kijitora', 'Automatic reply']) {
      expect(log).not.toContain(needle);
    }
  });
});
