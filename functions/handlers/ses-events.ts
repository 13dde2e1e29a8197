import type { KeyringNode } from '@aws-crypto/client-node';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { systemClock } from '#adapters/system.ts';
import type { Logger } from '#core/ports.ts';
import {
  type MailEventDeps,
  type MailEventInput,
  recordMailEvent,
} from '#core/use-cases/mail-events.ts';
import { lambdaTable, loadLambdaConfig } from './shared/config.ts';
import { lazyEnvelopeCrypto } from './shared/lazy-crypto.ts';
import { lambdaLogger, withLambdaContext } from './shared/logger.ts';

/**
 * SES outbound events of our configuration set, through the EventBridge rule
 * in infra/constructs/mail.ts. The shape is the one AWS documents for SES
 * event publishing to EventBridge: `detail` is the SES event record
 * (eventType, mail with its tags, bounce/complaint). Only what is needed is
 * parsed; recipients and diagnostic codes are never read into a log. The
 * core (functions/core/use-cases/mail-events.ts) finds and marks the mail's
 * handover or signal from the `mail` tag the SesMailer sets.
 */

const Tags = z.record(z.string(), z.array(z.string()));
const MailPart = z.looseObject({ messageId: z.string(), tags: z.optional(Tags) });

export const SesOutboundEvent = z.looseObject({
  source: z.literal('aws.ses'),
  'detail-type': z.string(),
  detail: z.looseObject({
    eventType: z.string(),
    mail: MailPart,
    bounce: z.optional(
      z.looseObject({
        bounceType: z.string(),
        bouncedRecipients: z.optional(z.array(z.looseObject({}))),
      }),
    ),
    complaint: z.optional(z.looseObject({})),
  }),
});

export class UnrecognisedEventError extends Error {
  override readonly name = 'UnrecognisedEventError';
  readonly code = 'EVENT_UNRECOGNISED';
}

export type SesEventsResult = {
  eventType: string;
  /** What was recorded: on a handover, on a signal, or nothing (and why). */
  outcome: 'handover' | 'signal' | 'ignored' | 'duplicate' | 'no-signal' | 'not-found' | 'untagged';
};

export type SesEventsDeps = MailEventDeps & { logger: Logger };

/** The unwrapped handler, for tests: one EventBridge event in, what it did out. */
export async function main(event: unknown, deps: SesEventsDeps): Promise<SesEventsResult> {
  const parsed = SesOutboundEvent.safeParse(event);
  if (!parsed.success) {
    deps.logger.error('ses-events: unrecognised event', { issues: parsed.error.issues.length });
    throw new UnrecognisedEventError(
      'the SES events function was started by an unrecognised event',
    );
  }
  const { detail } = parsed.data;
  const eventType = detail.eventType;
  const result = await handle(deps, detail);
  // Ids and kinds only: never an address, a subject or a diagnostic code.
  deps.logger.info('ses event', {
    eventType,
    outcome: result.outcome,
    ...(detail.bounce ? { bounceType: detail.bounce.bounceType } : {}),
    ...(result.signalId ? { signalId: result.signalId } : {}),
  });
  return { eventType, outcome: result.outcome };
}

async function handle(
  deps: SesEventsDeps,
  detail: z.infer<typeof SesOutboundEvent>['detail'],
): Promise<{ outcome: SesEventsResult['outcome']; signalId?: string }> {
  let kind: MailEventInput['kind'];
  if (detail.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent') kind = 'bounce';
  else if (detail.eventType === 'Complaint') kind = 'complaint';
  // Transient bounces, delays, rejects, rendering failures: SES retries or the alarms show them.
  else return { outcome: 'ignored' };
  const mailId = detail.mail.tags?.mail?.[0];
  if (!mailId) return { outcome: 'untagged' };
  const r = await recordMailEvent(deps, { kind, mailId });
  if (r.recorded) return { outcome: r.recorded, signalId: r.signalId };
  return { outcome: r.reason };
}

export type SesEventsWiring = { env?: NodeJS.ProcessEnv; keyring?: KeyringNode; logger?: Logger };

/** The AWS wiring, from the environment the CDK stack sets (infra/constructs/mail.ts). */
export function sesEventsDeps(wiring: SesEventsWiring = {}): SesEventsDeps {
  const env = wiring.env ?? process.env;
  const config = loadLambdaConfig(env);
  const { table, doc } = lambdaTable(env);
  return {
    config,
    store: new DynamoSignalStore(doc, table),
    // Never used to encrypt or decrypt here (no mail is sent); the role has no envelope grant.
    // So the Encryption SDK is only imported if that ever changes, not in every cold start.
    crypto: lazyEnvelopeCrypto(env, wiring.keyring),
    clock: systemClock,
    logger: wiring.logger ?? log.port,
  };
}

const log = lambdaLogger('meldroute-ses-events');

// Wired once per container, on the first event.
let deps: SesEventsDeps | undefined;

export const handler = middy(async (event: unknown) => {
  deps ??= sesEventsDeps();
  return main(event, deps);
}).use(withLambdaContext(log.powertools));
