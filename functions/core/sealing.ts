import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type * as z from 'zod/mini';
import type { Crypto, EncryptionContext, OutgoingEmail, SealedMail, SealOptions } from './ports.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Sealed JSON of this size or more is deflated first (docs/adr/0014): a
 * queued mail is mostly HTML and shrinks about five times, and with it the
 * item, its copies in the outbox index and every write unit on AWS. A first
 * byte of 0x01 marks it; JSON text never starts with that byte, so parts
 * sealed before (or below the threshold) open as they are.
 */
export const COMPRESS_FROM_BYTES = 1024;
const DEFLATED = 0x01;
/** Far above anything the app seals; a larger inflation is refused, not allocated. */
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

export function packJson(value: unknown): Uint8Array {
  const bytes = enc.encode(JSON.stringify(value));
  if (bytes.length < COMPRESS_FROM_BYTES) return bytes;
  const deflated = deflateRawSync(bytes);
  const out = new Uint8Array(deflated.length + 1);
  out[0] = DEFLATED;
  out.set(deflated, 1);
  return out;
}

export function unpackJson(plain: Uint8Array): unknown {
  const bytes =
    plain[0] === DEFLATED
      ? inflateRawSync(plain.subarray(1), { maxOutputLength: MAX_INFLATED_BYTES })
      : plain;
  return JSON.parse(dec.decode(bytes));
}

export async function sealJson(
  crypto: Crypto,
  value: unknown,
  context: EncryptionContext,
  options?: SealOptions,
): Promise<Uint8Array> {
  return crypto.encrypt(packJson(value), context, options);
}

/** Decrypts (context checked by the Crypto port) and validates the shape. */
export async function openJson<S extends z.ZodMiniType>(
  crypto: Crypto,
  cipher: Uint8Array,
  context: EncryptionContext,
  schema: S,
): Promise<z.infer<S>> {
  const plain = await crypto.decrypt(cipher, context);
  return schema.parse(unpackJson(plain));
}

export function mailContext(municipality: string, ownerId: string): EncryptionContext {
  return { municipality, signalId: ownerId, part: 'mail' };
}

export async function sealMail(
  crypto: Crypto,
  municipality: string,
  ownerId: string,
  mail: OutgoingEmail,
): Promise<SealedMail> {
  return {
    mailId: mail.id,
    cipher: await sealJson(crypto, mail, mailContext(municipality, ownerId)),
  };
}
