import { safeEqual } from '../hashing.ts';
import type { LinkSigner } from '../ports.ts';

/**
 * A partner's link names one handover: `<signalId>.<n>.<version>.<expiry>.<mac>`.
 * All lower case (it also travels as a plus-address, which mail systems may
 * lowercase) and short enough for a local part. The signature (HMAC, its own
 * key) makes it unforgeable; the version on the handover lets the officer
 * revoke it; the expiry (hours since epoch) ends it.
 */

export type PartnerLinkClaims = {
  signalId: string;
  handoverId: string;
  version: number;
  expiresAt: Date;
};

export type PartnerLinkCheck =
  | { ok: true; claims: PartnerLinkClaims }
  | { ok: false; reason: 'malformed' | 'tampered' };

const TOKEN =
  /^([a-z0-9]{10,40})\.([a-z0-9]{1,4})\.([a-z0-9]{1,4})\.([a-z0-9]{1,8})\.([a-z2-7]{16})$/;
const HOUR = 3_600_000;

export function issuePartnerToken(signer: LinkSigner, claims: PartnerLinkClaims): string {
  const n = /^h([1-9]\d{0,5})$/.exec(claims.handoverId)?.[1];
  if (!n || !/^[a-z0-9]{10,40}$/.test(claims.signalId))
    throw new Error('cannot sign this handover');
  const payload = [
    claims.signalId,
    Number(n).toString(36),
    claims.version.toString(36),
    Math.ceil(claims.expiresAt.getTime() / HOUR).toString(36),
  ].join('.');
  return `${payload}.${mac(signer, payload)}`;
}

/** Checks the signature only; expiry and version are the caller's (they need the handover). */
export function readPartnerToken(signer: LinkSigner, token: string): PartnerLinkCheck {
  const m = TOKEN.exec(token.trim().toLowerCase());
  if (!m) return { ok: false, reason: 'malformed' };
  const [, signalId = '', n = '', v = '', exp = '', given = ''] = m;
  const payload = [signalId, n, v, exp].join('.');
  if (!safeEqual(mac(signer, payload), given)) return { ok: false, reason: 'tampered' };
  return {
    ok: true,
    claims: {
      signalId,
      handoverId: `h${Number.parseInt(n, 36)}`,
      version: Number.parseInt(v, 36),
      expiresAt: new Date(Number.parseInt(exp, 36) * HOUR),
    },
  };
}

/** 80 bits of the HMAC in RFC 4648 base32, lower case. */
function mac(signer: LinkSigner, payload: string): string {
  const bytes = signer.sign(`partner-link\u0000${payload}`).slice(0, 10);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}
