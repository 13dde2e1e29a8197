import type { Crypto } from '#core/ports.ts';

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
