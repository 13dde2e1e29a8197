import { idFromKey } from '../hashing.ts';
import { isStaffAddress, messageIdOf, plusAddress } from '../mail/addresses.ts';
import { classifyMessage } from '../mail/classify.ts';
import {
  type MailVerdicts,
  type ParsedMessage,
  ParsedMessageSchema,
} from '../mail/parsed-message.ts';
import {
  blobKeys,
  contexts,
  headerBlock,
  mailIdempotencyKey,
  PROCESSED_PREFIX,
  RAW_PREFIX,
  rawIdFromKey,
  sha256Hex,
} from '../mail/raw-mail.ts';
import {
  cleanSubject,
  mailSubmission,
  ORIGINAL_ATTACHMENT_ID,
  originalAttachmentMeta,
  reporterFromMessage,
} from '../mail/to-submission.ts';
import type {
  BlobStore,
  Logger,
  Mailer,
  MailParser,
  ReplyTokens,
  SignalDirectory,
} from '../ports.ts';
import { sealJson } from '../sealing.ts';
import { appendReporterAddition } from './append-reporter-addition.ts';
import {
  keepUnprocessable,
  sendQuarantineNotice,
  type UnprocessableReason,
} from './intake-fallbacks.ts';
import { type PartnerReplyHook, replyTarget } from './intake-replies.ts';
import { type SubmitDeps, submitSignal } from './submit-signal.ts';

export type IntakeDeps = SubmitDeps & {
  blobs: BlobStore;
  parser: MailParser;
  /** Only for the quarantine notice, which has no signal item to queue it on. */
  mailer: Mailer;
  logger: Logger;
  replyTokens?: ReplyTokens;
  directory?: SignalDirectory;
  partnerReplies?: PartnerReplyHook;
};

export type IntakeInput = {
  /** `raw/<rawId>`: the raw message, sealed, stored before the sender was told "accepted". */
  rawKey: string;
  /**
   * The same bytes in clear, when the caller still holds them (right after
   * storing them): saves reading and decrypting them back. Recovery reads.
   */
  raw?: Uint8Array;
  receivedVia: 'smtp' | 'ses';
  verdicts?: MailVerdicts;
  /** RCPT TO addresses when the transport knows them (SES receipt). */
  envelopeRecipients?: string[];
};

/** One raw message in clear, e.g. read from the SES raw-mail bucket. */
export type MailInput = Omit<IntakeInput, 'rawKey' | 'raw'> & { rawId: string; raw: Uint8Array };

export type IntakeOutcome =
  | { kind: 'signal'; rawId: string; signalId: string; reference: string; duplicate: boolean }
  | { kind: 'reply-attached'; rawId: string; signalId: string; reference: string }
  | { kind: 'partner-reply'; rawId: string; signalId: string }
  | { kind: 'auto-reply-ignored'; rawId: string; reason: string }
  | { kind: 'bounce-ignored'; rawId: string; reason: string }
  | { kind: 'quarantined'; rawId: string }
  | {
      kind: 'unprocessable';
      rawId: string;
      signalId: string;
      reference: string;
      reason: UnprocessableReason;
    }
  | { kind: 'already-processed'; rawId: string }
  | { kind: 'missing'; rawId: string };

/** The SMTP intake adds Return-Path and Delivered-To lines to a message it accepted within the limit. */
const ENVELOPE_SLACK = 64 * 1024;

/**
 * A stored raw mail becomes exactly one of: a signal, an addition to a
 * signal, an ignored auto-reply or bounce, a quarantined message, or an
 * "unprocessable" signal that carries the raw message for the officer.
 * Input: the raw message's blob key. Output: what it became. Course: skip if
 * already processed; decrypt; quarantine on a virus verdict; parse (falling
 * back to the header block when the body defeats the parser); classify;
 * attach replies; otherwise store attachments and create the signal with
 * its receipt; finally write the processed marker. Content problems never
 * throw; a failing store or blob store does, and the message stays pending
 * for the next run (the marker is written last).
 */
