import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MeldrouteFunction } from './function.ts';
import type { Shared } from './shared.ts';

export type Watched = {
  functions: Record<string, MeldrouteFunction>;
  deadLetterQueues: Record<string, sqs.IQueue>;
  failedSends: cloudwatch.IMetric;
  serverErrors: cloudwatch.IMetric;
};

/**
 * Alarms that need a person, all to one SNS topic for the administrator: a
 * failed handler, anything in a dead-letter queue, mail that does not go out,
 * and SES reputation (AWS pauses sending at 10% bounces or 0.5% complaints).
 */
export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, shared: Shared, watched: Watched) {
    super(scope, id);
    const { settings, data } = shared;
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: `Meldroute ${settings.config.municipality.name}: alarms`,
      masterKey: data.key,
      enforceSSL: true,
    });
    if (settings.alarmEmail) this.topic.addSubscription(new EmailSubscription(settings.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (
      id: string,
      description: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      operator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) => {
      const a = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: operator,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
    };

    const fiveMinutes = Duration.minutes(5);
    for (const [name, f] of Object.entries(watched.functions)) {
      alarm(
        `${name}Errors`,
        `The ${name} function failed. Its log group has the error code and request id.`,
        f.fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        1,
      );
    }
    for (const [name, queue] of Object.entries(watched.deadLetterQueues)) {
      alarm(
        `${name}DeadLetters`,
        `Something landed in the ${name} dead-letter queue: it was not processed and waits for a person.`,
        queue.metricApproximateNumberOfMessagesVisible({
          period: fiveMinutes,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        1,
      );
    }
    alarm(
      'OutboxFailedSends',
      'Mail in the outbox could not be sent (SES refused or is unreachable); it is retried, but check SES.',
      watched.failedSends,
      1,
    );
    alarm('WebServerErrors', 'The web app answered with server errors.', watched.serverErrors, 3);

    const ses = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        period: Duration.hours(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      });
    alarm(
      'SesBounceRate',
      'SES bounce rate is at 5%: AWS reviews the account at 5% and pauses sending at 10%. Check partner and officer addresses.',
      ses('Reputation.BounceRate'),
      0.05,
    );
    alarm(
      'SesComplaintRate',
      'SES complaint rate is at 0.1%: AWS reviews the account at 0.1% and pauses sending at 0.5%.',
      ses('Reputation.ComplaintRate'),
      0.001,
    );
  }
}
