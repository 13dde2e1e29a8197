import { describe, expect, it } from 'vitest';
import { DecryptionError } from '#core/errors.ts';
import { testCrypto } from '../support/fakes.ts';

const ctx = { municipality: 'montfoort', signalId: 'sig1', part: 'content' };
const bytes = (s: string) => new TextEncoder().encode(s);

describe('encryption with the AWS Encryption SDK', () => {
  it('round-trips under the same context and hides the plaintext', async () => {
    const crypto = testCrypto();
    const cipher = await crypto.encrypt(bytes('MARKER-geheim'), ctx);
    expect(Buffer.from(cipher).toString('latin1')).not.toContain('MARKER-geheim');
    expect(new TextDecoder().decode(await crypto.decrypt(cipher, ctx))).toBe('MARKER-geheim');
  });

  it('refuses a ciphertext moved to another signal or part', async () => {
    const crypto = testCrypto();
    const cipher = await crypto.encrypt(bytes('x'), ctx);
    await expect(crypto.decrypt(cipher, { ...ctx, signalId: 'sig2' })).rejects.toBeInstanceOf(
      DecryptionError,
    );
    await expect(crypto.decrypt(cipher, { ...ctx, part: 'reporter' })).rejects.toBeInstanceOf(
      DecryptionError,
    );
  });

  it('refuses a ciphertext made with another key', async () => {
    const cipher = await testCrypto().encrypt(bytes('x'), ctx);
    await expect(testCrypto().decrypt(cipher, ctx)).rejects.toBeInstanceOf(DecryptionError);
  });
});
