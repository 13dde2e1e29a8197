import { Aws, CfnOutput, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as actions from 'aws-cdk-lib/aws-ses-actions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '#config/env.ts';
import {
  grantEnvelope,
  grantKeyViaServices,
  grantObjects,
  grantSecretDerivation,
  grantTable,
} from './access.ts';
import { RAW_MAIL_PREFIX } from './data.ts';
import { acknowledgeQueueKeyGrant, deadLetterQueue } from './dead-letter-queue.ts';
import { MeldrouteFunction } from './function.ts';
import type { Shared } from './shared.ts';

/** What SES tells us about mail we sent; a bounce on a partner address must reach the handover. */
const OUTBOUND_EVENTS = {
  [ses.EmailSendingEvent.BOUNCE]: 'Email Bounced',
  [ses.EmailSendingEvent.COMPLAINT]: 'Email Complaint Received',
  [ses.EmailSendingEvent.REJECT]: 'Email Rejected',
  [ses.EmailSendingEvent.DELIVERY_DELAY]: 'Email Delivery Delayed',
  [ses.EmailSendingEvent.RENDERING_FAILURE]: 'Email Rendering Failed',
} as const;

/**
 * Mail in and out: the verified domain identities (DKIM), a receipt rule for
 * the mailbox (spam and virus scanning, TLS required) that stores the raw
 * message in the raw-mail bucket and then starts the intake function, and the
 * outbound configuration set whose bounce and complaint events go to a handler.
 */
export class Mail extends Construct {
  readonly intake: MeldrouteFunction;
  readonly sesEvents: MeldrouteFunction;
  readonly configurationSet: ses.ConfigurationSet;
  readonly identities: ses.EmailIdentity[];
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly intakeDeadLetters: sqs.Queue;
  readonly eventDeadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, shared: Shared) {
    super(scope, id);
    const { settings, data } = shared;
    const zone =
      settings.hostedZoneId && settings.hostedZoneName
        ? route53.PublicHostedZone.fromHostedZoneAttributes(this, 'Zone', {
            hostedZoneId: settings.hostedZoneId,
            zoneName: settings.hostedZoneName,
          })
        : undefined;

    this.configurationSet = new ses.ConfigurationSet(this, 'Outbound', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      // Never hand a message about a signal to a server that cannot do TLS.
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: Object.keys(OUTBOUND_EVENTS) as ses.EmailSendingEvent[],
    });

    this.identities = settings.identityDomains.map((domain, i) => {
      const identity = new ses.EmailIdentity(this, `Identity${i}`, {
        identity: ses.Identity.domain(domain),
        dkimSigning: true,
        dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
        configurationSet: this.configurationSet,
      });
      identity.dkimRecords.forEach((record, n) => {
        if (zone && `.${domain}`.endsWith(`.${zone.zoneName}`)) {
          new route53.CnameRecord(this, `Dkim${i}-${n}`, {
            zone,
            recordName: record.name,
            domainName: record.value,
            ttl: Duration.hours(1),
          });
        } else {
          new CfnOutput(this, `DkimRecord${i}x${n}`, {
            description: `DKIM CNAME for ${domain}: create it in your DNS`,
            value: `${record.name} CNAME ${record.value}`,
          });
        }
      });
      return identity;
    });

    const inboundSmtp = `inbound-smtp.${Aws.REGION}.amazonaws.com`;
    if (zone) {
      new route53.MxRecord(this, 'Mx', {
        zone,
        recordName: settings.mailboxDomain,
        values: [{ priority: 10, hostName: inboundSmtp }],
        ttl: Duration.hours(1),
      });
    } else {
      new CfnOutput(this, 'MxRecord', {
        description: `MX record for ${settings.mailboxDomain}: create it in your DNS`,
        value: `${settings.mailboxDomain} MX 10 ${inboundSmtp}`,
      });
    }

    const intakeDlq = deadLetterQueue(this, 'IntakeDeadLetters', data.key);
    this.intake = new MeldrouteFunction(this, 'Intake', {
      ...shared.functionDefaults,
      handler: 'ses-inbound',
      description: 'Turns a message the mailbox received into an encrypted signal',
      assets: ['templates'],
      timeout: Duration.minutes(2),
      memorySize: 1024,
      reservedConcurrency: shared.reserve(5),
      environment: {
        ...shared.environment,
        [ENV.rawMailBucket]: data.rawMail.bucketName,
        [ENV.rawMailPrefix]: RAW_MAIL_PREFIX,
        [ENV.attachmentsBucket]: data.attachments.bucketName,
        [ENV.secretsKeyArn]: data.secretsKey.keyArn,
        [ENV.sesConfigurationSet]: this.configurationSet.configurationSetName,
      },
    });
    this.intake.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(intakeDlq),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    acknowledgeQueueKeyGrant(this.intake.role);
    const intakeRole = this.intake.role;
    grantTable(
      intakeRole,
      data.table,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      // A reply to a receipt is matched to its signal by reference number.
      ['byReceived'],
    );
    grantKeyViaServices(intakeRole, data.key, ['dynamodb', 's3', 'sqs']);
    grantEnvelope(intakeRole, data.key, {
      municipality: settings.config.municipality.code,
      encrypt: 'any',
      // Only to compare a reply's sender with the reporter; nothing decrypted leaves the function.
      decrypt: ['reporter'],
    });
    grantSecretDerivation(intakeRole, data.secretsKey);
    grantObjects(intakeRole, data.rawMail, RAW_MAIL_PREFIX, ['s3:GetObject', 's3:DeleteObject']);
    grantObjects(intakeRole, data.attachments, '', ['s3:PutObject']);
    // A quarantined (virus) message has no signal to queue a notice on: sent directly.
    grantSending(intakeRole, this.sendingResources(), settings.config.mailFrom);

    this.ruleSet = new ses.ReceiptRuleSet(this, 'Inbound');
    const sesRole = rawMailWriterRole(this, data.rawMail, data.key);
    const rule = this.ruleSet.addRule('Mailbox', {
      recipients: [settings.config.mailbox],
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [
        new RawMailToS3(data.rawMail, RAW_MAIL_PREFIX, sesRole),
        new actions.Lambda({
          function: this.intake.fn,
          invocationType: actions.LambdaInvocationType.EVENT,
        }),
      ],
    });
    // SES checks that it may write to the bucket when the rule is created.
    rule.node.addDependency(sesRole);

    const eventsDlq = deadLetterQueue(this, 'SesEventDeadLetters', data.key);
    this.sesEvents = new MeldrouteFunction(this, 'SesEvents', {
      ...shared.functionDefaults,
      handler: 'ses-events',
      description: 'Records bounces and complaints on the handover or signal the mail belonged to',
      memorySize: 256,
      reservedConcurrency: shared.reserve(2),
      environment: shared.environment,
    });
    grantTable(this.sesEvents.role, data.table, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    grantKeyViaServices(this.sesEvents.role, data.key, ['dynamodb']);
    grantEnvelope(this.sesEvents.role, data.key, {
      municipality: settings.config.municipality.code,
      encrypt: [],
      decrypt: [],
    });
    new events.Rule(this, 'OutboundEvents', {
      description: 'SES bounce, complaint, reject and delay events of our configuration set',
      eventPattern: {
        source: ['aws.ses'],
        detailType: Object.values(OUTBOUND_EVENTS),
        detail: {
          mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } },
        },
      },
      targets: [
        new targets.LambdaFunction(this.sesEvents.fn, {
          deadLetterQueue: eventsDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    this.intakeDeadLetters = intakeDlq;
    this.eventDeadLetters = eventsDlq;

    new CfnOutput(this, 'ReceiptRuleSetName', {
      description: 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this>',
      value: this.ruleSet.receiptRuleSetName,
    });
  }

  /** ARNs a sender needs: each identity and the configuration set. */
  sendingResources(): string[] {
    return [
      ...this.identities.map((i) => i.emailIdentityArn),
      `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${this.configurationSet.configurationSetName}`,
    ];
  }
}

/** S3 action that writes with our role (scoped to the raw/ prefix), so SES needs no bucket policy. */
class RawMailToS3 implements ses.IReceiptRuleAction {
  constructor(
    private readonly bucket: s3.IBucket,
    private readonly prefix: string,
    private readonly role: iam.IRole,
  ) {}

  bind(): ses.ReceiptRuleActionConfig {
    // iamRoleArn is in the CloudFormation schema but not yet in the L2 config type.
    const s3Action = {
      bucketName: this.bucket.bucketName,
      objectKeyPrefix: this.prefix,
      iamRoleArn: this.role.roleArn,
    } as ses.S3ActionConfig;
    return { s3Action };
  }
}

function rawMailWriterRole(scope: Construct, bucket: s3.IBucket, key: kms.IKey) {
  const role = new iam.Role(scope, 'SesWriterRole', {
    description: 'SES receipt rule: write raw mail into the raw-mail bucket',
    assumedBy: new iam.ServicePrincipal('ses.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  });
  grantObjects(role, bucket, RAW_MAIL_PREFIX, ['s3:PutObject']);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    }),
  );
  return role;
}

/** SES sending from the configured sender only, through our identities and configuration set. */
export function grantSending(role: iam.IRole, resources: string[], from: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources,
      conditions: { StringEquals: { 'ses:FromAddress': from } },
    }),
  );
}
