import type { KeyringNode } from '@aws-crypto/client-node';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { S3BlobStore } from '#adapters/blob/s3-blob-store.ts';
import { EncryptionSdkCrypto } from '#adapters/crypto/encryption-sdk.ts';
import { DynamoRetentionStore } from '#adapters/dynamo/retention-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { systemClock } from '#adapters/system.ts';
import { ENV } from '#config/env.ts';
import type { BlobStore, Logger } from '#core/ports.ts';
import { type ErasureDeps, type RetentionResult, runRetention } from '#core/use-cases/erasure.ts';
import { lambdaTable, loadLambdaConfig, requireEnv } from './shared/config.ts';
import { envelopeKeyring } from './shared/keyring.ts';
import { lambdaLogger, withLambdaContext } from './shared/logger.ts';

/**
 * Retention and erasure (issue 6) on AWS. Started nightly by EventBridge
 * Scheduler with `{"job":"retention"}`; runs the same `runRetention` as local
 * mode (functions/local/retention.ts), with the attachments bucket as the
 * BlobStore (attachments, mail headers, additions, raw-mail outcome markers)
 * and the KMS keyring. Logs counts only.
 */

export const RetentionEvent = z.object({ job: z.literal('retention') });

export class UnrecognisedEventError extends Error {
  override readonly name = 'UnrecognisedEventError';
  readonly code = 'EVENT_UNRECOGNISED';
}

export type RetentionDeps = ErasureDeps & { logger: Logger };

/** The unwrapped handler, for tests: the scheduled event in, counts out. */
export async function main(event: unknown, deps: RetentionDeps): Promise<RetentionResult> {
  const parsed = RetentionEvent.safeParse(event);
  if (!parsed.success) {
    deps.logger.error('retention: unrecognised event', { issues: parsed.error.issues.length });
    throw new UnrecognisedEventError('the retention function was started by an unrecognised event');
  }
  // runRetention logs its own counts ('retention run'); nothing else is logged here.
  return runRetention(deps);
}

export type RetentionWiring = {
  env?: NodeJS.ProcessEnv;
  /** Tests inject a raw AES keyring instead of KMS. */
  keyring?: KeyringNode;
  /** Tests may inject a BlobStore; otherwise the attachments bucket. */
  blobs?: BlobStore;
  logger?: Logger;
};

/** The AWS wiring, from the environment the CDK stack sets (infra/constructs/schedules.ts). */
export function retentionDeps(wiring: RetentionWiring = {}): RetentionDeps {
  const env = wiring.env ?? process.env;
  const config = loadLambdaConfig(env);
  const { table, doc } = lambdaTable(env);
  return {
    config,
    store: new DynamoSignalStore(doc, table),
    retention: new DynamoRetentionStore(doc, table),
    // Only List, Get and Delete are used: retention never writes a blob.
    blobs:
      wiring.blobs ??
      new S3BlobStore({ client: new S3Client({}), bucket: requireEnv(env, ENV.attachmentsBucket) }),
    crypto: new EncryptionSdkCrypto(envelopeKeyring(env, wiring.keyring)),
    clock: systemClock,
    logger: wiring.logger ?? log.port,
  };
}

const log = lambdaLogger('meldroute-retention');

// Wired once per container, on the first event.
let deps: RetentionDeps | undefined;

export const handler = middy(async (event: unknown) => {
  deps ??= retentionDeps();
  return main(event, deps);
}).use(withLambdaContext(log.powertools));
