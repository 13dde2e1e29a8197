import type { KeyringNode } from '@aws-crypto/client-node';
import { ENV } from '#config/env.ts';
import type { Crypto, SignalKeyStore } from '#core/ports.ts';
import { requireEnv } from './config.ts';

/**
 * A Crypto that loads the real one on first use. For a handler whose use case
 * takes a Crypto but (almost) never seals or opens anything: the Encryption
 * SDK, with its KMS client, then stays out of the cold start (issue 8). A
 * failed load is not kept, so the next call tries again.
 */
export function lazyCrypto(load: () => Promise<Crypto>): Crypto {
  let loaded: Promise<Crypto> | undefined;
  const crypto = () => {
    loaded ??= load().catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    return loaded;
  };
  return {
    encrypt: async (plain, context, options) => (await crypto()).encrypt(plain, context, options),
    decrypt: async (cipher, context) => (await crypto()).decrypt(cipher, context),
  };
}

/**
 * The envelope Crypto (the stack's KMS key, or the keyring a test injects)
 * with the Encryption SDK imported on first use. A missing key ARN still
 * fails at wiring, not at the first seal.
 */
export function lazyEnvelopeCrypto(env: NodeJS.ProcessEnv, injected?: KeyringNode): Crypto {
  const envelope = envelopeLoader(env, injected);
  return lazyCrypto(envelope);
}

/**
 * The officer's Crypto: one key per signal over the envelope (docs/adr/0016),
 * with the Encryption SDK imported on first use. For the web function, whose
 * first request after a quiet spell is often a page that opens nothing.
 */
export function lazySignalKeyCrypto(
  env: NodeJS.ProcessEnv,
  keys: SignalKeyStore,
  injected?: KeyringNode,
): Crypto {
  const envelope = envelopeLoader(env, injected);
  return lazyCrypto(async () => {
    const [inner, { SignalKeyCrypto }] = await Promise.all([
      envelope(),
      import('#adapters/crypto/signal-keys.ts'),
    ]);
    return new SignalKeyCrypto(inner, keys);
  });
}

function envelopeLoader(env: NodeJS.ProcessEnv, injected?: KeyringNode): () => Promise<Crypto> {
  if (!injected) requireEnv(env, ENV.kmsKeyArn); // at wiring, not at the first seal
  return async () => {
    const [{ EncryptionSdkCrypto }, { envelopeKeyring }] = await Promise.all([
      import('#adapters/crypto/encryption-sdk.ts'),
      import('./keyring.ts'),
    ]);
    return new EncryptionSdkCrypto(envelopeKeyring(env, injected));
  };
}
