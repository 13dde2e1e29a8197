import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { DynamoOutboxStore } from '#adapters/dynamo/outbox-store.ts';
import { SesMailer } from '#adapters/ses-mailer.ts';
import { systemClock } from '#adapters/system.ts';
import { ENV } from '#config/env.ts';
import type { Logger } from '#core/ports.ts';
import { type DeliverDeps, drainOutbox } from '#core/use-cases/deliver-outbox.ts';
import { lambdaTable, loadLambdaConfig } from './shared/config.ts';
import { lazyEnvelopeCrypto } from './shared/lazy-crypto.ts';
import { lambdaLogger, withLambdaContext } from './shared/logger.ts';

/**
 * Drains the transactional outbox. Started by the table's stream (filtered in
 * the event source mapping to items with mail pending) and every five minutes
 * by EventBridge Scheduler as a safety net. The stream records only say "look
 * now": the sweep reads the outbox index itself, so a batch that fails here is
 * retried by Lambda and, whatever happens, picked up by the next sweep.
 */

const StreamEvent = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:dynamodb'),
        eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
      }),
    )
    .check(z.minLength(1)),
});
const ScheduledEvent = z.object({ job: z.literal('outbox-sweep') });
export const OutboxEvent = z.union([StreamEvent, ScheduledEvent]);

export class UnrecognisedEventError extends Error {
  override readonly name = 'UnrecognisedEventError';
  readonly code = 'EVENT_UNRECOGNISED';
}

export type OutboxDeps = DeliverDeps & { logger: Logger };

/** Sweeps in rounds of this many items until a round sends nothing or time runs short. */
const BATCH = 25;
const MAX_ROUNDS = 40;
const SAFETY_MS = 15_000;

export type OutboxResult = {
  trigger: 'stream' | 'schedule';
  sent: number;
  failed: number;
  rounds: number;
};

/** The unwrapped handler, for tests: any event in, a count of what was sent out. */
export async function main(
  event: unknown,
  deps: OutboxDeps,
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<OutboxResult> {
  const parsed = OutboxEvent.safeParse(event);
  if (!parsed.success) {
    // Never the event itself: a stream record carries a whole item.
    deps.logger.error('outbox: unrecognised event', { issues: parsed.error.issues.length });
    throw new UnrecognisedEventError('the outbox function was started by an unrecognised event');
  }
  const trigger = 'Records' in parsed.data ? 'stream' : 'schedule';
  const result: OutboxResult = {
    trigger,
    ...(await drainOutbox(deps, {
      batch: BATCH,
      maxRounds: MAX_ROUNDS,
      canContinue: () => remainingMs() > SAFETY_MS,
    })),
  };
  // Counts only; the metric filter on this line alarms when failed > 0.
  deps.logger.info('outbox swept', {
    trigger,
    sent: result.sent,
    failed: result.failed,
    rounds: result.rounds,
  });
  return result;
}

/** The AWS wiring, from the environment the CDK stack sets. */
export function outboxDeps(
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = log.port,
): OutboxDeps {
  const config = loadLambdaConfig(env);
  const { table, doc } = lambdaTable(env);
  const configurationSetName = env[ENV.sesConfigurationSet];
  return {
    outbox: new DynamoOutboxStore(doc, table),
    // The 5-minute sweep mostly finds nothing to open: the Encryption SDK is
    // imported with the first mail, not in every cold start.
    crypto: lazyEnvelopeCrypto(env),
    mailer: new SesMailer({
      client: new SESv2Client({}),
      from: config.mailFrom,
      ...(configurationSetName ? { configurationSetName } : {}),
    }),
    clock: systemClock,
    municipality: config.municipality.code,
    logger,
  };
}

const log = lambdaLogger('meldroute-outbox');

type LambdaContextLike = { getRemainingTimeInMillis(): number };

// Module scope: wired once per container, in the Lambda init phase.
const deps = outboxDeps();

export const handler = middy(async (event: unknown, context: LambdaContextLike) =>
  main(event, deps, () => context.getRemainingTimeInMillis()),
).use(withLambdaContext(log.powertools));
