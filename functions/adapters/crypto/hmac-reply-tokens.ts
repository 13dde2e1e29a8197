import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReplyTokens } from '#core/ports.ts';

/**
 * Plus-address tokens without a lookup table: the signal id itself plus an
 * HMAC over it, in lower-case base32 (mail systems may lower-case the local
 * part). A signal id (26 hex) becomes 21 characters, the MAC 16 (80 bits),
 * so `meldpunt-mensenhandel+<token>` stays within the 64-octet local part.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const ID = /^[0-9a-f]{26}$/;
const ID_CHARS = 21;
const MAC_CHARS = 16;

export class HmacReplyTokens implements ReplyTokens {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length < 32) throw new Error('reply token key must be at least 32 bytes');
    this.#key = Buffer.from(key);
  }

  issue(signalId: string): string | undefined {
    if (!ID.test(signalId)) return undefined;
    return base32(Buffer.from(signalId, 'hex')) + this.#mac(signalId);
  }

  verify(token: string): string | undefined {
    const t = token.trim().toLowerCase();
    if (t.length !== ID_CHARS + MAC_CHARS || !/^[a-z2-7]+$/.test(t)) return undefined;
    const signalId = unbase32(t.slice(0, ID_CHARS)).toString('hex').slice(0, 26);
    const expected = Buffer.from(this.#mac(signalId));
    const given = Buffer.from(t.slice(ID_CHARS));
    return ID.test(signalId) && timingSafeEqual(expected, given) ? signalId : undefined;
  }

  #mac(signalId: string): string {
    const mac = createHmac('sha256', this.#key).update(`reply-token\u0000${signalId}`).digest();
    return base32(mac.subarray(0, 10)).slice(0, MAC_CHARS);
  }
}

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text) {
    value = (value << 5) | ALPHABET.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
