import type { KeyringNode } from '@aws-crypto/client-node';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { handle } from 'hono/aws-lambda';
import { S3BlobStore } from '#adapters/blob/s3-blob-store.ts';
import { HmacBlindIndex, HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { DynamoAuthAudit } from '#adapters/dynamo/auth-audit.ts';
import { DynamoAuthStore } from '#adapters/dynamo/auth-store.ts';
import { DynamoBlindIndexStore } from '#adapters/dynamo/blind-index-store.ts';
import { DynamoRetentionStore } from '#adapters/dynamo/retention-store.ts';
import { DynamoSecondFactorStore } from '#adapters/dynamo/second-factor-store.ts';
import { DynamoSignalKeyStore } from '#adapters/dynamo/signal-key-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { DynamoWorkLists } from '#adapters/dynamo/work-lists.ts';
import { randomIds, systemClock } from '#adapters/system.ts';
import { ENV } from '#config/env.ts';
import type { Config } from '#core/config.ts';
import type { EmailRenderer, Logger } from '#core/ports.ts';
import { createApp } from '#forms/app.tsx';
import type { AppDeps } from '#forms/http/context.ts';
import { emailRenderer } from '#templates/render.ts';
import { appOnFirstPage } from './shared/app-on-first-page.ts';
import { lambdaTable, loadLambdaConfig, requireEnv } from './shared/config.ts';
import { lazySignalKeyCrypto } from './shared/lazy-crypto.ts';
import { lambdaLogger, withLambdaContext } from './shared/logger.ts';
import { SecretDeriver } from './shared/secrets.ts';

/**
 * The AWS composition root of the web app: DynamoDB stores, the KMS keyring,
 * Powertools logs. Wired once per container at module scope (the Lambda init
 * phase); requests only run the app.
 *
 * Mail is not sent from here: the write that queues a mail puts it in the
 * item's outbox, and the table stream starts the outbox function within a
 * second or so. So this function has no SES permission at all.
 */

/**
 * The app without /dev/mail, whatever `deps` carries: that route is for local
 * mode only. And without the partner pages: on AWS the partner function
 * serves them (./partner.ts), under a role that cannot decrypt the reporter.
 */
export function buildWebApp(deps: AppDeps) {
  const { devMail: _never, afterWrite: _local, ...aws } = deps;
  return createApp(aws, { partnerPages: false });
}

export type WebWiring = {
  env?: NodeJS.ProcessEnv;
  /** Tests inject a raw AES keyring instead of KMS. */
  keyring?: KeyringNode;
  logger?: Logger;
};

/** Builds the app's dependencies from the environment the CDK stack sets. */
export function webDeps(wiring: WebWiring = {}): {
  deps: AppDeps;
  config: Config;
  dynamo: { table: string; doc: DynamoDBDocumentClient };
} {
  const env = wiring.env ?? process.env;
  const config = loadLambdaConfig(env);
  const { table, doc } = lambdaTable(env);
  const render: EmailRenderer = emailRenderer;
  const deps: AppDeps = {
    config,
    store: new DynamoSignalStore(doc, table),
    auth: new DynamoAuthStore(doc, table),
    factors: new DynamoSecondFactorStore(doc, table),
    authAudit: new DynamoAuthAudit(doc, table, () => randomIds.token(9)),
    // One KMS data key per signal for the officer's parts, unwrapped once per container
    // (docs/adr/0016); the Encryption SDK loads with the first seal or open, so a form or
    // inbox page after a quiet spell does not wait for it.
    crypto: lazySignalKeyCrypto(env, new DynamoSignalKeyStore(doc, table), wiring.keyring),
    clock: systemClock,
    ids: randomIds,
    render,
    logger: wiring.logger ?? log.port,
    // Attachments, reporter additions and early erasure (officers only).
    retention: new DynamoRetentionStore(doc, table),
    ...(env[ENV.attachmentsBucket]
      ? {
          blobs: new S3BlobStore({
            client: new S3Client({}),
            bucket: env[ENV.attachmentsBucket] as string,
          }),
        }
      : {}),
  };
  return { deps, config, dynamo: { table, doc } };
}

const log = lambdaLogger('meldroute-web');

/**
 * The officer's route needs two secrets derived in KMS (partner links, blind
 * indexes): one KMS call each, once per container, on the first request that
 * needs them. /healthz and the stylesheet never wait for KMS.
 */
async function withWorkflow(
  deps: AppDeps,
  { table, doc }: { table: string; doc: DynamoDBDocumentClient },
  env: NodeJS.ProcessEnv,
) {
  const secrets = new SecretDeriver(
    new KMSClient({}),
    requireEnv(env, ENV.secretsKeyArn),
    deps.config.municipality.code,
  );
  const [linkKey, indexKey] = await Promise.all([
    secrets.derive('partner-link/v1'),
    secrets.derive('blind-index/v1'),
  ]);
  return handle(
    buildWebApp({
      ...deps,
      linkSigner: new HmacLinkSigner(linkKey),
      blindIndex: new HmacBlindIndex(indexKey),
      blindIndexStore: new DynamoBlindIndexStore(doc, table),
      workLists: new DynamoWorkLists(doc, table),
    }),
  );
}

const wired = webDeps();

/** The unwrapped handler: API Gateway v2 event in, HTTP response out. */
export const main = appOnFirstPage(
  handle(buildWebApp(wired.deps)),
  () => withWorkflow(wired.deps, wired.dynamo, process.env),
  () => !process.env[ENV.secretsKeyArn],
);

export const handler = middy(main).use(withLambdaContext(log.powertools));
