import { Aws, Duration, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '#config/env.ts';
import {
  arnRef,
  grantEnvelope,
  grantKeyViaServices,
  grantListObjects,
  grantObjects,
  grantSecretDerivation,
  grantTable,
} from './access.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { MeldrouteFunction } from './function.ts';
import type { Outbox } from './outbox.ts';
import type { Shared } from './shared.ts';

/** The input each scheduled function receives; handlers parse it with zod. */
export const SCHEDULED_JOBS = ['outbox-sweep', 'reminders', 'digest', 'retention'] as const;
export type ScheduledJob = (typeof SCHEDULED_JOBS)[number];

/**
 * EventBridge Scheduler in Europe/Amsterdam time (summer time included), with
 * retries and a dead-letter queue. Working days are Monday to Friday here; the
 * handlers skip Dutch public holidays themselves (issue 5).
 */
export class Schedules extends Construct {
  readonly reminders: MeldrouteFunction;
  readonly digest: MeldrouteFunction;
  readonly retention: MeldrouteFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedules: scheduler.Schedule[] = [];

  constructor(scope: Construct, id: string, shared: Shared, outbox: Outbox) {
    super(scope, id);
    const { settings, data } = shared;
    const municipality = settings.config.municipality.code;

    const job = (name: string, handler: string, description: string, timeout: Duration) =>
      new MeldrouteFunction(this, name, {
        ...shared.functionDefaults,
        handler,
        description,
        assets: ['templates'],
        timeout,
        // A scheduled job never needs two at once; a retry waits for the first.
        reservedConcurrency: shared.reserve(1),
        environment: shared.environment,
      });

    this.reminders = job(
      'Reminders',
      'reminders',
      'Chases missing partner feedback',
      Duration.minutes(5),
    );
    // Reads only the sparse `due` index and the signals it names; never decrypts anything.
    grantTable(
      this.reminders.role,
      data.table,
      ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      ['due'],
    );
    grantKeyViaServices(this.reminders.role, data.key, ['dynamodb']);
    grantEnvelope(this.reminders.role, data.key, { municipality, encrypt: ['mail'], decrypt: [] });
    // Partner links in reminders are signed with the derived 'partner-link/v1' secret.
    this.reminders.fn.addEnvironment(ENV.secretsKeyArn, data.secretsKey.keyArn);
    grantSecretDerivation(this.reminders.role, data.secretsKey);

    this.digest = job(
      'Digest',
      'digest',
      "Officers' daily digest: references and counts",
      Duration.minutes(5),
    );
    grantTable(
      this.digest.role,
      data.table,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      ['byReceived', 'byStatus', 'due'],
    );
    grantKeyViaServices(this.digest.role, data.key, ['dynamodb']);
    grantEnvelope(this.digest.role, data.key, { municipality, encrypt: ['mail'], decrypt: [] });

    this.retention = job(
      'Retention',
      'retention',
      'Erases closed signals after the retention period',
      Duration.minutes(15),
    );
    // What runRetention uses (functions/adapters/dynamo/retention-store.ts, signal-store.ts):
    // Query on byStatus (closed signals) and byReceived (remnants), Get of signals and
    // remnants, the conditional Put of the remnant, Update (cleaned), and one filtered
    // Scan per batch for the blind-index and other related items it then Deletes.
    grantTable(
      this.retention.role,
      data.table,
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'dynamodb:Scan',
      ],
      ['byStatus', 'byReceived'],
    );
    grantKeyViaServices(this.retention.role, data.key, ['dynamodb', 's3']);
    // It opens only the sealed raw-mail outcome markers (which signal a raw mail became); it seals nothing.
    grantEnvelope(this.retention.role, data.key, {
      municipality,
      encrypt: [],
      decrypt: ['raw-mail-outcome'],
    });
    // S3BlobStore on the attachments bucket: List and Get (outcome markers), Delete. The
    // bucket is versioned; noncurrent versions expire by its lifecycle rule, so no DeleteObjectVersion.
    grantObjects(this.retention.role, data.attachments, '', ['s3:DeleteObject', 's3:GetObject']);
    grantListObjects(this.retention.role, data.attachments, [
      'additions/*',
      'attachments/*',
      'processed/*',
    ]);

    this.deadLetterQueue = deadLetterQueue(this, 'ScheduleDeadLetters', data.key);
    const role = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: start the Meldroute jobs',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    grantKeyViaServices(role, data.key, ['sqs']);

    const amsterdam = (minute: string, hour: string, weekDay?: string) =>
      scheduler.ScheduleExpression.cron({
        minute,
        hour,
        ...(weekDay ? { weekDay } : {}),
        // Europe/Amsterdam is a tzdata link (not in CDK's list); Scheduler accepts it.
        timeZone: TimeZone.of('Europe/Amsterdam'),
      });
    const plan: [string, ScheduledJob, MeldrouteFunction, scheduler.ScheduleExpression, string][] =
      [
        // The stream sends at once; this catches what a failed or throttled run left behind.
        [
          'OutboxSweep',
          'outbox-sweep',
          outbox.sender,
          scheduler.ScheduleExpression.rate(Duration.minutes(5)),
          'Outbox safety net',
        ],
        [
          'RemindersDaily',
          'reminders',
          this.reminders,
          amsterdam('0', '8', 'MON-FRI'),
          'Reminders, working days 08:00',
        ],
        [
          'DigestDaily',
          'digest',
          this.digest,
          amsterdam('30', '7', 'MON-FRI'),
          'Digest, working days 07:30',
        ],
        [
          'RetentionNightly',
          'retention',
          this.retention,
          amsterdam('15', '3'),
          'Retention, nightly 03:15',
        ],
      ];
    for (const [sid, name, fn, expression, description] of plan) {
      this.schedules.push(
        new scheduler.Schedule(this, sid, {
          description: `Meldroute ${municipality}: ${description}`,
          schedule: expression,
          target: new LambdaInvoke(fn.fn, {
            role,
            input: scheduler.ScheduleTargetInput.fromObject({ job: name }),
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 3,
            maxEventAge: Duration.hours(1),
          }),
        }),
      );
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arnRef(fn.fn)}:*]`,
        reason:
          'lambda:InvokeFunction on the function and its versions (the :* suffix), as granted by the Scheduler target.',
      });
    }
  }
}
