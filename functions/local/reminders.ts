import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Cron } from 'croner';
import { DynamoDigestStore } from '#adapters/dynamo/digest-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { DynamoWorkLists } from '#adapters/dynamo/work-lists.ts';
import { type Config, ConfigError } from '#core/config.ts';
import type { Clock, Crypto, EmailRenderer, LinkSigner, Logger } from '#core/ports.ts';
import { type DigestRun, runDigest } from '#core/use-cases/reminders/digest.ts';
import { type ReminderRun, runReminders } from '#core/use-cases/reminders/run-reminders.ts';

/**
 * Local wiring of the reminder job and the officers' digest (issue 5): the
 * same use cases the Lambdas run, on an in-process schedule from
 * `reminders.cron` in Europe/Amsterdam (croner: tiny, no dependencies,
 * time zones through Intl, so summer time is right).
 */
export function localReminders(o: {
  config: Config;
  doc: DynamoDBDocumentClient;
  table: string;
  crypto: Crypto;
  clock: Clock;
  render: EmailRenderer;
  linkSigner: LinkSigner;
  logger: Logger;
}) {
  const store = new DynamoSignalStore(o.doc, o.table);
  const workLists = new DynamoWorkLists(o.doc, o.table);
  const digests = new DynamoDigestStore(o.doc, o.table);
  const base = { config: o.config, store, crypto: o.crypto, clock: o.clock, render: o.render };
  const reminders = (input: { now?: Date; dryRun?: boolean } = {}): Promise<ReminderRun> =>
    runReminders({ ...base, linkSigner: o.linkSigner, workLists }, input);
  const digest = (input: { now?: Date; dryRun?: boolean } = {}): Promise<DigestRun> =>
    runDigest({ ...base, workLists, digests }, input);
  return {
    digests,
    reminders,
    digest,
    /**
     * Runs reminders, then the digest (so it shows today's escalations), then
     * `after` (locally: sweep the outbox). Returns stop().
     */
    startSchedule(after: () => void): () => void {
      const job = new Cron(
        cronPattern(o.config),
        { timezone: 'Europe/Amsterdam', protect: true, unref: true },
        async () => {
          try {
            const r = await reminders();
            const d = await digest();
            o.logger.info('reminders run', {
              today: r.today,
              checked: r.checked,
              reminders: r.actions.filter((a) => a.kind === 'reminder').length,
              escalations: r.actions.filter((a) => a.kind === 'escalation').length,
              failed: r.failed.length,
              digestRecipients: d.recorded ? d.recipients : 0,
            });
          } catch (err) {
            o.logger.error('reminders run failed', { error: (err as Error).name });
          } finally {
            after();
          }
        },
      );
      return () => job.stop();
    },
  };
}

/** The cron expression from the config, checked: a wrong one stops the start with its name. */
export function cronPattern(config: Config): string {
  try {
    new Cron(config.reminders.cron, { paused: true, timezone: 'Europe/Amsterdam' }).stop();
  } catch (err) {
    throw new ConfigError(
      `Invalid configuration: reminders.cron "${config.reminders.cron}" (${(err as Error).message})`,
    );
  }
  return config.reminders.cron;
}
