import type { KeyringNode } from '@aws-crypto/client-node';
import { kmsKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { ENV } from '#config/env.ts';
import { requireEnv } from './config.ts';

/** The envelope keyring: the one a test injects, or the stack's KMS key. */
export function envelopeKeyring(env: NodeJS.ProcessEnv, injected?: KeyringNode): KeyringNode {
  return injected ?? kmsKeyring(requireEnv(env, ENV.kmsKeyArn));
}