export async function intakeRawMail(deps: IntakeDeps, input: IntakeInput): Promise<IntakeOutcome> {
  const rawId = rawIdFromKey(input.rawKey);
  if (!rawId) throw new Error('not a raw mail key');
  const municipality = deps.config.municipality.code;
  if (await deps.blobs.get(blobKeys.processed(rawId))) return { kind: 'already-processed', rawId };
  const { rawKey: _k, raw: given, ...rest } = input;
  let raw = given;
  if (!raw) {
    const sealed = await deps.blobs.get(input.rawKey);
    if (!sealed) {
      deps.logger.warn('raw mail missing', { rawId });
      return { kind: 'missing', rawId };
    }
    raw = await deps.crypto.decrypt(sealed, contexts.raw(municipality, rawId));
  }
  const outcome = await intakeMail(deps, { ...rest, rawId, raw });
  await deps.blobs.put(
    blobKeys.processed(rawId),
    await sealJson(
      deps.crypto,
      { ...outcome, at: deps.clock.now().toISOString() },
      contexts.processed(municipality, rawId),
    ),
  );
  return outcome;
}

/**
 * The intake proper, for a raw message in clear. Writes only: signals,
 * attachments and headers are sealed, nothing is decrypted except, for a
 * reply naming a reference, the reporter of that signal (to compare senders).
 * Idempotent through the signal id, which derives from the message.
 */
export async function intakeMail(deps: IntakeDeps, input: MailInput): Promise<IntakeOutcome> {
  const outcome = await decide(deps, input);
  const fields: Record<string, string> = {
    rawId: input.rawId,
    via: input.receivedVia,
    outcome: outcome.kind,
  };
  if ('signalId' in outcome) fields.signalId = outcome.signalId;
  deps.logger.info('mail intake', fields);
  return outcome;
}

async function decide(deps: IntakeDeps, input: MailInput): Promise<IntakeOutcome> {
  const { config } = deps;
  const { rawId, raw } = input;
  if (input.verdicts?.virus === 'FAIL') {
    await sendQuarantineNotice(deps, rawId);
    return { kind: 'quarantined', rawId };
  }
  const ctx = { rawId, raw, rawSha: sha256Hex(raw) };
  let reason: UnprocessableReason | undefined;
  let message: ParsedMessage | undefined;
  if (raw.byteLength > config.limits.maxMessageBytes + ENVELOPE_SLACK) {
    reason = 'too-large';
    message = headersOnly(await tryParse(deps, headerBlock(raw)));
  } else {
    message = await tryParse(deps, raw);
    if (!message || message.problems.includes('body-unreadable')) {
      reason = 'unreadable';
      message = headersOnly(message ?? (await tryParse(deps, headerBlock(raw))));
    }
  }
  if (!message) return keepUnprocessable(deps, ctx, 'unreadable');

  const kind = classifyMessage(config, message);
  if (kind.kind === 'auto-reply') return { kind: 'auto-reply-ignored', rawId, reason: kind.reason };
  if (kind.kind === 'bounce') return { kind: 'bounce-ignored', rawId, reason: kind.reason };

  const reporter = reporterFromMessage(config, message);
  if (!reporter || reason)
    return keepUnprocessable(deps, ctx, reason ?? 'no-sender', message, reporter);

  const senderUnverified =
    isStaffAddress(config, reporter.email) &&
    [input.verdicts?.spf, input.verdicts?.dkim, input.verdicts?.dmarc].includes('FAIL');
  const idempotencyKey = mailIdempotencyKey(messageIdOf(message), raw);
  const built = mailSubmission(message, reporter);

  const target = await replyTarget(deps, message, reporter, input.envelopeRecipients ?? []);
  if (target?.kind === 'partner')
    return { kind: 'partner-reply', rawId, signalId: target.signalId };
  if (target && built.readable) {
    const r = await appendReporterAddition(deps, {
      signalId: target.signalId,
      additionId: `x${sha256Hex(idempotencyKey).slice(0, 24)}`,
      text: built.submission.content.observed,
      attachments: built.attachments,
      ...(built.submission.content.subject ? { subject: built.submission.content.subject } : {}),
      ...(built.submission.content.intakeNotes
        ? { intakeNotes: built.submission.content.intakeNotes }
        : {}),
    });
    if (r.added)
      return { kind: 'reply-attached', rawId, signalId: r.signalId, reference: r.reference };
  }
  if (!built.readable) return keepUnprocessable(deps, ctx, 'empty', message, reporter);

  const signalId = idFromKey('email', idempotencyKey);
  const municipality = config.municipality.code;
  const content = built.submission.content;
  if (built.attachOriginal) {
    content.attachments = [...(content.attachments ?? []), originalAttachmentMeta(raw.byteLength)];
  }
  if (input.verdicts?.spam === 'FAIL') {
    content.intakeNotes = [
      ...(content.intakeNotes ?? []),
      'De spamfilter van de mailserver merkte deze e-mail aan als spam.',
    ];
  }
  const noReceipt = unconfirmedSender(input.verdicts);
  if (noReceipt) {
    content.intakeNotes = [
      ...(content.intakeNotes ?? []),
      'Er is geen ontvangstbevestiging gestuurd: de mailserver kon niet bevestigen dat de e-mail van dit adres kwam, of zag hem als spam. Neem zo nodig zelf contact op met de melder.',
    ];
  }
  // Every blob the signal refers to is stored before the signal is; the blobs
  // themselves are independent, so they are sealed and written side by side
  // (each durable write waits for its own fsync).
  await Promise.all([
    ...built.attachments.map((a) => putAttachment(deps, signalId, a.meta.id, a.content)),
    ...(built.attachOriginal ? [putAttachment(deps, signalId, ORIGINAL_ATTACHMENT_ID, raw)] : []),
    sealJson(deps.crypto, message.headers, contexts.headers(municipality, signalId)).then(
      (sealed) => deps.blobs.put(blobKeys.headers(signalId), sealed),
    ),
  ]);
  const token = deps.replyTokens?.issue(signalId);
  const result = await submitSignal(deps, {
    submission: built.submission,
    channel: 'email',
    idempotencyKey,
    ...(senderUnverified ? { senderUnverified: true } : {}),
    ...(noReceipt ? { sendReceipt: false } : {}),
    ...(token ? { replyTo: plusAddress(config, token) } : {}),
  });
  // The attachments were stored under the id submitSignal derives; they must agree.
  if (result.signalId !== signalId) throw new Error('signal id derivation changed');
  return { kind: 'signal', rawId, ...result };
}

