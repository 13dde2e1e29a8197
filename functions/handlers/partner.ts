import type { KeyringNode } from '@aws-crypto/client-node';
import { KMSClient } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import { handle } from 'hono/aws-lambda';
import { EncryptionSdkCrypto } from '#adapters/crypto/encryption-sdk.ts';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { SignalKeyCrypto } from '#adapters/crypto/signal-keys.ts';
import { DynamoSignalKeyStore } from '#adapters/dynamo/signal-key-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { randomIds, systemClock } from '#adapters/system.ts';
import { ENV } from '#config/env.ts';
import type { Logger } from '#core/ports.ts';
import { createPartnerApp, type PartnerAppDeps } from '#forms/partner-app.tsx';
import { emailRenderer } from '#templates/render.ts';
import { appOnFirstPage } from './shared/app-on-first-page.ts';
import { lambdaTable, loadLambdaConfig, requireEnv } from './shared/config.ts';
import { envelopeKeyring } from './shared/keyring.ts';
import { lambdaLogger, withLambdaContext } from './shared/logger.ts';
import { SecretDeriver } from './shared/secrets.ts';

/**
 * The AWS composition root of the partner pages (docs/adr/0018): a chain
 * partner opens its emailed link, reads the handover and sends feedback.
 * API Gateway routes /partner/{token} here and nowhere else; this function's
 * role may unwrap a signal's key (`signal-key`) and seal mail (`mail`), and
 * can never decrypt the reporter. So it wires only what those pages use: the
 * signal store, the signal's key over the KMS keyring, the partner-link
 * signer. No session store, no blind index, no blobs.
 *
 * As in web.ts, queued mail is sent by the outbox function (the table
 * stream): no SES permission here.
 */

export type PartnerWiring = {
  env?: NodeJS.ProcessEnv;
  /** Tests inject a raw AES keyring instead of KMS. */
  keyring?: KeyringNode;
  logger?: Logger;
};

const log = lambdaLogger('meldroute-partner');

/** Builds the partner pages' dependencies from the environment the CDK stack sets. */
export function partnerDeps(wiring: PartnerWiring = {}): PartnerAppDeps {
  const env = wiring.env ?? process.env;
  const { table, doc } = lambdaTable(env);
  return {
    config: loadLambdaConfig(env),
    store: new DynamoSignalStore(doc, table),
    // Full mode: the handover text is sealed under the signal's key (docs/adr/0016).
    crypto: new SignalKeyCrypto(
      new EncryptionSdkCrypto(envelopeKeyring(env, wiring.keyring)),
      new DynamoSignalKeyStore(doc, table),
    ),
    clock: systemClock,
    ids: randomIds,
    render: emailRenderer,
    logger: wiring.logger ?? log.port,
  };
}

/**
 * The unwrapped handler: API Gateway v2 event in, HTTP response out. The
 * partner-link key is derived in KMS once per container, on the first
 * request that needs it; /healthz and the stylesheet never wait for KMS.
 */
export function partnerMain(wiring: PartnerWiring = {}) {
  const env = wiring.env ?? process.env;
  // Without it no link opens: stop the cold start with its name, not every request later.
  const secretsKeyArn = requireEnv(env, ENV.secretsKeyArn);
  const deps = partnerDeps(wiring);
  return appOnFirstPage(handle(createPartnerApp(deps)), async () => {
    const secrets = new SecretDeriver(
      new KMSClient({}),
      secretsKeyArn,
      deps.config.municipality.code,
    );
    const linkKey = await secrets.derive('partner-link/v1');
    return handle(createPartnerApp({ ...deps, linkSigner: new HmacLinkSigner(linkKey) }));
  });
}

export const main = partnerMain();

export const handler = middy(main).use(withLambdaContext(log.powertools));
