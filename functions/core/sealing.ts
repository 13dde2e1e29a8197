import type { z } from 'zod';
import type { Crypto, EncryptionContext, OutgoingEmail, SealedMail } from './ports.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

export async function sealJson(
  crypto: Crypto,
  value: unknown,
  context: EncryptionContext,
): Promise<Uint8Array> {
  return crypto.encrypt(enc.encode(JSON.stringify(value)), context);
}

/** Decrypts (context checked by the Crypto port) and validates the shape. */
export async function openJson<S extends z.ZodType>(
  crypto: Crypto,
  cipher: Uint8Array,
  context: EncryptionContext,
  schema: S,
): Promise<z.infer<S>> {
  const plain = await crypto.decrypt(cipher, context);
  return schema.parse(JSON.parse(dec.decode(plain)));
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
