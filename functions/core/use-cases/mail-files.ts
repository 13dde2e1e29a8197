import * as z from 'zod/mini';
import type { Config } from '../config.ts';
import { NotFoundError } from '../errors.ts';
import { servedContentType } from '../mail/content-type.ts';
import { type MailHeader, MailHeaderSchema } from '../mail/parsed-message.ts';
import { blobKeys, contexts } from '../mail/raw-mail.ts';
import type { BlobStore, Clock, Crypto, SignalStore } from '../ports.ts';
import { openJson } from '../sealing.ts';
import { type AttachmentMeta, ContentPartSchema, type SignalRecord } from '../signal.ts';
import { ADDITION_ID, openAddition, type ReporterAddition } from './append-reporter-addition.ts';

/**
 * What an officer opens besides the signal itself: its attachments, the
 * original mail headers and a reporter's later additions. Each read of
 * decrypted content is written to the audit trail before anything is
 * returned (rule 4), so no read goes unrecorded.
 */
export type MailFilesDeps = {
  config: Config;
  store: SignalStore;
  crypto: Crypto;
  clock: Clock;
  blobs: BlobStore;
};

export const ATTACHMENT_ID = /^[a-z0-9][a-z0-9-]{0,60}$/;

export type AttachmentDownload = { meta: AttachmentMeta; bytes: Uint8Array; servedAs: string };

export async function downloadAttachment(
  deps: MailFilesDeps,
  input: { signalId: string; attachmentId: string; actor: string },
): Promise<AttachmentDownload> {
  if (!ATTACHMENT_ID.test(input.attachmentId)) throw new NotFoundError('attachment not found');
  const signal = await getSignal(deps, input.signalId);
  const municipality = deps.config.municipality.code;
  const content = await openJson(
    deps.crypto,
    signal.contentCipher,
    { municipality, signalId: signal.id, part: 'content' },
    ContentPartSchema,
  );
  // Only what the signal (or one of its additions) lists: an id alone never reaches the blob store.
  const meta =
    content.attachments?.find((a) => a.id === input.attachmentId) ??
    (await additionAttachment(deps, signal.id, input.attachmentId));
  const sealed = meta ? await deps.blobs.get(blobKeys.attachment(signal.id, meta.id)) : undefined;
  if (!meta || !sealed) throw new NotFoundError('attachment not found');
  const bytes = await deps.crypto.decrypt(sealed, contexts.attachment(municipality, signal.id));
  await audit(deps, signal.id, input.actor, 'attachment_downloaded', meta.id);
  return { meta, bytes, servedAs: servedContentType(meta.contentType, bytes) };
}

const HeadersSchema = z.array(MailHeaderSchema);

export async function viewMailHeaders(
  deps: MailFilesDeps,
  input: { signalId: string; actor: string },
): Promise<MailHeader[]> {
  const signal = await getSignal(deps, input.signalId);
  const sealed = await deps.blobs.get(blobKeys.headers(signal.id));
  if (!sealed) throw new NotFoundError('no mail headers for this signal');
  const context = contexts.headers(deps.config.municipality.code, signal.id);
  const headers = await openJson(deps.crypto, sealed, context, HeadersSchema);
  await audit(deps, signal.id, input.actor, 'headers_viewed');
  return headers;
}

export async function viewAddition(
  deps: MailFilesDeps,
  input: { signalId: string; additionId: string; actor: string },
): Promise<ReporterAddition> {
  const signal = await getSignal(deps, input.signalId);
  const addition = await openAddition(deps, signal.id, input.additionId);
  if (!addition) throw new NotFoundError('addition not found');
  await audit(deps, signal.id, input.actor, 'addition_viewed', addition.id);
  return addition;
}

/** Attachments of a reporter addition have ids `<additionId>-<n>`. */
async function additionAttachment(deps: MailFilesDeps, signalId: string, attachmentId: string) {
  const additionId = attachmentId.split('-')[0] ?? '';
  if (!ADDITION_ID.test(additionId)) return undefined;
  const addition = await openAddition(deps, signalId, additionId);
  return addition?.attachments.find((a) => a.id === attachmentId);
}

async function getSignal(deps: MailFilesDeps, id: string): Promise<SignalRecord> {
  const signal = await deps.store.get(id);
  if (!signal) throw new NotFoundError('signal not found');
  return signal;
}

async function audit(
  deps: MailFilesDeps,
  signalId: string,
  actor: string,
  type: string,
  detail?: string,
) {
  await deps.store.appendAudit(signalId, {
    at: deps.clock.now().toISOString(),
    actor,
    type,
    ...(detail ? { detail } : {}),
  });
}
