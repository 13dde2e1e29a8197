import { randomBytes } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  MultiKeyringNode,
} from '@aws-crypto/client-node';
import { describe, expect, it } from 'vitest';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';

describe('sealed data written by earlier versions', () => {
  it('still opens a 1 MB attachment sealed with 4 KiB frames and the signing suite', async () => {
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

describe('what a sealed part carries', () => {
  const context = { municipality: 'montfoort', signalId: 'sig1', part: 'content' };

  it('is sealed with the committing suite without a signature', async () => {
    const keyring = rawAesKeyring(randomBytes(32));
    const sealed = await new EncryptionSdkCrypto(keyring).encrypt(Buffer.from('tekst'), context);

    const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const { messageHeader } = await decrypt(keyring, sealed);
    expect(messageHeader.suiteId).toBe(
      AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
    );
  });

  it('refuses a message whose body was changed', async () => {
    const crypto = new EncryptionSdkCrypto(rawAesKeyring(randomBytes(32)));
    const sealed = await crypto.encrypt(Buffer.from('arbeiders slapen in de loods'), context);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 20] = (tampered[tampered.length - 20] ?? 0) ^ 1;

    await expect(crypto.decrypt(tampered, context)).rejects.toThrow(/could not be decrypted/);
  });

  it('refuses a message with more than one wrapped data key before unwrapping any', async () => {
    const key = randomBytes(32);
    const two = new MultiKeyringNode({
      generator: rawAesKeyring(key),
      children: [rawAesKeyring(randomBytes(32), 'someone-else')],
    });
    const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const sealed = await encrypt(two, Buffer.from('tekst'), { encryptionContext: context });

    await expect(
      new EncryptionSdkCrypto(rawAesKeyring(key)).decrypt(sealed.result, context),
    ).rejects.toThrow(/could not be decrypted/);
  });
});
