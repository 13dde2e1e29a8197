import { randomBytes } from 'node:crypto';
import { buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import { describe, expect, it } from 'vitest';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';

describe('sealed data written before the larger frames', () => {
  it('still opens a 1 MB attachment sealed with the SDK default of 4 KiB frames', async () => {
    const keyring = rawAesKeyring(randomBytes(32));
    const context = { municipality: 'montfoort', signalId: 'sig1', part: 'attachment:a1' };
    const bytes = randomBytes(1_000_000);
    const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const old = await encrypt(keyring, bytes, { encryptionContext: context, frameLength: 4096 });

    const opened = await new EncryptionSdkCrypto(keyring).decrypt(old.result, context);

    expect(Buffer.from(opened).equals(bytes)).toBe(true);
  });

  it('round-trips a 1 MB attachment sealed now', async () => {
    const crypto = new EncryptionSdkCrypto(rawAesKeyring(randomBytes(32)));
    const context = { municipality: 'montfoort', signalId: 'sig1', part: 'raw' };
    const bytes = randomBytes(1_000_000);

    const sealed = await crypto.encrypt(bytes, context);

    expect(Buffer.from(await crypto.decrypt(sealed, context)).equals(bytes)).toBe(true);
  });
});
