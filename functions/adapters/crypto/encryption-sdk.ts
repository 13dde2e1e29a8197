import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  type KeyringNode,
  KmsKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { DecryptionError } from '#core/errors.ts';
import type { Crypto, EncryptionContext } from '#core/ports.ts';

/**
 * Key commitment on encrypt and decrypt, and at most one wrapped data key per
 * message: every message this app writes has exactly one, so a message with
 * more is refused before any keyring (or KMS) is asked about it.
 */
const { encrypt, decrypt } = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: 1,
});

/**
 * The committing suite without an ECDSA signature (docs/adr/0013). Whoever can
 * decrypt a part may also encrypt that part here, so a signature would only
 * prove what the encryption context and IAM already do, at about 2.5 ms and
 * most of the garbage of every seal. Messages written earlier with the signing
 * suite still open: decrypt reads the suite from each message's header.
 */
export const ALGORITHM_SUITE =
  AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/**
 * Plaintext per authenticated frame. The SDK's default of 4 KiB cuts a 1 MB
 * raw mail or attachment into 250 frames, each with its own IV, tag and
 * per-frame work: encrypt and decrypt of 1 MB took 24 and 28 ms. At 64 KiB
 * they take 7 and 11 ms (bench/: mail intake row); small texts (one frame
 * either way) are unchanged. Decrypt reads the frame length from each
 * message's header, so ciphertexts written with 4 KiB frames still open.
 */
export const FRAME_LENGTH = 64 * 1024;

/**
 * Envelope encryption with the AWS Encryption SDK. The SDK does not enforce the
 * encryption context on decrypt, so every decrypt compares it here: a ciphertext
 * moved to another signal or part fails.
 */
export class EncryptionSdkCrypto implements Crypto {
  constructor(private readonly keyring: KeyringNode) {}

  async encrypt(plain: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    const { result } = await encrypt(this.keyring, plain, {
      encryptionContext: { ...context },
      frameLength: FRAME_LENGTH,
      suiteId: ALGORITHM_SUITE,
    });
    return new Uint8Array(result);
  }

  async decrypt(cipher: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    let out: Awaited<ReturnType<typeof decrypt>>;
    try {
      out = await decrypt(this.keyring, cipher);
    } catch (cause) {
      throw new DecryptionError('ciphertext could not be decrypted', { cause });
    }
    const stored = out.messageHeader.encryptionContext;
    for (const [k, v] of Object.entries(context)) {
      if (stored[k] !== v) throw new DecryptionError(`encryption context mismatch on ${k}`);
    }
    return new Uint8Array(out.plaintext);
  }
}

/**
 * Local mode: a 256-bit key from a file under DATA_DIR. Also the keyring of a
 * signal key (docs/adr/0016), in its own namespace and named by the signal.
 */
export function rawAesKeyring(
  key: Uint8Array,
  keyName = 'meldroute-local',
  keyNamespace = 'meldroute',
): KeyringNode {
  if (key.length !== 32) throw new Error('local encryption key must be 32 bytes');
  return new RawAesKeyringNode({
    keyName,
    keyNamespace,
    unencryptedMasterKey: key,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}

/** AWS mode: a customer-managed KMS key; the IAM policy limits which contexts a function may decrypt. */
export function kmsKeyring(keyArn: string): KeyringNode {
  return new KmsKeyringNode({ generatorKeyId: keyArn });
}

const utf8 = new TextDecoder();

/**
 * The provider id of a message's (first) wrapped data key, read from its
 * header without decrypting anything: `aws-kms`, a raw keyring's namespace,
 * or undefined when the bytes are not a message this app writes (version 2,
 * the committing suites). Only a routing hint: the keyring that then opens
 * the message checks everything again.
 */
export function keyProviderOf(message: Uint8Array): string | undefined {
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  // version (1), suite id (2), message id (32), then the length of the serialized context.
  if (message.byteLength < 37 || message[0] !== 0x02) return undefined;
  let at = 35;
  at += 2 + view.getUint16(at);
  if (at + 4 > message.byteLength || view.getUint16(at) < 1) return undefined;
  at += 2; // the count of wrapped data keys; then the first one's provider id.
  const length = view.getUint16(at);
  at += 2;
  if (at + length > message.byteLength) return undefined;
  return utf8.decode(message.subarray(at, at + length));
}
