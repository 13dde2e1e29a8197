import { createHmac } from 'node:crypto';
import type { BlindIndex, IdentifierKind, LinkSigner } from '#core/ports.ts';

/**
 * HMAC-SHA256 with a key of its own (never the data key): locally from a key
 * file, on AWS derived once per cold start from the KMS HMAC key.
 */
export class HmacBlindIndex implements BlindIndex {
  constructor(private readonly key: Uint8Array) {
    if (key.length < 32) throw new Error('blind-index key must be at least 32 bytes');
  }

  compute(kind: IdentifierKind, normalised: string): string {
    // The kind is part of the input: an address and a name never collide.
    return createHmac('sha256', this.key)
      .update(`blind-index\u0000${kind}\u0000${normalised}`, 'utf8')
      .digest('base64url');
  }
}

export class HmacLinkSigner implements LinkSigner {
  constructor(private readonly key: Uint8Array) {
    if (key.length < 32) throw new Error('link key must be at least 32 bytes');
  }

  sign(payload: string): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.key).update(payload, 'utf8').digest());
  }
}
