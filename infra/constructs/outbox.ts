import { Duration, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '#config/env.ts';
import { grantEnvelope, grantKeyViaServices, grantTable } from './access.ts';
import { acknowledgeQueueKeyGrant, deadLetterQueue } from './dead-letter-queue.ts';
import { MeldrouteFunction } from './function.ts';
import { grantSending, type Mail } from './mail.ts';
import type { Shared } from './shared.ts';

/**
 * Sends the transactional outbox: mails are written into the item whose change
 * caused them, so the table's stream (filtered to items that still have mail
 * pending) starts this function right after the write. A schedule sweeps as a
 * safety net (see Schedules). Claims with conditional writes keep "sent once".
 */
export class Outbox extends Construct {
  readonly sender: MeldrouteFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly failedSends: logs.MetricFilter;

  constructor(scope: Construct, id: string, shared: Shared, mail: Mail) {
    super(scope, id);
    const { settings, data } = shared;

    this.sender = new MeldrouteFunction(this, 'Sender', {
      ...shared.functionDefaults,
      handler: 'outbox',
      description: 'Sends the mails waiting in the outbox, each once',
      timeout: Duration.minutes(2),
      // Two senders at most: the claim protocol makes more pointless, and SES has a send rate.
      reservedConcurrency: shared.reserve(2),
      environment: {
        ...shared.environment,
        [ENV.sesConfigurationSet]: mail.configurationSet.configurationSetName,
      },
    });
    const role = this.sender.role;
    grantTable(role, data.table, ['dynamodb:UpdateItem'], ['outbox']);
    grantKeyViaServices(role, data.key, ['dynamodb', 'sqs']);
    // Only sealed mails: this function can never open a reporter's identity or a signal's content.
    grantEnvelope(role, data.key, {
      municipality: settings.config.municipality.code,
      encrypt: [],
      decrypt: ['mail'],
    });
    grantSending(role, mail.sendingResources(), settings.config.mailFrom);

    this.deadLetterQueue = deadLetterQueue(this, 'StreamDeadLetters', data.key);
    this.sender.fn.addEventSource(
      new DynamoEventSource(data.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 25,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 3,
        maxRecordAge: Duration.hours(1),
        onFailure: new SqsDlq(this.deadLetterQueue),
        // Only items that still have mail to send; the sender's own "sent" write
        // removes outboxPk, so it does not wake itself up again.
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { NewImage: { outboxPk: { S: lambda.FilterRule.isEqual('PENDING') } } },
          }),
        ],
      }),
    );
    acknowledgeQueueKeyGrant(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams (added by the stream event source) has no resource-level permissions; it reads stream metadata, no data.',
    });

    // The handler logs {"message":"outbox swept","failed":n}: a count, never an address.
    this.failedSends = new logs.MetricFilter(this, 'FailedSends', {
      logGroup: this.sender.logGroup,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.message', '=', 'outbox swept'),
        logs.FilterPattern.numberValue('$.failed', '>', 0),
      ),
      metricNamespace: `Meldroute/${settings.config.municipality.code}`,
      metricName: 'OutboxFailedSends',
      metricValue: '$.failed',
    });
  }
}