/**
 * The receipt goes to the From address. When the mail server could not
 * confirm that address (DMARC failed, or SPF and DKIM both did) or took the
 * mail for spam, the sender may be someone else: a receipt would tell a
 * stranger that a signal about human trafficking was made in their name.
 * Without verdicts (the local SMTP intake) a receipt goes out as always.
 */
function unconfirmedSender(v: MailVerdicts | undefined): boolean {
  return v?.dmarc === 'FAIL' || (v?.spf === 'FAIL' && v?.dkim === 'FAIL') || v?.spam === 'FAIL';
}

async function tryParse(deps: IntakeDeps, bytes: Uint8Array): Promise<ParsedMessage | undefined> {
  try {
    return ParsedMessageSchema.parse(await deps.parser.parse(bytes));
  } catch (err) {
    // The name only: a parser's message may quote the mail.
    deps.logger.warn('mail parse failed', { error: (err as Error).name ?? 'Error' });
    return undefined;
  }
}

/** Keep what identifies the message; drop a body we could not trust to be complete. */
function headersOnly(message: ParsedMessage | undefined): ParsedMessage | undefined {
  if (!message) return undefined;
  const { text: _t, html: _h, ...rest } = message;
  return { ...rest, attachments: [], subject: cleanSubject(message.subject) };
}

export async function putAttachment(
  deps: Pick<IntakeDeps, 'blobs' | 'crypto' | 'config'>,
  signalId: string,
  attachmentId: string,
  bytes: Uint8Array,
): Promise<void> {
  const context = contexts.attachment(deps.config.municipality.code, signalId);
  await deps.blobs.put(
    blobKeys.attachment(signalId, attachmentId),
    await deps.crypto.encrypt(bytes, context),
  );
}

/**
 * Recovery: every raw message without a processed marker, oldest first, is
 * handed to `process` (called at start, so a crash after the SMTP 250 loses
 * nothing). One failure does not stop the rest; it stays pending.
 */
export async function processPendingRawMail(
  deps: Pick<IntakeDeps, 'blobs' | 'logger'>,
  process: (rawKey: string) => Promise<unknown>,
): Promise<{ processed: number; failed: number }> {
  const done = new Set(
    (await deps.blobs.list(PROCESSED_PREFIX)).map((k) => k.slice(PROCESSED_PREFIX.length)),
  );
  let processed = 0;
  let failed = 0;
  for (const key of (await deps.blobs.list(RAW_PREFIX)).sort()) {
    const rawId = rawIdFromKey(key);
    if (!rawId || done.has(rawId)) continue;
    try {
      await process(key);
      processed++;
    } catch (err) {
      failed++;
      deps.logger.error('mail intake failed', { rawId, error: (err as Error).name ?? 'Error' });
    }
  }
  return { processed, failed };
}
