import type { KeyringNode } from '@aws-crypto/client-node';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { EncryptionSdkCrypto } from '#adapters/crypto/encryption-sdk.ts';
import { DynamoDigestStore } from '#adapters/dynamo/digest-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { DynamoWorkLists } from '#adapters/dynamo/work-lists.ts';
import { systemClock } from '#adapters/system.ts';
import type { Logger } from '#core/ports.ts';
import { type DigestDeps, runDigest } from '#core/use-cases/reminders/digest.ts';
import { emailRenderer } from '#templates/render.ts';
import { lambdaTable, loadLambdaConfig } from './shared/config.ts';
import { envelopeKeyring } from './shared/keyring.ts';
import { lambdaLogger, withLambdaContext } from './shared/logger.ts';

/**
 * The officers' daily digest (issue 5): references and counts only. Started
 * by EventBridge Scheduler on working days with `{"job":"digest"}`; the core
 * skips Dutch public holidays and sends each day's digest once.
 */

export const DigestEvent = z.object({ job: z.literal('digest') });

export class UnrecognisedEventError extends Error {
  override readonly name = 'UnrecognisedEventError';
  readonly code = 'EVENT_UNRECOGNISED';
}

export type DigestResult = {
  today: string;
  workingDay: boolean;
  recipients: number;
  recorded: boolean;
};

/** The unwrapped handler, for tests. */
export async function main(
  event: unknown,
  deps: DigestDeps & { logger: Logger },
): Promise<DigestResult> {
  const parsed = DigestEvent.safeParse(event);
  if (!parsed.success) {
    deps.logger.error('digest: unrecognised event', { issues: parsed.error.issues.length });
    throw new UnrecognisedEventError('the digest function was started by an unrecognised event');
  }
  const r = await runDigest(deps);
  const result = {
    today: r.today,
    workingDay: r.workingDay,
    recipients: r.recipients,
    recorded: r.recorded,
  };
  deps.logger.info('digest run', result);
  return result;
}

export type DigestWiring = { env?: NodeJS.ProcessEnv; keyring?: KeyringNode; logger?: Logger };

export function digestDeps(wiring: DigestWiring = {}): DigestDeps & { logger: Logger } {
  const env = wiring.env ?? process.env;
  const config = loadLambdaConfig(env);
  const { table, doc } = lambdaTable(env);
  return {
    config,
    store: new DynamoSignalStore(doc, table),
    workLists: new DynamoWorkLists(doc, table),
    digests: new DynamoDigestStore(doc, table),
    crypto: new EncryptionSdkCrypto(envelopeKeyring(env, wiring.keyring)),
    clock: systemClock,
    render: emailRenderer,
    logger: wiring.logger ?? log.port,
  };
}

const log = lambdaLogger('meldroute-digest');

// Module scope: wired once per container, in the Lambda init phase.
const deps = digestDeps();

export const handler = middy(async (event: unknown) => main(event, deps)).use(
  withLambdaContext(log.powertools),
);
