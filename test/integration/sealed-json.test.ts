import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { COMPRESS_FROM_BYTES, openJson, sealJson, sealMail } from '#core/sealing.ts';
import { testCrypto } from '../support/fakes.ts';

const context = { municipality: 'montfoort', signalId: 'sig1', part: 'mail' };
const Anything = z.unknown();

/** A receipt as the templates render it: mostly repetitive HTML. */
const receipt = {
  id: 'm1',
  to: ['medewerker@montfoort.example'],
  subject: 'Ontvangstbevestiging MH-2026-0001',
  text: 'Dank u wel voor uw melding.\n'.repeat(40),
  html: '<table role="presentation"><tr><td style="padding:16px;font-family:Arial">Dank u wel voor uw melding.</td></tr></table>'.repeat(
    150,
  ),
};

describe('sealed JSON', () => {
  it('stores a rendered mail in a fraction of its size and opens it unchanged', async () => {
    const crypto = testCrypto();
    const plainSize = Buffer.byteLength(JSON.stringify(receipt));

    const sealed = await sealMail(crypto, 'montfoort', 'sig1', receipt);

    expect(sealed.cipher.length).toBeLessThan(plainSize / 4);
    expect(await openJson(crypto, sealed.cipher, context, Anything)).toEqual(receipt);
  });

  it('leaves a small value as it is', async () => {
    const crypto = testCrypto();
    const note = { text: 'Gebeld met de wijkagent.' };

    const sealed = await sealJson(crypto, note, context);
    const plain = await crypto.decrypt(sealed, context);

    expect(new TextDecoder().decode(plain)).toBe(JSON.stringify(note));
    expect(COMPRESS_FROM_BYTES).toBeGreaterThan(JSON.stringify(note).length);
  });

  it('still opens a large value sealed before compression', async () => {
    const crypto = testCrypto();
    const old = await crypto.encrypt(new TextEncoder().encode(JSON.stringify(receipt)), context);

    expect(await openJson(crypto, old, context, Anything)).toEqual(receipt);
  });

  it('refuses to inflate a sealed value beyond any size the app writes', async () => {
    const crypto = testCrypto();
    const bomb = Buffer.concat([
      Buffer.from([1]),
      deflateRawSync(Buffer.alloc(40 * 1024 * 1024, 32)),
    ]);
    const sealed = await crypto.encrypt(bomb, context);

    await expect(openJson(crypto, sealed, context, Anything)).rejects.toThrow(
      /buffer|length|size/i,
    );
  });
});
