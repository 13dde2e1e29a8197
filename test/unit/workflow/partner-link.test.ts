import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { issuePartnerToken, readPartnerToken } from '#core/workflow/partner-link.ts';

const signer = new HmacLinkSigner(randomBytes(32));
const claims = {
  signalId: '0123456789abcdef0123456789',
  handoverId: 'h3',
  version: 2,
  expiresAt: new Date('2026-04-01T10:00:00Z'),
};

describe('partner link tokens', () => {
  it('round-trips the handover, version and expiry', () => {
    const token = issuePartnerToken(signer, claims);
    expect(readPartnerToken(signer, token)).toEqual({ ok: true, claims });
  });

  it('fits a plus-address token: lower case, at most 64 characters', () => {
    const token = issuePartnerToken(signer, claims);
    expect(token).toMatch(/^[a-z0-9._=-]{1,64}$/);
  });

  it('is read the same when a mail system lower-cases it', () => {
    const token = issuePartnerToken(signer, claims);
    expect(readPartnerToken(signer, token.toUpperCase()).ok).toBe(true);
  });

  it('refuses any changed character, and tokens of another key', () => {
    const token = issuePartnerToken(signer, claims);
    fc.assert(
      fc.property(
        fc.nat(token.length - 1),
        fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'),
        (i, ch) => {
          fc.pre(token[i] !== ch && token[i] !== '.');
          const changed = token.slice(0, i) + ch + token.slice(i + 1);
          expect(readPartnerToken(signer, changed).ok).toBe(false);
        },
      ),
    );
    expect(readPartnerToken(new HmacLinkSigner(randomBytes(32)), token)).toEqual({
      ok: false,
      reason: 'tampered',
    });
    expect(readPartnerToken(signer, 'nonsense')).toEqual({ ok: false, reason: 'malformed' });
  });
});
