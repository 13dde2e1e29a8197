import type { KeyringNode } from '@aws-crypto/client-node';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import { readS3Object, S3BlobStore } from '#adapters/blob/s3-blob-store.ts';
import { EncryptionSdkCrypto } from '#adapters/crypto/encryption-sdk.ts';
import { HmacReplyTokens } from '#adapters/crypto/hmac-reply-tokens.ts';
import { SignalKeyCrypto } from '#adapters/crypto/signal-keys.ts';
import { DynamoSignalDirectory } from '#adapters/dynamo/signal-directory.ts';
import { DynamoSignalKeyStore } from '#adapters/dynamo/signal-key-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { PostalMimeParser } from '#adapters/mail/postal-mime-parser.ts';
import { SesMailer } from '#adapters/ses-mailer.ts';
import { randomIds, systemClock } from '#adapters/system.ts';
import { ENV } from '#config/env.ts';
import { sha256Hex } from '#core/mail/raw-mail.ts';
import type { Logger } from '#core/ports.ts';
import { type IntakeDeps, type IntakeOutcome, intakeMail } from '#core/use-cases/intake-mail.ts';
import { emailRenderer } from '#templates/render.ts';
import { lambdaTable, loadLambdaConfig, requireEnv } from './shared/config.ts';
import { envelopeKeyring } from './shared/keyring.ts';
import { lambdaLogger, withLambdaContext } from './shared/logger.ts';
import { SecretDeriver } from './shared/secrets.ts';
import { inboundMessages, UnrecognisedEventError } from './shared/ses-inbound-event.ts';

/**
 * The mailbox on AWS. The receipt rule stores the raw message in the
 * raw-mail bucket (SSE-KMS) and then invokes this function (Event). It reads
 * the object and runs the same intake as local mode; the raw object stays
 * until the bucket's lifecycle removes it, so a quarantined message is kept.
 * A failure throws: Lambda retries twice, then the event goes to the dead
 * letter queue, and the raw message is still in the bucket.
 */

export type SesInboundDeps = IntakeDeps & {
  s3: Pick<S3Client, 'send'>;
  rawMailBucket: string;
  rawMailPrefix: string;
};

export class RawMailMissingError extends Error {
  override readonly name = 'RawMailMissingError';
  readonly code = 'RAW_MAIL_MISSING';
}

export type SesInboundResult = {
  outcomes: Array<{ kind: IntakeOutcome['kind']; rawId: string; signalId?: string }>;
};

/** The unwrapped handler, for tests: an SES receipt event in, what each message became out. */
export async function main(event: unknown, deps: SesInboundDeps): Promise<SesInboundResult> {
  let messages: ReturnType<typeof inboundMessages>;
  try {
    messages = inboundMessages(event);
  } catch (err) {
    deps.logger.error('ses-inbound: unrecognised event', { error: (err as Error).name });
    throw err;
  }
  const outcomes: SesInboundResult['outcomes'] = [];
  for (const m of messages) {
    const rawId = rawIdOf(m.sesMessageId);
    let raw = m.content;
    if (!raw) {
      const object = m.object ?? {
        bucket: deps.rawMailBucket,
        key: deps.rawMailPrefix + m.sesMessageId,
      };
      // Only our bucket and prefix: an event naming another object is a misconfiguration.
      if (object.bucket !== deps.rawMailBucket || !object.key.startsWith(deps.rawMailPrefix)) {
        deps.logger.error('ses-inbound: object outside the raw-mail bucket', { rawId });
        throw new UnrecognisedEventError('event names an object outside the raw-mail bucket');
      }
      raw = await readS3Object(deps.s3, object.bucket, object.key);
    }
    if (!raw) {
      deps.logger.error('ses-inbound: raw mail missing', { rawId });
      throw new RawMailMissingError(`raw mail ${rawId} not found`);
    }
    const outcome = await intakeMail(deps, {
      rawId,
      raw,
      receivedVia: 'ses',
      verdicts: m.verdicts,
      envelopeRecipients: m.recipients,
    });
    outcomes.push({
      kind: outcome.kind,
      rawId,
      ...('signalId' in outcome ? { signalId: outcome.signalId } : {}),
    });
  }
  return { outcomes };
}

/** SES message ids are lower-case alphanumerics; anything else is hashed into that alphabet. */
function rawIdOf(sesMessageId: string): string {
  const id = sesMessageId.toLowerCase();
  return /^[a-z0-9-]{6,76}$/.test(id) ? `ses-${id}` : `ses-${sha256Hex(sesMessageId).slice(0, 40)}`;
}

export type SesInboundWiring = {
  env?: NodeJS.ProcessEnv;
  /** Tests inject a raw AES keyring instead of KMS. */
  keyring?: KeyringNode;
  /** Tests inject the reply-token key instead of deriving it in KMS. */
  replyTokenKey?: Uint8Array;
  logger?: Logger;
};

/** The AWS wiring, from the environment the CDK stack sets (infra/constructs/mail.ts). */
export async function sesInboundDeps(wiring: SesInboundWiring = {}): Promise<SesInboundDeps> {
  const env = wiring.env ?? process.env;
  const config = loadLambdaConfig(env);
  const { table, doc } = lambdaTable(env);
  const kmsKeyArn = wiring.keyring ? undefined : requireEnv(env, ENV.kmsKeyArn);
  const keyring = envelopeKeyring(env, wiring.keyring);
  const s3 = new S3Client({});
  const replyTokenKey =
    wiring.replyTokenKey ??
    (await new SecretDeriver(
      new KMSClient({}),
      requireEnv(env, ENV.secretsKeyArn),
      config.municipality.code,
    ).derive('reply-token/v1'));
  const configurationSetName = env[ENV.sesConfigurationSet];
  return {
    config,
    store: new DynamoSignalStore(doc, table),
    // A new signal gets its key here; an existing signal's key is never unwrapped: this
    // role may decrypt only `reporter` (docs/adr/0016, infra/constructs/mail.ts).
    crypto: new SignalKeyCrypto(
      new EncryptionSdkCrypto(keyring),
      new DynamoSignalKeyStore(doc, table),
      { mode: 'create-only' },
    ),
    clock: systemClock,
    ids: randomIds,
    render: emailRenderer,
    blobs: new S3BlobStore({
      client: s3,
      bucket: requireEnv(env, ENV.attachmentsBucket),
      ...(kmsKeyArn ? { kmsKeyId: kmsKeyArn } : {}),
    }),
    // The invocation is the sandbox here (timeout, memory), and the bundle has no node_modules.
    parser: new PostalMimeParser({ isolation: 'inline', timeoutMs: 60_000 }),
    mailer: new SesMailer({
      client: new SESv2Client({}),
      from: config.mailFrom,
      ...(configurationSetName ? { configurationSetName } : {}),
    }),
    logger: wiring.logger ?? log.port,
    replyTokens: new HmacReplyTokens(replyTokenKey),
    directory: new DynamoSignalDirectory(doc, table),
    s3,
    rawMailBucket: requireEnv(env, ENV.rawMailBucket),
    rawMailPrefix: env[ENV.rawMailPrefix] ?? '',
  };
}

const log = lambdaLogger('meldroute-ses-inbound');

// Wired once per container, on the first event (the KMS call that derives the token key is async).
let deps: Promise<SesInboundDeps> | undefined;

export const handler = middy(async (event: unknown) => {
  deps ??= sesInboundDeps().catch((err: Error) => {
    deps = undefined;
    throw err;
  });
  return main(event, await deps);
}).use(withLambdaContext(log.powertools));
