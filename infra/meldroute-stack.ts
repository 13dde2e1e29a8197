import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV } from '#config/env.ts';
import { Data } from './constructs/data.ts';
import { Mail } from './constructs/mail.ts';
import { Observability } from './constructs/observability.ts';
import { Outbox } from './constructs/outbox.ts';
import { Schedules } from './constructs/schedules.ts';
import type { Shared } from './constructs/shared.ts';
import { Web } from './constructs/web.ts';
import type { Settings } from './settings.ts';

/**
 * One municipality's Meldroute in one stack, built from one construct per
 * concern. One stack on purpose: no cross-stack exports that lock resources
 * in place, and cdk-nag findings name stable logical ids. The data survives a
 * deleted stack anyway (retained key, table and buckets; termination protection).
 */
export class MeldrouteStack extends Stack {
  readonly data: Data;
  readonly web: Web;
  readonly mail: Mail;
  readonly outbox: Outbox;
  readonly schedules: Schedules;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, settings: Settings, props?: StackProps) {
    super(scope, id, props);
    this.data = new Data(this, 'Data', settings);
    const shared: Shared = {
      settings,
      data: this.data,
      environment: {
        [ENV.tableName]: this.data.table.tableName,
        [ENV.kmsKeyArn]: this.data.key.keyArn,
      },
      functionDefaults: {
        configJson: settings.configJson,
        key: this.data.key,
        logRetentionDays: settings.logRetentionDays,
      },
      reserve: (n) => (settings.reservedConcurrency ? n : undefined),
    };

    this.web = new Web(this, 'Web', shared);
    // Every other function builds links too (receipts, reminders): same base URL.
    const linked: Shared = {
      ...shared,
      environment: { ...shared.environment, [ENV.baseUrl]: this.web.baseUrl },
    };
    this.mail = new Mail(this, 'Mail', linked);
    this.outbox = new Outbox(this, 'Outbox', linked, this.mail);
    this.schedules = new Schedules(this, 'Schedules', linked, this.outbox);
    this.observability = new Observability(this, 'Observability', linked, {
      functions: {
        Web: this.web.web,
        Partner: this.web.partner,
        Intake: this.mail.intake,
        SesEvents: this.mail.sesEvents,
        Outbox: this.outbox.sender,
        Reminders: this.schedules.reminders,
        Digest: this.schedules.digest,
        Retention: this.schedules.retention,
      },
      deadLetterQueues: {
        Intake: this.mail.intakeDeadLetters,
        SesEvents: this.mail.eventDeadLetters,
        OutboxStream: this.outbox.deadLetterQueue,
        Schedules: this.schedules.deadLetterQueue,
      },
      failedSends: this.outbox.failedSends.metric({ statistic: 'Sum' }),
      serverErrors: this.web.api.metricServerError({ statistic: 'Sum' }),
    });

    new CfnOutput(this, 'WebUrl', {
      value: this.web.baseUrl,
      description: 'Where staff and officers open Meldroute',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn });
  }
}
