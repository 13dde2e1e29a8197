import { createHash } from 'node:crypto';
import type { EncryptionContext } from '../ports.ts';

/**
 * Where mail intake keeps its bytes in the BlobStore, and under which
 * encryption context each is sealed. Contexts name ids only (KMS logs them).
 */
export const RAW_PREFIX = 'raw/';
export const PROCESSED_PREFIX = 'processed/';

export const blobKeys = {
  raw: (rawId: string) => `${RAW_PREFIX}${rawId}`,
  processed: (rawId: string) => `${PROCESSED_PREFIX}${rawId}`,
  attachment: (signalId: string, attachmentId: string) => `attachments/${signalId}/${attachmentId}`,
  headers: (signalId: string) => `mail-headers/${signalId}`,
  addition: (signalId: string, additionId: string) => `additions/${signalId}/${additionId}`,
};

export const contexts = {
  raw: (municipality: string, rawId: string): EncryptionContext => ({
    municipality,
    signalId: rawId,
    part: 'raw-mail',
  }),
  processed: (municipality: string, rawId: string): EncryptionContext => ({
    municipality,
    signalId: rawId,
    part: 'raw-mail-outcome',
  }),
  attachment: (municipality: string, signalId: string): EncryptionContext => ({
    municipality,
    signalId,
    part: 'attachment',
  }),
  headers: (municipality: string, signalId: string): EncryptionContext => ({
    municipality,
    signalId,
    part: 'mail-headers',
  }),
  addition: (municipality: string, signalId: string): EncryptionContext => ({
    municipality,
    signalId,
    part: 'addition',
  }),
};

/** Raw ids become blob keys and encryption contexts: a small safe alphabet only. */
export const RAW_ID = /^[a-z0-9][a-z0-9-]{5,80}$/;

export function rawIdFromKey(rawKey: string): string | undefined {
  if (!rawKey.startsWith(RAW_PREFIX)) return undefined;
  const id = rawKey.slice(RAW_PREFIX.length);
  return RAW_ID.test(id) ? id : undefined;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The same message delivered twice (an SMTP client retrying after a lost 250,
 * SES redelivering) has the same Message-ID and the same bytes: one signal.
 * The hash guards against a Message-ID reused for different content.
 */
export function mailIdempotencyKey(messageId: string | undefined, raw: Uint8Array): string {
  return `${messageId ?? ''}\u0000${sha256Hex(raw)}`;
}

/**
 * The header block of a raw message (up to the first empty line), at most
 * `max` bytes: enough to learn the sender of a message whose body defeats
 * the parser, so they can be told.
 */
export function headerBlock(raw: Uint8Array, max = 256 * 1024): Uint8Array {
  const limit = Math.min(raw.length, max);
  for (let i = 0; i < limit; i++) {
    if (raw[i] !== 0x0a) continue;
    const next = raw[i + 1] === 0x0d ? raw[i + 2] : raw[i + 1];
    if (next === 0x0a) return raw.subarray(0, i + 1);
  }
  return raw.subarray(0, limit);
}
