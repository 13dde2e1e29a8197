import type { KeyringNode } from '@aws-crypto/client-node';
import { KMSClient } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { DynamoWorkLists } from '#adapters/dynamo/work-lists.ts';
import { systemClock } from '#adapters/system.ts';
import { ENV } from '#config/env.ts';
import type { Logger } from '#core/ports.ts';
import { type ReminderDeps, runReminders } from '#core/use-cases/reminders/run-reminders.ts';
import { emailRenderer } from '#templates/render.ts';
import { lambdaTable, loadLambdaConfig, requireEnv } from './shared/config.ts';
import { lazyEnvelopeCrypto } from './shared/lazy-crypto.ts';
import { lambdaLogger, withLambdaContext } from './shared/logger.ts';
import { SecretDeriver } from './shared/secrets.ts';

/**
 * Chases missing partner feedback (issue 5). Started by EventBridge Scheduler
 * on working days at 08:00 Europe/Amsterdam with `{"job":"reminders"}`; the
 * core skips Dutch public holidays. The mails go into the signals' outboxes
 * in the same write as the reminder records; the outbox function sends them.
 */

export const RemindersEvent = z.object({
  job: z.literal('reminders'),
  /** An operator's manual run can ask what would be sent, without writing. */
  dryRun: z.optional(z.boolean()),
});

export class UnrecognisedEventError extends Error {
  override readonly name = 'UnrecognisedEventError';
  readonly code = 'EVENT_UNRECOGNISED';
}

export type RemindersResult = {
  today: string;
  workingDay: boolean;
  checked: number;
  reminders: number;
  escalations: number;
  failed: number;
};

/** The unwrapped handler, for tests: the scheduled event in, counts out. */
export async function main(
  event: unknown,
  deps: ReminderDeps & { logger: Logger },
): Promise<RemindersResult> {
  const parsed = RemindersEvent.safeParse(event);
  if (!parsed.success) {
    deps.logger.error('reminders: unrecognised event', { issues: parsed.error.issues.length });
    throw new UnrecognisedEventError('the reminders function was started by an unrecognised event');
  }
  const r = await runReminders(deps, { dryRun: parsed.data.dryRun ?? false });
  const result: RemindersResult = {
    today: r.today,
    workingDay: r.workingDay,
    checked: r.checked,
    reminders: r.actions.filter((a) => a.kind === 'reminder').length,
    escalations: r.actions.filter((a) => a.kind === 'escalation').length,
    failed: r.failed.length,
  };
  // Counts and ids only; the metric filter can alarm on failed > 0.
  deps.logger.info('reminders run', { ...result, dryRun: r.dryRun });
  for (const f of r.failed) deps.logger.error('reminder failed', f);
  return result;
}

export type RemindersWiring = {
  env?: NodeJS.ProcessEnv;
  /** Tests inject a raw AES keyring instead of KMS, and the link key instead of deriving it. */
  keyring?: KeyringNode;
  linkKey?: Uint8Array;
  logger?: Logger;
};

/** The AWS wiring, from the environment the CDK stack sets (infra/constructs/schedules.ts). */
export async function remindersDeps(
  wiring: RemindersWiring = {},
): Promise<ReminderDeps & { logger: Logger }> {
  const env = wiring.env ?? process.env;
  const config = loadLambdaConfig(env);
  const { table, doc } = lambdaTable(env);
  const linkKey =
    wiring.linkKey ??
    (await new SecretDeriver(
      new KMSClient({}),
      requireEnv(env, ENV.secretsKeyArn),
      config.municipality.code,
    ).derive('partner-link/v1'));
  return {
    config,
    store: new DynamoSignalStore(doc, table),
    workLists: new DynamoWorkLists(doc, table),
    // Sealed only on a day with reminders or escalations due, most days none: the
    // Encryption SDK is imported then, not in every (daily, so always cold) start.
    crypto: lazyEnvelopeCrypto(env, wiring.keyring),
    clock: systemClock,
    render: emailRenderer,
    linkSigner: new HmacLinkSigner(linkKey),
    logger: wiring.logger ?? log.port,
  };
}

const log = lambdaLogger('meldroute-reminders');

// Wired once per container, on the first event (deriving the link key is a KMS call).
let deps: Promise<ReminderDeps & { logger: Logger }> | undefined;

export const handler = middy(async (event: unknown) => {
  deps ??= remindersDeps().catch((err: Error) => {
    deps = undefined;
    throw err;
  });
  return main(event, await deps);
}).use(withLambdaContext(log.powertools));
